// Home services, the order flow (issue 13): recurring plans generating orders ahead without
// duplicates (RULE-SVC-130..135), and the board's 超时未接单 flag (RULE-SVC-143; the sweep itself
// runs with the time given in tests/unit/test_service_flow_pg.c, RULE-SVC-140..142).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, serverTest, chinaDay, sleep } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, civil, helper, jx
const test = serverTest(() => [s])
before(async () => {
  s = await Server.start()
  civil = await s.login('fg_civil')
  helper = await s.login('lq_helper')
  jx = await s.login('jx_officer')
})
after(async () => { await s?.stop(); await s?.dispose() })

let seq = 700
async function elder(region = '520327001001') {
  const r = await civil.post('/api/v1/elders', { name: '计划老人', id_number: idNumber('520327', '19400101', seq++), region_code: region, address: '龙泉街道和平路 2 号', phone: '13800001234', lat: 27.965, lng: 107.72 })
  assert.equal(r.status, 201, r.text)
  return r.body
}
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const today = chinaDay()
const auditOf = async (action) => (await civil.get(`/api/v1/audit?action=${action}&page_size=200`)).body.items
async function job(c, r) {
  assert.equal(r.status, 202, r.text)
  for (let i = 0; i < 400; i++) {
    const j = (await c.get(`/api/v1/jobs/${r.body.job_id}`)).body
    if (j.status === 'done') return j
    assert.notEqual(j.status, 'failed', JSON.stringify(j))
    await sleep(25)
  }
  assert.fail('job did not finish')
}

test('RULE-SVC-130..133: a weekly plan places its orders ahead at once; generating again places nothing twice', async () => {
  const e = await elder()
  // Every day at 23:50: today's is still ahead (China time) unless the test runs in the last ten minutes.
  const p = ok(await helper.post('/api/v1/service/plans', { elder_id: e.id, item: 'zhujie', pattern: 'weekly', days: '1,2,3,4,5,6,7', start_time: '23:50', from_date: today, note: '每天一次' }), 201)
  assert.equal(p.status, 'active')
  assert.equal(p.item_name, '助洁')
  assert.ok(p.created_orders >= 6 && p.created_orders <= 7, `created ${p.created_orders}`)
  assert.equal(p.orders, p.created_orders)
  const mine = async () => (await helper.get('/api/v1/service/orders?page_size=200')).body.items.filter((o) => o.elder_id === e.id)
  const orders = await mine()
  assert.equal(orders.length, p.created_orders)
  assert.ok(orders.every((o) => o.plan_id === p.id && o.status === 'created' && o.accept_timeout === false))
  assert.ok(orders.every((o) => o.note.startsWith(`周期服务计划 #${p.id}`)))
  // RULE-SVC-132: priced and placed like a helper's order, audited as placed, with the plan.
  const placed = (await auditOf('service.order_place')).filter((a) => a.detail?.plan_id === p.id)
  assert.equal(placed.length, p.created_orders)
  assert.ok((await auditOf('service.plan_create')).some((a) => a.target_id === String(p.id)))
  // RULE-SVC-133: run the generation as a job (what the hourly run does): nothing twice.
  const j = await job(civil, await civil.post('/api/v1/service/plans/generate', {}))
  assert.equal(j.result.created, 0)
  assert.ok(j.result.existing >= p.created_orders)
  assert.equal((await mine()).length, p.created_orders)
  // Listed, by elder.
  const list = ok(await helper.get(`/api/v1/service/plans?elder_id=${e.id}`)).items
  assert.deepEqual(list.map((x) => x.id), [p.id])
})

test('RULE-SVC-130: bad input names the field; an elder outside the caller\'s region is 404', async () => {
  const e = await elder()
  const base = { elder_id: e.id, item: 'zhujie', pattern: 'weekly', days: '2,5', start_time: '09:00', from_date: today }
  assertError(await helper.post('/api/v1/service/plans', { ...base, days: '2,8' }), 400, 'invalid', 'days')
  assertError(await helper.post('/api/v1/service/plans', { ...base, pattern: 'monthly', days: '32' }), 400, 'invalid', 'days')
  assertError(await helper.post('/api/v1/service/plans', { ...base, pattern: 'daily' }), 400, 'invalid', 'pattern')
  assertError(await helper.post('/api/v1/service/plans', { ...base, start_time: '25:00' }), 400, 'invalid', 'start_time')
  assertError(await helper.post('/api/v1/service/plans', { ...base, item: 'nope' }), 400, 'invalid', 'item')
  assertError(await helper.post('/api/v1/service/plans', { ...base, to_date: '2020-01-01' }), 400, 'invalid', 'to_date')
  assertError(await jx.post('/api/v1/service/plans', base), 404, 'not_found', 'elder_id')
  // 每周二、五 written with 、 is accepted.
  const p = ok(await helper.post('/api/v1/service/plans', { ...base, days: '2、5' }), 201)
  assert.equal(p.days, '2、5')
})

test('RULE-SVC-135: a plan stops by hand with a reason; again is 409; outside the scope 404', async () => {
  const e = await elder()
  const p = ok(await helper.post('/api/v1/service/plans', { elder_id: e.id, item: 'zhucan', pattern: 'monthly', days: '1,15', start_time: '11:00', from_date: today }), 201)
  assertError(await helper.post(`/api/v1/service/plans/${p.id}/stop`, {}), 400, 'invalid', 'reason')
  assertError(await jx.post(`/api/v1/service/plans/${p.id}/stop`, { reason: '老人住院' }), 404, 'not_found')
  const r = ok(await helper.post(`/api/v1/service/plans/${p.id}/stop`, { reason: '老人住院' }))
  assert.equal(r.status, 'stopped')
  assertError(await helper.post(`/api/v1/service/plans/${p.id}/stop`, { reason: '老人住院' }), 409, 'conflict', 'status')
  const a = (await auditOf('service.plan_stop')).find((x) => x.target_id === String(p.id))
  assert.equal(a.detail.reason, '老人住院')
  const list = ok(await helper.get(`/api/v1/service/plans?elder_id=${e.id}`)).items
  assert.equal(list[0].stop_reason, '老人住院')
})
