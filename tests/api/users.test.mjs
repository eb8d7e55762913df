// Users, roles and region scope (RULE-USER-*, RULE-SCOPE-001).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError } from '../lib/server.mjs'

let s, admin
before(async () => { s = await new Server().start(); admin = await s.login('admin') })
after(async () => { await s.stop(); s.cleanup() })

const valid = { username: 'u_ok', display_name: '张三', role: 'helper', region_code: '520327001', password: 'Abcdefg123', phone: '13800001111' }

test('admin creates a user; a duplicate username is a 409 on the field', async () => {
  const r = await admin.post('/api/v1/users', valid)
  assert.equal(r.status, 201)
  assert.equal(r.body.region_name, '龙泉街道')
  assert.equal(r.body.role_name, '社区助老员')
  assert.equal(r.body.must_change_password, false)
  assertError(assert, await admin.post('/api/v1/users', { ...valid, username: 'U_OK' }), 409, 'conflict', 'username')
})

test('each bad input names its field', async () => {
  const cases = [
    [{ username: 'ab' }, 'username'], [{ username: 'bad name' }, 'username'],
    [{ display_name: '' }, 'display_name'], [{ role: 'king' }, 'role'],
    [{ region_code: '999999' }, 'region_code'], [{ region_code: '5203' + '2' }, 'region_code'],
    [{ phone: '12345' }, 'phone'], [{ password: 'short1' }, 'password'], [{ password: 'onlyletters' }, 'password'],
    [{ display_name: 42 }, 'display_name'],
  ]
  for (const [patch, field] of cases) {
    const r = await admin.post('/api/v1/users', { ...valid, username: 'u_bad', ...patch })
    assertError(assert, r, 400, 'invalid', field)
  }
  assert.equal((await admin.get('/api/v1/users?q=u_bad')).body.total, 0, 'nothing half written')
})

test('an officer creates users only inside their region and only with roles they hold', async () => {
  const civil = await s.login('fg_civil')
  const ok = await civil.post('/api/v1/users', { ...valid, username: 'civil_made', region_code: '520327001' })
  assert.equal(ok.status, 201)
  assertError(assert, await civil.post('/api/v1/users', { ...valid, username: 'outside', region_code: '520328' }), 403, 'forbidden', 'region_code')
  assertError(assert, await civil.post('/api/v1/users', { ...valid, username: 'wannabe', role: 'admin' }), 403, 'forbidden', 'role')
  const lq = await s.login('lq_officer')
  assertError(assert, await lq.post('/api/v1/users', { ...valid, username: 'lq_civil', role: 'civil_officer', region_code: '520327001' }), 403, 'forbidden', 'role')
})

test('listing is scoped; a user outside the scope is 404 exactly like a missing one', async () => {
  const lq = await s.login('lq_officer')
  const list = await lq.get('/api/v1/users?page_size=200')
  assert.ok(list.body.items.length > 0)
  assert.ok(list.body.items.every((u) => u.region_code.startsWith('520327001')))
  const jx = (await admin.get('/api/v1/users?q=jx_officer')).body.items[0]
  const hidden = await lq.get(`/api/v1/users/${jx.id}`)
  const missing = await lq.get('/api/v1/users/999999')
  assertError(assert, hidden, 404, 'not_found')
  assert.deepEqual(hidden.body, missing.body)
  assertError(assert, await lq.patch(`/api/v1/users/${jx.id}`, { version: jx.version, display_name: 'x' }), 404, 'not_found')
})

test('PATCH needs the current version; disabling ends the user\'s sessions', async () => {
  const u = (await admin.post('/api/v1/users', { ...valid, username: 'to_disable' })).body
  const their = await s.login('to_disable', valid.password)
  const r1 = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, display_name: '新名字' })
  assert.equal(r1.status, 200)
  assert.equal(r1.body.version, u.version + 1)
  assertError(assert, await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, display_name: '旧版本' }), 409, 'conflict', 'version')
  assertError(assert, await admin.patch(`/api/v1/users/${u.id}`, { display_name: '无版本' }), 400, 'invalid', 'version')
  const off = await admin.patch(`/api/v1/users/${u.id}`, { version: r1.body.version, status: 'disabled' })
  assert.equal(off.body.status, 'disabled')
  assertError(assert, await their.get('/api/v1/me'), 401, 'unauthorized')
  assertError(assert, await s.client().post('/api/v1/auth/login', { username: 'to_disable', password: valid.password }), 401, 'unauthorized')
})

test('nobody changes their own role, region or status', async () => {
  const civil = await s.login('fg_civil')
  const me = (await civil.get('/api/v1/me')).body.user
  assertError(assert, await civil.patch(`/api/v1/users/${me.id}`, { version: me.version, role: 'admin' }), 403, 'forbidden')
})

test('roles are data with the ten ids and their permissions', async () => {
  const r = await admin.get('/api/v1/roles')
  assert.deepEqual(r.body.items.map((i) => i.id), ['admin', 'civil_officer', 'township_officer', 'helper', 'assessor', 'provider_admin', 'caregiver', 'elder', 'family', 'volunteer'])
  assert.ok(r.body.items.find((i) => i.id === 'admin').permissions.includes('audit.read'))
  assert.ok(!r.body.items.find((i) => i.id === 'helper').permissions.includes('user.read'))
})

test('a refused request is 403 and is audited', async () => {
  const helper = await s.login('lq_helper')
  assertError(assert, await helper.get('/api/v1/users'), 403, 'forbidden')
  const denied = await admin.get('/api/v1/audit?action=access.denied')
  assert.ok(denied.body.items.some((i) => i.username === 'lq_helper' && i.target_id === '/api/v1/users' && i.outcome === 'denied'))
})
