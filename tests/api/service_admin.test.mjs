// Home services (issue 13), the officers' side: management of providers, stations, caregivers
// and items (RULE-SVC-100..106), provider accounts that see only their provider
// (RULE-SVC-110..113) and the complaint supervision queue (RULE-SVC-120..125).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, serverTest, chinaDay, sqlite } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, civil, helper, jx, carer, prov1, prov2
const test = serverTest(() => [s])
before(async () => {
  s = await Server.start()
  civil = await s.login('fg_civil')
  helper = await s.login('lq_helper')
  jx = await s.login('jx_officer')
  carer = await s.login('fg_caregiver')
  prov1 = await s.login('fg_provider')
  prov2 = await s.login('fg_provider2')
})
after(async () => { await s?.stop(); await s?.dispose() })

const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const auditOf = async (action) => (await civil.get(`/api/v1/audit?action=${action}&page_size=200`)).body.items
const A = '/api/v1/service/admin'
const tomorrow = chinaDay(Date.now() + 86400e3)
let seq = 900
async function elder(region = '520327001001', lat = 27.9650, lng = 107.7200) {
  return ok(await civil.post('/api/v1/elders', { name: '管理老人', id_number: idNumber('520327', '19400101', seq++), region_code: region, address: '测试地址 1 号', phone: '13800001234', lat, lng }), 201)
}
let hour = 9 // within the caregivers' working hours (08:00–18:00)
async function placed(e, items = ['zhujie']) {
  const h = String(hour++).padStart(2, '0')
  return ok(await civil.post('/api/v1/service/orders', { elder_id: e.id, items, window_start: `${tomorrow}T${h}:00`, window_end: `${tomorrow}T${h}:59` }), 201)
}

test('RULE-SVC-100, RULE-SVC-101, RULE-SVC-102: providers listed with a total, created, edited at a version (409 when stale), deactivated, exported; audited', async () => {
  const list = ok(await civil.get(`${A}/providers`))
  assert.equal(list.total, 2)
  assert.deepEqual(list.items.map((p) => p.name).sort(), ['凤冈县康乐家政养老服务有限公司', '凤冈县颐康居家养老服务中心'].sort())
  assert.equal(ok(await civil.get(`${A}/providers?q=康乐`)).total, 1)
  assert.equal(ok(await civil.get(`${A}/providers?page_size=1`)).items.length, 1)
  assertError(await civil.get(`${A}/providers?status=gone`), 400, 'invalid', 'status')
  // Bodies are checked from the field table, naming the field in Chinese.
  const e1 = assertError(await civil.post(`${A}/providers`, { region_code: '520327' }), 400, 'invalid', 'name')
  assert.match(e1.message, /机构名称/)
  assertError(await civil.post(`${A}/providers`, { name: '某机构', region_code: '520328' }), 400, 'invalid', 'region_code')
  assertError(await civil.post(`${A}/providers`, { name: '某机构', region_code: '520327', credit_status: 'bad' }), 400, 'invalid', 'credit_status')
  assertError(await jx.post(`${A}/providers`, { name: '某机构', region_code: '520327' }), 403, 'forbidden') // township officers do not manage
  const p = ok(await civil.post(`${A}/providers`, { name: '凤冈县测试服务社', region_code: '520327', phone: '13800002222', contact: '张三' }), 201)
  assert.equal(p.version, 1)
  assert.equal(p.status, 'active')
  assert.equal(p.credit_status, 'good')
  const p2 = ok(await civil.patch(`${A}/providers/${p.id}`, { version: 1, credit_status: 'warning', credit_note: '投诉较多' }))
  assert.equal(p2.version, 2)
  assert.equal(p2.credit_status, 'warning')
  assertError(await civil.patch(`${A}/providers/${p.id}`, { version: 1, name: '旧版本' }), 409, 'conflict', 'version')
  assertError(await civil.patch(`${A}/providers/${p.id}`, { name: '无版本' }), 400, 'invalid', 'version')
  const d = ok(await civil.post(`${A}/providers/${p.id}/deactivate`, { version: 2 }))
  assert.equal(d.status, 'inactive')
  assertError(await civil.post(`${A}/providers/${p.id}/deactivate`, { version: 3 }), 409, 'conflict', 'status')
  assert.equal(ok(await civil.get(`${A}/providers?status=inactive`)).total, 1)
  // There is no delete route: a DELETE is not routed.
  assert.ok([404, 405].includes((await civil.request('DELETE', `${A}/providers/${p.id}`, undefined, { check: false })).status))
  assert.ok((await auditOf('service.provider_create')).some((a) => a.target_id === String(p.id)))
  assert.ok((await auditOf('service.provider_update')).some((a) => a.target_id === String(p.id)))
  assert.ok((await auditOf('service.provider_deactivate')).some((a) => a.target_id === String(p.id)))
  const x = await civil.get(`${A}/providers/export?format=csv`, { check: false })
  assert.equal(x.status, 200)
  assert.match(x.text, /机构名称/)
  assert.match(x.text, /凤冈县测试服务社/)
  assert.match(x.text, /警示/)
  assert.ok((await auditOf('service.provider_export')).length >= 1)
})

test('RULE-SVC-103, RULE-SVC-104, RULE-SVC-105: a station serving regions, a caregiver with skills and certificates, the certificates to renew; an inactive station or a barred provider dispatches nobody', async () => {
  const provider = ok(await civil.get(`${A}/providers?q=颐康`)).items[0]
  assertError(await civil.post(`${A}/stations`, { provider_id: provider.id, region_code: '520327003', name: '花坪站', address: '花坪街道 1 号', lat: 27.95, lng: 107.71, radius_min: 30 }), 400, 'invalid', 'serves')
  assertError(await civil.post(`${A}/stations`, { provider_id: provider.id, region_code: '520327003', name: '花坪站', address: '花坪街道 1 号', lat: 95, lng: 107.71, radius_min: 30, serves: ['520327003'] }), 400, 'invalid', 'lat')
  const st = ok(await civil.post(`${A}/stations`, { provider_id: provider.id, region_code: '520327003', name: '花坪街道居家养老服务站', address: '花坪街道 1 号', lat: 27.95, lng: 107.71, radius_min: 30, serves: ['520327003'] }), 201)
  assert.deepEqual(st.serves.map((x) => x.region_code), ['520327003'])
  const soon = chinaDay(Date.now() + 10 * 86400e3)
  const past = chinaDay(Date.now() - 2 * 86400e3)
  assertError(await civil.post(`${A}/caregivers`, { station_id: st.id, name: '赵六', skills: ['flying'] }), 400, 'invalid', 'skills')
  assertError(await civil.post(`${A}/caregivers`, { station_id: st.id, name: '赵六', skills: ['general'], work_start_min: 600, work_end_min: 500 }), 400, 'invalid', 'work_end_min')
  const bad = assertError(await civil.post(`${A}/caregivers`, { station_id: st.id, name: '赵六', skills: ['general'], certificates: [{ skill: 'bathing', name: '证', valid_until: '2026-02-30' }] }), 400, 'invalid', 'certificates')
  assert.match(bad.message, /证书第 1 项/)
  const cg = ok(await civil.post(`${A}/caregivers`, { station_id: st.id, name: '赵六', phone: '13900001111', skills: ['general', 'bathing'], work_start_min: 480, work_end_min: 1080,
    certificates: [{ skill: 'bathing', name: '助浴证', valid_until: soon }, { skill: 'nursing', name: '旧护理证', valid_until: past }] }), 201)
  assert.equal(cg.provider_id, provider.id)
  assert.equal(cg.region_code, '520327003')
  assert.equal(cg.skills, 'general,bathing')
  assert.equal(cg.phone_masked, '139****1111')
  assert.equal(cg.phone, undefined)
  assert.deepEqual(cg.certificates.map((c) => c.state).sort(), ['expired', 'expiring'])
  // RULE-SVC-105: the certificates to renew, expired or within 30 days, scoped.
  const expiring = ok(await civil.get(`${A}/certificates?state=expiring`)).items
  assert.ok(expiring.some((c) => c.caregiver_id === cg.id && c.valid_until === soon))
  const expired = ok(await civil.get(`${A}/certificates?state=expired`)).items
  assert.ok(expired.some((c) => c.caregiver_id === cg.id && c.state === 'expired'))
  assert.ok(expired.some((c) => c.caregiver_name === '李强'), 'the demo\'s expired certificate')
  assert.ok(expired.every((c) => c.state === 'expired'))
  assert.ok(!ok(await jx.get(`${A}/certificates`)).items.some((c) => c.caregiver_id === cg.id), '进化镇 does not see 花坪')
  assert.match((await civil.get(`${A}/certificates/export?format=csv`, { check: false })).text, /已过期/)

  // RULE-SVC-104: an order in 花坪 goes to 赵六 while the station is active ...
  const e = await elder('520327003001', 27.951, 107.711)
  const o = await placed(e, ['zhujie'])
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${o.id}/proposal`)).caregiver_id, null, '赵六 has no cleaning skill')
  const o2 = await placed(e, ['zhucan'])
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${o2.id}/proposal`)).caregiver_id, cg.id)
  // RULE-SVC-023 (service_fits): the expired nursing certificate blocks a nursing visit.
  ok(await civil.patch(`${A}/caregivers/${cg.id}`, { version: cg.version, skills: ['general', 'bathing', 'nursing'] }))
  const o3 = await placed(e, ['huli'])
  const why = ok(await civil.get(`/api/v1/service/orders/${o3.id}/proposal`))
  assert.equal(why.caregiver_id, null)
  assert.equal(why.refused['证书已过期'] ?? why.refused[Object.keys(why.refused).find((k) => /证书/.test(k))], 1)
  // A barred provider's caregivers are dispatched nothing (RULE-SVC-104), until it is cleared.
  let pv = ok(await civil.get(`${A}/providers/${provider.id}`))
  pv = ok(await civil.patch(`${A}/providers/${provider.id}`, { version: pv.version, credit_status: 'barred' }))
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${o2.id}/proposal`)).caregiver_id, null)
  ok(await civil.patch(`${A}/providers/${provider.id}`, { version: pv.version, credit_status: 'good' }))
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${o2.id}/proposal`)).caregiver_id, cg.id)
  // ... and nobody once the station is deactivated (never deleted: its orders keep it).
  const sv = ok(await civil.get(`${A}/stations/${st.id}`))
  ok(await civil.post(`${A}/stations/${st.id}/deactivate`, { version: sv.version }))
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${o2.id}/proposal`)).caregiver_id, null)
  // A new caregiver cannot join an inactive station.
  assertError(await civil.post(`${A}/caregivers`, { station_id: st.id, name: '钱七', skills: ['general'] }), 400, 'invalid', 'station_id')
  assert.ok((await auditOf('service.caregiver_create')).some((a) => a.target_id === String(cg.id)))
  assert.ok((await auditOf('service.station_deactivate')).some((a) => a.target_id === String(st.id)))
  assert.match((await civil.get(`${A}/caregivers/export?format=csv`, { check: false })).text, /139\*\*\*\*1111/)
})

test('RULE-SVC-106: items: price in fen, planned minutes, skill, the catalogue item that may pay; only officers edit them', async () => {
  const items = ok(await civil.get(`${A}/items`))
  assert.equal(items.total, 10)
  const zhucan = ok(await civil.get(`${A}/items/zhucan`))
  assert.equal(zhucan.price_fen, 1500)
  assertError(await civil.post(`${A}/items`, { code: 'Bad Code', name: '理发', category: '其他', price_fen: 2000, planned_min: 30, skill: 'general' }), 400, 'invalid', 'code')
  assertError(await civil.post(`${A}/items`, { code: 'lifa', name: '理发', category: '其他', price_fen: 2000, planned_min: 30, skill: 'general', entitle_item_key: 'no_such_item' }), 400, 'invalid', 'entitle_item_key')
  const lifa = ok(await civil.post(`${A}/items`, { code: 'lifa', name: '理发', category: '其他', price_fen: 2000, planned_min: 30, skill: 'general', entitle_item_key: 'fuwu_butie' }), 201)
  assert.equal(lifa.entitle_item_key, 'fuwu_butie')
  assertError(await civil.post(`${A}/items`, { code: 'lifa', name: '理发', category: '其他', price_fen: 2000, planned_min: 30, skill: 'general' }), 409, 'conflict', 'code')
  const l2 = ok(await civil.patch(`${A}/items/lifa`, { version: 1, price_fen: 2500 }))
  assert.equal(l2.price_fen, 2500)
  assertError(await civil.patch(`${A}/items/lifa`, { version: 2, code: 'lifa2' }), 400, 'invalid', 'code')
  assertError(await prov1.patch(`${A}/items/lifa`, { version: 2, price_fen: 1 }), 403, 'forbidden')
  ok(await civil.post(`${A}/items/lifa/deactivate`, { version: 2 }))
  assert.equal(ok(await civil.get(`${A}/items?active=1`)).total, 10)
  assert.match((await civil.get(`${A}/items/export?format=csv`, { check: false })).text, /25\.00/)
})

test('RULE-SVC-110, RULE-SVC-111, RULE-SVC-112, RULE-SVC-113: a provider account sees and moves only its own provider\'s records and orders', async () => {
  const mine2 = ok(await prov2.get(`${A}/providers`))
  assert.equal(mine2.total, 1)
  assert.equal(mine2.items[0].name, '凤冈县康乐家政养老服务有限公司')
  const other = ok(await civil.get(`${A}/providers?q=颐康`)).items[0]
  assertError(await prov2.get(`${A}/providers/${other.id}`), 404, 'not_found')
  assertError(await prov2.patch(`${A}/providers/${other.id}`, { version: other.version, name: 'x' }), 404, 'not_found')
  // Its own: contact details yes, credit status no (RULE-SVC-113).
  const own = mine2.items[0]
  assertError(await prov2.patch(`${A}/providers/${own.id}`, { version: own.version, credit_status: 'good' }), 403, 'forbidden')
  ok(await prov2.patch(`${A}/providers/${own.id}`, { version: own.version, contact: '钱进' }))
  assertError(await prov2.post(`${A}/providers`, { name: 'x', region_code: '520327' }), 403, 'forbidden')
  const cgs2 = ok(await prov2.get(`${A}/caregivers`)).items
  assert.deepEqual(cgs2.map((c) => c.name).sort(), ['吴军', '周霞'].sort())
  assert.ok(ok(await prov2.get('/api/v1/service/caregivers')).items.every((c) => ['吴军', '周霞'].includes(c.name)))
  assert.ok(ok(await prov1.get('/api/v1/service/stations')).items.every((x) => x.provider_id === other.id))
  const sun = ok(await civil.get(`${A}/caregivers?q=孙丽`)).items[0]
  assertError(await prov2.get(`${A}/caregivers/${sun.id}`), 404, 'not_found')
  assertError(await prov2.get(`${A}/stations/${sun.station_id}`), 404, 'not_found')
  // Orders: one in 琊川 (served by provider 2), one in 龙泉 (provider 1).
  const eY = await elder('520327102002', 27.851, 107.821)
  const eL = await elder()
  const oY = await placed(eY, ['zhucan'])
  const oL = await placed(eL, ['zhucan'])
  ok(await prov2.get(`/api/v1/service/orders/${oY.id}`))
  assertError(await prov2.get(`/api/v1/service/orders/${oL.id}`), 404, 'not_found')
  assertError(await prov1.get(`/api/v1/service/orders/${oY.id}`), 404, 'not_found')
  const ids2 = ok(await prov2.get('/api/v1/service/orders?page_size=200')).items.map((o) => o.id)
  assert.ok(ids2.includes(oY.id) && !ids2.includes(oL.id))
  const ids1 = ok(await prov1.get('/api/v1/service/orders?page_size=200')).items.map((o) => o.id)
  assert.ok(ids1.includes(oL.id) && !ids1.includes(oY.id))
  // Provider 2 cannot hand its order to provider 1's caregiver; its automatic dispatch picks its own.
  assertError(await prov2.post(`/api/v1/service/orders/${oY.id}/assign`, { caregiver_id: sun.id, reason: '试一试' }), 400, 'invalid', 'caregiver_id')
  const d = ok(await prov2.post(`/api/v1/service/orders/${oY.id}/dispatch`, {}))
  assert.ok(cgs2.some((c) => c.id === d.caregiver_id))
  // The officer sees both.
  ok(await civil.get(`/api/v1/service/orders/${oY.id}`))
  ok(await civil.get(`/api/v1/service/orders/${oL.id}`))
})

test('RULE-SVC-120, RULE-SVC-121, RULE-SVC-122, RULE-SVC-123, RULE-SVC-124, RULE-SVC-125: a complaint enters the queue with its last day; accepted, closed with a result; overdue first; scoped; exported; audited', async () => {
  const e = await elder()
  const o = await placed(e)
  const sun = ok(await civil.get(`${A}/caregivers?q=孙丽`)).items[0]
  ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '测试投诉' }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/accept`, {}))
  const at = { lat: 27.965, lng: 107.72, accuracy_m: 10 }
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, at))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, at))
  ok(await helper.post(`/api/v1/service/orders/${o.id}/confirm-for-elder`, { reason: '电话回访确认' }))
  ok(await helper.post(`/api/v1/service/orders/${o.id}/rate`, { rating: 1, complaint: '打扫不干净' }))
  const c = ok(await civil.get(`/api/v1/service/complaints/${o.id}`))
  assert.equal(c.status, 'open')
  assert.equal(c.status_zh, '待处理')
  assert.equal(c.overdue, false)
  assert.equal(c.content, '打扫不干净')
  assert.match(c.due_date, /^\d{4}-\d{2}-\d{2}$/)
  assert.ok(c.due_date > chinaDay(Date.now()))
  const q = ok(await civil.get('/api/v1/service/complaints?status=pending'))
  assert.ok(q.items.some((x) => x.order_id === o.id))
  // Scope: provider 2 and 进化镇 do not see it; provider 1 does.
  assertError(await prov2.get(`/api/v1/service/complaints/${o.id}`), 404, 'not_found')
  assertError(await jx.get(`/api/v1/service/complaints/${o.id}`), 404, 'not_found')
  ok(await prov1.get(`/api/v1/service/complaints/${o.id}`))
  assertError(await prov1.patch(`/api/v1/service/complaints/${o.id}`, { version: 1, status: 'handling' }), 403, 'forbidden')
  // RULE-SVC-122: open → handling (with an assignee) → closed with a result and what was done.
  assertError(await civil.patch(`/api/v1/service/complaints/${o.id}`, { version: 1, assignee: 'nobody_here' }), 400, 'invalid', 'assignee')
  const h = ok(await civil.patch(`/api/v1/service/complaints/${o.id}`, { version: 1, status: 'handling', assignee: 'lq_officer' }))
  assert.equal(h.status, 'handling')
  assert.equal(h.assignee, 'lq_officer')
  assertError(await civil.patch(`/api/v1/service/complaints/${o.id}`, { version: 1, status: 'closed' }), 400, 'invalid', 'result_code')
  assertError(await civil.patch(`/api/v1/service/complaints/${o.id}`, { version: 2, status: 'closed', result_code: 'upheld' }), 400, 'invalid', 'resolution')
  assertError(await civil.patch(`/api/v1/service/complaints/${o.id}`, { version: 2, status: 'closed', result_code: 'maybe', resolution: 'x' }), 400, 'invalid', 'result_code')
  assertError(await civil.patch(`/api/v1/service/complaints/${o.id}`, { version: 1, status: 'closed', result_code: 'upheld', resolution: '已约谈机构，重新上门打扫' }), 409, 'conflict', 'version')
  const done = ok(await civil.patch(`/api/v1/service/complaints/${o.id}`, { version: 2, status: 'closed', result_code: 'upheld', resolution: '已约谈机构，重新上门打扫' }))
  assert.equal(done.status, 'closed')
  assert.equal(done.result_zh, '投诉属实，已整改')
  assert.equal(done.closed_by, 'fg_civil')
  assertError(await civil.patch(`/api/v1/service/complaints/${o.id}`, { version: 3, assignee: 'fg_civil' }), 409, 'conflict', 'status')
  const audits = (await auditOf('service.complaint_update')).filter((a) => a.target_id === String(o.id))
  assert.equal(audits.length, 2)
  // RULE-SVC-124: an overdue complaint comes first.
  const o2 = await placed(await elder())
  ok(await civil.post(`/api/v1/service/orders/${o2.id}/assign`, { caregiver_id: sun.id, reason: '测试逾期' }))
  ok(await carer.post(`/api/v1/service/orders/${o2.id}/accept`, {}))
  ok(await carer.post(`/api/v1/service/orders/${o2.id}/checkin`, at))
  ok(await carer.post(`/api/v1/service/orders/${o2.id}/checkout`, at))
  ok(await helper.post(`/api/v1/service/orders/${o2.id}/confirm-for-elder`, { reason: '电话回访确认' }))
  ok(await helper.post(`/api/v1/service/orders/${o2.id}/rate`, { rating: 2, complaint: '迟到' }))
  sqlite(s.db, `UPDATE svc_complaints SET due_date = '2020-01-01' WHERE order_id = ${o2.id}`)
  const all = ok(await civil.get('/api/v1/service/complaints'))
  assert.equal(all.items[0].order_id, o2.id)
  assert.equal(all.items[0].overdue, true)
  assert.deepEqual(ok(await civil.get('/api/v1/service/complaints?overdue=1')).items.map((x) => x.order_id), [o2.id])
  const x = await civil.get('/api/v1/service/complaints/export?format=csv', { check: false })
  assert.equal(x.status, 200)
  assert.match(x.text, /待处理（逾期）/)
  assert.match(x.text, /已办结/)
  assert.ok((await auditOf('service.complaint_export')).length >= 1)
})
