// Sign-in, sessions, CSRF, password change, first-login change, API tokens.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, sleep, ADMIN_PASSWORD } from '../lib/server.mjs'

let s
before(async () => { s = await new Server().start() })
after(async () => { const r = await s.stop(); assert.equal(r.code, 0, s.log); s.cleanup() })

test('login sets an HttpOnly SameSite=Strict cookie and returns the CSRF token and permissions', async () => {
  const c = s.client()
  const r = await c.post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD })
  assert.equal(r.status, 200)
  assert.match(r.setCookie, /anlao_session=[0-9a-f]{64}/)
  assert.match(r.setCookie, /HttpOnly/)
  assert.match(r.setCookie, /SameSite=Strict/)
  assert.match(r.body.csrf_token, /^[0-9a-f]{64}$/)
  assert.ok(r.body.user.permissions.includes('user.write'))
  assert.equal(r.body.user.username, 'admin')
  const me = await c.get('/api/v1/me')
  assert.equal(me.status, 200)
  assert.equal(me.body.user.id, r.body.user.id)
})

test('wrong password and unknown user get the same 401', async () => {
  const a = await s.client().post('/api/v1/auth/login', { username: 'admin', password: 'nope12345' })
  const b = await s.client().post('/api/v1/auth/login', { username: 'nobody', password: 'nope12345' })
  assertError(assert, a, 401, 'unauthorized')
  assertError(assert, b, 401, 'unauthorized')
  assert.equal(a.body.error.message, b.body.error.message)
})

test('missing credentials name the field', async () => {
  assertError(assert, await s.client().post('/api/v1/auth/login', { password: 'x' }), 400, 'invalid', 'username')
  assertError(assert, await s.client().post('/api/v1/auth/login', { username: 'admin' }), 400, 'invalid', 'password')
})

test('no session: 401', async () => {
  assertError(assert, await s.client().get('/api/v1/me'), 401, 'unauthorized')
  const c = s.client()
  c.cookie = 'anlao_session=' + '0'.repeat(64)
  assertError(assert, await c.get('/api/v1/me'), 401, 'unauthorized')
})

test('a state change without the matching X-CSRF-Token is refused with 403', async () => {
  const c = await s.login('fg_civil')
  const body = { prefs: { elder_mode: true } }
  assertError(assert, await c.patch('/api/v1/me', body, { csrf: false }), 403, 'csrf')
  assertError(assert, await c.patch('/api/v1/me', body, { csrf: false, headers: { 'X-CSRF-Token': 'f'.repeat(64) } }), 403, 'csrf')
  const ok = await c.patch('/api/v1/me', body)
  assert.equal(ok.status, 200)
  assert.equal(ok.body.user.prefs.elder_mode, true)
})

test('logout ends the session server-side', async () => {
  const c = await s.login('lq_officer')
  const old = c.cookie
  const r = await c.post('/api/v1/auth/logout')
  assert.equal(r.status, 200)
  const again = s.client()
  again.cookie = old
  assertError(assert, await again.get('/api/v1/me'), 401, 'unauthorized')
})

test('password change: rules, old password, and every other session ends', async () => {
  const admin = await s.login('admin')
  const created = await admin.post('/api/v1/users', { username: 'pw_user', display_name: '改密', role: 'helper', region_code: '520327001', password: 'First1234' })
  assert.equal(created.status, 201)
  const a = await s.login('pw_user', 'First1234')
  const b = await s.login('pw_user', 'First1234')
  assertError(assert, await a.post('/api/v1/me/password', { old_password: 'First1234', new_password: 'short1' }), 400, 'invalid', 'new_password')
  assertError(assert, await a.post('/api/v1/me/password', { old_password: 'First1234', new_password: 'lettersonly' }), 400, 'invalid', 'new_password')
  assertError(assert, await a.post('/api/v1/me/password', { old_password: 'Wrong1234', new_password: 'Second1234' }), 400, 'invalid', 'old_password')
  const ok = await a.post('/api/v1/me/password', { old_password: 'First1234', new_password: 'Second1234' })
  assert.equal(ok.status, 200)
  assert.equal((await a.get('/api/v1/me')).status, 200, 'this client got a fresh session')
  assertError(assert, await b.get('/api/v1/me'), 401, 'unauthorized')
  assertError(assert, await s.client().post('/api/v1/auth/login', { username: 'pw_user', password: 'First1234' }), 401, 'unauthorized')
  assert.equal((await s.client().post('/api/v1/auth/login', { username: 'pw_user', password: 'Second1234' })).status, 200)
})

test('a generated password must be changed before anything else', async () => {
  const admin = await s.login('admin')
  const r = await admin.post('/api/v1/users', { username: 'gen_user', display_name: '生成', role: 'township_officer', region_code: '520327101' })
  assert.equal(r.status, 201)
  assert.match(r.body.generated_password, /^(?=.*[A-Za-z])(?=.*[0-9])[A-Za-z0-9]{12}$/)
  assert.equal(r.body.must_change_password, true)
  const u = await s.login('gen_user', r.body.generated_password)
  assert.equal((await u.get('/api/v1/me')).body.user.must_change_password, true)
  assertError(assert, await u.get('/api/v1/users'), 403, 'password_change_required')
  assertError(assert, await u.get('/api/v1/dashboard'), 403, 'password_change_required')
  const ch = await u.post('/api/v1/me/password', { old_password: r.body.generated_password, new_password: 'Changed2026' })
  assert.equal(ch.status, 200)
  assert.equal((await u.get('/api/v1/users')).status, 200)
})

test('API tokens: shown once, work without CSRF, revocable', async () => {
  const c = await s.login('fg_civil')
  const t = await c.post('/api/v1/tokens', { name: '统计对接' })
  assert.equal(t.status, 201)
  assert.match(t.body.token, /^alt_[0-9a-f]{64}$/)
  const list = await c.get('/api/v1/tokens')
  assert.ok(list.body.items.every((i) => !('token' in i)), 'token never listed')
  const prog = s.client()
  prog.bearer = t.body.token
  assert.equal((await prog.get('/api/v1/me')).body.user.username, 'fg_civil')
  const w = await prog.patch('/api/v1/me', { display_name: '王芳' })
  assert.equal(w.status, 200, 'bearer writes need no CSRF')
  assert.equal((await c.del(`/api/v1/tokens/${t.body.id}`)).status, 200)
  assertError(assert, await prog.get('/api/v1/me'), 401, 'unauthorized')
  assertError(assert, await c.del(`/api/v1/tokens/${t.body.id}`), 404, 'not_found')
})

test('session idle and absolute expiry', async () => {
  const idle = await new Server({ env: { ANLAO_SESSION_IDLE_SECONDS: '2' } }).start()
  try {
    const c = await idle.login('admin')
    assert.equal((await c.get('/api/v1/me')).status, 200)
    await sleep(1200)
    assert.equal((await c.get('/api/v1/me')).status, 200, 'use keeps it alive')
    await sleep(3500)
    assertError(assert, await c.get('/api/v1/me'), 401, 'unauthorized')
  } finally { await idle.stop(); idle.cleanup() }
  const abs = await new Server({ env: { ANLAO_SESSION_ABSOLUTE_SECONDS: '2' } }).start()
  try {
    const c = await abs.login('admin')
    for (let i = 0; i < 3; i++) { assert.equal((await c.get('/api/v1/me')).status, 200); await sleep(500) }
    await sleep(1200)
    assertError(assert, await c.get('/api/v1/me'), 401, 'unauthorized')
  } finally { await abs.stop(); abs.cleanup() }
})
