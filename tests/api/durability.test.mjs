// Backup, graceful shutdown, and acknowledged writes surviving kill -9.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Server, sleep } from '../lib/server.mjs'

const sql = (db, q) => spawnSync('sqlite3', [db, q], { encoding: 'utf8' }).stdout.trim()

test('an online backup, taken while serving, restores to the same data', async () => {
  const s = await new Server().start()
  try {
    const admin = await s.login('admin')
    for (let i = 0; i < 5; i++) {
      await admin.post('/api/v1/users', { username: `bk_${i}`, display_name: `备份${i}`, role: 'helper', region_code: '520327001', password: 'Backup12345' })
    }
    const file = join(s.dir, 'backup.db')
    const r = s.cli('backup', file)
    assert.equal(r.status, 0, r.stderr)
    assert.notEqual(s.cli('backup', file).status, 0, 'never overwrites')
    const tables = ['users', 'regions', 'roles', 'role_permissions']
    for (const t of tables) assert.equal(sql(file, `SELECT count(*) FROM ${t}`), sql(s.db, `SELECT count(*) FROM ${t}`), t)
    assert.equal(sql(file, 'SELECT group_concat(username) FROM users ORDER BY id'), sql(s.db, 'SELECT group_concat(username) FROM users ORDER BY id'))
    const before = (await admin.get('/api/v1/users?page_size=200')).body.items
    await s.stop()

    // Restore: serve the backup with the same key.
    const restored = await new Server({ dir: s.dir, env: { ANLAO_KEY: join(s.dir, 'anlao.key') } })
    restored.db = file
    await restored.start()
    try {
      const c = await restored.login('bk_3', 'Backup12345')
      const a2 = await restored.login('admin')
      const after = (await a2.get('/api/v1/users?page_size=200')).body.items
      assert.deepEqual(after.map((u) => [u.id, u.username, u.version]), before.map((u) => [u.id, u.username, u.version]))
      assert.equal((await c.get('/api/v1/me')).body.user.username, 'bk_3')
      assert.equal(restored.cli('audit', 'verify').status, 0)
    } finally { await restored.stop() }
  } finally { s.cleanup() }
})

test('SIGTERM drains in-flight requests, checkpoints the WAL and exits 0', async () => {
  const s = await new Server().start()
  try {
    const c = await s.login('admin')
    const pending = Array.from({ length: 50 }, () => c.get('/api/v1/me').then((r) => r.status, () => 'refused'))
    await sleep(5)
    s.proc.kill('SIGTERM')
    const statuses = await Promise.all(pending)
    assert.ok(statuses.every((x) => x === 200 || x === 'refused'), JSON.stringify(statuses))
    assert.ok(statuses.filter((x) => x === 200).length > 0)
    const { code } = await s.exited
    assert.equal(code, 0, s.log)
    const wal = s.db + '-wal'
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'WAL checkpointed')
  } finally { s.cleanup() }
})

test('an acknowledged write survives kill -9', async () => {
  const s = await new Server().start()
  try {
    const admin = await s.login('admin')
    const r = await admin.post('/api/v1/users', { username: 'survivor', display_name: '幸存', role: 'helper', region_code: '520327001', password: 'Survive123' })
    assert.equal(r.status, 201)
    await s.kill9()
    await s.start()
    const c = await s.login('survivor', 'Survive123')
    assert.equal((await c.get('/api/v1/me')).body.user.display_name, '幸存')
    assert.equal(s.cli('audit', 'verify').status, 0)
  } finally { await s.stop(); s.cleanup() }
})
