// Users, roles and the region scope (RULE-USER-*, RULE-SCOPE-001).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError } from './helpers.mjs'

let s, admin
const test = serverTest(() => [s])

before(async () => { s = await Server.start(); admin = await s.login('admin') })
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

const valid = { username: 'u_ok', display_name: '张三', role: 'helper', region_code: '520327001', password: 'Abcdefg123', phone: '13800001111' }
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

async function idOf(username) {
  const r = await admin.get(`/api/v1/users?q=${encodeURIComponent(username)}&page_size=200`)
  const u = r.body.items.find((x) => x.username === username)
  assert.ok(u, `user ${username} exists`)
  return u
}

// A user created or reset with a password set by someone else changes it at first sign-in
// (RULE-AUTH-001); this signs them in, changes it to `next` and returns the session.
const firstSignIn = (username, password, next) => s.firstLogin(username, password, next)

test('admin creates a user: 201 with the whole User object; it can sign in', async () => {
  const r = await admin.post('/api/v1/users', valid)
  assert.equal(r.status, 201, r.text)
  const u = r.body
  assert.equal(typeof u.id, 'number')
  assert.deepEqual(
    { ...u, id: 0, created_at: '', updated_at: '' },
    { id: 0, username: 'u_ok', display_name: '张三', phone: '13800001111', role: 'helper', role_name: '社区助老员',
      region_code: '520327001', region_name: '龙泉街道', status: 'active', must_change_password: true,
      created_at: '', updated_at: '', version: 1 },
  )
  assert.match(u.created_at, ISO)
  assert.equal(u.updated_at, u.created_at)
  const got = await admin.get(`/api/v1/users/${u.id}`)
  assert.equal(got.status, 200)
  assert.deepEqual(got.body, u)
  const c = await s.login('u_ok', valid.password)
  const me = (await c.get('/api/v1/me')).body.user
  assert.equal(me.id, u.id)
  // RULE-AUTH-001: a password set by the admin is temporary, like a generated one.
  assert.equal(me.must_change_password, true)
  assertError(await c.get('/api/v1/users'), 403, 'password_change_required')
})

test('a duplicate username is 409 on the field username, in any letter case', async () => {
  const before = (await admin.get('/api/v1/users?page_size=200')).body.total
  assertError(await admin.post('/api/v1/users', { ...valid }), 409, 'conflict', 'username')
  assertError(await admin.post('/api/v1/users', { ...valid, username: 'U_OK' }), 409, 'conflict', 'username')
  assertError(await admin.post('/api/v1/users', { ...valid, username: 'fg_civil' }), 409, 'conflict', 'username')
  assert.equal((await admin.get('/api/v1/users?page_size=200')).body.total, before)
})

test('each bad input is a 400 naming its field, and nothing is written', async () => {
  assert.equal((await admin.get('/api/v1/regions/520327999')).status, 404, 'precondition: 520327999 does not exist')
  const base = { ...valid, username: 'u_bad' }
  const omit = (k) => { const o = { ...base }; delete o[k]; return { whole: o } }
  const cases = [
    [{ username: 'ab' }, 'username'], [{ username: 'bad name' }, 'username'], [{ username: 'x'.repeat(33) }, 'username'],
    [{ username: '张三丰' }, 'username'], [{ username: 42 }, 'username'], [omit('username'), 'username'],
    [{ display_name: '' }, 'display_name'], [{ display_name: '   ' }, 'display_name'], [{ display_name: 42 }, 'display_name'],
    [{ display_name: '名'.repeat(33) }, 'display_name'], [omit('display_name'), 'display_name'],
    [{ role: 'king' }, 'role'], [{ role: '' }, 'role'], [omit('role'), 'role'],
    [{ region_code: '520327999' }, 'region_code'], [{ region_code: '999999' }, 'region_code'],
    [{ region_code: '5203270' }, 'region_code'], [{ region_code: '52032700a' }, 'region_code'], [omit('region_code'), 'region_code'],
    [{ phone: '12345' }, 'phone'], [{ phone: '1380000111x' }, 'phone'], [{ phone: '12800001111' }, 'phone'],
    [{ password: 'short1' }, 'password'], [{ password: 'onlyletters' }, 'password'], [{ password: '1234567890' }, 'password'],
  ]
  for (const [change, field] of cases) {
    const body = change.whole || { ...base, ...change }
    const r = await admin.post('/api/v1/users', body)
    assertError(r, 400, 'invalid', field)
  }
  assert.equal((await admin.get('/api/v1/users?q=u_bad')).body.total, 0, 'nothing half written')
})

// RULE-USER-003
test('a county officer creates users inside the county only, and never with more rights', async () => {
  const civil = await s.login('fg_civil')
  const ok = await civil.post('/api/v1/users', { ...valid, username: 'civil_made', region_code: '520327001' })
  assert.equal(ok.status, 201, ok.text)
  assert.equal(ok.body.region_code, '520327001')
  assert.equal((await admin.get('/api/v1/regions/520328')).body.name, '湄潭县', 'precondition: 520328 exists')
  assertError(await civil.post('/api/v1/users', { ...valid, username: 'outside', region_code: '520328' }), 403, 'forbidden', 'region_code')
  assertError(await civil.post('/api/v1/users', { ...valid, username: 'outside2', region_code: '520328004' }), 403, 'forbidden', 'region_code')
  assertError(await civil.post('/api/v1/users', { ...valid, username: 'nationwide', region_code: '' }), 403, 'forbidden', 'region_code')
  assertError(await civil.post('/api/v1/users', { ...valid, username: 'wannabe', role: 'admin' }), 403, 'forbidden', 'role')
  for (const u of ['outside', 'outside2', 'nationwide', 'wannabe']) {
    assert.equal((await admin.get(`/api/v1/users?q=${u}`)).body.total, 0, `${u} not created`)
  }
})

// RULE-USER-003
test('a township officer cannot create a civil officer, nor outside the township', async () => {
  const lq = await s.login('lq_officer')
  assertError(await lq.post('/api/v1/users', { ...valid, username: 'lq_civil', role: 'civil_officer', region_code: '520327001' }), 403, 'forbidden', 'role')
  assertError(await lq.post('/api/v1/users', { ...valid, username: 'lq_far', region_code: '520327101' }), 403, 'forbidden', 'region_code')
  const ok = await lq.post('/api/v1/users', { ...valid, username: 'lq_made', region_code: '520327001001' })
  assert.equal(ok.status, 201, 'a helper in a village of the township: ' + ok.text)
  assert.equal((await admin.get('/api/v1/users?q=lq_civil')).body.total, 0)
})

test('a township officer lists only the users of 520327001…', async () => {
  const lq = await s.login('lq_officer')
  const list = await lq.get('/api/v1/users?page_size=200')
  assert.equal(list.status, 200)
  const names = list.body.items.map((u) => u.username)
  assert.ok(names.includes('lq_officer') && names.includes('lq_helper'), names.join())
  assert.ok(list.body.items.every((u) => u.region_code.startsWith('520327001')), names.join())
  assert.ok(!names.includes('jx_officer') && !names.includes('fg_civil') && !names.includes('admin'), names.join())
  assert.equal(list.body.total, list.body.items.length)
  const all = (await admin.get('/api/v1/users?page_size=200')).body.items
  assert.equal(list.body.total, all.filter((u) => u.region_code.startsWith('520327001')).length)
  // Filters narrow within the scope; they never widen it.
  assert.equal((await lq.get('/api/v1/users?region=520327101')).body.total, 0)
  assert.equal((await lq.get('/api/v1/users?region=5203')).body.total, list.body.total)
  assert.equal((await lq.get('/api/v1/users?q=jx_officer')).body.total, 0)
  // Paging: total stays, pages do not overlap.
  const p1 = await lq.get('/api/v1/users?page_size=1&page=1')
  const p2 = await lq.get('/api/v1/users?page_size=1&page=2')
  assert.equal(p1.body.total, list.body.total)
  assert.equal(p1.body.items.length, 1)
  assert.notEqual(p1.body.items[0].id, p2.body.items[0].id)
})

test('a user outside the scope is 404 exactly like a user that does not exist', async () => {
  const lq = await s.login('lq_officer')
  const jx = await idOf('jx_officer')
  const missingId = 987654
  assert.equal((await admin.get(`/api/v1/users/${missingId}`)).status, 404, 'precondition: no such id')
  const hidden = await lq.get(`/api/v1/users/${jx.id}`)
  const missing = await lq.get(`/api/v1/users/${missingId}`)
  assertError(hidden, 404, 'not_found', null)
  assert.equal(hidden.text, missing.text, 'same body byte for byte')
  const h1 = await lq.patch(`/api/v1/users/${jx.id}`, { version: jx.version, display_name: 'x' })
  const h2 = await lq.patch(`/api/v1/users/${missingId}`, { version: 1, display_name: 'x' })
  assertError(h1, 404, 'not_found', null)
  assert.equal(h1.text, h2.text)
  assert.equal((await admin.get(`/api/v1/users/${jx.id}`)).body.display_name, jx.display_name, 'unchanged')
})

test('PATCH needs the current version: stale is 409 and changes nothing; concurrent PATCHes, one wins', async () => {
  const u = (await admin.post('/api/v1/users', { ...valid, username: 'versioned' })).body
  const r1 = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, display_name: '新名字', phone: '' })
  assert.equal(r1.status, 200, r1.text)
  assert.equal(r1.body.version, u.version + 1)
  assert.equal(r1.body.display_name, '新名字')
  assert.equal(r1.body.phone, null)
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, display_name: '旧版本' }), 409, 'conflict', 'version')
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { display_name: '无版本' }), 400, 'invalid', 'version')
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { version: r1.body.version, status: 'sleeping' }), 400, 'invalid', 'status')
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { version: r1.body.version, role: 'king' }), 400, 'invalid', 'role')
  const now = (await admin.get(`/api/v1/users/${u.id}`)).body
  assert.equal(now.display_name, '新名字')
  assert.equal(now.version, r1.body.version)

  const racers = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    admin.patch(`/api/v1/users/${u.id}`, { version: now.version, display_name: `并发${i}` })))
  const statuses = racers.map((r) => r.status).sort()
  assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409, 409, 409], racers.map((r) => r.text).join('\n'))
  const winner = racers.find((r) => r.status === 200).body
  const final = (await admin.get(`/api/v1/users/${u.id}`)).body
  assert.equal(final.version, now.version + 1)
  assert.equal(final.display_name, winner.display_name)
})

test('disabling a user ends their sessions and tokens; enabling lets them sign in again', async () => {
  const u = (await admin.post('/api/v1/users', { ...valid, username: 'to_disable', role: 'civil_officer', region_code: '520327' })).body
  const their = await firstSignIn('to_disable', valid.password, 'Disable2026')
  const tok = await their.post('/api/v1/tokens', { name: '停用前' })
  assert.equal(tok.status, 201, tok.text)
  const prog = s.client()
  prog.bearer = tok.body.token
  assert.equal((await prog.get('/api/v1/me')).status, 200)

  const cur = (await admin.get(`/api/v1/users/${u.id}`)).body
  const off = await admin.patch(`/api/v1/users/${u.id}`, { version: cur.version, status: 'disabled' })
  assert.equal(off.status, 200, off.text)
  assert.equal(off.body.status, 'disabled')
  assertError(await their.get('/api/v1/me'), 401, 'unauthorized')
  assertError(await prog.get('/api/v1/me'), 401, 'unauthorized')
  const refused = await s.client().post('/api/v1/auth/login', { username: 'to_disable', password: 'Disable2026' })
  assertError(refused, 401, 'unauthorized')
  assert.deepEqual(refused.cookies, [])
  assert.equal((await admin.get(`/api/v1/users?status=disabled`)).body.items.some((x) => x.id === u.id), true)

  const on = await admin.patch(`/api/v1/users/${u.id}`, { version: off.body.version, status: 'active' })
  assert.equal(on.status, 200, on.text)
  assert.equal((await s.login('to_disable', 'Disable2026').then((c) => c.get('/api/v1/me'))).status, 200)
  assertError(await their.get('/api/v1/me'), 401, 'unauthorized', undefined)
})

test('a password set by an officer is temporary: their sessions and API tokens end, and they must change it', async () => {
  const u = (await admin.post('/api/v1/users', { ...valid, username: 'reset_me', role: 'civil_officer', region_code: '520327' })).body
  const their = await firstSignIn('reset_me', valid.password, 'Mine12345')
  const tok = await their.post('/api/v1/tokens', { name: '重置前' })
  assert.equal(tok.status, 201, tok.text)
  const prog = s.client()
  prog.bearer = tok.body.token
  assert.equal((await prog.get('/api/v1/me')).status, 200)
  const now = (await admin.get(`/api/v1/users/${u.id}`)).body
  const r = await admin.patch(`/api/v1/users/${u.id}`, { version: now.version, password: 'Temp12345' })
  assert.equal(r.status, 200, r.text)
  assert.equal(r.body.must_change_password, true)
  assert.ok(!('password' in r.body) && !r.text.includes('Temp12345'))
  assertError(await their.get('/api/v1/me'), 401, 'unauthorized')
  // RULE-AUTH-007: the reset revokes their API tokens too.
  assertError(await prog.get('/api/v1/me'), 401, 'unauthorized')
  assertError(await s.client().post('/api/v1/auth/login', { username: 'reset_me', password: 'Mine12345' }), 401, 'unauthorized')
  const again = await s.login('reset_me', 'Temp12345')
  assertError(await again.patch('/api/v1/me', { phone: '' }), 403, 'password_change_required')
  assertError(await admin.patch(`/api/v1/users/${u.id}`, { version: r.body.version, password: 'weak' }), 400, 'invalid', 'password')
})

test('one\'s own password through PATCH /users/:self needs the old one, is throttled, and ends every session and token', async () => {
  // RULE-AUTH-007
  const u = (await admin.post('/api/v1/users', { ...valid, username: 'self_pw', role: 'civil_officer', region_code: '520327' })).body
  const me = await firstSignIn('self_pw', valid.password, 'Own12345')
  const other = await s.login('self_pw', 'Own12345')
  const tok = await me.post('/api/v1/tokens', { name: '自助' })
  assert.equal(tok.status, 201, tok.text)
  const prog = s.client()
  prog.bearer = tok.body.token
  const version = () => admin.get(`/api/v1/users/${u.id}`).then((x) => x.body.version)

  // Without the old password: refused, from the session and from the token alike.
  assertError(await me.patch(`/api/v1/users/${u.id}`, { version: await version(), password: 'Taken1234' }), 400, 'invalid', 'old_password')
  assertError(await prog.patch(`/api/v1/users/${u.id}`, { version: await version(), password: 'Taken1234' }), 400, 'invalid', 'old_password')
  assertError(await prog.patch(`/api/v1/users/${u.id}`, { version: await version(), password: 'Taken1234', old_password: 'Wrong1234' }), 400, 'invalid', 'old_password')
  assertError(await s.client().post('/api/v1/auth/login', { username: 'self_pw', password: 'Taken1234' }), 401, 'unauthorized')
  const failed = await admin.get('/api/v1/audit?action=auth.password_failed&user=self_pw')
  assert.equal(failed.body.total, 1, 'the wrong old password is audited as a failure: ' + failed.text)
  assert.equal((await other.get('/api/v1/me')).status, 200, 'refused changes end no session')

  const ok = await prog.patch(`/api/v1/users/${u.id}`, { version: await version(), password: 'Taken1234', old_password: 'Own12345' })
  assert.equal(ok.status, 200, ok.text)
  assert.equal(ok.body.must_change_password, false, 'one\'s own choice is not temporary')
  assertError(await prog.get('/api/v1/me'), 401, 'unauthorized')
  assertError(await other.get('/api/v1/me'), 401, 'unauthorized')
  assertError(await me.get('/api/v1/me'), 401, 'unauthorized')
  assert.equal((await s.login('self_pw', 'Taken1234').then((c) => c.get('/api/v1/me'))).status, 200)
})

// RULE-USER-003
test('PATCH cannot lift a user above the caller, nor move them out of the caller\'s region', async () => {
  const lq = await s.login('lq_officer')
  const target = await idOf('lq_helper')
  assertError(await lq.patch(`/api/v1/users/${target.id}`, { version: target.version, role: 'civil_officer' }), 403, 'forbidden', 'role')
  assertError(await lq.patch(`/api/v1/users/${target.id}`, { version: target.version, region_code: '520327101' }), 403, 'forbidden', 'region_code')
  const admins = await idOf('admin')
  assertError(await lq.patch(`/api/v1/users/${admins.id}`, { version: admins.version, display_name: 'x' }), 404, 'not_found')
  const after = (await admin.get(`/api/v1/users/${target.id}`)).body
  assert.equal(after.role, 'helper')
  assert.equal(after.region_code, '520327001')
  assert.equal(after.version, target.version)
})

// RULE-USER-003
test('nobody changes their own role, region or status', async () => {
  const civil = await s.login('fg_civil')
  const me = (await civil.get('/api/v1/me')).body.user
  for (const change of [{ role: 'admin' }, { region_code: '' }, { status: 'disabled' }]) {
    assertError(await civil.patch(`/api/v1/users/${me.id}`, { version: me.version, ...change }), 403, 'forbidden')
  }
  const after = (await admin.get(`/api/v1/users/${me.id}`)).body
  assert.equal(after.role, 'civil_officer')
  assert.equal(after.region_code, '520327')
  assert.equal(after.version, me.version)
})

test('GET /api/v1/roles: the ten roles in order, with their Chinese names and permissions', async () => {
  const r = await admin.get('/api/v1/roles')
  assert.equal(r.status, 200)
  const expected = [['admin', '系统管理员'], ['civil_officer', '民政管理员'], ['township_officer', '乡镇/街道管理员'],
    ['helper', '社区助老员'], ['assessor', '评估员'], ['provider_admin', '服务机构管理员'], ['caregiver', '护理员'],
    ['elder', '老年人'], ['family', '家属'], ['volunteer', '志愿者']]
  assert.deepEqual(r.body.items.map((i) => [i.id, i.name]), expected)
  assert.equal(r.body.total, 10)
  for (const i of r.body.items) assert.ok(Array.isArray(i.permissions) && i.permissions.every((p) => typeof p === 'string'), i.id)
  const perms = Object.fromEntries(r.body.items.map((i) => [i.id, i.permissions]))
  const every = new Set(Object.values(perms).flat())
  assert.deepEqual([...every].filter((p) => !perms.admin.includes(p)), [], 'admin holds every permission')
  assert.deepEqual([...perms.admin].sort(), [...(await admin.get('/api/v1/me')).body.user.permissions].sort())
  for (const p of ['user.read', 'user.write', 'audit.read', 'region.read', 'token.manage']) assert.ok(perms.civil_officer.includes(p), p)
  assert.ok(!perms.township_officer.includes('audit.read'))
  assert.ok(!perms.helper.includes('user.read'))
  assert.ok(perms.helper.includes('region.read'))
  // Readable with role.read only.
  assertError(await (await s.login('lq_helper')).get('/api/v1/roles'), 403, 'forbidden')
  assert.equal((await (await s.login('lq_officer')).get('/api/v1/roles')).status, 200)
})

test('a helper (no user.read) gets 403 forbidden on /api/v1/users, and the refusal is audited', async () => {
  const helper = await s.login('lq_helper')
  const before = (await admin.get('/api/v1/audit?action=access.denied&user=lq_helper')).body.total
  const r = await helper.get('/api/v1/users')
  assertError(r, 403, 'forbidden', null)
  assertError(await helper.get('/api/v1/users/1'), 403, 'forbidden')
  const after = await admin.get('/api/v1/audit?action=access.denied&user=lq_helper')
  assert.equal(after.body.total, before + 2)
  const e = after.body.items.find((i) => i.target_id === '/api/v1/users')
  assert.ok(e, after.text)
  assert.equal(e.outcome, 'denied')
  assert.equal(e.target_type, 'route')
  assert.equal(e.region_code, '520327001')
  assert.equal(e.client_ip, '127.0.0.1')
  assert.equal(e.detail.permission, 'user.read')
  assert.equal(e.detail.method, 'GET')
})

test('the search q matches its characters literally (_ and % are not wildcards)', async () => {
  const underscore = await admin.get('/api/v1/users?q=_&page_size=200')
  const names = underscore.body.items.map((u) => u.username)
  assert.ok(names.includes('fg_civil'))
  assert.ok(!names.includes('admin'), `q=_ must not match "admin" (no underscore in it): ${names.join()}`)
  const percent = await admin.get('/api/v1/users?q=%25&page_size=200')
  assert.equal(percent.body.total, 0, `no username or name contains "%": ${percent.body.items.map((u) => u.username).join()}`)
})

// RULE-FIELD-001: a PATCH body is read from the user field table; each bad member is a 400
// naming it, with the same message as before the table, and nothing is written.
test('each bad member of a user PATCH is a 400 naming it with its message; nothing is written', async () => {
  const u = (await admin.post('/api/v1/users', { username: 'u_patch', display_name: '改', role: 'helper', region_code: '520327001', password: 'Abcdefg123' })).body
  const cases = [
    [{ version: 0 }, 'version', '版本号应在 1 到 9223372036854775807 之间'],
    [{ version: 'x' }, 'version', '版本号应为整数'],
    [{ display_name: '' }, 'display_name', '姓名至少需要 1 个字符'],
    [{ display_name: '  ' }, 'display_name', '姓名至少需要 1 个字符'],
    [{ display_name: 42 }, 'display_name', '姓名应为文本'],
    [{ display_name: '名'.repeat(33) }, 'display_name', '姓名不能超过 32 个字符'],
    [{ display_name: 'a\nb' }, 'display_name', '姓名不能包含控制字符、换行或文字方向控制符'],
    [{ phone: 42 }, 'phone', '电话应为文本'],
    [{ phone: '12345' }, 'phone', '电话号码应为 11 位手机号或带区号的固定电话'],
    [{ phone: '1'.repeat(21) }, 'phone', '电话不能超过 20 个字符'],
    [{ role: '' }, 'role', '角色至少需要 1 个字符'],
    [{ role: 'king' }, 'role', '角色 king 不存在'],
    [{ role: 7 }, 'role', '角色应为文本'],
    [{ role: 'x'.repeat(33) }, 'role', '角色不能超过 32 个字符'],
    [{ region_code: '5203270' }, 'region_code', '区划代码应为 2、4、6、9 或 12 位数字'],
    [{ region_code: '520327999' }, 'region_code', '区划代码 520327999 不存在'],
    [{ region_code: 'x'.repeat(13) }, 'region_code', '所属区划不能超过 12 个字符'],
    [{ status: '' }, 'status', '状态至少需要 1 个字符'],
    [{ status: 'gone' }, 'status', '状态应为 active 或 disabled'],
    [{ status: 'x'.repeat(17) }, 'status', '状态不能超过 16 个字符'],
    [{ password: '' }, 'password', '密码至少需要 1 个字符'],
    [{ password: 'short1' }, 'password', '密码至少需要 8 个字符'],
    [{ password: 'x'.repeat(201) }, 'password', '密码不能超过 200 个字符'],
    [{ old_password: '' }, 'old_password', '原密码至少需要 1 个字符'],
    [{ old_password: 'x'.repeat(129) }, 'old_password', '原密码不能超过 128 个字符'],
    [{ password: 'Abcdefg1234', old_password: 5 }, 'old_password', '原密码应为文本'],
  ]
  for (const [change, field, message] of cases) {
    const body = 'version' in change ? change : { version: u.version, ...change }
    const e = assertError(await admin.patch(`/api/v1/users/${u.id}`, body), 400, 'invalid', field)
    assert.equal(e.message, message, JSON.stringify(change))
  }
  const after = (await admin.get(`/api/v1/users/${u.id}`)).body
  assert.deepEqual(after, u, 'nothing written')
})

// RULE-FIELD-001: the same for a new user's members (the fields were tested, the messages not).
test('each bad member of a new user is a 400 with its message', async () => {
  const cases = [
    [{ username: 'ab' }, 'username', '用户名应为 3 到 32 个字符'],
    [{ username: 42 }, 'username', '用户名应为文本'],
    [{ display_name: '' }, 'display_name', '姓名不能为空'],
    [{ display_name: 42 }, 'display_name', '姓名应为文本'],
    [{ role: '' }, 'role', '角色不能为空'],
    [{ region_code: 42 }, 'region_code', '所属区划应为文本'],
    [{ region_code: '1'.repeat(13) }, 'region_code', '所属区划不能超过 12 个字符'],
    [{ region_code: null }, 'region_code', '所属区划不能为空'],
    [{ password: 42 }, 'password', '密码应为文本'],
    [{ phone: '1'.repeat(21) }, 'phone', '电话不能超过 20 个字符'],
  ]
  for (const [change, field, message] of cases) {
    const e = assertError(await admin.post('/api/v1/users', { ...valid, username: 'u_msg', ...change }), 400, 'invalid', field)
    assert.equal(e.message, message, JSON.stringify(change))
  }
  // An empty password is no password: one is generated.
  const r = await admin.post('/api/v1/users', { ...valid, username: 'u_nopw', password: '' })
  assert.equal(r.status, 201, r.text)
  assert.equal(typeof r.body.generated_password, 'string')
})
