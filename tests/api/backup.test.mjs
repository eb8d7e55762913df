// `anlao backup FILE --db DB` while the server runs: the copy equals the original, never
// overwrites, verifies, and restores (a second server on it with the original key).
// On PostgreSQL `anlao backup` writes a pg_dump custom archive: each check then runs on a
// database restored from it with pg_restore (the restore drill of docs/deploy.md), and only the
// checks about SQLite's files (integrity_check, -wal/-shm modes, narrowing on open) are skipped.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { Server, serverTest, cli, sqlite, sqliteJson, PG } from './helpers.mjs'
import { pgUrl, psql, pgDropDatabase } from '../lib/pg.mjs'

let s, restored, admin, civil, elderId
const test = serverTest(() => [s, restored])
const out = mkdtempSync(join(tmpdir(), 'anlao-backup-'))
const backup = join(out, 'backup.db')
const ELDER_ID_NUMBER = '11010519491231002X'
// Where a CLI run on a backup looks for its key: beside the file on SQLite; the same directory,
// named, on PostgreSQL (a URL has no directory).
const atOut = PG ? { ANLAO_DATA_DIR: out } : {}

// The database of a backup file: the file itself on SQLite; on PostgreSQL a new database the
// archive is restored into (once per file), by its URL.
const restoredDbs = new Map()
function opened(file) {
  if (!PG) return file
  if (!restoredDbs.has(file)) {
    const name = 'bk_' + createHash('sha1').update(file).digest('hex').slice(0, 16)
    psql(pgUrl('postgres'), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    psql(pgUrl('postgres'), `CREATE DATABASE ${name}`)
    const r = spawnSync('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', pgUrl(name), file], { encoding: 'utf8' })
    assert.equal(r.status, 0, `pg_restore ${file}: ${r.stderr}`)
    restoredDbs.set(file, name)
  }
  return pgUrl(restoredDbs.get(file))
}

before(async () => {
  process.umask(0o022) // the usual default: the files must be 0600 whatever it is
  s = await Server.start()
  admin = await s.login('admin')
  civil = await s.login('fg_civil')
  for (let i = 0; i < 4; i++) {
    const r = await admin.post('/api/v1/users', { username: `bk_${i}`, display_name: `备份${i}`, role: 'helper', region_code: '520327001', password: 'Backup12345' })
    assert.equal(r.status, 201, r.text)
  }
  // A row with an encrypted field: only the installation key can read it back.
  const e = await civil.post('/api/v1/elders', { name: '王秀英', id_number: ELDER_ID_NUMBER, region_code: '520327001001', address: '龙泉街道前进社区 3 组 12 号', phone: '13800001234' })
  assert.equal(e.status, 201, e.text)
  elderId = e.body.id
})
after(async () => {
  for (const x of [restored, s]) {
    if (!x) continue
    try { await x.stop() } finally { await x.dispose() }
  }
  rmSync(out, { recursive: true, force: true })
  for (const name of restoredDbs.values()) pgDropDatabase(name)
})

const tables = (db) => sqlite(db, PG
  ? "SELECT string_agg(table_name, ' ' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'"
  : "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name)").split(' ')
const dump = (db, table, order = 'rowid') => sqliteJson(db, `SELECT * FROM ${table} ORDER BY ${order}`)
const sha = (f) => createHash('sha256').update(readFileSync(f)).digest('hex')

// RULE-DB-061: on PostgreSQL the same checks run on the archive restored with pg_restore.
test('a backup taken while serving equals the original: tables, users, regions, audit log', async () => {
  const usersBefore = (await admin.get('/api/v1/users?page_size=200')).body
  const r = await s.cliAsync(['backup', backup])
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /已备份到/)
  assert.ok(existsSync(backup))
  assert.ok(!existsSync(backup + '-wal'), 'the copy is one file')
  if (!PG) assert.equal(sqlite(backup, 'PRAGMA integrity_check'), 'ok')
  const copy = opened(backup) // PostgreSQL: pg_restore --exit-on-error succeeded

  assert.ok(tables(s.db).length > 20)
  assert.deepEqual(tables(copy), tables(s.db))
  for (const t of tables(s.db)) {
    // periodic_leases changes by itself while serving: the server takes or renews a periodic
    // job's lease on its own timer (RULE-ALARM-061), between the copy and this comparison.
    if (t === 'audit_log' || t === 'settings' || t === 'periodic_leases') continue
    assert.equal(sqlite(copy, `SELECT count(*) FROM ${t}`), sqlite(s.db, `SELECT count(*) FROM ${t}`), `rows of ${t}`)
  }
  assert.deepEqual(dump(copy, 'users', 'id'), dump(s.db, 'users', 'id'))
  assert.ok(Number(sqlite(copy, 'SELECT count(*) FROM regions')) > 40000)
  assert.equal(sqlite(copy, 'SELECT count(*) FROM regions'), sqlite(s.db, 'SELECT count(*) FROM regions'))
  assert.deepEqual(dump(copy, 'elders', 'id'), dump(s.db, 'elders', 'id'))

  // The original has one more audit entry: the backup itself, written after the copy.
  const a = dump(s.db, 'audit_log', 'id')
  const b = dump(copy, 'audit_log', 'id')
  assert.equal(a.length, b.length + 1)
  assert.deepEqual(a.slice(0, b.length), b)
  assert.equal(a[a.length - 1].action, 'system.backup')
  assert.equal(a[a.length - 1].target_id, backup)
  assert.equal((await admin.get('/api/v1/users?page_size=200')).body.total, usersBefore.total, 'the server still serves')
})

test('database, -wal, -shm, key and backups are readable by their owner only (RULE-AUTH-008)', () => {
  // The servers of this file were started under the usual umask 022 (set below for the CLI too).
  const mode = (f) => (statSync(f).mode & 0o777).toString(8)
  for (const f of PG ? [s.keyPath, backup] : [s.db, s.db + '-wal', s.db + '-shm', s.keyPath, backup]) {
    assert.ok(existsSync(f), f)
    assert.equal(mode(f), '600', f)
  }
  const old = process.umask(0o022)
  try {
    const file = join(out, 'perm.db')
    const r = cli(['backup', file, '--db', s.db], s.env)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(mode(file), '600', 'a backup made by the CLI')
    if (PG) return // what follows opens the file as a SQLite database
    // A database left group- and world-readable (an older version) is narrowed when opened.
    chmodSync(file, 0o644)
    const v = cli(['audit', 'verify', '--db', file], { ANLAO_KEY: s.keyPath })
    assert.equal(v.status, 0, v.stderr)
    assert.equal(mode(file), '600', 'narrowed on open')
  } finally {
    process.umask(old)
  }
})

test('a backup never overwrites an existing file', () => {
  const before = sha(backup)
  const again = cli(['backup', backup, '--db', s.db], s.env)
  assert.notEqual(again.status, 0)
  assert.match(again.stderr, /不会覆盖|已存在/)
  assert.equal(sha(backup), before, 'the existing backup is untouched')
  const other = join(out, 'notes.txt')
  writeFileSync(other, '别动我')
  assert.notEqual(cli(['backup', other, '--db', s.db], s.env).status, 0)
  assert.equal(readFileSync(other, 'utf8'), '别动我')
})

test('anlao audit verify passes on the backup', () => {
  const r = cli(['audit', 'verify', '--db', opened(backup)], { ANLAO_KEY: s.keyPath })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /审计链完整/)
})

test('a backup taken under a stream of writes is a consistent snapshot', async () => {
  const file = join(out, 'busy.db')
  let stop = false
  let writes = 0
  const writer = (async () => {
    while (!stop) {
      const w = await civil.patch('/api/v1/me', { display_name: `写入${writes}` })
      assert.equal(w.status, 200, w.text)
      writes++
    }
  })()
  await new Promise((r) => setTimeout(r, 100))
  const r = await s.cliAsync(['backup', file])
  stop = true
  await writer
  assert.equal(r.status, 0, r.stderr)
  assert.ok(writes > 5, `writes went on during the backup (${writes})`)
  if (!PG) assert.equal(sqlite(file, 'PRAGMA integrity_check'), 'ok')
  const db = opened(file)
  assert.equal(cli(['audit', 'verify', '--db', db], { ANLAO_KEY: s.keyPath }).status, 0)
  // Each write and its audit entry are in the copy together, or neither is.
  const version = Number(sqlite(db, "SELECT version FROM users WHERE username = 'fg_civil'"))
  const updates = Number(sqlite(db, "SELECT count(*) FROM audit_log WHERE action = 'me.update' AND username = 'fg_civil'"))
  assert.equal(version, 1 + updates)
  const name = sqlite(db, "SELECT display_name FROM users WHERE username = 'fg_civil'")
  assert.equal(name, `写入${updates - 1}`)
})

// RULE-DB-061: a server on the restored database (PostgreSQL) or file (SQLite), with the original key.
test('restore: a second server on the backup with ANLAO_KEY of the original signs in and serves the same data', async () => {
  const usersBefore = (await admin.get('/api/v1/users?page_size=200')).body
  await s.stop()
  // The backup as it was taken in the first test: users equal the original's at that time.
  restored = await Server.start({ dir: out, db: opened(backup), env: { ANLAO_KEY: s.keyPath, ...atOut } })
  assert.ok(!existsSync(join(out, 'anlao.key')), 'the key of the original was used, no new key made')
  const a2 = await restored.login('admin')
  const c = await restored.login('bk_2', 'Backup12345')
  assert.equal((await c.get('/api/v1/me')).body.user.display_name, '备份2')
  const usersAfter = (await a2.get('/api/v1/users?page_size=200')).body
  const fg = (list) => list.items.filter((u) => u.username !== 'fg_civil') // renamed after the first backup
  assert.equal(usersAfter.total, usersBefore.total)
  assert.deepEqual(fg(usersAfter), fg(usersBefore))
  // The encrypted ID number reads back with the original key.
  const civil2 = await restored.login('fg_civil')
  const e = await civil2.get(`/api/v1/elders/${elderId}?reveal=1`)
  assert.equal(e.status, 200, e.text)
  assert.equal(e.body.id_number, ELDER_ID_NUMBER)
  await restored.stop()
  assert.equal(cli(['audit', 'verify', '--db', opened(backup)], { ANLAO_KEY: s.keyPath }).status, 0)
})

test('a restored database without its key is refused, never given a new key; a wrong key is refused', () => {
  // The backup has encrypted ID numbers: a new key beside it would make them unreadable.
  const r = cli(['audit', 'verify', '--db', opened(backup)], atOut)
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /找不到密钥文件.*不能换用新密钥/)
  assert.ok(!existsSync(join(out, 'anlao.key')), 'no key file was created beside the backup')
  const wrong = join(out, 'wrong.key')
  writeFileSync(wrong, Buffer.alloc(32, 7), { mode: 0o600 })
  const w = cli(['audit', 'verify', '--db', opened(backup)], { ANLAO_KEY: wrong, ...atOut })
  assert.notEqual(w.status, 0)
  assert.match(w.stderr, /不匹配/)
  assert.equal(cli(['audit', 'verify', '--db', opened(backup)], { ANLAO_KEY: s.keyPath }).status, 0)
})
