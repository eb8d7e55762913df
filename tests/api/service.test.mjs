// Home services (issue 13): placing an order on an elder's behalf (RULE-SVC-010, -011), the
// funding split and the quota (RULE-SVC-014, -015), scope (RULE-SVC-001, -002), the state
// machine's 409 naming the state (RULE-SVC-012) with every move timestamped and audited
// (RULE-SVC-013), automatic and manual dispatch (RULE-SVC-021..027), the live board
// (RULE-SVC-030) and the visit proof with idempotency keys (RULE-SVC-040..044, RULE-SVC-051).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, serverTest, chinaDay } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'
import { readEvents } from '../lib/sse.mjs'

let s, civil, helper, jx, carer
const test = serverTest(() => [s])
before(async () => {
  s = await Server.start({ env: { ANLAO_SSE_KEEPALIVE_MS: '200' } })
  civil = await s.login('fg_civil')
  helper = await s.login('lq_helper')
  jx = await s.login('jx_officer')
  carer = await s.login('fg_caregiver')
})
// A clean stop (exit code 0): under ASan a leak fails here.
after(async () => { await s?.stop(); await s?.dispose() })

let seq = 500
// The demo's 龙泉 station stands at 27.9600, 107.7200 (src/service/service_demo.c).
async function elder(region = '520327001001', lat = 27.9650, lng = 107.7200) {
  const r = await civil.post('/api/v1/elders', { name: '服务老人', id_number: idNumber('520327', '19400101', seq++), region_code: region, address: '龙泉街道和平路 1 号', phone: '13800001234', lat, lng })
  assert.equal(r.status, 201, r.text)
  return r.body
}
const tomorrow = chinaDay(Date.now() + 86400e3)
const at = (hhmm, day = tomorrow) => `${day}T${hhmm}`
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
let hour = 8
// An order of `items` tomorrow, in its own hour so the caregivers' visits never overlap.
async function placed(e, items = ['zhujie'], c = helper) {
  const h = String(hour++).padStart(2, '0')
  return ok(await c.post('/api/v1/service/orders', { elder_id: e.id, items, window_start: at(`${h}:00`), window_end: at(`${h}:59`) }), 201)
}
const auditOf = async (action) => (await civil.get(`/api/v1/audit?action=${action}&page_size=200`)).body.items

test('an order on an elder\'s behalf: address from the elder, the split before and at placement, beyond quota said', async () => {
  const e = await elder()
  // Not entitled yet: the elder pays all.
  const q0 = ok(await helper.post('/api/v1/service/orders/quote', { elder_id: e.id, items: ['zhujie'], window_start: at('09:00'), window_end: at('11:00') }))
  assert.equal(q0.total_fen, 5000)
  assert.equal(q0.entitled_fen, 0)
  assert.equal(q0.lines[0].cover, 'not_entitled')
  assert.equal(q0.beyond_quota, false)
  // 养老服务补贴 (10000 fen a month on the national list) — RULE-SVC-015 reads the benefit record.
  ok(await civil.post('/api/v1/entitle/benefits', { elder_id: e.id, item_key: 'fuwu_butie', from_date: '2026-01-01', source: 'manual' }), 201)
  const body = { elder_id: e.id, items: ['zhuyu', 'zhujie', 'zhuji'], window_start: at('09:00'), window_end: at('11:00'), note: '请带防滑垫' }
  const q = ok(await helper.post('/api/v1/service/orders/quote', body))
  assert.deepEqual(q.lines.map((l) => [l.item_code, l.entitled_fen, l.elder_fen, l.cover]),
    [['zhuyu', 8000, 0, 'covered'], ['zhujie', 2000, 3000, 'partial'], ['zhuji', 0, 3000, 'not_paid']])
  assert.equal(q.beyond_quota, true)
  assert.match(q.message, /超出本月补贴额度/)
  assert.equal(q.planned_min, 90 + 120 + 60)
  // The quote wrote nothing: placing gives the same split.
  const o = ok(await helper.post('/api/v1/service/orders', body), 201)
  assert.equal(o.status, 'created')
  assert.equal(o.status_name, '待派单')
  assert.equal(o.address, '龙泉街道和平路 1 号')
  assert.equal(o.channel, 'helper')
  assert.equal(o.elder_id_masked.includes('*'), true)
  assert.deepEqual([o.total_fen, o.entitled_fen, o.elder_fen, o.beyond_quota], [16000, 10000, 6000, true])
  assert.equal(o.lines.reduce((a, l) => a + l.entitled_fen + l.elder_fen, 0), o.total_fen)
  assert.deepEqual(o.events.map((x) => [x.from_status, x.to_status, x.by]), [[null, 'created', 'lq_helper']])
  assert.ok(o.events[0].at)
  // The month's quota is used: the next order is all the elder's.
  const q2 = ok(await helper.post('/api/v1/service/orders/quote', { ...body, items: ['zhujie'] }))
  assert.equal(q2.entitled_fen, 0)
  assert.equal(q2.lines[0].cover, 'beyond_quota')
  const audit = await auditOf('service.order_place')
  assert.ok(audit.some((a) => a.target_id === String(o.id)), 'placing is audited')
})

test('bad input names the field; an elder outside the caller\'s region is 404', async () => {
  const e = await elder()
  const base = { elder_id: e.id, items: ['zhujie'], window_start: at('09:00'), window_end: at('11:00') }
  assertError(await helper.post('/api/v1/service/orders', { ...base, items: ['nope'] }), 400, 'invalid', 'items')
  assertError(await helper.post('/api/v1/service/orders', { ...base, items: [] }), 400, 'invalid', 'items')
  assertError(await helper.post('/api/v1/service/orders', { ...base, window_start: '明天上午' }), 400, 'invalid', 'window_start')
  assertError(await helper.post('/api/v1/service/orders', { ...base, window_end: at('08:00') }), 400, 'invalid', 'window_end')
  assertError(await helper.post('/api/v1/service/orders', { ...base, window_start: '2020-01-01T09:00', window_end: '2020-01-01T10:00' }), 400, 'invalid', 'window_start')
  assertError(await helper.post('/api/v1/service/orders', { ...base, items: ['zhujie', 'zhujie'] }), 400, 'invalid', 'items')
  // RULE-SVC-010: 进化镇's elder is outside 龙泉's helper.
  const far = await elder('520327101001', 27.88, 107.60)
  assertError(await helper.post('/api/v1/service/orders', { ...base, elder_id: far.id }), 404, 'not_found', 'elder_id')
  // RULE-SVC-001: 龙泉's order is not 进化's officer's to see or move.
  const o = await placed(e)
  assertError(await jx.get(`/api/v1/service/orders/${o.id}`), 404, 'not_found')
  assertError(await jx.post(`/api/v1/service/orders/${o.id}/cancel`, { reason: '测试取消' }), 404, 'not_found')
  const list = (await jx.get('/api/v1/service/orders?page_size=200')).body
  assert.ok(!list.items.some((x) => x.id === o.id))
  // A helper may not dispatch (no permission).
  assert.equal((await helper.post(`/api/v1/service/orders/${o.id}/dispatch`, {})).status, 403)
})

test('dispatch, the caregiver\'s day, check-in/out with idempotency keys, and 409 naming the state', async () => {
  const e = await elder()
  const o = await placed(e, ['zhuyu']) // bathing: 孙丽 has the skill and a valid certificate
  // Automatic assignment (RULE-SVC-026): the proposal, then the assignment.
  const p = ok(await civil.get(`/api/v1/service/orders/${o.id}/proposal`))
  assert.ok(p.caregiver_id, JSON.stringify(p))
  const a = ok(await civil.post(`/api/v1/service/orders/${o.id}/dispatch`, {}))
  assert.equal(a.status, 'assigned')
  assert.equal(a.caregiver_name, '孙丽')
  assert.equal(a.caregiver_id, p.caregiver_id)
  // A move the table does not have: 409 naming the state in Chinese (RULE-SVC-012).
  const bad = assertError(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { lat: 27.965, lng: 107.72, accuracy_m: 10 }), 409, 'conflict')
  assert.match(bad.message, /「已派单」/)
  assert.match(bad.message, /签出/)
  // The caregiver's day (RULE-SVC-002).
  const mine = ok(await carer.get(`/api/v1/service/my/visits?date=${tomorrow}`))
  assert.ok(mine.items.some((x) => x.id === o.id))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/accept`, {}))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/start`, {}))
  // Check-in ≈ 330 m from the home with 20 m accuracy: accepted and flagged (RULE-SVC-041).
  const key = { headers: { 'Idempotency-Key': `ci-${o.id}-0001` } }
  const ci = { lat: 27.9680, lng: 107.7200, accuracy_m: 20 }
  const c1 = ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, ci, key))
  assert.equal(c1.status, 'in_service')
  assert.equal(c1.visit.checkin_outside, true)
  assert.ok(c1.visit.checkin_distance_m > 300 && c1.visit.checkin_distance_m < 360, String(c1.visit.checkin_distance_m))
  // Sent again (a retry, an offline queue): the first answer, written once (RULE-SVC-044).
  const again = await carer.post(`/api/v1/service/orders/${o.id}/checkin`, ci, key)
  assert.equal(again.status, 200)
  assert.equal(again.headers.get('idempotent-replayed'), 'true')
  assert.deepEqual(again.body, c1)
  // The same key for another record: 409 (RULE-SVC-051); without a key the state refuses it.
  assertError(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, { ...ci, accuracy_m: 21 }, key), 409, 'conflict', 'Idempotency-Key')
  assertError(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, ci), 409, 'conflict', 'status')
  assertError(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { lat: 27.965, lng: 107.72, accuracy_m: 10 }, { headers: { 'Idempotency-Key': 'bad key' } }), 400, 'invalid', 'Idempotency-Key')
  // Check-out made offline with a clock 10 minutes slow: accepted once, clock skew flagged (RULE-SVC-043).
  const slow = (ms) => new Date(ms - 600e3 + 8 * 3600e3).toISOString().slice(0, 19) + '+08:00'
  const co = { lat: 27.9651, lng: 107.7200, accuracy_m: 10, at: slow(Date.now() - 60e3), sent_at: slow(Date.now()), checklist: ['情绪良好', '居家无安全隐患'] }
  const k2 = { headers: { 'Idempotency-Key': `co-${o.id}-0001` } }
  const c2 = ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, co, k2))
  assert.equal(c2.status, 'completed')
  assert.equal(c2.visit.clock_skew, true)
  assert.equal(c2.visit.checkout_outside, false)
  assert.deepEqual(c2.visit.checklist, ['情绪良好', '居家无安全隐患'])
  assert.deepEqual((await carer.post(`/api/v1/service/orders/${o.id}/checkout`, co, k2)).body, c2)
  // Every move timestamped, in order, once each (RULE-SVC-013), and audited.
  const full = ok(await civil.get(`/api/v1/service/orders/${o.id}`))
  assert.deepEqual(full.events.map((x) => x.to_status), ['created', 'assigned', 'accepted', 'on_the_way', 'in_service', 'completed'])
  assert.ok(full.events.every((x) => x.at))
  assert.equal(full.events[4].reason, '超出签到范围')
  for (const act of ['service.order_assign', 'service.order_accept', 'service.order_start_trip', 'service.checkin', 'service.checkout']) {
    assert.equal((await auditOf(act)).filter((x) => x.target_id === String(o.id)).length, 1, act)
  }
  // Completed: it can no longer be cancelled.
  const c409 = assertError(await helper.post(`/api/v1/service/orders/${o.id}/cancel`, { reason: '不需要了' }), 409, 'conflict', 'status')
  assert.match(c409.message, /「已完成」.*取消/)
  // Another caregiver's order is not theirs: 404.
  const other = await placed(e)
  assertError(await carer.post(`/api/v1/service/orders/${other.id}/accept`, {}), 404, 'not_found')
})

test('RULE-SVC-052: the same check-in sent twice at once is written once and both hear the same answer', async () => {
  const e = await elder()
  const o = await placed(e)
  const sun = (await civil.get('/api/v1/service/caregivers')).body.items.find((c) => c.name === '孙丽')
  ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '测试并发' }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/accept`, {}))
  const key = { headers: { 'Idempotency-Key': `race-${o.id}-0001` } }
  const body = { lat: 27.965, lng: 107.72, accuracy_m: 10 }
  const [a, b] = await Promise.all([1, 2].map(() => carer.post(`/api/v1/service/orders/${o.id}/checkin`, body, key)))
  assert.equal(a.status, 200, a.text)
  assert.equal(b.status, 200, b.text)
  assert.deepEqual(a.body, b.body)
  const full = ok(await civil.get(`/api/v1/service/orders/${o.id}`))
  assert.equal(full.events.filter((x) => x.to_status === 'in_service').length, 1)
})

test('manual override states its reason; redispatch clears the caregiver; the expired certificate blocks', async () => {
  const e = await elder()
  const o = await placed(e, ['huli']) // nursing: 王芳 (valid), 李强 (expired)
  const cgs = ok(await civil.get('/api/v1/service/caregivers')).items
  const li = cgs.find((c) => c.name === '李强')
  const wang = cgs.find((c) => c.name === '王芳')
  assert.equal(li.expired_certificates, 1)
  const p = ok(await civil.get(`/api/v1/service/orders/${o.id}/proposal`))
  assert.equal(p.caregiver_id, wang.id, JSON.stringify(p)) // RULE-SVC-023: 李强 refused
  assert.equal(p.refused['资格证书已过期或缺失'] >= 1, true, JSON.stringify(p))
  // RULE-SVC-027: a manual assignment needs its reason; what it overrides is kept in the audit.
  assertError(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: li.id }), 400, 'invalid', 'reason')
  const m = ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: li.id, reason: '王芳请假，家属指定李强' }))
  assert.equal(m.caregiver_name, '李强')
  assert.equal(m.events.at(-1).reason, '王芳请假，家属指定李强')
  const audit = (await auditOf('service.order_assign')).find((x) => x.target_id === String(o.id))
  const detail = typeof audit.detail === 'string' ? JSON.parse(audit.detail) : audit.detail
  assert.equal(detail.mode, 'manual')
  assert.equal(detail.overrides, '资格证书已过期或缺失')
  assertError(await civil.post(`/api/v1/service/orders/${o.id}/redispatch`, {}), 400, 'invalid', 'reason')
  const r = ok(await civil.post(`/api/v1/service/orders/${o.id}/redispatch`, { reason: '护理员未到岗' }))
  assert.equal(r.status, 'created')
  assert.equal(r.caregiver_id, null)
})

test('the dispatch board is live: a change in the viewer\'s region arrives as an event', async () => {
  const e = await elder()
  const ctl = new AbortController()
  const res = await fetch(s.base + '/api/v1/service/board/events', { headers: { Cookie: `anlao_session=${civil.cookie}` }, signal: ctl.signal })
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type'), /text\/event-stream/)
  // Read until this test's order comes: the periodic jobs (re-dispatch, recurring plans) may
  // publish other orders' events first, and ours may arrive before the POST's answer does.
  const seen = []
  let id = 0
  const got = readEvents(res, (ev) => { seen.push(ev); return !(ev.event === 'order' && ev.data.id === id) })
    .catch(() => ({ events: seen })) // aborted: what was read
  await new Promise((ok) => setTimeout(ok, 100))
  id = (await placed(e)).id
  if (seen.some((x) => x.event === 'order' && x.data.id === id)) ctl.abort()
  const timer = setTimeout(() => ctl.abort(), 5000)
  const { events } = await got
  clearTimeout(timer)
  ctl.abort()
  assert.equal(events[0].event, 'ready')
  const ev = events.find((x) => x.event === 'order' && x.data.id === id)
  assert.deepEqual(ev.data, { id, region_code: '520327001001', status: 'created', caregiver_id: 0, provider_id: 0, station_id: 0 })
})
