// GET /api/v1/jobs/:id: one's own jobs, or every job with the permission system.manage
// (issue 10: the check named the role `admin` instead of a permission).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { Server, assertError } from '../lib/server.mjs'
import { sqlite, PG } from './helpers.mjs'

let s
before(async () => { s = await new Server().start() })
after(async () => { await s.stop(); s.cleanup() })

function sql(text) {
  if (PG) return void sqlite(s.db, text) // psql runs the statements in one transaction
  const r = spawnSync('python3', ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=10); c.executescript(sys.argv[2]); c.commit()', s.db, text], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
}

test('a job is seen by its owner and by holders of system.manage, by nobody else', async () => {
  const [lq, civil, admin] = await Promise.all(['lq_officer', 'fg_civil', 'admin'].map((u) => s.login(u)))
  const r = await lq.post('/api/v1/identify/runs')
  assert.equal(r.status, 202, JSON.stringify(r.body))
  const path = `/api/v1/jobs/${r.body.job_id}`
  assert.equal((await lq.get(path)).status, 200)
  assert.equal((await admin.get(path)).status, 200, 'admin holds system.manage')
  assertError(assert, await civil.get(path), 404, 'not_found')
  // The permission decides, not the role's name.
  sql("INSERT INTO role_permissions(role_id, permission_id) VALUES ('civil_officer', 'system.manage');" +
    " UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'auth.roles_version';") // RULE-AUTH-009
  assert.equal((await civil.get(path)).status, 200)
  sql("DELETE FROM role_permissions WHERE role_id = 'civil_officer' AND permission_id = 'system.manage';" +
    " UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'auth.roles_version';")
  assertError(assert, await civil.get(path), 404, 'not_found')
})

// RULE-DB-115 (issue 10): a job whose state cannot be read (the database fails) is answered 503
// "try again", never 404 任务不存在 as if it did not exist.  The failure is real: the jobs table
// is renamed away under the server for a moment.
test('RULE-DB-115: a database failure reading a job answers 503, a missing job 404', async () => {
  const lq = await s.login('lq_officer')
  const r = await lq.post('/api/v1/identify/runs')
  assert.equal(r.status, 202, JSON.stringify(r.body))
  const path = `/api/v1/jobs/${r.body.job_id}`
  assert.equal((await lq.get(path)).status, 200)
  assertError(assert, await lq.get(`/api/v1/jobs/${r.body.job_id + 100000}`), 404, 'not_found')
  sql('ALTER TABLE jobs RENAME TO jobs_away;')
  let down
  try { down = await lq.get(path) } finally { sql('ALTER TABLE jobs_away RENAME TO jobs;') }
  assertError(assert, down, 503, 'unavailable')
  assert.match(down.body.error.message, /任务状态暂时无法读取/)
  assert.equal((await lq.get(path)).status, 200)
})
