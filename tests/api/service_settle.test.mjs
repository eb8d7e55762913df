// Home services (issue 13), second slice: confirmation by code or by a helper with the wrong
// tries limited (RULE-SVC-060..063), the rating and complaint (RULE-SVC-064), and the monthly
// settlement per provider: totals to the fen, approval locks the month, never paid twice,
// CSV export, scope and audit (RULE-SVC-080..084).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, serverTest, sqlite, PG } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, civil, helper, jx, carer
const test = serverTest(() => [s])
before(async () => {
  s = await Server.start()
  civil = await s.login('fg_civil')
  helper = await s.login('lq_helper')
  jx = await s.login('jx_officer')
  carer = await s.login('fg_caregiver')
})
after(async () => { await s?.stop(); await s?.dispose() })

let seq = 700
async function elder() {
  const r = await civil.post('/api/v1/elders', { name: '结算老人', id_number: idNumber('520327', '19400101', seq++), region_code: '520327001001', address: '龙泉街道和平路 2 号', phone: '13800001234', lat: 27.9650, lng: 107.7200 })
  assert.equal(r.status, 201, r.text)
  return r.body
}
// Every order's window starts half an hour before the file starts (RULE-SVC-011 allows an hour),
// so its month has begun and can be settled on any day, the last of a month too (RULE-SVC-184).
const cst = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 16)
const startMs = Math.floor((Date.now() - 30 * 60e3) / 60e3) * 60e3
const [winStart, winEnd] = [cst(startMs), cst(startMs + 59 * 60e3)]
const visitDay = winStart.slice(0, 10)
const month = visitDay.slice(0, 7)
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const auditOf = async (action) => (await civil.get(`/api/v1/audit?action=${action}&page_size=200`)).body.items
// Device time `min` minutes ago, China time with its offset.
const ago = (min) => new Date(Date.now() - min * 60e3 + 8 * 3600e3).toISOString().slice(0, 19) + '+08:00'
// Device times of a visit of `min` minutes that overlaps no other visit of 孙丽 in this file
// (RULE-SVC-191): each slot ends 5 minutes before the one taken before it began.
let back = 5
const slot = (min) => { const t = { in: ago(back + min), out: ago(back) }; back += min + 5; return t }
// An order of this month, given to 孙丽 (fg_caregiver), accepted, checked in and out: completed.
async function completed(items = ['zhujie'], times = {}) {
  const e = await elder()
  const o = ok(await helper.post('/api/v1/service/orders', { elder_id: e.id, items, window_start: winStart, window_end: winEnd }), 201)
  const sun = (await civil.get('/api/v1/service/caregivers')).body.items.find((c) => c.name === '孙丽')
  ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '测试结算' }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/accept`, {}))
  const at = { lat: 27.965, lng: 107.72, accuracy_m: 10 }
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, { ...at, ...(times.lat ? { lat: times.lat } : {}), ...(times.in ? { at: times.in } : {}) }))
  const c = ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { ...at, ...(times.out ? { at: times.out } : {}) }))
  assert.equal(c.status, 'completed')
  assert.equal(c.confirm_code, undefined, 'the caregiver never sees the code')
  return c
}

test('RULE-SVC-060, -061, -063: the code from the elder\'s side confirms; five wrong codes leave it to a helper', async () => {
  const o = await completed()
  // RULE-SVC-060: six digits, shown to the elder's side (a helper here), not before check-out.
  const { code, tries_left: left } = ok(await helper.get(`/api/v1/service/orders/${o.id}/confirm-code`))
  assert.match(code, /^\d{6}$/)
  assert.equal(left, 5)
  assertError(await jx.get(`/api/v1/service/orders/${o.id}/confirm-code`), 404, 'not_found')
  const wrong = code === '000000' ? '111111' : '000000'
  const e1 = assertError(await carer.post(`/api/v1/service/orders/${o.id}/confirm`, { code: wrong }), 400, 'invalid', 'code')
  assert.match(e1.message, /还可以再试 4 次/)
  const c = ok(await carer.post(`/api/v1/service/orders/${o.id}/confirm`, { code }))
  assert.equal(c.status, 'confirmed')
  assert.equal(c.confirmed_by, 'code') // RULE-SVC-062
  assert.equal(c.events.at(-1).action, 'confirm')
  assert.ok((await auditOf('service.order_confirm')).some((a) => a.target_id === String(o.id)))
  // Confirmed once: again is 409 naming the state (RULE-SVC-012), the code is gone.
  assertError(await carer.post(`/api/v1/service/orders/${o.id}/confirm`, { code }), 409, 'conflict', 'status')
  assertError(await helper.get(`/api/v1/service/orders/${o.id}/confirm-code`), 409, 'conflict', 'status')

  // RULE-SVC-061: five wrong codes, then even the right one is refused.
  const o2 = await completed()
  const right = ok(await helper.get(`/api/v1/service/orders/${o2.id}/confirm-code`)).code
  const bad = right === '000000' ? '111111' : '000000'
  for (let i = 0; i < 5; i++) assertError(await carer.post(`/api/v1/service/orders/${o2.id}/confirm`, { code: bad }), 400, 'invalid', 'code')
  const locked = assertError(await carer.post(`/api/v1/service/orders/${o2.id}/confirm`, { code: right }), 409, 'conflict', 'code')
  assert.match(locked.message, /助老员代老人确认/)
  assert.equal(ok(await helper.get(`/api/v1/service/orders/${o2.id}/confirm-code`)).tries_left, 0)
  assert.equal((await auditOf('service.order_confirm_miss')).filter((a) => a.target_id === String(o2.id)).length, 5)
  // RULE-SVC-063: a helper confirms on the elder's behalf, with a reason.
  assertError(await helper.post(`/api/v1/service/orders/${o2.id}/confirm-for-elder`, {}), 400, 'invalid', 'reason')
  const h = ok(await helper.post(`/api/v1/service/orders/${o2.id}/confirm-for-elder`, { reason: '老人视力不好，电话回访确认' }))
  assert.equal(h.status, 'confirmed')
  assert.equal(h.confirmed_by, 'helper')
  assert.equal(h.events.at(-1).reason, '老人视力不好，电话回访确认')
})

test('RULE-SVC-064: a rating 1–5 with a comment and a complaint; only after confirmation', async () => {
  const o = await completed()
  assertError(await helper.post(`/api/v1/service/orders/${o.id}/rate`, { rating: 5 }), 409, 'conflict', 'status')
  ok(await helper.post(`/api/v1/service/orders/${o.id}/confirm-for-elder`, { reason: '电话回访确认' }))
  assertError(await helper.post(`/api/v1/service/orders/${o.id}/rate`, { rating: 6 }), 400, 'invalid', 'rating')
  assertError(await helper.post(`/api/v1/service/orders/${o.id}/rate`, {}), 400, 'invalid', 'rating')
  const r = ok(await helper.post(`/api/v1/service/orders/${o.id}/rate`, { rating: 2, comment: '来晚了', complaint: '护理员迟到 40 分钟' }))
  assert.equal(r.status, 'rated')
  assert.deepEqual([r.rating, r.rating_comment, r.complaint], [2, '来晚了', '护理员迟到 40 分钟'])
  assertError(await helper.post(`/api/v1/service/orders/${o.id}/rate`, { rating: 5 }), 409, 'conflict', 'status')
  const a = (await auditOf('service.order_rate')).find((x) => x.target_id === String(o.id))
  const detail = typeof a.detail === 'string' ? JSON.parse(a.detail) : a.detail
  assert.deepEqual([detail.rating, detail.complaint], [2, true])
})

test('RULE-SVC-080..085: a provider\'s month: totals to the fen, approval locks it, never paid twice, CSV', async () => {
  // Two entitled-and-not orders: the lines' parts differ, the totals must add up exactly.
  const a = await completed(['zhuyu', 'zhuji'], slot(150)) // 150 planned minutes
  const b = await completed(['zhujie'], slot(120))
  const c = await completed(['xunhu'], slot(30))
  // RULE-SVC-085: d is too short and not fixed: held back; e too short, fixed by hand: paid;
  // f fixed as 核实未服务: never paid.
  const [d, e, f] = [await completed(['zhucan']), await completed(['zhucan']), await completed(['zhucan'])]
  ok(await civil.post(`/api/v1/service/orders/${e.id}/fix`, { reason_code: 'forgot', resolution_code: 'phone_verified' }))
  ok(await civil.post(`/api/v1/service/orders/${f.id}/fix`, { reason_code: 'other', resolution_code: 'not_payable' }))
  for (const x of [a, b, d, e, f]) ok(await helper.post(`/api/v1/service/orders/${x.id}/confirm-for-elder`, { reason: '电话回访确认' }))
  ok(await helper.post(`/api/v1/service/orders/${b.id}/rate`, { rating: 5 }))
  // c stays completed (not confirmed): not on the statement.
  const station = (await civil.get('/api/v1/service/stations')).body.items.find((x) => x.id === a.station_id)
  const provider = station.provider_id
  assert.ok(provider)
  // RULE-SVC-080: bad input names the field; a helper has no settlement permission.
  assertError(await civil.post('/api/v1/service/settlements', { provider_id: provider, month: '2026-13' }), 400, 'invalid', 'month')
  assertError(await civil.post('/api/v1/service/settlements', { provider_id: 999999, month }), 400, 'invalid', 'provider_id')
  assert.equal((await helper.post('/api/v1/service/settlements', { provider_id: provider, month })).status, 403)
  assertError(await civil.post('/api/v1/service/settlements', { provider_id: provider, month: '2001-01' }), 422, 'unprocessable', 'month')

  // RULE-SVC-081: the confirmed and rated orders of the month, totals the sums of the lines.
  const t = ok(await civil.post('/api/v1/service/settlements', { provider_id: provider, month }), 201)
  assert.equal(t.status, 'draft')
  const ids = t.lines.map((l) => l.order_id)
  assert.ok(ids.includes(a.id) && ids.includes(b.id), 'confirmed and rated orders are on it')
  assert.ok(!ids.includes(c.id), 'a completed, unconfirmed order is not')
  assert.ok(ids.includes(e.id), 'RULE-SVC-085: a fixed visit is paid')
  assert.ok(!ids.includes(d.id) && !ids.includes(f.id), 'RULE-SVC-085: flagged and unfixed, or not payable: held back')
  assert.ok(t.held_back >= 2)
  assert.equal(t.orders, t.lines.length)
  const sum = (k) => t.lines.reduce((x, l) => x + l[k], 0)
  assert.deepEqual([t.total_fen, t.entitled_fen, t.elder_fen], [sum('total_fen'), sum('entitled_fen'), sum('elder_fen')])
  assert.equal(t.entitled_fen + t.elder_fen, t.total_fen)
  for (const l of t.lines) assert.equal(l.entitled_fen + l.elder_fen, l.total_fen)
  const la = t.lines.find((l) => l.order_id === a.id)
  assert.deepEqual([la.total_fen, la.entitled_fen, la.elder_fen], [a.total_fen, a.entitled_fen, a.elder_fen])
  assert.equal(la.total_fen, 8000 + 3000)
  assert.equal(la.visit_date, visitDay)
  assert.ok(la.elder_id_masked.includes('*'))
  assert.equal((await jx.get(`/api/v1/service/settlements/${t.id}`)).status, 403, 'a township officer has no settlement permission')
  assert.ok(ok(await civil.get('/api/v1/service/settlements')).items.some((x) => x.id === t.id))

  // RULE-SVC-084: the CSV lists every line, amounts in yuan to the fen.
  const csv = await civil.get(`/api/v1/service/settlements/${t.id}/export?format=csv`, { check: false })
  assert.equal(csv.status, 200)
  const rows = csv.raw.toString('utf8').slice(1).split('\r\n').filter((l) => l).map((l) => l.split(','))
  assert.deepEqual(rows[0], ['序号', '订单号', '老人', '身份证号（脱敏）', '服务日期', '金额（元）', '补贴支付（元）', '老人自付（元）', '类型'])
  assert.equal(rows.length - 1, t.lines.length)
  const ra = rows.find((x) => x[1] === String(a.id))
  assert.deepEqual(ra.slice(5), [(a.total_fen / 100).toFixed(2), (a.entitled_fen / 100).toFixed(2), (a.elder_fen / 100).toFixed(2), '结算'])
  const xlsx = await civil.get(`/api/v1/service/settlements/${t.id}/export?format=xlsx`, { check: false })
  assert.equal(xlsx.status, 200)
  assert.ok((await auditOf('service.settlement_export')).some((x) => x.target_id === String(t.id)))

  // RULE-SVC-083: approval moves every order to settled and locks the month.
  const ap = ok(await civil.post(`/api/v1/service/settlements/${t.id}/approve`, {}))
  assert.equal(ap.status, 'approved')
  assert.equal(ap.approved_by, 'fg_civil')
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${a.id}`)).status, 'settled')
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${b.id}`)).status, 'settled')
  assertError(await civil.post(`/api/v1/service/settlements/${t.id}/approve`, {}), 409, 'conflict', 'status')
  // A later change to a settled order is 409 naming the state.
  const late = assertError(await helper.post(`/api/v1/service/orders/${a.id}/rate`, { rating: 1 }), 409, 'conflict', 'status')
  assert.match(late.message, /「已结算」/)
  // RULE-SVC-082: never paid twice: c confirmed now, the month is taken (409: RULE-SVC-197 adjusts
  // the approved statement instead), and no statement holds a settled order again.
  ok(await helper.post(`/api/v1/service/orders/${c.id}/confirm-for-elder`, { reason: '电话回访确认' }))
  assertError(await civil.post('/api/v1/service/settlements', { provider_id: provider, month }), 409, 'conflict', 'month')
  const all = ok(await civil.get('/api/v1/service/settlements')).items
  let seen = []
  for (const x of all) seen = seen.concat(ok(await civil.get(`/api/v1/service/settlements/${x.id}`)).lines.map((l) => l.order_id))
  assert.equal(new Set(seen).size, seen.length, 'an order on one statement line at most')
  for (const act of ['service.settlement_create', 'service.settlement_approve']) {
    const rows2 = await auditOf(act)
    assert.ok(rows2.some((x) => x.target_id === String(t.id)), act)
  }
})


test('RULE-SVC-070..074: exceptions of a visit, the manual fix with closed codes, the month\'s verified share', async () => {
  const report = async () => ok(await civil.get(`/api/v1/service/evv/report?month=${month}`))
  const before = await report()
  // 助洁 plans 120 minutes: 120 minutes is verified (RULE-SVC-072), a check-out at once is too short.
  const good = await completed(['zhujie'], slot(120))
  const short = await completed(['zhujie'])
  const after1 = await report()
  const prov = (r) => r.providers.find((p) => p.provider_name === '凤冈县颐康居家养老服务中心') ?? { visits: 0, verified: 0, fixed: 0, exceptions: { too_short: 0 } }
  const [p0, p1] = [prov(before), prov(after1)]
  assert.equal(p1.visits - p0.visits, 2)
  assert.equal(p1.verified - p0.verified, 1, 'RULE-SVC-070: all six elements, inside, no skew, on time: verified')
  assert.equal(p1.exceptions.too_short - p0.exceptions.too_short, 1)
  assert.equal(after1.target_pct, 95)
  assert.equal(p1.verified_pct, Math.floor(p1.verified * 1000 / p1.visits) / 10)
  assert.equal(p1.meets_target, p1.verified * 100 >= 95 * p1.visits)
  const f = after1.flagged.find((x) => x.order_id === short.id)
  assert.deepEqual(f.exceptions, [{ id: 'too_short', name: '服务时长过短' }])
  assert.equal(f.fixed, false)
  assert.ok(!after1.flagged.some((x) => x.order_id === good.id))
  assertError(await civil.get('/api/v1/service/evv/report?month=2026-1'), 400, 'invalid', 'month')
  // No month asked: the request's month in China time, the same report as asking for it.
  const thisMonth = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7)
  const plain = ok(await civil.get('/api/v1/service/evv/report'))
  assert.equal(plain.month, thisMonth)
  assert.deepEqual(plain, ok(await civil.get(`/api/v1/service/evv/report?month=${thisMonth}`)))

  // RULE-SVC-071: a check-in 330 m away (accuracy 10 m) is flagged outside.
  const far = await completed(['zhujie'], { ...slot(120), lat: 27.968 })
  const after2 = await report()
  assert.deepEqual(after2.flagged.find((x) => x.order_id === far.id).exceptions.map((x) => x.id), ['outside'])
  assert.equal(prov(after2).exceptions.outside - p1.exceptions.outside, 1)

  // RULE-SVC-073: the fix needs a reason code and a resolution code from the closed lists.
  const fix = (id, body) => civil.post(`/api/v1/service/orders/${id}/fix`, body)
  assertError(await fix(short.id, { resolution_code: 'phone_verified' }), 400, 'invalid', 'reason_code')
  const e1 = assertError(await fix(short.id, { reason_code: 'nope', resolution_code: 'phone_verified' }), 400, 'invalid', 'reason_code')
  assert.match(e1.message, /定位漂移/)
  assertError(await fix(short.id, { reason_code: 'forgot', resolution_code: 'nope' }), 400, 'invalid', 'resolution_code')
  assertError(await fix(good.id, { reason_code: 'forgot', resolution_code: 'phone_verified' }), 422, 'unprocessable')
  assert.equal((await helper.post(`/api/v1/service/orders/${short.id}/fix`, { reason_code: 'forgot', resolution_code: 'phone_verified' })).status, 403)
  assertError(await jx.post(`/api/v1/service/orders/${short.id}/fix`, { reason_code: 'forgot', resolution_code: 'phone_verified' }), 404, 'not_found')
  const done = ok(await fix(short.id, { reason_code: 'forgot', resolution_code: 'time_corrected', note: '护理员忘记签出，电话核实服务 2 小时' }))
  assert.deepEqual([done.reason_name, done.resolution_name], ['护理员漏签到或签出', '按实际时间更正'])
  assertError(await fix(short.id, { reason_code: 'forgot', resolution_code: 'time_corrected' }), 409, 'conflict')
  const a = (await auditOf('service.visit_fix')).find((x) => x.target_id === String(short.id))
  const detail = typeof a.detail === 'string' ? JSON.parse(a.detail) : a.detail
  assert.deepEqual([detail.exceptions, detail.reason_code, detail.resolution_code], ['too_short', 'forgot', 'time_corrected'])
  // RULE-SVC-074: a fixed visit counts as fixed, never as verified without a manual edit.
  const p2 = prov(await report())
  assert.equal(p2.fixed - p1.fixed, 1)
  assert.equal(p2.visits - p1.visits, 1)
  assert.equal(p2.verified - p1.verified, 0, 'the far visit is flagged, the short one fixed by hand')
})

test('RULE-SVC-235: an order\'s moves do not touch its region index: status is in no index of svc_orders, and PostgreSQL leaves room for heap-only updates', async () => {
  const cols = PG
    ? sqlite(s.db, "SELECT string_agg(a.attname, ',') FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) WHERE c.relname = 'svc_orders'")
    : sqlite(s.db, "SELECT group_concat(x.name) FROM sqlite_master m, pragma_index_info(m.name) x WHERE m.type = 'index' AND m.tbl_name = 'svc_orders'")
  assert.ok(cols.split(',').includes('region_code') && cols.split(',').includes('window_start'), cols)
  assert.ok(!cols.split(',').includes('status'), `indexed columns of svc_orders: ${cols}`)
  // RULE-SVC-217: half of each page free, so the month's settlement rewrites every order in place.
  if (PG) assert.match(sqlite(s.db, "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'svc_orders'"), /fillfactor=50/)
})

test('RULE-SVC-217: the settlement\'s bulk writes carry no per-row foreign-key check on PostgreSQL; SQLite keeps them', () => {
  const tables = ['svc_settlement_lines', 'svc_order_events', 'entitle_usage']
  for (const t of tables) {
    const fks = PG
      ? sqlite(s.db, `SELECT count(*) FROM pg_constraint WHERE conrelid = '${t}'::regclass AND contype = 'f'`)
      : sqlite(s.db, `SELECT count(*) FROM pragma_foreign_key_list('${t}')`)
    assert.equal(fks, PG ? '0' : String(t === 'svc_settlement_lines' ? 2 : 1), t)
  }
})
