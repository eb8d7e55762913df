// Benefit rolls from other systems (issue 12, RULE-ENT-071..073): the seventh import kind says
// who receives which item of the service list. Each row names an elder of the registry and an
// item by its Chinese name or key on the list where the elder lives; the benefit record is
// written once per elder, item and start date (a second import changes only the end date), and
// the elder's entitlement page then shows the item as received.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server, serverTest, assertError, sleep, sqlite } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, fg, lq, helper, a, b
const test = serverTest(() => [s])
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const HEAD = '身份证号,姓名,服务项目,开始日期,结束日期,备注\n'
const last = (out) => JSON.parse(out.trim().split('\n').pop())

before(async () => {
  s = await Server.start()
  ;[fg, lq, helper] = await Promise.all(['fg_civil', 'lq_officer', 'lq_helper'].map((u) => s.login(u)))
  a = ok(await fg.post('/api/v1/elders', { name: '名册甲', id_number: idNumber('520327', '19400101', 11), region_code: '520327001001', address: '一号', phone: '13800001234' }), 201)
  b = ok(await fg.post('/api/v1/elders', { name: '名册乙', id_number: idNumber('520327', '19420101', 12), region_code: '520327001001', address: '二号', phone: '13800001235' }), 201)
})
after(async () => { await s?.dispose() })

const benefits = async (id) => ok(await fg.get(`/api/v1/entitle/benefits?elder_id=${id}`)).items
  .map((x) => [x.item_key, x.from_date, x.until_date, x.source]).sort()

function roll(name, rows) {
  const p = join(s.dir, name)
  writeFileSync(p, HEAD + rows.map((r) => r.join(',')).join('\n') + '\n')
  return p
}

test('RULE-ENT-071, RULE-ENT-072: a roll by item name or key becomes benefit records, once per start date', async () => {
  const p = roll('待遇名册.csv', [
    [idNumber('520327', '19400101', 11), '名册甲', '高龄津贴', '2026-01-01', '', '高龄津贴发放名册 2026'],
    [idNumber('520327', '19400101', 11), '名册甲', 'huli_butie', '2026-03-01', '2026-12-31', ''],
    [idNumber('520327', '19420101', 12), '名册乙', '高龄津贴', '2026年2月1日', '', ''],
  ])
  const check = s.cli(['import', '--kind', 'benefit', p])
  assert.equal(check.status, 0, check.stderr)
  assert.deepEqual(last(check.stdout), { rows: 3, accepted: 3, rejected: 0, committed: false })
  assert.deepEqual(await benefits(a.id), [], 'a check writes nothing')

  const done = s.cli(['import', '--kind', 'benefit', p, '--commit'])
  assert.equal(done.status, 0, done.stderr)
  assert.equal(last(done.stdout).committed, true)
  assert.deepEqual(await benefits(a.id), [['gaoling_jintie', '2026-01-01', null, 'import'], ['huli_butie', '2026-03-01', '2026-12-31', 'import']])
  assert.deepEqual(await benefits(b.id), [['gaoling_jintie', '2026-02-01', null, 'import']])

  // The same roll again: nothing added. A new end date: the record changes, not doubles.
  assert.equal(s.cli(['import', '--kind', 'benefit', p, '--commit']).status, 0)
  assert.equal((await benefits(a.id)).length, 2)
  const p2 = roll('待遇名册2.csv', [[idNumber('520327', '19400101', 11), '名册甲', '高龄津贴', '2026-01-01', '2026-10-31', '']])
  assert.equal(s.cli(['import', '--kind', 'benefit', p2, '--commit']).status, 0)
  assert.deepEqual(await benefits(a.id), [['gaoling_jintie', '2026-01-01', '2026-10-31', 'import'], ['huli_butie', '2026-03-01', '2026-12-31', 'import']])

  // The elder's entitlement answer reads the records: 护理补贴 is received on 2026-06-01.
  const ent = ok(await fg.get(`/api/v1/elders/${a.id}/entitlements?date=2026-06-01`))
  const huli = ent.items.find((i) => i.item_key === 'huli_butie')
  assert.equal(huli.receiving, true, JSON.stringify(huli))
})

test('RULE-ENT-071: an item not on the list, an unknown person, a repeated line and a bad date are refused by name, all or nothing', async () => {
  const p = roll('坏名册.csv', [
    [idNumber('520327', '19400101', 11), '名册甲', '月球旅行补贴', '2026-01-01', '', ''],
    [idNumber('520327', '19300101', 99), '无此人', '高龄津贴', '2026-01-01', '', ''],
    [idNumber('520327', '19420101', 12), '名册乙', '护理补贴', '2026-05-01', '', ''],
    [idNumber('520327', '19420101', 12), '名册乙', '护理补贴', '2026-05-01', '', ''],
    [idNumber('520327', '19420101', 12), '名册乙', '高龄津贴', '2026-05-01', '2026-04-01', ''],
  ])
  const r = s.cli(['import', '--kind', 'benefit', p, '--commit'])
  const out = last(r.stdout.split('\n')[0])
  assert.deepEqual([out.rows, out.accepted, out.rejected, out.committed], [5, 1, 4, false])
  const id = /导入 #(\d+)/.exec(r.stdout + r.stderr)[1]
  const admin = await s.login('admin') // the command line imports for the whole country
  const errs = ok(await admin.get(`/api/v1/imports/${id}/errors`)).items.map((e) => [e.line, e.column, e.reason])
  assert.deepEqual(errs.map((e) => e[0]), [2, 3, 5, 6], JSON.stringify(errs))
  assert.match(JSON.stringify(errs[0]), /服务项目“月球旅行补贴”不在当地服务清单中/)
  assert.match(JSON.stringify(errs[1]), /登记库中没有此人/)
  assert.match(JSON.stringify(errs[2]), /同一人的同一服务项目和开始日期在文件中重复出现/)
  assert.match(JSON.stringify(errs[3]), /结束日期早于开始日期/)
  assert.deepEqual((await benefits(b.id)).filter((x) => x[1] === '2026-05-01'), [], 'nothing written')
})

test('RULE-ENT-073: uploading a roll needs entitle.manage; an officer uploads and commits it over HTTP, scoped', async () => {
  const csv = HEAD + `${idNumber('520327', '19420101', 12)},名册乙,护理补贴,2026-07-01,,\n`
  const BUMP = "UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'auth.roles_version';"
  sqlite(s.db, "DELETE FROM role_permissions WHERE role_id = 'township_officer' AND permission_id = 'entitle.manage';" + BUMP)
  assertError(await lq.request('POST', '/api/v1/imports?kind=benefit&filename=roll.csv', csv), 403, 'forbidden', 'kind')
  sqlite(s.db, "INSERT INTO role_permissions(role_id, permission_id) VALUES ('township_officer', 'entitle.manage');" + BUMP)
  assertError(await helper.request('POST', '/api/v1/imports?kind=benefit&filename=roll.csv', csv), 403, 'forbidden')
  const job = async (c, r) => {
    assert.equal(r.status, 202, r.text)
    for (let i = 0; i < 400; i++) {
      const j = (await c.get(`/api/v1/jobs/${r.body.job_id}`)).body
      if (j.status === 'done') return j
      assert.notEqual(j.status, 'failed', JSON.stringify(j))
      await sleep(25)
    }
    assert.fail('job did not finish')
  }
  const v = await job(lq, await lq.request('POST', '/api/v1/imports?kind=benefit&filename=roll.csv', csv))
  assert.equal(v.result.accepted, 1, JSON.stringify(v.result))
  await job(lq, await lq.post(`/api/v1/imports/${v.result.import_id}/commit`, {}))
  assert.ok((await benefits(b.id)).some((x) => x[0] === 'huli_butie' && x[1] === '2026-07-01'))
})
