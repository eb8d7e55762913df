// The audit trail: one entry with every write, in the same transaction; filters and scope;
// `anlao audit verify` on an intact chain and on tampered copies (RULE-AUDIT-*).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server, serverTest, assertError, cli, sqlite, sqliteJson, chinaDay, PG } from './helpers.mjs'
import { pgCopyDatabase } from '../lib/pg.mjs'

let s, admin
const test = serverTest(() => [s])

before(async () => { s = await Server.start(); admin = await s.login('admin') })
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/
const verify = (db) => cli(['audit', 'verify', '--db', db], { ANLAO_KEY: s.keyPath })
const total = async (query) => {
  const r = await admin.get(`/api/v1/audit?${query}`)
  assert.equal(r.status, 200, r.text)
  return r.body.total
}
const newest = async () => (await admin.get('/api/v1/audit?page_size=1')).body.items[0]

test('every write adds exactly one entry, naming the actor, the action and the target', async () => {
  let n = await total('')
  const check = async (action, fields) => {
    const after = await total('')
    assert.equal(after, n + 1, `one entry for ${action}`)
    n = after
    const e = await newest()
    assert.equal(e.action, action)
    assert.equal(e.outcome, 'success')
    assert.equal(e.client_ip, '127.0.0.1')
    assert.match(e.at, ISO)
    assert.ok(Math.abs(Date.parse(e.at) - Date.now()) < 120_000, 'at is now: ' + e.at)
    for (const [k, v] of Object.entries(fields)) assert.deepEqual(e[k], v, `${action}.${k}`)
    return e
  }
  const adminId = (await admin.get('/api/v1/me')).body.user.id

  const u = await admin.post('/api/v1/users', { username: 'audited', display_name: '留痕', role: 'helper', region_code: '520327101', password: 'Audit12345' })
  assert.equal(u.status, 201, u.text)
  await check('user.create', { user_id: adminId, username: 'admin', target_type: 'user', target_id: String(u.body.id),
    region_code: '520327101', detail: { username: 'audited', role: 'helper', region_code: '520327101' } })

  const p = await admin.patch(`/api/v1/users/${u.body.id}`, { version: 1, display_name: '留痕二', status: 'active' })
  assert.equal(p.status, 200, p.text)
  const upd = await check('user.update', { target_type: 'user', target_id: String(u.body.id), region_code: '520327101' })
  assert.deepEqual([...upd.detail.changed].sort(), ['display_name', 'status'])

  // n moves with every write, including sign-ins.
  const c = await s.login('fg_civil')
  const login = await check('auth.login', { username: 'fg_civil', region_code: '520327' })
  assert.equal(login.target_id, String(login.user_id))
  assert.equal((await c.patch('/api/v1/me', { phone: '13700001234' })).status, 200)
  await check('me.update', { username: 'fg_civil', target_type: 'user', target_id: String(login.user_id) })
  const t = await c.post('/api/v1/tokens', { name: '审计' })
  await check('token.create', { username: 'fg_civil', target_type: 'api_token', target_id: String(t.body.id), detail: { name: '审计' } })
  assert.equal((await c.del(`/api/v1/tokens/${t.body.id}`)).status, 200)
  await check('token.revoke', { username: 'fg_civil', target_type: 'api_token', target_id: String(t.body.id) })
  assert.equal((await c.post('/api/v1/auth/logout')).status, 200)
  await check('auth.logout', { username: 'fg_civil', target_id: String(login.user_id) })

  // Refused writes leave no success entry and no row.
  assertError(await admin.post('/api/v1/users', { username: 'audited', display_name: 'x', role: 'helper', region_code: '520327101' }), 409, 'conflict', 'username')
  assertError(await admin.post('/api/v1/users', { username: 'audited2', display_name: 'x', role: 'king', region_code: '520327101' }), 400, 'invalid', 'role')
  assertError(await admin.patch(`/api/v1/users/${u.body.id}`, { version: 1, display_name: '旧' }), 409, 'conflict', 'version')
  assert.equal(await total(''), n, 'no entry for refused writes')
  assert.equal(await total(`action=user.create&target_id=${u.body.id}`), 1)
})

test('a write and its entry are one transaction: rows and entries match, also under concurrency (RULE-AUDIT-003 on PostgreSQL)', async () => {
  const bodies = Array.from({ length: 10 }, (_, i) => ({ username: `conc_${i}`, display_name: `并发${i}`, role: 'helper', region_code: '520327001', password: 'Conc12345' }))
  const rs = await Promise.all(bodies.map((b) => admin.post('/api/v1/users', b)))
  assert.deepEqual(rs.map((r) => r.status), Array(10).fill(201), rs.map((r) => r.text).join('\n'))
  for (const r of rs) {
    const e = await admin.get(`/api/v1/audit?action=user.create&target_type=user&target_id=${r.body.id}`)
    assert.equal(e.body.total, 1, `exactly one user.create for ${r.body.username}`)
    assert.equal(e.body.items[0].detail.username, r.body.username)
  }
  // Every user row in the database has its user.create entry, and every entry its row.
  const rows = sqliteJson(s.db, "SELECT id FROM users WHERE username LIKE 'conc%' ORDER BY id").map((r) => r.id)
  const entries = sqliteJson(s.db, "SELECT CAST(target_id AS INTEGER) AS target_id FROM audit_log WHERE action = 'user.create' AND detail LIKE '%conc_%' ORDER BY 1").map((r) => r.target_id)
  assert.equal(rows.length, 10)
  assert.deepEqual(rows, entries)
  // Ids are dense: entries are appended one after another, never interleaved or lost.
  assert.equal(sqlite(s.db, 'SELECT CASE WHEN count(*) = max(id) THEN 1 ELSE 0 END FROM audit_log'), '1')
})

test('filters: user, action (exact or prefix), outcome, target, from/to dates, paging', async () => {
  await s.client().post('/api/v1/auth/login', { username: 'admin', password: 'Wrong12345' })
  const all = await admin.get('/api/v1/audit?page_size=200')
  assert.ok(all.body.total >= 10 && all.body.total <= 200, all.body.total)
  const ids = all.body.items.map((i) => i.id)
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first')
  for (const i of all.body.items) {
    // RULE-UI-003: each entry also reads in Chinese (action_name, region_name, detail_text).
    assert.deepEqual(Object.keys(i).sort(), ['action', 'action_name', 'at', 'client_ip', 'detail',
      'detail_text', 'id', 'outcome', 'region_code', 'region_name', 'target_id', 'target_type',
      'user_id', 'username'])
  }
  const count = (pred) => all.body.items.filter(pred).length
  // The first day of the epoch is a valid day (its China midnight is before 1970-01-01 UTC).
  const epoch = await admin.get('/api/v1/audit?from=1970-01-01&page_size=200')
  assert.equal(epoch.status, 200, epoch.text)
  assert.equal(epoch.body.total, all.body.total, 'everything')

  const byUser = await admin.get('/api/v1/audit?user=fg_civil&page_size=200')
  assert.equal(byUser.body.total, count((i) => i.username === 'fg_civil'))
  assert.ok(byUser.body.total > 0)
  assert.equal((await admin.get('/api/v1/audit?user=FG_CIVIL')).body.total, byUser.body.total, 'usernames ignore case')

  const exact = await admin.get('/api/v1/audit?action=user.create&page_size=200')
  assert.equal(exact.body.total, count((i) => i.action === 'user.create'))
  const prefix = await admin.get('/api/v1/audit?action=auth&page_size=200')
  assert.equal(prefix.body.total, count((i) => i.action.startsWith('auth.')))
  assert.ok(prefix.body.items.some((i) => i.action === 'auth.login') && prefix.body.items.some((i) => i.action === 'auth.logout'))
  assert.equal((await total('action=auth.log')), 0, 'a prefix is a whole dotted part')

  const failures = await admin.get('/api/v1/audit?outcome=failure&page_size=200')
  assert.equal(failures.body.total, count((i) => i.outcome === 'failure'))
  assert.ok(failures.body.items.some((i) => i.action === 'auth.login_failed' && i.username === 'admin'))
  assert.equal(await total('outcome=success'), count((i) => i.outcome === 'success'))
  assert.equal(await total('user=admin&action=auth.login_failed&outcome=failure'), 1)

  const target = all.body.items.find((i) => i.action === 'user.create')
  assert.equal(await total(`target_type=user&target_id=${target.target_id}`), count((i) => i.target_type === 'user' && i.target_id === target.target_id))

  // Dates are days in China time; both ends inclusive.
  const today = chinaDay()
  const yesterday = chinaDay(Date.now() - 86400e3)
  const tomorrow = chinaDay(Date.now() + 86400e3)
  assert.equal(await total(`from=${today}&to=${today}`), all.body.total)
  assert.equal(await total(`from=${yesterday}`), all.body.total)
  assert.equal(await total(`to=${tomorrow}`), all.body.total)
  assert.equal(await total(`to=${yesterday}`), 0)
  assert.equal(await total(`from=${tomorrow}`), 0)
  assert.equal(await total('from=2000-01-01&to=2000-01-02'), 0)

  // Paging.
  const p1 = await admin.get('/api/v1/audit?page_size=3&page=1')
  const p2 = await admin.get('/api/v1/audit?page_size=3&page=2')
  assert.equal(p1.body.total, all.body.total)
  assert.deepEqual([...p1.body.items, ...p2.body.items].map((i) => i.id), ids.slice(0, 6))
  assert.deepEqual((await admin.get(`/api/v1/audit?page=${all.body.total + 1}&page_size=1`)).body.items, [])
})

test('the audit log is scoped: a county officer sees entries of the county, not the admin\'s own', async () => {
  const civil = await s.login('fg_civil')
  const mine = await civil.get('/api/v1/audit?page_size=200')
  assert.equal(mine.status, 200)
  assert.ok(mine.body.total > 0)
  assert.ok(mine.body.items.every((i) => typeof i.region_code === 'string' && i.region_code.startsWith('520327')), mine.text)
  // The admin's sign-ins have no region: invisible to the county.
  assert.ok(await total('user=admin&action=auth.login') >= 1)
  assert.equal((await civil.get('/api/v1/audit?user=admin&action=auth.login')).body.total, 0)
  assert.equal((await civil.get('/api/v1/audit?action=auth.login_failed')).body.total, 0, 'failed sign-ins of admin are not the county\'s')
  // …but the admin's write inside the county is.
  assert.ok((await civil.get('/api/v1/audit?user=admin&action=user.create')).body.total >= 1)
  // The same filter as the admin, restricted to the county.
  const everything = (await admin.get('/api/v1/audit?page_size=200')).body.items
  assert.equal(mine.body.total, everything.filter((i) => (i.region_code || '').startsWith('520327')).length)
  // No audit.read, no audit log.
  assertError(await (await s.login('lq_officer')).get('/api/v1/audit'), 403, 'forbidden')
})

test('the audit table refuses UPDATE and DELETE (append-only triggers)', () => {
  for (const sql of ["UPDATE audit_log SET action = 'x' WHERE id = 1", 'DELETE FROM audit_log WHERE id = 1']) {
    assert.throws(() => sqlite(s.db, sql), /append-only/)
  }
})

test('anlao audit verify: intact chain exits 0; an edit, a deleted middle row and a deleted last row are caught', async () => {
  await s.stop()
  const ok = verify(s.db)
  assert.equal(ok.status, 0, ok.stderr)
  const count = Number(sqlite(s.db, 'SELECT count(*) FROM audit_log'))
  assert.ok(count > 20, `${count} entries`)
  assert.match(ok.stdout, new RegExp(`审计链完整.*${count}`))

  // A tampered copy of the database: a file on SQLite, a database made from it on PostgreSQL.
  const copy = (name, sql) => {
    if (PG) {
      const url = pgCopyDatabase(s.pgName, name.replace('.db', ''))
      sqlite(url, sql)
      return url
    }
    const f = join(s.dir, name)
    copyFileSync(s.db, f)
    sqlite(f, sql)
    return f
  }
  const drop = (trigger) => `DROP TRIGGER ${trigger}${PG ? ' ON audit_log' : ''}`
  const mid = Math.floor(count / 2)

  const edited = copy('edited.db', `${drop('audit_log_no_update')}; UPDATE audit_log SET action = 'auth.logout' WHERE id = ${mid}`)
  const r1 = verify(edited)
  assert.notEqual(r1.status, 0, 'edited row: ' + r1.stdout)
  assert.match(r1.stderr, new RegExp(`id=${mid}\\b`), r1.stderr)
  assert.match(r1.stderr, /\p{Script=Han}/u)

  const detail = copy('detail.db', `${drop('audit_log_no_update')}; UPDATE audit_log SET client_ip = '10.0.0.1' WHERE id = ${count}`)
  const r1b = verify(detail)
  assert.notEqual(r1b.status, 0)
  assert.match(r1b.stderr, new RegExp(`id=${count}\\b`), r1b.stderr)

  const holed = copy('holed.db', `${drop('audit_log_no_delete')}; DELETE FROM audit_log WHERE id = ${mid}`)
  const r2 = verify(holed)
  assert.notEqual(r2.status, 0, 'deleted middle row: ' + r2.stdout)
  assert.match(r2.stderr, new RegExp(`id=${mid}\\b`), r2.stderr)

  const cut = copy('cut.db', `${drop('audit_log_no_delete')}; DELETE FROM audit_log WHERE id = ${count}`)
  const r3 = verify(cut)
  assert.notEqual(r3.status, 0, 'deleted last row: ' + r3.stdout)
  assert.match(r3.stderr, new RegExp(`id=${count}\\b`), r3.stderr)

  // The untouched original still verifies.
  assert.equal(verify(s.db).status, 0)
})
