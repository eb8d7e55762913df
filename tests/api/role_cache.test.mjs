// RULE-AUTH-009: workers cache each role's permission set, and the very next request after a
// change of a role's permissions (with the roles version bumped, as every change of roles must)
// obeys it, on every worker; so does the next request after a user's role or status changes.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError, sqlite, sqliteJson } from './helpers.mjs'

let s, admin
const test = serverTest(() => [s])

before(async () => {
  s = await Server.start({})
  admin = await s.login('admin')
})
after(async () => {
  if (!s) return
  try { await s.stop() } finally { await s.dispose() }
})

const BUMP = "UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'auth.roles_version'"

// Enough requests in parallel that every worker answers some (and fills its cache).
async function statuses(c, path, n = 12) {
  const rs = await Promise.all(Array.from({ length: n }, () => c.get(path)))
  return rs.map((r) => r.status)
}

test('a role losing a permission is refused on the very next request of every worker', async () => {
  const version = sqliteJson(s.db, "SELECT value FROM settings WHERE key = 'auth.roles_version'")
  // sql/020 seeds the version; each later migration changing role permissions bumps it.
  assert.match(version[0]?.value ?? '', /^[1-9]\d*$/, 'sql/020 seeds the version')
  assert.deepEqual(await statuses(admin, '/api/v1/users'), Array(12).fill(200))

  sqlite(s.db, `BEGIN; DELETE FROM role_permissions WHERE role_id = 'admin' AND permission_id = 'user.read'; ${BUMP}; COMMIT;`)
  assert.deepEqual(await statuses(admin, '/api/v1/users'), Array(12).fill(403))
  const me = await admin.get('/api/v1/me')
  assert.equal(me.status, 200, me.text)
  assert.ok(!me.body.user.permissions.includes('user.read'), JSON.stringify(me.body.user.permissions))
  assert.ok(me.body.user.permissions.includes('user.write'))

  sqlite(s.db, `BEGIN; INSERT INTO role_permissions(role_id, permission_id) VALUES ('admin', 'user.read'); ${BUMP}; COMMIT;`)
  assert.deepEqual(await statuses(admin, '/api/v1/users'), Array(12).fill(200))
  assert.ok((await admin.get('/api/v1/me')).body.user.permissions.includes('user.read'))
})

test("a user's new role and a disabled account count from the next request", async () => {
  const r = await admin.post('/api/v1/users', { username: 'rc_user', display_name: '角色缓存',
    role: 'township_officer', region_code: '520327001', password: 'Cache2026x' })
  assert.equal(r.status, 201, r.text)
  const u = await s.firstLogin('rc_user', 'Cache2026x')
  assert.deepEqual(await statuses(u, '/api/v1/users'), Array(12).fill(200))

  let cur = (await admin.get(`/api/v1/users/${r.body.id}`)).body
  const demoted = await admin.patch(`/api/v1/users/${r.body.id}`, { version: cur.version, role: 'volunteer' })
  assert.equal(demoted.status, 200, demoted.text)
  assert.deepEqual(await statuses(u, '/api/v1/users'), Array(12).fill(403))
  const me = (await u.get('/api/v1/me')).body.user
  assert.equal(me.role, 'volunteer')
  assert.ok(!me.permissions.includes('user.read'))

  cur = (await admin.get(`/api/v1/users/${r.body.id}`)).body
  const off = await admin.patch(`/api/v1/users/${r.body.id}`, { version: cur.version, status: 'disabled' })
  assert.equal(off.status, 200, off.text)
  assertError(await u.get('/api/v1/me'), 401, 'unauthorized')
})
