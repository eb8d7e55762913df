// Sign-in, the session cookie, CSRF, logout, session expiry, password change, first-login
// change of a generated password, and API tokens.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, startServers, serverTest, assertError, sleep, ADMIN_PASSWORD, DEMO_PASSWORD } from './helpers.mjs'

let s, idle, absolute, admin
const test = serverTest(() => [s, idle, absolute])

before(async () => {
  [s, idle, absolute] = await startServers(
    {},
    { env: { ANLAO_SESSION_IDLE_SECONDS: '2' } },
    { env: { ANLAO_SESSION_ABSOLUTE_SECONDS: '2' } },
  )
  admin = await s.login('admin')
})
after(async () => {
  for (const x of [s, idle, absolute]) {
    if (!x) continue
    try { await x.stop() } finally { await x.dispose() }
  }
})

const HEX64 = /^[0-9a-f]{64}$/

async function createUser(body) {
  const r = await admin.post('/api/v1/users', body)
  assert.equal(r.status, 201, r.text)
  return r.body
}

test('login: HttpOnly SameSite=Strict session cookie, CSRF token and the permissions in the body', async () => {
  const c = s.client()
  const r = await c.post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD })
  assert.equal(r.status, 200, r.text)
  assert.equal(r.cookies.length, 1, 'one Set-Cookie')
  const [cookie] = r.cookies
  const [pair, ...attrs] = cookie.split(';').map((x) => x.trim())
  assert.match(pair, /^anlao_session=[0-9a-f]{64}$/)
  const lower = attrs.map((a) => a.toLowerCase())
  assert.ok(lower.includes('httponly'), cookie)
  assert.ok(lower.includes('samesite=strict'), cookie)
  assert.ok(lower.includes('path=/'), cookie)
  assert.ok(!lower.some((a) => a.startsWith('max-age') || a.startsWith('expires')), 'a browser-session cookie: ' + cookie)

  assert.match(r.body.csrf_token, HEX64)
  const u = r.body.user
  assert.equal(u.username, 'admin')
  assert.equal(u.role, 'admin')
  assert.equal(u.status, 'active')
  assert.equal(u.must_change_password, false)
  assert.deepEqual(u.prefs, { elder_mode: false })
  assert.ok(Array.isArray(u.permissions))
  for (const p of ['user.read', 'user.write', 'role.read', 'region.read', 'audit.read', 'token.manage', 'dashboard.read']) {
    assert.ok(u.permissions.includes(p), `admin holds ${p}`)
  }
  assert.ok(!JSON.stringify(r.body).includes('argon2'), 'no password hash in the answer')
  assert.ok(!('password_hash' in u))

  // The cookie authenticates; /me gives the same user and the same CSRF token.
  const me = await c.get('/api/v1/me')
  assert.equal(me.status, 200)
  assert.equal(me.body.user.id, u.id)
  assert.equal(me.body.csrf_token, r.body.csrf_token)

  // A township officer's permissions are those of its role only.
  const lq = s.client()
  const r2 = await lq.post('/api/v1/auth/login', { username: 'lq_officer', password: DEMO_PASSWORD })
  assert.equal(r2.status, 200)
  assert.ok(r2.body.user.permissions.includes('user.read'))
  assert.ok(!r2.body.user.permissions.includes('audit.read'))
  assert.ok(!r2.body.user.permissions.includes('token.manage'))
  assert.equal(r2.body.user.region_code, '520327001')
  assert.notEqual(r2.body.csrf_token, r.body.csrf_token, 'one CSRF token per session')
  assert.notEqual(lq.cookie, c.cookie)
})

test('wrong password and unknown user: the same 401, no cookie', async () => {
  const wrong = await s.client().post('/api/v1/auth/login', { username: 'fg_civil', password: 'Wrong12345' })
  const unknown = await s.client().post('/api/v1/auth/login', { username: 'nobody_here', password: 'Wrong12345' })
  assertError(wrong, 401, 'unauthorized', null)
  assertError(unknown, 401, 'unauthorized', null)
  assert.equal(wrong.body.error.message, unknown.body.error.message, 'the answer does not tell which one was wrong')
  assert.deepEqual(wrong.cookies, [])
  assert.deepEqual(unknown.cookies, [])
  assertError(await s.client().post('/api/v1/auth/login', { password: 'x' }), 400, 'invalid', 'username')
  assertError(await s.client().post('/api/v1/auth/login', { username: 'admin' }), 400, 'invalid', 'password')
})

test('login takes JSON only: text/plain and form bodies are 400 and sign nobody in (RULE-AUTH-005)', async () => {
  const body = JSON.stringify({ username: 'fg_civil', password: DEMO_PASSWORD })
  for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
    const r = await s.client().post('/api/v1/auth/login', body, { headers: { 'Content-Type': type } })
    const e = assertError(r, 400, 'invalid')
    assert.match(e.message, /JSON/, e.message)
    assert.deepEqual(r.cookies, [], `no session for ${type}`)
  }
  const form = await s.client().post('/api/v1/auth/login', `username=fg_civil&password=${DEMO_PASSWORD}`,
    { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
  assertError(form, 400, 'invalid')
  for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) {
    const r = await s.client().post('/api/v1/auth/login', body, { headers: { 'Content-Type': type } })
    assert.equal(r.status, 200, `${type}: ${r.text}`)
  }
})

test('GET /api/v1/me without a valid session is 401', async () => {
  assertError(await s.client().get('/api/v1/me'), 401, 'unauthorized')
  const forged = s.client()
  forged.cookie = '0'.repeat(64)
  assertError(await forged.get('/api/v1/me'), 401, 'unauthorized')
  forged.cookie = 'not-a-token'
  assertError(await forged.get('/api/v1/me'), 401, 'unauthorized')
})

test('a write with the cookie but without the right X-CSRF-Token is 403 csrf and changes nothing', async () => {
  const c = await s.login('fg_civil')
  const other = await s.login('fg_civil') // another session of the same user: another token
  assert.notEqual(other.csrf, c.csrf)
  const before = (await c.get('/api/v1/me')).body.user
  const body = { display_name: 'CSRF 攻击' }
  assertError(await c.patch('/api/v1/me', body, { csrf: false }), 403, 'csrf')
  assertError(await c.patch('/api/v1/me', body, { csrf: 'f'.repeat(64) }), 403, 'csrf')
  assertError(await c.patch('/api/v1/me', body, { csrf: other.csrf }), 403, 'csrf')
  assertError(await c.patch('/api/v1/me', body, { csrf: '' }), 403, 'csrf')
  assertError(await c.post('/api/v1/tokens', { name: 'x' }, { csrf: false }), 403, 'csrf')
  assertError(await c.post('/api/v1/auth/logout', undefined, { csrf: false }), 403, 'csrf')
  const after = (await c.get('/api/v1/me')).body.user
  assert.equal(after.display_name, before.display_name)
  assert.equal(after.version, before.version)
  assert.equal((await c.get('/api/v1/tokens')).body.total, 0)

  const ok = await c.patch('/api/v1/me', { display_name: '王芳', prefs: { elder_mode: true } })
  assert.equal(ok.status, 200, ok.text)
  assert.equal(ok.body.user.display_name, '王芳')
  assert.equal(ok.body.user.prefs.elder_mode, true)
  assert.equal(ok.body.user.version, before.version + 1)
})

test('logout ends this session only; the old cookie gets 401', async () => {
  const c = await s.login('lq_officer')
  const second = await s.login('lq_officer')
  const old = c.cookie
  const oldCsrf = c.csrf
  const r = await c.post('/api/v1/auth/logout')
  assert.equal(r.status, 200, r.text)
  assert.deepEqual(r.body, { ok: true })
  assert.equal(r.cookies.length, 1)
  assert.match(r.cookies[0], /^anlao_session=;/)
  assert.match(r.cookies[0], /Max-Age=0/i)
  assert.equal(c.cookie, null)

  const replay = s.client()
  replay.cookie = old
  assertError(await replay.get('/api/v1/me'), 401, 'unauthorized')
  assertError(await replay.post('/api/v1/auth/logout', undefined, { csrf: oldCsrf }), 401, 'unauthorized')
  assert.equal((await second.get('/api/v1/me')).status, 200, 'the other session of the user is still valid')
})

test('password change: policy, old password, then every other session ends and the new cookie works', async () => {
  await createUser({ username: 'pw_user', display_name: '改密', role: 'helper', region_code: '520327001', password: 'First1234' })
  const a = await s.login('pw_user', 'First1234')
  const b = await s.login('pw_user', 'First1234')
  const pw = (old_password, new_password) => a.post('/api/v1/me/password', { old_password, new_password })

  for (const bad of ['short1', 'lettersonly', '1234567890', 'Abc 12', '']) {
    assertError(await pw('First1234', bad), 400, 'invalid', 'new_password')
  }
  assertError(await pw('First1234', 'First1234'), 400, 'invalid', 'new_password')
  assertError(await pw('Wrong1234', 'Second1234'), 400, 'invalid', 'old_password')
  assertError(await a.post('/api/v1/me/password', { new_password: 'Second1234' }), 400, 'invalid', 'old_password')
  assert.equal((await b.get('/api/v1/me')).status, 200, 'refused changes end no session')

  const oldCookie = a.cookie
  const oldCsrf = a.csrf
  const ok = await pw('First1234', 'Second1234')
  assert.equal(ok.status, 200, ok.text)
  assert.match(ok.body.csrf_token, HEX64)
  assert.notEqual(ok.body.csrf_token, oldCsrf)
  assert.equal(ok.body.user.username, 'pw_user')
  assert.equal(ok.cookies.length, 1, 'a new session cookie')
  assert.notEqual(a.cookie, oldCookie)
  assert.match(a.cookie, HEX64)

  const me = await a.get('/api/v1/me')
  assert.equal(me.status, 200, 'the new cookie works')
  assert.equal((await a.patch('/api/v1/me', { phone: '13800001111' })).status, 200, 'with the new CSRF token')
  assertError(await b.get('/api/v1/me'), 401, 'unauthorized')
  const stale = s.client()
  stale.cookie = oldCookie
  assertError(await stale.get('/api/v1/me'), 401, 'unauthorized')

  assertError(await s.client().post('/api/v1/auth/login', { username: 'pw_user', password: 'First1234' }), 401, 'unauthorized')
  assert.equal((await s.client().post('/api/v1/auth/login', { username: 'pw_user', password: 'Second1234' })).status, 200)
  const audit = await admin.get(`/api/v1/audit?action=auth.password_change&target_id=${me.body.user.id}`)
  assert.equal(audit.body.total, 1)
  assert.equal(audit.body.items[0].username, 'pw_user')
})

test('a password change ends the user\'s API tokens too; a token caller needs the old password as well (RULE-AUTH-007)', async () => {
  await createUser({ username: 'pw_tok', display_name: '令牌改密', role: 'civil_officer', region_code: '520327', password: 'Given1234' })
  const a = await s.login('pw_tok', 'Given1234')
  assert.equal((await a.post('/api/v1/me/password', { old_password: 'Given1234', new_password: 'Mine12345' })).status, 200)
  const t1 = await a.post('/api/v1/tokens', { name: '一' })
  const t2 = await a.post('/api/v1/tokens', { name: '二' })
  assert.equal(t1.status, 201, t1.text)
  const p1 = s.client(), p2 = s.client()
  p1.bearer = t1.body.token
  p2.bearer = t2.body.token
  assert.equal((await p2.get('/api/v1/me')).status, 200)
  assertError(await p1.post('/api/v1/me/password', { new_password: 'Other12345' }), 400, 'invalid', 'old_password')
  assertError(await p1.post('/api/v1/me/password', { old_password: 'Wrong1234', new_password: 'Other12345' }), 400, 'invalid', 'old_password')
  assert.equal((await p2.get('/api/v1/me')).status, 200, 'refused changes revoke nothing')

  const ok = await a.post('/api/v1/me/password', { old_password: 'Mine12345', new_password: 'Other12345' })
  assert.equal(ok.status, 200, ok.text)
  assertError(await p1.get('/api/v1/me'), 401, 'unauthorized')
  assertError(await p2.get('/api/v1/me'), 401, 'unauthorized')
  assert.equal((await a.get('/api/v1/me')).status, 200, 'the session that changed it goes on with its new cookie')
  const listed = (await a.get('/api/v1/tokens')).body.items
  assert.ok(listed.length === 2 && listed.every((t) => t.revoked === true), JSON.stringify(listed))
})

test('a generated password must be changed before anything but /me, /me/password and logout', async () => {
  const created = await createUser({ username: 'gen_user', display_name: '生成密码', role: 'township_officer', region_code: '520327101' })
  const gen = created.generated_password
  assert.equal(typeof gen, 'string')
  assert.ok(gen.length >= 8 && /[A-Za-z]/.test(gen) && /[0-9]/.test(gen), `meets the password rule: ${gen}`)
  assert.equal(created.must_change_password, true)
  assert.equal((await admin.get(`/api/v1/users/${created.id}`)).body.generated_password, undefined, 'shown once')

  const u = await s.login('gen_user', gen)
  const me = await u.get('/api/v1/me')
  assert.equal(me.status, 200)
  assert.equal(me.body.user.must_change_password, true)
  for (const [method, path, body] of [
    ['GET', '/api/v1/users'], ['GET', '/api/v1/regions'], ['GET', '/api/v1/roles'], ['GET', '/api/v1/dashboard'],
    ['GET', `/api/v1/users/${created.id}`], ['PATCH', '/api/v1/me', { display_name: '不行' }],
    ['POST', '/api/v1/users', { username: 'gen_made', display_name: 'x', role: 'helper', region_code: '520327101' }],
  ]) {
    assertError(await u.request(method, path, body), 403, 'password_change_required')
  }
  // CSRF still applies to the routes that stay open.
  assertError(await u.post('/api/v1/me/password', { old_password: gen, new_password: 'Changed2026' }, { csrf: false }), 403, 'csrf')
  // Logout stays open.
  const other = await s.login('gen_user', gen)
  assert.equal((await other.post('/api/v1/auth/logout')).status, 200)

  const ch = await u.post('/api/v1/me/password', { old_password: gen, new_password: 'Changed2026' })
  assert.equal(ch.status, 200, ch.text)
  assert.equal(ch.body.user.must_change_password, false)
  const list = await u.get('/api/v1/users')
  assert.equal(list.status, 200, list.text)
  assert.ok(list.body.items.every((x) => x.region_code.startsWith('520327101')))
  assert.equal((await admin.get('/api/v1/users?q=gen_made')).body.total, 0, 'the refused create wrote nothing')
})

test('API tokens: shown once with the alt_ prefix, Bearer without CSRF, only the owner revokes, revoked is 401', async () => {
  const c = await s.login('fg_civil')
  const t = await c.post('/api/v1/tokens', { name: '统计对接' })
  assert.equal(t.status, 201, t.text)
  assert.equal(t.body.name, '统计对接')
  assert.equal(typeof t.body.id, 'number')
  assert.match(t.body.token, /^alt_[0-9a-f]{64}$/)

  const list = await c.get('/api/v1/tokens')
  const item = list.body.items.find((i) => i.id === t.body.id)
  assert.ok(item, list.text)
  assert.equal(item.name, '统计对接')
  assert.equal(item.revoked, false)
  assert.match(item.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  assert.ok(!list.text.includes(t.body.token.slice(4)), 'the token is never shown again')

  const prog = s.client()
  prog.bearer = t.body.token
  const me = await prog.get('/api/v1/me')
  assert.equal(me.status, 200, me.text)
  assert.equal(me.body.user.username, 'fg_civil')
  assert.equal(me.body.csrf_token, null, 'no CSRF token for a bearer')
  const w = await prog.patch('/api/v1/me', { phone: '13912345678' })
  assert.equal(w.status, 200, 'a bearer write needs no CSRF token: ' + w.text)
  assert.equal(w.body.user.phone, '13912345678')

  // Somebody else's token is not found, and stays valid.
  assertError(await admin.del(`/api/v1/tokens/${t.body.id}`), 404, 'not_found')
  assert.equal((await prog.get('/api/v1/me')).status, 200)
  // No token.manage, no tokens.
  const lq = await s.login('lq_officer')
  assertError(await lq.post('/api/v1/tokens', { name: 'x' }), 403, 'forbidden')

  const rv = await c.del(`/api/v1/tokens/${t.body.id}`)
  assert.equal(rv.status, 200, rv.text)
  assert.deepEqual(rv.body, { ok: true })
  assertError(await prog.get('/api/v1/me'), 401, 'unauthorized')
  assertError(await prog.patch('/api/v1/me', { phone: '13900000000' }), 401, 'unauthorized')
  assert.equal((await c.get('/api/v1/tokens')).body.items.find((i) => i.id === t.body.id).revoked, true)
  assertError(await c.del(`/api/v1/tokens/${t.body.id}`), 404, 'not_found')

  for (const bad of ['alt_' + 'z'.repeat(64), 'alt_' + 'a'.repeat(64), 'x'.repeat(68), 'alt_']) {
    const p = s.client()
    p.bearer = bad
    assertError(await p.get('/api/v1/me'), 401, 'unauthorized')
  }
})

test('API tokens: last_used_at records the use of a token', async () => {
  const c = await s.login('fg_provider')
  const t = await c.post('/api/v1/tokens', { name: '对接测试' })
  assert.equal(t.status, 201, t.text)
  const before = (await c.get('/api/v1/tokens')).body.items.find((i) => i.id === t.body.id)
  assert.equal(before.last_used_at, null, 'not used yet')
  const prog = s.client()
  prog.bearer = t.body.token
  assert.equal((await prog.get('/api/v1/me')).status, 200)
  const after = (await c.get('/api/v1/tokens')).body.items.find((i) => i.id === t.body.id)
  assert.match(String(after.last_used_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'a used token must not look unused: ' + JSON.stringify(after))
})

test('session idle expiry (ANLAO_SESSION_IDLE_SECONDS=2): use keeps it alive, 3.5 s without use ends it', async () => {
  const c = await idle.login('admin')
  for (let i = 0; i < 3; i++) {
    assert.equal((await c.get('/api/v1/me')).status, 200, `use ${i}`)
    await sleep(1200) // 3.6 s in all since sign-in, never 2 s idle
  }
  assert.equal((await c.get('/api/v1/me')).status, 200, 'still alive after 3.6 s of regular use')
  await sleep(3500)
  assertError(await c.get('/api/v1/me'), 401, 'unauthorized')
  assertError(await c.patch('/api/v1/me', { phone: '' }), 401, 'unauthorized')
  assert.equal((await idle.login('admin').then((x) => x.get('/api/v1/me'))).status, 200, 'a new sign-in works')
})

test('session absolute expiry (ANLAO_SESSION_ABSOLUTE_SECONDS=2): ends even while in use', async () => {
  const c = await absolute.login('admin')
  const t0 = Date.now()
  assert.equal((await c.get('/api/v1/me')).status, 200)
  await sleep(400)
  assert.equal((await c.get('/api/v1/me')).status, 200)
  for (let i = 0; i < 12 && Date.now() - t0 < 3200; i++) {
    await sleep(300)
    await c.get('/api/v1/me') // in use all the time
  }
  await sleep(Math.max(0, 3200 - (Date.now() - t0)))
  assertError(await c.get('/api/v1/me'), 401, 'unauthorized')
})
