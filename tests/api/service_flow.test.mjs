// Home services, the order flow (issue 13): recurring plans generating orders ahead without
// duplicates (RULE-SVC-130..135), and the board's 超时未接单 flag (RULE-SVC-143; the sweep itself
// runs with the time given in tests/unit/test_service_flow_pg.c, RULE-SVC-140..142).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, serverTest, chinaDay, sleep, sqliteJson } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, civil, helper, jx, carer, fam
const test = serverTest(() => [s])
before(async () => {
  s = await Server.start()
  civil = await s.login('fg_civil')
  helper = await s.login('lq_helper')
  jx = await s.login('jx_officer')
  carer = await s.login('fg_caregiver')
  fam = await s.login('fg_family')
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

// The demo's family account fg_family linked to a new elder with `scope` (RULE-SVC-152).
async function linkedElder(scope = ['basic', 'services']) {
  const e = await elder()
  const me = ok(await fam.get('/api/v1/me'))
  ok(await civil.post(`/api/v1/elders/${e.id}/consents`, { user_id: me.id ?? me.user?.id, relation: '女儿', granted_by: '老人本人', scope }), 201)
  return e
}
const tomorrow = chinaDay(Date.now() + 86400e3)

test('RULE-SVC-152, RULE-SVC-153, RULE-SVC-155: the family orders a service for its linked elder only and sees its visits; others are 404', async () => {
  const e = await linkedElder()
  const other = await elder()
  const basicOnly = await linkedElder(['basic'])
  assertError(await fam.get(`/api/v1/service/family/orders?elder_id=${other.id}`), 404, 'not_found', 'elder_id')
  assertError(await fam.get(`/api/v1/service/family/orders?elder_id=${basicOnly.id}`), 404, 'not_found', 'elder_id')
  assertError(await fam.post('/api/v1/service/family/orders', { elder_id: other.id, item: 'zhucan', window_start: `${tomorrow}T11:00` }), 404, 'not_found', 'elder_id')
  // A helper's route stays closed to the family.
  assertError(await fam.get('/api/v1/service/orders'), 403, 'forbidden')
  // Bad input names the field.
  assertError(await fam.post('/api/v1/service/family/orders', { elder_id: e.id, item: 'zhucan', window_start: '明天' }), 400, 'invalid', 'window_start')
  assertError(await fam.post('/api/v1/service/family/orders', { elder_id: e.id, item: 'zhucan', window_start: '2020-01-01T09:00' }), 400, 'invalid', 'window_start')
  assertError(await fam.post('/api/v1/service/family/orders', { elder_id: e.id, item: 'nope', window_start: `${tomorrow}T11:00` }), 400, 'invalid', 'item')
  const o = ok(await fam.post('/api/v1/service/family/orders', { elder_id: e.id, item: 'zhucan', window_start: `${tomorrow}T11:00`, note: '少盐' }), 201)
  assert.equal(o.status, 'created')
  assert.equal(o.total_fen, 1500)
  // Placed like any order: on the helper's board, channel family, audited.
  const full = ok(await helper.get(`/api/v1/service/orders/${o.id}`))
  assert.equal(full.channel, 'family')
  assert.equal(full.note, '少盐')
  assert.ok((await auditOf('service.order_place')).some((a) => a.target_id === String(o.id) && a.detail?.channel === 'family'))
  const list = ok(await fam.get(`/api/v1/service/family/orders?elder_id=${e.id}`)).items
  assert.deepEqual(list.map((x) => [x.id, x.item_name, x.status_name]), [[o.id, '助餐', '待派单']])
})

test('RULE-SVC-150, RULE-SVC-151, RULE-SVC-154, RULE-SVC-156: the code is stored sealed, each reading audited; the family tells it, then rates', async () => {
  const e = await linkedElder()
  const o = ok(await fam.post('/api/v1/service/family/orders', { elder_id: e.id, item: 'zhujie', window_start: `${tomorrow}T13:00` }), 201)
  assertError(await fam.get(`/api/v1/service/family/orders/${o.id}/confirm-code`), 409, 'conflict', 'status')
  const sun = (await civil.get('/api/v1/service/caregivers')).body.items.find((c) => c.name === '孙丽')
  ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '家属预约' }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/accept`, {}))
  const at = { lat: 27.965, lng: 107.72, accuracy_m: 10 }
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, at))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, at))
  // RULE-SVC-150: not in plain text in the table.
  const [row] = sqliteJson(s.db, `SELECT confirm_code, confirm_code_enc FROM svc_orders WHERE id = ${o.id}`)
  assert.equal(row.confirm_code, null)
  assert.ok(row.confirm_code_enc && !/^\d{6}$/.test(row.confirm_code_enc))
  const { code } = ok(await fam.get(`/api/v1/service/family/orders/${o.id}/confirm-code`))
  assert.match(code, /^\d{6}$/)
  assert.equal(ok(await helper.get(`/api/v1/service/orders/${o.id}/confirm-code`)).code, code)
  assert.ok(!row.confirm_code_enc.includes(code))
  // RULE-SVC-151: both readings audited.
  const reads = (await auditOf('service.confirm_code_read')).filter((a) => a.target_id === String(o.id))
  assert.deepEqual(reads.map((a) => a.username ?? a.actor ?? a.user).sort(), ['fg_family', 'lq_helper'])
  // Another family's elder: 404.
  const other = await elder()
  const o2 = ok(await helper.post('/api/v1/service/orders', { elder_id: other.id, items: ['zhucan'], window_start: `${tomorrow}T15:00`, window_end: `${tomorrow}T15:30` }), 201)
  assertError(await fam.get(`/api/v1/service/family/orders/${o2.id}/confirm-code`), 404, 'not_found')
  assertError(await fam.post(`/api/v1/service/family/orders/${o2.id}/rate`, { rating: 1 }), 404, 'not_found')
  // RULE-SVC-156: rating waits for the confirmation.
  assertError(await fam.post(`/api/v1/service/family/orders/${o.id}/rate`, { rating: 5 }), 409, 'conflict', 'status')
  ok(await carer.post(`/api/v1/service/orders/${o.id}/confirm`, { code }))
  assertError(await fam.post(`/api/v1/service/family/orders/${o.id}/rate`, { rating: 6 }), 400, 'invalid', 'rating')
  const r = ok(await fam.post(`/api/v1/service/family/orders/${o.id}/rate`, { rating: 2, comment: '很细心', complaint: '迟到半小时' }))
  assert.equal(r.status, 'rated')
  const list = ok(await fam.get(`/api/v1/service/family/orders?elder_id=${e.id}`)).items
  assert.equal(list.find((x) => x.id === o.id).rating, 2)
  // RULE-SVC-120: the family's complaint enters the supervision queue like a helper's (one rating
  // path for both, service_rate).
  const queued = ok(await civil.get('/api/v1/service/complaints?page_size=200')).items
  assert.ok(queued.some((c) => c.order_id === o.id), 'the family\'s complaint is in the queue')
})

test('RULE-SVC-157, RULE-SVC-153: the demo family account signs in; without elder_id it sees the visits of its linked elders only', async () => {
  // This server has no demo elders: fg_family exists but is linked to none.
  const f2 = await s.login('fg_family')
  const before = ok(await f2.get('/api/v1/service/family/orders')).items
  const e = await linkedElder()
  const other = await elder()
  ok(await helper.post('/api/v1/service/orders', { elder_id: other.id, items: ['zhucan'], window_start: `${tomorrow}T16:00`, window_end: `${tomorrow}T16:30` }), 201)
  const o = ok(await f2.post('/api/v1/service/family/orders', { elder_id: e.id, item: 'xunhu', window_start: `${tomorrow}T17:00` }), 201)
  const all = ok(await f2.get('/api/v1/service/family/orders')).items
  assert.equal(all.length, before.length + 1)
  assert.ok(all.some((x) => x.id === o.id && x.elder_id === e.id))
  assert.ok(!all.some((x) => x.elder_id === other.id))
})

test('RULE-SVC-165, RULE-SVC-205, RULE-SVC-161, RULE-SVC-157: the demo month verifies ≥ 95 % without a manual edit; demo orders carry a subsidy; fg_family sees its elder', async () => {
  const d = await Server.start({ env: { ANLAO_DEMO_ELDERS: '300' } })
  try {
    const c = await d.login('fg_civil')
    const m = new Date(Date.now() + 8 * 3600e3)
    m.setUTCDate(0) // the last day of the month before
    const month = m.toISOString().slice(0, 7)
    const r = ok(await c.get(`/api/v1/service/evv/report?month=${month}`))
    const p = r.providers[0]
    assert.ok(p.visits >= 60, `visits ${p.visits}`)
    assert.ok(p.fixed >= 1 && p.fixed === p.visits - p.verified, JSON.stringify(p))
    assert.ok(p.verified_pct >= 95 && p.meets_target, JSON.stringify(p))
    assert.ok(r.flagged.every((f) => f.fixed))
    // RULE-SVC-205: a caregiver's visits of a day one after another: none overlaps (RULE-SVC-191).
    assert.equal(p.exceptions.overlap, 0, JSON.stringify(p.exceptions))
    const orders = ok(await c.get('/api/v1/service/orders?page_size=200')).items
    assert.ok(orders.some((o) => o.entitled_fen > 0), 'a demo order shows a subsidy')
    const f = await d.login('fg_family')
    const mine = ok(await f.get('/api/v1/service/family/orders')).items
    assert.ok(mine.some((o) => o.status === 'completed'), 'the family sees the visit awaiting its code')
    assert.ok(mine.some((o) => o.plan_id), 'and the weekly plan\'s orders')
  } finally { await d.stop(); await d.dispose() }
})
