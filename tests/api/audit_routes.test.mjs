// RULE-AUDIT-002: every state-changing route writes an audit entry (issue 10: PATCH
// /api/v1/assessments/:id rewrote the form and voided signatures without one, noticed only in
// review). The routes come from the route table (`anlao routes --markdown`); each POST, PUT, PATCH
// and DELETE must have an entry in CALLS below that makes one successful call, and the entry's
// audit action must appear (outcome success) among the entries written by that call. A new
// state-changing route without an entry here fails this test: add how to call it, and its action.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { inkPng } from '../lib/png.mjs'
import { spawnSync } from 'node:child_process'
import { BIN, Server, sleep } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { sqlite } from './helpers.mjs'
import { Broker, raiseAlarm } from '../lib/mosquitto.mjs'

// Routes that change state and legitimately write no audit entry, each with its reason.
// (Sign-in and sign-out are audited as auth.login / auth.logout.)
const NO_AUDIT = {
  'POST /api/v1/entitle/rules/check': 'compiles a rule text for the editor and answers; writes nothing (RULE-ENT-046)',
  'POST /api/v1/meal/counter/identify': 'looks a diner up at the counter (a QR token or card number in the body, not in a URL) and answers the price; writes nothing',
  'POST /api/v1/service/orders/quote': 'prices an order before it is placed; writes nothing (RULE-SVC-014)',
}

const items50 = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 2, 2, 2]
let s, admin, civil, lq, a1, a2, broker
let seq = 100
const newElder = async (region = '520327001001') => {
  const r = await civil.post('/api/v1/elders', { name: '留痕老人', id_number: idNumber('520327', '19450101', seq++), region_code: region, address: '一号', phone: '13800001234' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}
const newUser = async (role = 'helper', password = 'Walk12345') => {
  const username = `walk_${seq++}`
  const r = await admin.post('/api/v1/users', { username, display_name: '巡检', role, region_code: '520327001', password })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return { ...r.body, username, password }
}
const ok = (r, status = 200) => { assert.equal(r.status, status, JSON.stringify(r.body)); return r.body }
const step = (c, id, what, body) => c.post(`/api/v1/assessments/${id}/${what}`, body)
// An assessment carried to `upto` (draft, signed, submitted, reviewed, published).
async function assessment(upto) {
  const e = await newElder()
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: e.id, reason: 'first', items: items50 }), 201)
  let v = d.version
  const steps = [['signed', a1, 'sign', {}], ['signed', a2, 'sign', {}], ['submitted', a1, 'submit', {}],
    ['reviewed', lq, 'review', { decision: 'approve' }], ['published', lq, 'publish', {}]]
  const order = ['draft', 'signed', 'submitted', 'reviewed', 'published']
  for (const [state, c, what, body] of steps) {
    if (order.indexOf(state) > order.indexOf(upto)) break
    v = ok(await step(c, d.id, what, { ...body, version: v })).version
  }
  return { id: d.id, version: v, elderId: e.id }
}
async function job(c, r) {
  assert.equal(r.status, 202, JSON.stringify(r.body))
  for (let i = 0; i < 400; i++) {
    const j = (await c.get(`/api/v1/jobs/${r.body.job_id}`)).body
    if (j.status === 'done') return j
    assert.notEqual(j.status, 'failed', JSON.stringify(j))
    await sleep(25)
  }
  assert.fail('job did not finish')
}
// An elder in a visit target group (独居 → 一般), tiers recomputed (src/visit).
async function visitTarget() {
  const r = await civil.post('/api/v1/elders', { name: '探访老人', id_number: idNumber('520327', '19500101', seq++), region_code: '520327001001', address: '一号', phone: '13800001234', living_arrangement: 'alone' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  await job(civil, await civil.post('/api/v1/visit-tasks/generate', { region: '520327001001' }))
  return r.body.id
}
// A campaign over today (RULE-VISIT-070).
function campaign() {
  const d = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
  return { name: '巡检专项', kind: 'other', start_date: d, end_date: d, regions: ['520327001001'], tiers: ['general', 'key', 'high'] }
}
async function visitNeed(target) {
  const deadline = '2099-01-01'
  const v = ok(await civil.post('/api/v1/visits', { elder_id: await visitTarget(), method: 'phone', needs: [target ? { kind: 'care', need: '助餐', target, deadline } : { kind: 'care', need: '助餐' }] }), 201)
  return ok(await civil.get(`/api/v1/visit-needs/${v.needs[0]}`))
}
// RULE-MEAL-060..062: a family account with consent for an elder near a canteen with tomorrow's lunch.
async function mealOrderSetup(call) {
  const n = seq++
  const day = new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10)
  const c = ok(await civil.post('/api/v1/meal/canteens', { region_code: '520327001', kind: 'canteen', name: `巡检送餐${n}`, operator: '巡检', address: '一号', lat: 27.955, lng: 107.72, capacity: 10, delivery_radius_m: 3000, windows: [{ meal: 'lunch', from: '11:00', to: '13:00' }], areas: ['520327001001'], licence_no: `JY${n}`, licence_expiry: '2030-01-01' }), 201)
  const m = ok(await civil.post(`/api/v1/meal/canteens/${c.id}/menus`, { date: day, meal: 'lunch', name: '午餐', price_fen: 1000 }), 201)
  const e = ok(await civil.post('/api/v1/elders', { name: '送餐巡检', id_number: idNumber('520327', '19400101', n), region_code: '520327001001', address: '二号', phone: '13800001234', lat: 27.96, lng: 107.72 }), 201)
  const u = ok(await admin.post('/api/v1/users', { username: `walk_fam_${n}`, display_name: '家属', role: 'family', region_code: '520327001', password: 'Walk12345' }), 201)
  ok(await civil.post(`/api/v1/elders/${e.id}/consents`, { user_id: u.id, relation: '女儿', granted_by: '本人', scope: ['basic'] }), 201)
  const fam = await s.login(`walk_fam_${n}`, 'Walk12345')
  ok(await fam.post('/api/v1/me/password', { old_password: 'Walk12345', new_password: 'Walk12345x' }))
  const res = call ? await call(fam, { canteen_id: c.id, menu_id: m.id }, { id: e.id }) : null
  return { fam, elderId: e.id, canteenId: c.id, menuId: m.id, res }
}
const hukou = () => `身份证号,姓名,区划代码,住址\n${idNumber('520327', '19440101', seq++)},导入老人,520327001001,三号\n`

// A county change of the service list raising 高龄津贴 (with the item when `withItem`),
// submitted to the city when `submitted`.
async function entitleChange(withItem = false, submitted = false) {
  let ch = ok(await civil.post('/api/v1/entitle/changes', { effective_from: '2026-01-01' }), 201)
  if (withItem) ch = ok(await civil.put(`/api/v1/entitle/changes/${ch.id}/items/gaoling_jintie`, { standard_kind: 'amount', amount_fen: 20000 + seq++, period: 'month' }))
  if (submitted) ch = ok(await civil.post(`/api/v1/entitle/changes/${ch.id}/submit`, { version: ch.version }))
  return ch
}

// The time bank (issue 16): a need of a new elder in the demo's 龙泉 scheme (id 1), taken by
// its verified volunteer 陈建国 when `assigned`.
const TB = 1
async function tbNeed(assigned = false) {
  const e = await newElder()
  let n = ok(await civil.post('/api/v1/timebank/needs', { scheme_id: TB, elder_id: e.id, category: '打扫卫生', starts_at: '2026-12-30 09:00', duration_min: 60, place: '家中' }), 201)
  if (assigned) {
    const vol = ok(await civil.get('/api/v1/timebank/members?q=陈建国')).items[0].id
    n = ok(await civil.post(`/api/v1/timebank/needs/${n.id}/assign`, { version: n.version, member_id: vol }))
  }
  return n
}
const tbScheme = async () => ok(await civil.post('/api/v1/timebank/schemes', { name: `巡检时间银行${seq++}`, region_code: '520327001', categories: ['打扫卫生'] }), 201)
// Home services (issue 13): an order of an elder with a position near the demo's 龙泉 station,
// tomorrow in an hour of its own, carried to `upto` by the officer and the caregiver 孙丽.
let svcHour = 0
// A station of the demo's first provider in 花坪 and a caregiver of it (RULE-SVC-100, -103).
async function svcStation() {
  const p = ok(await civil.get('/api/v1/service/admin/providers?q=颐康')).items[0]
  return { provider_id: p.id, region_code: '520327003', name: `巡检站${seq++}`, address: '花坪街道 1 号', lat: 27.95, lng: 107.71, radius_min: 30, serves: ['520327003'] }
}
async function svcCarer() {
  const st = ok(await civil.post('/api/v1/service/admin/stations', await svcStation()), 201)
  return { station_id: st.id, name: '巡检护理员', skills: ['general'] }
}
const svcItem = () => ({ code: `walk_${seq++}`, name: '巡检项目', category: '其他', price_fen: 1000, planned_min: 30, skill: 'general' })
async function svcOrder(upto = 'created', days = 1) {
  const e = ok(await civil.post('/api/v1/elders', { name: '服务老人', id_number: idNumber('520327', '19410101', seq++), region_code: '520327001001', address: '一号', phone: '13800001234', lat: 27.965, lng: 107.72 }), 201)
  let day = new Date(Date.now() + days * 86400e3 + 8 * 3600e3).toISOString().slice(0, 10)
  let h = String(8 + (svcHour++ % 9)).padStart(2, '0') // within the caregivers' hours
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
  if (days === 1 && day.slice(0, 7) !== today.slice(0, 7)) [day, h] = [today, '23'] // RULE-SVC-184: a month not begun is not settled
  const o = ok(await civil.post('/api/v1/service/orders', { elder_id: e.id, items: ['zhucan'], window_start: `${day}T${h}:00`, window_end: `${day}T${h}:50` }), 201)
  const order = ['created', 'assigned', 'accepted', 'on_the_way', 'in_service', 'completed', 'confirmed']
  if (order.indexOf(upto) >= 1) {
    const sun = (await civil.get('/api/v1/service/caregivers')).body.items.find((c) => c.name === '孙丽')
    ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '巡检' }))
  }
  const carer = await s.login('fg_caregiver')
  if (order.indexOf(upto) >= 2) ok(await carer.post(`/api/v1/service/orders/${o.id}/accept`, {}))
  if (order.indexOf(upto) >= 3) ok(await carer.post(`/api/v1/service/orders/${o.id}/start`, {}))
  if (order.indexOf(upto) >= 4) ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, { lat: 27.965, lng: 107.72, accuracy_m: 10 }))
  if (order.indexOf(upto) >= 5) ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { lat: 27.965, lng: 107.72, accuracy_m: 10 }))
  if (order.indexOf(upto) >= 6) ok(await civil.post(`/api/v1/service/orders/${o.id}/confirm-for-elder`, { reason: '巡检' }))
  const full = ok(await civil.get(`/api/v1/service/orders/${o.id}`))
  const station = ok(await civil.get('/api/v1/service/stations')).items.find((x) => x.id === full.station_id)
  return { id: o.id, elderId: e.id, carer, providerId: station?.provider_id, month: day.slice(0, 7) }
}
const here = { lat: 27.965, lng: 107.72, accuracy_m: 10 }

// method + path → { action: the audit action expected, run(call): setup, then ONE call(client,
// method, path, body) — the route under test — whose response must be 2xx; `job`: follow it }.
const CALLS = {
  'POST /api/v1/auth/login': { action: 'auth.login', run: (call) => call(s.client(), { username: 'fg_civil', password: 'Anlao2026' }) },
  'POST /api/v1/auth/logout': { action: 'auth.logout', run: async (call) => call(await s.login('fg_civil')) },
  'PATCH /api/v1/me': { action: 'me.update', run: async (call) => call(await s.login('fg_civil'), { phone: '13700001234' }) },
  'POST /api/v1/me/password': { action: 'auth.password_change', run: async (call) => {
    const u = await newUser()
    return call(await s.login(u.username, u.password), { old_password: u.password, new_password: 'Walk123456' })
  } },
  'POST /api/v1/tokens': { action: 'token.create', run: (call) => call(civil, { name: '巡检' }) },
  'DELETE /api/v1/tokens/:id': { action: 'token.revoke', run: async (call) => {
    const t = ok(await civil.post('/api/v1/tokens', { name: '巡检' }), 201)
    return call(civil, undefined, { id: t.id })
  } },
  'POST /api/v1/users': { action: 'user.create', run: (call) => call(admin, { username: `walk_${seq++}`, display_name: '巡检', role: 'helper', region_code: '520327001', password: 'Walk12345' }) },
  'PATCH /api/v1/users/:id': { action: 'user.update', run: async (call) => {
    const u = await newUser()
    return call(admin, { version: u.version ?? 1, display_name: '巡检二' }, { id: u.id })
  } },
  'POST /api/v1/elders': { action: 'elder.create', run: (call) => call(civil, { name: '留痕老人', id_number: idNumber('520327', '19450202', seq++), region_code: '520327001001', address: '一号', phone: '13800001234' }) },
  'PATCH /api/v1/elders/:id': { action: 'elder.update', run: async (call) => {
    const e = await newElder()
    return call(civil, { version: e.version, address: '二号' }, { id: e.id })
  } },
  'POST /api/v1/elders/:id/contacts': { action: 'elder.contact_add', run: async (call) => call(civil, { relation: '女儿', name: '李梅', phone: '13900001234' }, { id: (await newElder()).id }) },
  'DELETE /api/v1/elders/:id/contacts/:cid': { action: 'elder.contact_delete', run: async (call) => {
    const e = await newElder()
    const c = ok(await civil.post(`/api/v1/elders/${e.id}/contacts`, { relation: '女儿', name: '李梅', phone: '13900001234' }), 201)
    return call(civil, undefined, { id: e.id, cid: c.id })
  } },
  'POST /api/v1/elders/:id/consents': { action: 'elder.consent_grant', run: async (call) => {
    const fam = await newUser('family')
    return call(civil, { user_id: fam.id, relation: '儿子', granted_by: '本人', scope: ['basic'] }, { id: (await newElder()).id })
  } },
  'DELETE /api/v1/elders/:id/consents/:cid': { action: 'elder.consent_revoke', run: async (call) => {
    const fam = await newUser('family')
    const e = await newElder()
    const g = ok(await civil.post(`/api/v1/elders/${e.id}/consents`, { user_id: fam.id, relation: '儿子', granted_by: '本人', scope: ['basic'] }), 201)
    return call(civil, undefined, { id: e.id, cid: g.id })
  } },
  'POST /api/v1/imports': { action: 'import.validate', job: true, run: (call) => call(civil, hukou(), {}, '?kind=hukou&filename=walk.csv') },
  'POST /api/v1/imports/:id/commit': { action: 'import.commit', job: true, run: async (call) => {
    const v = await job(civil, await civil.request('POST', '/api/v1/imports?kind=hukou&filename=walk.csv', hukou()))
    return call(civil, {}, { id: v.result.import_id })
  } },
  'POST /api/v1/identify/runs': { action: 'identify.run', job: true, run: (call) => call(civil) },
  'POST /api/v1/entitle/runs': { action: 'entitle.run', job: true, run: (call) => call(civil, {}) }, // RULE-ENT-066
  'POST /api/v1/assessments/legacy': { action: 'assess.legacy', run: async (call) => call(civil, { elder_id: (await newElder()).id, level: 1, assessed_on: '2021-05-10' }) },
  'POST /api/v1/assessments': { action: 'assess.create', run: async (call) => call(a1, { elder_id: (await newElder()).id, reason: 'first', items: items50 }) },
  'PATCH /api/v1/assessments/:id': { action: 'assess.save', run: async (call) => {
    const d = await assessment('signed') // a change voids the signatures: that too is in the entry
    return call(a1, { version: d.version, place: '社区日间照料中心' }, { id: d.id })
  } },
  'POST /api/v1/assessments/:id/sign': { action: 'assess.sign', run: async (call) => {
    const d = await assessment('draft')
    return call(a1, { version: d.version }, { id: d.id })
  } },
  'POST /api/v1/assessments/:id/submit': { action: 'assess.submit', run: async (call) => {
    const d = await assessment('signed')
    return call(a1, { version: d.version }, { id: d.id })
  } },
  'POST /api/v1/assessments/:id/review': { action: 'assess.approve', run: async (call) => {
    const d = await assessment('submitted')
    return call(lq, { version: d.version, decision: 'approve' }, { id: d.id })
  } },
  'POST /api/v1/assessments/:id/publish': { action: 'assess.publish', run: async (call) => {
    const d = await assessment('reviewed')
    return call(lq, { version: d.version }, { id: d.id })
  } },
  'POST /api/v1/assessments/:id/dispute': { action: 'assess.dispute', run: async (call) => {
    const d = await assessment('published')
    return call(civil, { version: d.version, reason: '家属不服' }, { id: d.id })
  } },
  'POST /api/v1/assessment-requests': { action: 'assess.request', run: async (call) => call(civil, { elder_id: (await newElder()).id, reason: 'immediate', source: 'family', note: '家属反映跌倒' }) },
  'PUT /api/v1/users/:id/qualification': { action: 'assess.qualify', run: async (call) => {
    const u = await newUser('assessor')
    return call(civil, { certificate_no: `PG-WALK-${seq++}`, expires_on: '2030-01-01' }, { id: u.id })
  } },
  // The service list (issue 12): the county edits its own list, the city (zy_civil) decides.
  'POST /api/v1/entitle/items/:key/check': { action: 'entitle.item_check', run: (call) => call(admin, {}, { key: 'huli_butie' }) },
  'POST /api/v1/entitle/items/:key/examples': { action: 'entitle.example_add', run: (call) => call(admin, { label: '巡检', facts: { birth_date: '1940-01-01' }, on_date: '2026-01-01', expected: true }, { key: 'gaoling_jintie' }) },
  'POST /api/v1/entitle/changes': { action: 'entitle.change_create', run: (call) => call(civil, { effective_from: '2026-01-01' }) },
  'PUT /api/v1/entitle/changes/:id/items/:key': { action: 'entitle.change_item', run: async (call) => {
    const ch = await entitleChange()
    return call(civil, { standard_kind: 'amount', amount_fen: 20000, period: 'month' }, { id: ch.id, key: 'gaoling_jintie' })
  } },
  'DELETE /api/v1/entitle/changes/:id/items/:key': { action: 'entitle.change_item_remove', run: async (call) => {
    const ch = await entitleChange(true)
    return call(civil, undefined, { id: ch.id, key: 'gaoling_jintie' })
  } },
  'POST /api/v1/entitle/changes/:id/submit': { action: 'entitle.change_submit', run: async (call) => {
    const ch = await entitleChange(true)
    return call(civil, { version: ch.version }, { id: ch.id })
  } },
  'POST /api/v1/entitle/changes/:id/approve': { action: 'entitle.change_approve', run: async (call) => {
    const ch = await entitleChange(true, true)
    return call(await s.login('zy_civil'), { version: ch.version }, { id: ch.id })
  } },
  'POST /api/v1/entitle/changes/:id/return': { action: 'entitle.change_return', run: async (call) => {
    const ch = await entitleChange(true, true)
    return call(await s.login('zy_civil'), { version: ch.version, reason: '巡检退回' }, { id: ch.id })
  } },
  'POST /api/v1/entitle/params': { action: 'entitle.param_add', run: (call) => call(civil, { name: '巡检参数', value: seq++, valid_from: '2026-01-01', legal_ref: '巡检' }) },
  'POST /api/v1/entitle/exclusions': { action: 'entitle.exclusion_add', run: (call) => call(civil, { item_a: 'zhucan_butie', item_b: 'nengli_pinggu', reason: '巡检' }) },
  'DELETE /api/v1/entitle/exclusions/:id': { action: 'entitle.exclusion_remove', run: async (call) => {
    const x = ok(await civil.post('/api/v1/entitle/exclusions', { item_a: 'zhucan_butie', item_b: 'tanfang_guanai', reason: '巡检' }), 201)
    return call(civil, undefined, { id: x.id })
  } },
  'POST /api/v1/entitle/benefits': { action: 'entitle.benefit_add', run: async (call) => {
    const e = await newElder()
    return call(civil, { elder_id: e.id, item_key: 'gaoling_jintie', from_date: '2026-01-01', source: 'manual' })
  } },
  'POST /api/v1/entitle/benefits/:id/end': { action: 'entitle.benefit_end', run: async (call) => {
    const e = await newElder()
    const b = ok(await civil.post('/api/v1/entitle/benefits', { elder_id: e.id, item_key: 'gaoling_jintie', from_date: '2026-01-01', source: 'manual' }), 201)
    return call(civil, { until_date: '2026-06-30' }, { id: b.id })
  } },
  'PUT /api/v1/visit-settings/:tier': { action: 'visit.settings', run: (call) => call(civil, { region_code: '520327', categories: 'living_alone,empty_nest,left_behind', min_age: 80, every: 'week', methods: 'home,phone,video,remote', event_hours: 24 }, { tier: 'high' }) },
  'POST /api/v1/visit-tasks/generate': { action: 'visit.generate', job: true, run: (call) => call(civil, {}) },
  'PUT /api/v1/visit-targets/:id/condition': { action: 'visit.condition', run: async (call) => call(civil, { life_threatening: true, note: '巡检：危重' }, { id: await visitTarget() }) },
  'POST /api/v1/visit-campaigns': { action: 'visit.campaign_create', run: (call) => call(civil, campaign()) },
  'POST /api/v1/visit-campaigns/:id/generate': { action: 'visit.campaign_generate', job: true, run: async (call) => {
    await visitTarget()
    return call(civil, {}, { id: ok(await civil.post('/api/v1/visit-campaigns', campaign()), 201).id })
  } },
  'POST /api/v1/visit-tasks': { action: 'visit.event', run: async (call) => call(civil, { elder_id: await visitTarget(), reason: 'discharge' }) },
  'POST /api/v1/visit-assignments': { action: 'visit.assign', run: async (call) => {
    const users = ok(await civil.get('/api/v1/users?page_size=100')).items
    return call(civil, { elder_id: await visitTarget(), visitor_id: users.find((u) => u.username === 'lq_helper').id })
  } },
  'POST /api/v1/visits': { action: 'visit.record', run: async (call) => call(civil, { elder_id: await visitTarget(), method: 'phone' }) },
  'POST /api/v1/visit-needs/:id/refer': { action: 'visit.refer', run: async (call) => {
    const n = await visitNeed(null)
    return call(civil, { version: n.version, target: 'bed', deadline: '2099-01-01' }, { id: n.id })
  } },
  'POST /api/v1/visit-needs/:id/close': { action: 'visit.close', run: async (call) => {
    const n = await visitNeed('entitlement') // RULE-VISIT-088: a check made is done at once
    return call(civil, { version: n.version, outcome: '已核查' }, { id: n.id })
  } },
  'POST /api/v1/timebank/schemes': { action: 'timebank.scheme_create', run: (call) => call(civil, { name: `巡检时间银行${seq++}`, region_code: '520327001', categories: ['打扫卫生'] }) },
  'PATCH /api/v1/timebank/schemes/:id': { action: 'timebank.scheme_update', run: async (call) => {
    const sc = await tbScheme()
    return call(civil, { version: sc.version, cap_hours: 1000 }, { id: sc.id })
  } },
  'POST /api/v1/timebank/alliances': { action: 'timebank.alliance_propose', run: async (call) => call(civil, { scheme_id: (await tbScheme()).id, partner_id: TB }) },
  'POST /api/v1/timebank/alliances/:id/status': { action: 'timebank.alliance_status', run: async (call) => {
    const al = ok(await civil.post('/api/v1/timebank/alliances', { scheme_id: (await tbScheme()).id, partner_id: TB }), 201)
    return call(civil, { status: 'accepted', version: 1 }, { id: al.id })
  } },
  'POST /api/v1/timebank/members': { action: 'timebank.member_create', run: (call) => call(civil, { scheme_id: TB, kind: 'individual', name: '巡检志愿者', birth_date: '1990-01-01' }) },
  'POST /api/v1/timebank/members/:id/verify': { action: 'timebank.member_verify', run: async (call) => {
    const m = ok(await civil.post('/api/v1/timebank/members', { scheme_id: TB, kind: 'individual', name: '巡检志愿者', birth_date: '1990-01-01' }), 201)
    return call(civil, { version: 1 }, { id: m.id })
  } },
  'PUT /api/v1/timebank/settings': { action: 'timebank.settings', run: (call) => call(civil, { region_code: '520327', elder_volunteer_target_pct: 12 }) },
  'POST /api/v1/timebank/expiry': { action: 'timebank.expire', job: true, run: async (call) => {
    // RULE-TB-061: a scheme whose hours expire, with hours deposited long ago.
    const sc = ok(await civil.post('/api/v1/timebank/schemes', { name: `巡检过期${seq++}`, region_code: '520327001', categories: ['打扫卫生'], expiry_months: 1 }), 201)
    const m = ok(await civil.post('/api/v1/timebank/members', { scheme_id: sc.id, kind: 'individual', name: '巡检过期', birth_date: '1990-01-01' }), 201)
    ok(await civil.post(`/api/v1/timebank/members/${m.id}/verify`, { version: 1 }))
    const t = ok(await civil.post('/api/v1/timebank/transfers', { category: 'service', to_member_id: m.id, minutes: 30 }), 201)
    sqlite(s.db, `UPDATE tb_movements SET created_at = created_at - 8640000 WHERE transfer_id = ${t.id}`)
    return call(civil, {})
  } },
  'PUT /api/v1/timebank/members/:id/card': { action: 'timebank.card_link', run: async (call) => {
    const m = ok(await civil.post('/api/v1/timebank/members', { scheme_id: TB, kind: 'individual', name: '巡检市民卡', birth_date: '1990-01-01' }), 201)
    return call(civil, { card_number: `3301ZJ${String(seq++).padStart(8, '0')}` }, { id: m.id })
  } },
  'POST /api/v1/timebank/transfers': { action: 'timebank.transfer', run: (call) => call(civil, { category: 'topup', scheme_id: TB, minutes: 60 }) },
  'POST /api/v1/timebank/needs': { action: 'timebank.need_create', run: async (call) => call(civil, { scheme_id: TB, elder_id: (await newElder()).id, category: '打扫卫生', starts_at: '2026-12-30 09:00', duration_min: 60, place: '家中' }) },
  'POST /api/v1/timebank/needs/:id/assign': { action: 'timebank.need_assign', run: async (call) => {
    const n = await tbNeed()
    const vol = ok(await civil.get('/api/v1/timebank/members?q=陈建国')).items[0].id
    return call(civil, { version: n.version, member_id: vol }, { id: n.id })
  } },
  'POST /api/v1/timebank/needs/:id/done': { action: 'timebank.need_done', run: async (call) => {
    const n = await tbNeed(true)
    return call(civil, { version: n.version, minutes: 30 }, { id: n.id })
  } },
  'POST /api/v1/timebank/needs/:id/confirm': { action: 'timebank.need_confirm', run: async (call) => {
    const n = await tbNeed(true)
    return call(civil, { version: n.version }, { id: n.id })
  } },
  'POST /api/v1/timebank/needs/:id/dispute': { action: 'timebank.need_dispute', run: async (call) => {
    const n = await tbNeed(true)
    return call(civil, { version: n.version, reason: '巡检争议' }, { id: n.id })
  } },
  'POST /api/v1/timebank/needs/:id/resolve': { action: 'timebank.need_resolve', run: async (call) => {
    const n = await tbNeed(true)
    const d = ok(await civil.post(`/api/v1/timebank/needs/${n.id}/dispute`, { version: n.version, reason: '巡检争议' }))
    return call(civil, { version: d.version, minutes: 0 }, { id: n.id })
  } },
  'POST /api/v1/timebank/needs/:id/cancel': { action: 'timebank.need_cancel', run: async (call) => {
    const n = await tbNeed()
    return call(civil, { version: n.version }, { id: n.id })
  } },
  'POST /api/v1/timebank/me/needs/:id/take': { action: 'timebank.need_take', run: async (call) => {
    const n = await tbNeed()
    return call(await s.login('lq_volunteer'), { version: n.version }, { id: n.id })
  } },
  'POST /api/v1/timebank/me/needs/:id/done': { action: 'timebank.need_done', run: async (call) => {
    const n = await tbNeed()
    const vol = await s.login('lq_volunteer')
    const t = ok(await vol.post(`/api/v1/timebank/me/needs/${n.id}/take`, { version: n.version }))
    return call(vol, { version: t.version, minutes: 30 }, { id: n.id })
  } },
  'POST /api/v1/timebank/me/needs/:id/dispute': { action: 'timebank.need_dispute', run: async (call) => {
    const n = await tbNeed()
    const vol = await s.login('lq_volunteer')
    const t = ok(await vol.post(`/api/v1/timebank/me/needs/${n.id}/take`, { version: n.version }))
    return call(vol, { version: t.version, reason: '老人不在家' }, { id: n.id })
  } },
  'POST /api/v1/my/elders/:id/meal-orders': { action: 'meal.order', run: async (call) => (await mealOrderSetup(call)).res },
  'POST /api/v1/my/elders/:id/timebank-needs': { action: 'timebank.need_create', run: async (call) => {
    const { fam, elderId } = await mealOrderSetup(null) // a family account linked to an elder of 龙泉
    const starts = new Date(Date.now() + 8 * 3600e3 + 30 * 3600e3).toISOString().slice(0, 16).replace('T', ' ')
    return call(fam, { category: '陪伴聊天', starts_at: starts, duration_min: 60, place: '二号' }, { id: elderId })
  } },
  'POST /api/v1/my/meal-orders/:id/cancel': { action: 'meal.order_cancel', run: async (call) => {
    const { fam, elderId, canteenId, menuId } = await mealOrderSetup(null)
    const o = ok(await fam.post(`/api/v1/my/elders/${elderId}/meal-orders`, { canteen_id: canteenId, menu_id: menuId }), 201)
    return call(fam, { version: o.version }, { id: o.id })
  } },
  'POST /api/v1/service/orders': { action: 'service.order_place', run: async (call) => {
    const o = await svcOrder()
    const day = new Date(Date.now() + 2 * 86400e3 + 8 * 3600e3).toISOString().slice(0, 10)
    return call(civil, { elder_id: o.elderId, items: ['zhucan'], window_start: `${day}T09:00`, window_end: `${day}T10:00` })
  } },
  'POST /api/v1/service/plans': { action: 'service.plan_create', run: async (call) => {
    const o = await svcOrder()
    return call(civil, { elder_id: o.elderId, item: 'zhucan', pattern: 'weekly', days: '2,5', start_time: '09:00', from_date: '2026-01-01' })
  } },
  'POST /api/v1/service/plans/:id/stop': { action: 'service.plan_stop', run: async (call) => {
    const o = await svcOrder()
    const p = ok(await civil.post('/api/v1/service/plans', { elder_id: o.elderId, item: 'zhucan', pattern: 'monthly', days: '1', start_time: '09:00', from_date: '2026-01-01' }), 201)
    return call(civil, { reason: '巡检' }, { id: p.id })
  } },
  'POST /api/v1/service/plans/generate': { action: 'service.plans_generate', job: true, run: async (call) => call(civil, {}) },
  'POST /api/v1/service/family/orders': { action: 'service.order_place', run: async (call) => {
    const fam = await s.login('fg_family')
    const o = await svcOrder()
    ok(await civil.post(`/api/v1/elders/${o.elderId}/consents`, { user_id: ok(await fam.get('/api/v1/me')).user.id, relation: '女儿', granted_by: '本人', scope: ['basic', 'services'] }), 201)
    const day = new Date(Date.now() + 2 * 86400e3 + 8 * 3600e3).toISOString().slice(0, 10)
    return call(fam, { elder_id: o.elderId, item: 'zhucan', window_start: `${day}T11:00` })
  } },
  'POST /api/v1/service/family/orders/:id/rate': { action: 'service.order_rate', run: async (call) => {
    const fam = await s.login('fg_family')
    const o = await svcOrder('confirmed')
    ok(await civil.post(`/api/v1/elders/${o.elderId}/consents`, { user_id: ok(await fam.get('/api/v1/me')).user.id, relation: '女儿', granted_by: '本人', scope: ['basic', 'services'] }), 201)
    return call(fam, { rating: 5 }, { id: o.id })
  } },
  'POST /api/v1/service/orders/:id/dispatch': { action: 'service.order_assign', run: async (call) => call(civil, {}, { id: (await svcOrder()).id }) },
  'POST /api/v1/service/orders/:id/assign': { action: 'service.order_assign', run: async (call) => {
    const sun = (await civil.get('/api/v1/service/caregivers')).body.items.find((c) => c.name === '孙丽')
    return call(civil, { caregiver_id: sun.id, reason: '巡检' }, { id: (await svcOrder()).id })
  } },
  'POST /api/v1/service/orders/:id/redispatch': { action: 'service.order_redispatch', run: async (call) => call(civil, { reason: '巡检' }, { id: (await svcOrder('assigned')).id }) },
  'POST /api/v1/service/orders/:id/cancel': { action: 'service.order_cancel', run: async (call) => call(civil, { reason: '巡检' }, { id: (await svcOrder()).id }) },
  'POST /api/v1/service/orders/:id/accept': { action: 'service.order_accept', run: async (call) => {
    const o = await svcOrder('assigned')
    return call(o.carer, {}, { id: o.id })
  } },
  'POST /api/v1/service/orders/:id/decline': { action: 'service.order_decline', run: async (call) => {
    const o = await svcOrder('assigned')
    return call(o.carer, { reason: '巡检' }, { id: o.id })
  } },
  'POST /api/v1/service/orders/:id/start': { action: 'service.order_start_trip', run: async (call) => {
    const o = await svcOrder('accepted')
    return call(o.carer, {}, { id: o.id })
  } },
  'POST /api/v1/service/orders/:id/arrive': { action: 'service.order_arrive', run: async (call) => {
    const o = await svcOrder('on_the_way')
    return call(o.carer, {}, { id: o.id })
  } },
  'POST /api/v1/service/orders/:id/checkin': { action: 'service.checkin', run: async (call) => {
    const o = await svcOrder('accepted')
    return call(o.carer, here, { id: o.id })
  } },
  'POST /api/v1/service/orders/:id/checkout': { action: 'service.checkout', run: async (call) => {
    const o = await svcOrder('in_service')
    return call(o.carer, here, { id: o.id })
  } },
  'POST /api/v1/service/orders/:id/confirm': { action: 'service.order_confirm', run: async (call) => {
    const o = await svcOrder('completed')
    const { code } = ok(await civil.get(`/api/v1/service/orders/${o.id}/confirm-code`))
    return call(o.carer, { code }, { id: o.id })
  } },
  'POST /api/v1/service/orders/:id/confirm-signature': { action: 'service.order_confirm', run: async (call) => {
    const o = await svcOrder('completed')
    const att = ok(await o.carer.request('POST', `/api/v1/attachments?owner_kind=order&owner_id=${o.id}&tag=signature`, inkPng(100, 20, (x, y) => y >= 5 && y <= 10)), 201)
    return call(o.carer, { attachment_id: att.id }, { id: o.id })
  } },
  'POST /api/v1/service/orders/:id/confirm-for-elder': { action: 'service.order_confirm', run: async (call) => call(civil, { reason: '巡检' }, { id: (await svcOrder('completed')).id }) },
  'POST /api/v1/service/orders/:id/fix': { action: 'service.visit_fix', run: async (call) => {
    const o = await svcOrder('completed') // checked in and out at once: too short (RULE-SVC-072)
    return call(civil, { reason_code: 'forgot', resolution_code: 'phone_verified' }, { id: o.id })
  } },
  'POST /api/v1/service/orders/:id/rate': { action: 'service.order_rate', run: async (call) => call(civil, { rating: 4 }, { id: (await svcOrder('confirmed')).id }) },
  // A provider's statement of this month (RULE-SVC-184: a month not begun is not settled), then
  // its approval (the same draft when the call above made it; a month has one per provider).
  'POST /api/v1/service/settlements': { action: 'service.settlement_create', run: async (call) => {
    const o = await svcOrder('confirmed', 1)
    // Checked out at once: too short; fixed, so it may be settled (RULE-SVC-085).
    ok(await civil.post(`/api/v1/service/orders/${o.id}/fix`, { reason_code: 'forgot', resolution_code: 'phone_verified' }))
    return call(civil, { provider_id: o.providerId, month: o.month })
  } },
  'POST /api/v1/service/settlements/:id/approve': { action: 'service.settlement_approve', run: async (call) => {
    const o = await svcOrder('confirmed', 1)
    // Checked out at once: too short; fixed, so it may be settled (RULE-SVC-085).
    ok(await civil.post(`/api/v1/service/orders/${o.id}/fix`, { reason_code: 'forgot', resolution_code: 'phone_verified' }))
    const made = ok(await civil.get('/api/v1/service/settlements')).items
      .find((x) => x.provider_id === o.providerId && x.month === o.month && x.status === 'draft')
    const t = made || ok(await civil.post('/api/v1/service/settlements', { provider_id: o.providerId, month: o.month }), 201)
    return call(civil, {}, { id: t.id })
  } },
  // RULE-SVC-197: an approved statement of the month adjusted by a visit fixed after approval.
  'POST /api/v1/service/settlements/:id/adjust': { action: 'service.settlement_adjust', run: async (call) => {
    const first = await svcOrder('confirmed', 1)
    ok(await civil.post(`/api/v1/service/orders/${first.id}/fix`, { reason_code: 'forgot', resolution_code: 'phone_verified' }))
    const list = ok(await civil.get('/api/v1/service/settlements')).items
      .filter((x) => x.provider_id === first.providerId && x.month === first.month)
    let t = list[0] || ok(await civil.post('/api/v1/service/settlements', { provider_id: first.providerId, month: first.month }), 201)
    if (t.status === 'draft') t = ok(await civil.post(`/api/v1/service/settlements/${t.id}/approve`, {}))
    const late = await svcOrder('confirmed', 1)
    ok(await civil.post(`/api/v1/service/orders/${late.id}/fix`, { reason_code: 'forgot', resolution_code: 'phone_verified' }))
    return call(civil, {}, { id: t.id })
  } },
  // RULE-SVC-195: the codes of a manual fix.
  'POST /api/v1/service/fix-codes': { action: 'service.fix_code_create', run: (call) => call(civil, { kind: 'reason', code: `walk_${seq++}`, name: '巡检原因' }) },
  'POST /api/v1/service/fix-codes/:kind/:code/deactivate': { action: 'service.fix_code_deactivate', run: async (call) => {
    const c = ok(await civil.post('/api/v1/service/fix-codes', { kind: 'reason', code: `walk_${seq++}`, name: '巡检原因' }), 201)
    return call(civil, {}, { kind: c.kind, code: c.code })
  } },
  'POST /api/v1/service/fix-codes/:kind/:code/activate': { action: 'service.fix_code_activate', run: async (call) => {
    const c = ok(await civil.post('/api/v1/service/fix-codes', { kind: 'resolution', code: `walk_${seq++}`, name: '巡检结果' }), 201)
    ok(await civil.post(`/api/v1/service/fix-codes/${c.kind}/${c.code}/deactivate`, {}))
    return call(civil, {}, { kind: c.kind, code: c.code })
  } },
  'DELETE /api/v1/service/fix-codes/:kind/:code': { action: 'service.fix_code_delete', run: async (call) => {
    const c = ok(await civil.post('/api/v1/service/fix-codes', { kind: 'reason', code: `walk_${seq++}`, name: '巡检原因' }), 201)
    return call(civil, undefined, { kind: c.kind, code: c.code })
  } },
  // RULE-SVC-101: the registry's management and the complaint queue (RULE-SVC-122).
  'POST /api/v1/service/admin/providers': { action: 'service.provider_create', run: (call) => call(civil, { name: `巡检机构${seq++}`, region_code: '520327' }) },
  'PATCH /api/v1/service/admin/providers/:id': { action: 'service.provider_update', run: async (call) => {
    const p = ok(await civil.post('/api/v1/service/admin/providers', { name: `巡检机构${seq++}`, region_code: '520327' }), 201)
    return call(civil, { version: p.version, contact: '巡检' }, { id: p.id })
  } },
  'POST /api/v1/service/admin/providers/:id/deactivate': { action: 'service.provider_deactivate', run: async (call) => {
    const p = ok(await civil.post('/api/v1/service/admin/providers', { name: `巡检机构${seq++}`, region_code: '520327' }), 201)
    return call(civil, { version: p.version }, { id: p.id })
  } },
  'POST /api/v1/service/admin/stations': { action: 'service.station_create', run: async (call) => call(civil, await svcStation()) },
  'PATCH /api/v1/service/admin/stations/:id': { action: 'service.station_update', run: async (call) => {
    const st = ok(await civil.post('/api/v1/service/admin/stations', await svcStation()), 201)
    return call(civil, { version: st.version, radius_min: 45 }, { id: st.id })
  } },
  'POST /api/v1/service/admin/stations/:id/deactivate': { action: 'service.station_deactivate', run: async (call) => {
    const st = ok(await civil.post('/api/v1/service/admin/stations', await svcStation()), 201)
    return call(civil, { version: st.version }, { id: st.id })
  } },
  'POST /api/v1/service/admin/caregivers': { action: 'service.caregiver_create', run: async (call) => call(civil, await svcCarer()) },
  'PATCH /api/v1/service/admin/caregivers/:id': { action: 'service.caregiver_update', run: async (call) => {
    const c = ok(await civil.post('/api/v1/service/admin/caregivers', await svcCarer()), 201)
    return call(civil, { version: c.version, skills: ['general', 'cleaning'] }, { id: c.id })
  } },
  'POST /api/v1/service/admin/caregivers/:id/deactivate': { action: 'service.caregiver_deactivate', run: async (call) => {
    const c = ok(await civil.post('/api/v1/service/admin/caregivers', await svcCarer()), 201)
    return call(civil, { version: c.version }, { id: c.id })
  } },
  'POST /api/v1/service/admin/items': { action: 'service.item_create', run: (call) => call(civil, svcItem()) },
  'PATCH /api/v1/service/admin/items/:code': { action: 'service.item_update', run: async (call) => {
    const i = ok(await civil.post('/api/v1/service/admin/items', svcItem()), 201)
    return call(civil, { version: i.version, price_fen: 1234 }, { code: i.code })
  } },
  'POST /api/v1/service/admin/items/:code/deactivate': { action: 'service.item_deactivate', run: async (call) => {
    const i = ok(await civil.post('/api/v1/service/admin/items', svcItem()), 201)
    return call(civil, { version: i.version }, { code: i.code })
  } },
  'PATCH /api/v1/service/complaints/:id': { action: 'service.complaint_update', run: async (call) => {
    const o = await svcOrder('confirmed')
    ok(await civil.post(`/api/v1/service/orders/${o.id}/rate`, { rating: 1, complaint: '巡检投诉' }))
    return call(civil, { version: 1, status: 'handling' }, { id: o.id })
  } },
  'POST /api/v1/meal/canteens': { action: 'meal.canteen_create', run: (call) => call(civil, mealCanteen()) },
  'PUT /api/v1/meal/canteens/:id': { action: 'meal.canteen_update', run: async (call) => {
    const c = ok(await civil.post('/api/v1/meal/canteens', mealCanteen()), 201)
    return call(civil, { ...mealCanteen(), version: c.version }, { id: c.id })
  } },
  'POST /api/v1/meal/canteens/:id/menus': { action: 'meal.menu_add', run: async (call) => {
    const c = ok(await civil.post('/api/v1/meal/canteens', mealCanteen()), 201)
    return call(civil, { date: '2026-01-05', meal: 'lunch', name: '巡检套餐', price_fen: 1000 }, { id: c.id })
  } },
  'POST /api/v1/meal/canteens/:id/statements/:month/approve': { action: 'meal.statement_approve', run: async (call) => {
    const c = ok(await civil.post('/api/v1/meal/canteens', mealCanteen()), 201)
    return call(civil, {}, { id: c.id, month: '2026-01' })
  } },
  'POST /api/v1/meal/rules': { action: 'meal.rule_add', run: (call) => call(civil, { meal: 'lunch', amount_fen: 300, tags: [], fund_county_pct: 100, valid_from: '2026-01-01' }) },
  'PUT /api/v1/meal/caps': { action: 'meal.cap_set', run: (call) => call(civil, { daily_cap: 1 }) },
  'POST /api/v1/meal/cards': { action: 'meal.card_issue', run: async (call) => {
    const e = await newElder()
    return call(civil, { elder_id: e.id, card_no: `WALK${seq++}` })
  } },
  'POST /api/v1/meal/meals': { action: 'meal.record', run: async (call) => {
    const c = ok(await civil.post('/api/v1/meal/canteens', mealCanteen()), 201)
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
    const m = ok(await civil.post(`/api/v1/meal/canteens/${c.id}/menus`, { date: today, meal: 'lunch', name: '巡检套餐', price_fen: 1000 }), 201)
    const e = await newElder()
    return call(await s.login('lq_helper'), { canteen_id: c.id, elder_id: e.id, menu_id: m.id, idem_key: `walk-${seq++}-key` })
  } },
  'POST /api/v1/devices': { action: 'device.create', run: async (call) => {
    const e = await newElder()
    return call(civil, { elder_id: e.id, type: 'smoke', model: 'YG-1', serial: `SMK-${seq++}` })
  } },
  // An alarm comes from a device through the broker (issue 14).
  'POST /api/v1/alarms/:id/shown': { action: 'alarm.shown', run: async (call) => {
    const { alarm } = await raiseAlarm(broker, civil, (await newElder()).id, `SOS-${seq++}`)
    return call(civil, {}, { id: alarm.id })
  } },
  'POST /api/v1/alarms/:id/ack': { action: 'alarm.acknowledge', run: async (call) => {
    const { alarm } = await raiseAlarm(broker, civil, (await newElder()).id, `SOS-${seq++}`)
    return call(civil, {}, { id: alarm.id })
  } },
  'POST /api/v1/alarms/:id/calls': { action: 'alarm.call', run: async (call) => {
    const { alarm } = await raiseAlarm(broker, civil, (await newElder()).id, `SOS-${seq++}`)
    ok(await civil.post(`/api/v1/alarms/${alarm.id}/ack`))
    return call(civil, { target: 'family', outcome: 'reached' }, { id: alarm.id })
  } },
  'POST /api/v1/alarms/:id/close': { action: 'alarm.close', run: async (call) => {
    const { alarm } = await raiseAlarm(broker, civil, (await newElder()).id, `SOS-${seq++}`)
    ok(await civil.post(`/api/v1/alarms/${alarm.id}/ack`))
    return call(civil, { outcome: 'test' }, { id: alarm.id })
  } },
  // Family care beds (issue 14): each move on a bed carried to the state before it.
  'POST /api/v1/beds': { action: 'bed.create', run: async (call) => call(civil, { elder_id: (await newElder()).id, applicant: 'family' }) },
  // Issue 14, second part: escalation setting, inactivity, 派单上门 (RULE-ALARM-030, -040, -055).
  'PUT /api/v1/alarm-settings': { action: 'alarm.settings', run: (call) => call(civil, { escalate_seconds: 60 }) },
  'PUT /api/v1/inactivity-settings': { action: 'alarm.inactivity_defaults', run: (call) => call(civil, { hours: 12, quiet_from: '22:00', quiet_to: '07:00' }) },
  // Issue 13: the EVV duration limits (RULE-SVC-176), set to their defaults.
  'PUT /api/v1/service/settings': { action: 'service.settings', run: (call) => call(civil, { evv_short_pct: 50, evv_long_pct: 200 }) },
  'PUT /api/v1/service/admin/accounts/:id': { action: 'service.account_bind', run: async (call) => {
    const u = ok(await admin.post('/api/v1/users', { username: `walk_prov_${Date.now() % 1e9}`, display_name: '机构', role: 'provider_admin', region_code: '520327', password: 'Walk12345' }), 201)
    const st = ok(await civil.get('/api/v1/service/admin/stations?status=active')).items[0]
    return call(civil, { station_id: st.id }, { id: u.id })
  } },
  'PUT /api/v1/elders/:id/inactivity': { action: 'alarm.inactivity', run: async (call) => {
    const e = await newElder()
    ok(await civil.post('/api/v1/devices', { elder_id: e.id, type: 'motion', model: 'PIR', serial: `PIR-${seq++}`, heartbeat_s: 600 }), 201)
    return call(civil, { hours: 12, quiet_from: '22:00', quiet_to: '07:00' }, { id: e.id })
  } },
  'POST /api/v1/alarms/:id/dispatch': { action: 'alarm.dispatch', run: async (call) => {
    const { alarm } = await raiseAlarm(broker, civil, (await newElder()).id, `SOS-${seq++}`)
    ok(await civil.post(`/api/v1/alarms/${alarm.id}/ack`))
    return call(civil, {}, { id: alarm.id })
  } },
  'POST /api/v1/alarms/:id/assessment': { action: 'alarm.assessment', run: async (call) => {
    const { alarm } = await raiseAlarm(broker, civil, (await newElder()).id, `FALL-${seq++}`, 'fall')
    return call(civil, {}, { id: alarm.id })
  } },
  'PUT /api/v1/bed-settings': { action: 'bed.settings', run: (call) => call(civil, { required_devices: 'network,sos,activity', rectify_days: 30 }) },
  // Attachments (src/attach): a photo on a bed, audited with the bed as target.
  'POST /api/v1/attachments': { action: 'attachment.create', run: async (call) => call(civil, Buffer.from('89504e470d0a1a0a0000', 'hex'), {}, `?owner_kind=bed&owner_id=${(await bedAt(0)).id}&tag=installation`) },
  'POST /api/v1/beds/:id/eligibility': { action: 'bed.eligibility', run: async (call) => call(civil, { override_reason: '巡检特批' }, { id: (await bedAt(0)).id }) },
  'POST /api/v1/beds/:id/home-check': { action: 'bed.home_check', run: async (call) => call(civil, { rooms: bedRooms }, { id: (await bedAt(1)).id }) },
  'POST /api/v1/beds/:id/care-plan': { action: 'bed.care_plan', run: async (call) => call(civil, bedPlan, { id: (await bedAt(2)).id }) },
  'POST /api/v1/beds/:id/agreement': { action: 'bed.agreement', run: async (call) => call(civil, bedAgreement, { id: (await bedAt(3)).id }) },
  'POST /api/v1/beds/:id/devices': { action: 'bed.device', run: async (call) => {
    const b = await bedAt(4)
    const d = ok(await civil.post('/api/v1/devices', { elder_id: b.elder_id, type: 'sos', model: 'S-1', serial: `BSOS-${seq++}` }), 201)
    return call(civil, { device_id: d.id }, { id: b.id })
  } },
  'POST /api/v1/beds/:id/installation': { action: 'bed.install', run: async (call) => call(civil, { installed_on: '2026-12-01', network: true }, { id: (await bedAt(4)).id }) },
  'POST /api/v1/beds/:id/start': { action: 'bed.start', run: async (call) => call(civil, {}, { id: (await bedAt(5)).id }) },
  'POST /api/v1/beds/:id/review': { action: 'bed.review', run: async (call) => call(civil, { note: '回访' }, { id: (await bedAt(6)).id }) },
  'POST /api/v1/beds/:id/resume': { action: 'bed.resume', run: async (call) => call(civil, {}, { id: (await bedAt(7)).id }) },
  'POST /api/v1/beds/:id/close': { action: 'bed.close', run: async (call) => call(civil, { reason: 'withdrawn' }, { id: (await bedAt(0)).id }) },
  'POST /api/v1/beds/:id/rectification': { action: 'bed.rectify', run: async (call) => {
    ok(await civil.put('/api/v1/bed-settings', { required_devices: 'network,sos,activity', rectify_days: 0 }))
    const b = await bedAt(6) // in service with no device linked: a task is open, due today
    ok(await civil.put('/api/v1/bed-settings', { required_devices: 'network,sos,activity', rectify_days: 30 }))
    return call(civil, { outcome: 'to_home_services', note: '巡检' }, { id: b.id })
  } },
}
const bedRooms = Object.fromEntries(['bedroom', 'toilet', 'bathroom', 'kitchen', 'living_room'].map((k) => [k, { hazards: [], adapt: ['扶手'] }]))
const bedPlan = { goals: ['居家安全'], services: [{ name: '探访', frequency: '每周 1 次' }] }
const bedAgreement = { provider: '巡检服务中心', start_on: '2026-12-01', end_on: '2027-11-30' }
// A bed after `n` moves: 0 application, 1 eligibility, … 5 installation, 6 in service, 7 review.
async function bedAt(n) {
  const b = ok(await civil.post('/api/v1/beds', { elder_id: (await newElder()).id, applicant: 'family' }), 201)
  const p = `/api/v1/beds/${b.id}`
  const steps = [['eligibility', { override_reason: '巡检特批' }], ['home-check', { rooms: bedRooms }], ['care-plan', bedPlan],
    ['agreement', bedAgreement], ['installation', { installed_on: '2026-12-01', network: false }], ['start', {}], ['review', { note: '回访' }]]
  for (const [what, body] of steps.slice(0, n)) ok(await civil.post(`${p}/${what}`, body))
  return b
}
function mealCanteen() {
  return { region_code: '520327001', kind: 'point', name: '巡检助餐点', operator: '巡检', address: '一号', capacity: 10,
    windows: [{ meal: 'lunch', from: '11:00', to: '13:00' }], areas: ['520327001001'], licence_no: 'JY1', licence_expiry: '2030-01-01' }
}

// The route table, from the same output docs/api.md is made of.
function routes() {
  const r = spawnSync(BIN, ['routes', '--markdown'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const out = []
  for (const line of r.stdout.split('\n')) {
    const m = line.match(/^\| (\w+) \| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \| ([^ |]+) \|/)
    if (m) out.push({ module: m[1], method: m[2], path: m[3], permission: m[4] })
  }
  assert.ok(out.length > 20, 'routes parsed from anlao routes --markdown')
  // The plain listing names the same routes.
  const plain = spawnSync(BIN, ['routes'], { encoding: 'utf8' }).stdout.trim().split('\n')
    .map((l) => l.trim().split(/\s+/)).map((f) => `${f[1]} ${f[2]}`)
  assert.deepEqual(plain, out.map((x) => `${x.method} ${x.path}`))
  return out
}

before(async () => {
  broker = await new Broker().start()
  s = await new Server({ env: broker.env() }).start()
  ;[admin, civil, lq, a1, a2] = await Promise.all(['admin', 'fg_civil', 'lq_officer', 'fg_assessor', 'fg_assessor2'].map((u) => s.login(u)))
})
after(async () => { await s.stop(); s.cleanup(); await broker.stop(); broker.cleanup() })

const latestAuditId = async () => (await admin.get('/api/v1/audit?page_size=1')).body.items[0]?.id ?? 0

test('RULE-AUDIT-002: every state-changing route has a call in this test, and nothing stale is listed', () => {
  const writes = routes().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`)
  const missing = writes.filter((k) => !CALLS[k] && !NO_AUDIT[k])
  assert.deepEqual(missing, [], 'add these routes to CALLS (how to call them, which audit action) or to NO_AUDIT with a reason')
  const stale = [...Object.keys(CALLS), ...Object.keys(NO_AUDIT)].filter((k) => !writes.includes(k))
  assert.deepEqual(stale, [], 'entries for routes that no longer exist')
  for (const [k, why] of Object.entries(NO_AUDIT)) assert.ok(typeof why === 'string' && why.length > 5, k)
})

test('RULE-AUDIT-002: a successful call of each state-changing route writes its audit entry', async () => {
  const unaudited = []
  for (const r of routes().filter((x) => x.method !== 'GET' && CALLS[`${x.method} ${x.path}`])) {
    const key = `${r.method} ${r.path}`
    const spec = CALLS[key]
    let since = null, caller = null
    const call = async (client, body, params = {}, query = '') => {
      assert.equal(since, null, `${key}: one call of the route per entry`)
      const path = r.path.replace(/:(\w+)/g, (_, n) => {
        assert.ok(params[n] !== undefined, `${key}: parameter ${n}`)
        return encodeURIComponent(params[n])
      })
      since = await latestAuditId()
      caller = client
      return client.request(r.method, path + query, body)
    }
    const res = await spec.run(call)
    assert.notEqual(since, null, `${key}: the entry made no call`)
    assert.ok(res.status >= 200 && res.status < 300, `${key}: ${res.status} ${JSON.stringify(res.body)}`)
    if (spec.job) await job(caller, res) // the entry is written by the job
    const entries = (await admin.get('/api/v1/audit?page_size=200')).body.items.filter((e) => e.id > since)
    if (!entries.some((e) => e.action === spec.action && e.outcome === 'success'))
      unaudited.push(`${key}: no ${spec.action} entry; written: ${JSON.stringify(entries.map((e) => e.action))}`)
  }
  assert.deepEqual(unaudited, [], 'state-changing routes whose successful call wrote no audit entry')
})
