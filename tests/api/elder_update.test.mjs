// PATCH /api/v1/elders/:id: each failure maps to exactly one code (issue 10, bug 4).
// Before the fix a row the database refused was reported as a stale version (档案已被他人修改).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { Server, assertError } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { PG, psql } from '../lib/pg.mjs'

let s, civil
before(async () => { s = await new Server().start(); civil = await s.login('fg_civil') })
after(async () => { await s.stop(); s.cleanup() })

// A statement on the server's database from outside (WAL: the server keeps running).
function sql(text) {
  if (PG) return psql(s.db, text)
  const r = spawnSync('python3', ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=10); c.executescript(sys.argv[2]); c.commit()', s.db, text], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
}

const create = async (seq) => {
  const r = await civil.post('/api/v1/elders', { name: '赵桂兰', id_number: idNumber('520327', '19440404', seq), region_code: '520327001001', address: '一号', phone: '13800001234' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

test('stale version, number of another record and a refused row: three different answers', async () => {
  const a = await create(21)
  const b = await create(23)
  // A stale version: 409 on version.
  const ok = await civil.patch(`/api/v1/elders/${a.id}`, { version: a.version, address: '二号' })
  assert.equal(ok.status, 200, JSON.stringify(ok.body))
  assertError(assert, await civil.patch(`/api/v1/elders/${a.id}`, { version: a.version, address: '三号' }), 409, 'conflict', 'version')
  // The ID number of another record: 409 on id_number.
  assertError(assert, await civil.patch(`/api/v1/elders/${a.id}`, { version: ok.body.version, id_number: idNumber('520327', '19440404', 23) }), 409, 'conflict', 'id_number')
  // A row the database refuses (here a trigger standing for any constraint): 422, not "modified by someone else".
  sql(PG
    ? "CREATE FUNCTION refuse_x() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.address = '拒绝' THEN" +
      " RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$;" +
      ' CREATE TRIGGER refuse_x BEFORE UPDATE OF address ON elders FOR EACH ROW EXECUTE FUNCTION refuse_x();'
    : "CREATE TRIGGER refuse_x BEFORE UPDATE OF address ON elders WHEN new.address = '拒绝' BEGIN SELECT RAISE(ABORT, 'refused'); END;")
  const refused = await civil.patch(`/api/v1/elders/${b.id}`, { version: b.version, address: '拒绝' })
  assertError(assert, refused, 422, 'unprocessable')
  assert.doesNotMatch(refused.body.error.message, /他人修改/)
  // Nothing half-written: the record is unchanged and still takes its version.
  const again = await civil.get(`/api/v1/elders/${b.id}`)
  assert.equal(again.body.version, b.version)
  assert.equal(again.body.address, '一号')
  sql(PG ? 'DROP TRIGGER refuse_x ON elders; DROP FUNCTION refuse_x();' : 'DROP TRIGGER refuse_x;')
})
