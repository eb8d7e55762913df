// The audit trail: written with every write, filtered and scoped, tamper-evident (RULE-AUDIT-*).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server, BIN } from '../lib/server.mjs'

let s
before(async () => { s = await new Server().start() })
after(async () => { await s.stop(); s.cleanup() })

const sql = (db, q) => spawnSync('sqlite3', [db, q], { encoding: 'utf8' })
const verify = (db) => spawnSync(BIN, ['audit', 'verify', '--db', db], { encoding: 'utf8' })

test('a write and its audit entry go together; filters work and are scoped', async () => {
  const admin = await s.login('admin')
  const u = await admin.post('/api/v1/users', { username: 'audited', display_name: '留痕', role: 'helper', region_code: '520327101', password: 'Audit12345' })
  const e = await admin.get(`/api/v1/audit?action=user.create&target_type=user&target_id=${u.body.id}`)
  assert.equal(e.body.total, 1)
  assert.equal(e.body.items[0].username, 'admin')
  assert.equal(e.body.items[0].region_code, '520327101')
  assert.equal(e.body.items[0].detail.username, 'audited')
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
  assert.ok((await admin.get(`/api/v1/audit?from=${today}&to=${today}`)).body.total > 0)
  assert.equal((await admin.get('/api/v1/audit?from=2000-01-01&to=2000-01-02')).body.total, 0)
  assert.ok((await admin.get('/api/v1/audit?user=admin&outcome=success')).body.items.every((i) => i.username === 'admin'))
  // A county officer sees entries about the county, not the admin's country-wide sign-ins.
  const civil = await s.login('fg_civil')
  const mine = await civil.get('/api/v1/audit?page_size=200')
  assert.ok(mine.body.items.length > 0)
  assert.ok(mine.body.items.every((i) => i.region_code && i.region_code.startsWith('520327')))
  assert.equal((await s.login('lq_officer')).constructor.name, 'Client')
})

test('the table refuses UPDATE and DELETE', () => {
  const r = sql(s.db, "UPDATE audit_log SET action = 'x' WHERE id = 1")
  assert.match(r.stderr, /append-only/)
})

test('audit verify: intact, then an edit, a deleted middle row and a deleted last row are caught', async () => {
  await s.stop()
  const ok = verify(s.db)
  assert.equal(ok.status, 0, ok.stderr)
  assert.match(ok.stdout, /审计链完整/)
  const count = Number(sql(s.db, 'SELECT count(*) FROM audit_log').stdout)
  assert.ok(count > 5)

  const edited = join(s.dir, 'edited.db')
  copyFileSync(s.db, edited)
  sql(edited, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET action = 'auth.logout' WHERE id = 3")
  const r1 = verify(edited)
  assert.notEqual(r1.status, 0)
  assert.match(r1.stderr, /id=3/)

  const holed = join(s.dir, 'holed.db')
  copyFileSync(s.db, holed)
  sql(holed, 'DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 4')
  const r2 = verify(holed)
  assert.notEqual(r2.status, 0)
  assert.match(r2.stderr, /id=4/)

  const cut = join(s.dir, 'cut.db')
  copyFileSync(s.db, cut)
  sql(cut, `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = ${count}`)
  const r3 = verify(cut)
  assert.notEqual(r3.status, 0)
  assert.match(r3.stderr, new RegExp(`id=${count}`))
  await s.start()
})
