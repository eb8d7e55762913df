// Home services (issue 13), the points finished last: photos of a visit (RULE-SVC-170..173), the
// EVV duration limits as settings (RULE-SVC-175..177), provider accounts on the live board and in
// the EVV report (RULE-SVC-180..181), settlement never twice and never ahead (RULE-SVC-183..185),
// the caregiver's to-do and the board's counts (RULE-SVC-187..189).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, serverTest, chinaDay, sqlite, sleep } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'
import { readEvents } from '../lib/sse.mjs'

let s, civil, jx, carer, prov1, prov2
const test = serverTest(() => [s])
before(async () => {
  s = await Server.start({ env: { ANLAO_SSE_KEEPALIVE_MS: '200' } })
  ;[civil, jx, carer, prov1, prov2] = await Promise.all(['fg_civil', 'jx_officer', 'fg_caregiver', 'fg_provider', 'fg_provider2'].map((u) => s.login(u)))
})
after(async () => { await s?.stop(); await s?.dispose() })

const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const auditOf = async (action) => (await civil.get(`/api/v1/audit?action=${action}&page_size=200`)).body.items
const tomorrow = chinaDay(Date.now() + 86400e3)
let seq = 300
async function elder(region = '520327001001', lat = 27.9650, lng = 107.7200) {
  return ok(await civil.post('/api/v1/elders', { name: '收尾老人', id_number: idNumber('520327', '19390607', seq++), region_code: region, address: '测试地址 2 号', phone: '13800001234', lat, lng }), 201)
}
let hour = 8 // each order in its own hour of tomorrow, so a caregiver's visits never overlap
async function placed(e, items = ['zhujie'], day = tomorrow, win = null) {
  const h = String(hour++).padStart(2, '0')
  return ok(await civil.post('/api/v1/service/orders', { elder_id: e.id, items, window_start: win?.[0] ?? `${day}T${h}:00`, window_end: win?.[1] ?? `${day}T${h}:59` }), 201)
}
// An order given to fg_caregiver (孙丽) and accepted (its window `win` [start, end] when given).
async function carers(e = null, win = null) {
  const o = await placed(e || await elder(), ['zhujie'], tomorrow, win)
  const sun = ok(await civil.get('/api/v1/service/caregivers')).items.find((c) => c.name === '孙丽')
  ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '测试指定' }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/accept`, {}))
  return o
}
const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex')
const photo = (c, id, tag = 'before', body = png) => c.request('POST', '/api/v1/attachments?' + new URLSearchParams({ owner_kind: 'order', owner_id: String(id), tag, filename: `${tag}.png` }), body)
const photos = (c, id) => c.get(`/api/v1/attachments?owner_kind=order&owner_id=${id}`)

test('RULE-SVC-170, RULE-SVC-171, RULE-SVC-172, RULE-SVC-173: the caregiver photographs the visit before and after; the photos are on the order, scoped like it, audited', async () => {
  const o = await carers()
  // Not at the home yet: 409 naming the state (RULE-SVC-172).
  const early = assertError(await photo(carer, o.id), 409, 'conflict', 'owner_id')
  assert.match(early.message, /「已接单」/)
  ok(await carer.post(`/api/v1/service/orders/${o.id}/start`, {}))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/arrive`, {}))
  const before1 = ok(await photo(carer, o.id, 'before'), 201)
  assert.equal(before1.content_type, 'image/png')
  assertError(await photo(carer, o.id, 'selfie'), 400, 'invalid', 'tag')
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, { lat: 27.965, lng: 107.72, accuracy_m: 10 }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { lat: 27.965, lng: 107.72, accuracy_m: 10 }))
  ok(await photo(carer, o.id, 'after'), 201)
  // The order's detail carries them, oldest first (RULE-SVC-173).
  const full = ok(await civil.get(`/api/v1/service/orders/${o.id}`))
  assert.deepEqual(full.photos.map((p) => p.tag), ['before', 'after'])
  assert.ok((await civil.get(full.photos[0].url, { check: false })).raw.equals(png))
  // The caregiver sees the photos of its own visit (RULE-SVC-171) …
  assert.equal(ok(await photos(carer, o.id)).items.length, 2)
  assert.ok((await carer.get(full.photos[1].url, { check: false })).raw.equals(png))
  // … and not those of another caregiver's order, nor may it attach there.
  const other = await placed(await elder())
  assertError(await photos(carer, other.id), 404, 'not_found')
  assertError(await photo(carer, other.id), 404, 'not_found')
  // Provider 1 (the 龙泉 station's) sees them; provider 2 and an officer of another region do not.
  assert.equal(ok(await photos(prov1, o.id)).items.length, 2)
  assertError(await photos(prov2, o.id), 404, 'not_found')
  assertError(await prov2.get(full.photos[0].url), 404, 'not_found')
  assertError(await photos(jx, o.id), 404, 'not_found')
  // Only a caregiver attaches (service.visit): an officer gets 403.
  assertError(await photo(civil, o.id, 'after'), 403, 'forbidden')
  // Closed once confirmed.
  ok(await civil.post(`/api/v1/service/orders/${o.id}/confirm-for-elder`, { reason: '老人不会使用手机' }))
  assertError(await photo(carer, o.id, 'after'), 409, 'conflict', 'owner_id')
  // Audited with the order as target.
  const a = (await auditOf('attachment.create')).filter((x) => x.target_type === 'order' && x.target_id === String(o.id))
  assert.equal(a.length, 2)
})

// China time of `ms` as the device sends it.
const cst = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 19) + '+08:00'
// fg_caregiver's visit of order `o` lasting `min` minutes (device times), checked in and out at the door;
// each visit ends 5 minutes before the one made before it began, so none overlaps (RULE-SVC-191).
let back = 5
async function visited(o, min) {
  const t = Date.now() - back * 60e3
  back += min + 5
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, { lat: 27.965, lng: 107.72, accuracy_m: 10, at: cst(t - min * 60e3) }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { lat: 27.965, lng: 107.72, accuracy_m: 10, at: cst(t) }))
  return t - min * 60e3 // the check-in
}
const flags = async (c, o) => {
  const rep = ok(await c.get(`/api/v1/service/evv/report?month=${tomorrow.slice(0, 7)}`))
  return rep.flagged.find((f) => f.order_id === o.id)?.exceptions.map((x) => x.id) || []
}

test('RULE-SVC-175, RULE-SVC-176, RULE-SVC-177: the 50 % / 200 % duration limits are settings; changing them changes the verdict', async () => {
  const set = ok(await civil.get('/api/v1/service/settings'))
  assert.deepEqual([set.evv_short_pct, set.evv_long_pct], [50, 200]) // the defaults of before
  // 助洁 is planned for 120 minutes: 50 minutes is under 50 %, 300 minutes over 200 %.
  const short = await carers()
  await visited(short, 50)
  const long = await carers()
  await visited(long, 300)
  assert.deepEqual(await flags(civil, short), ['too_short'])
  assert.deepEqual(await flags(civil, long), ['too_long'])
  // Bad values name the field; only service.manage may change them.
  assertError(await civil.put('/api/v1/service/settings', { evv_short_pct: 100 }), 400, 'invalid', 'evv_short_pct')
  assertError(await civil.put('/api/v1/service/settings', { evv_long_pct: 100 }), 400, 'invalid', 'evv_long_pct')
  assertError(await civil.put('/api/v1/service/settings', {}), 400, 'invalid', 'evv_short_pct')
  assertError(await prov1.put('/api/v1/service/settings', { evv_short_pct: 40 }), 403, 'forbidden')
  // 40 % and 300 %: both visits are now within the limits, in the report and at the fix.
  const now = ok(await civil.put('/api/v1/service/settings', { evv_short_pct: 40, evv_long_pct: 300 }))
  assert.deepEqual([now.evv_short_pct, now.evv_long_pct], [40, 300])
  assert.deepEqual(await flags(civil, short), [])
  assert.deepEqual(await flags(civil, long), [])
  assertError(await civil.post(`/api/v1/service/orders/${short.id}/fix`, { reason_code: 'forgot', resolution_code: 'time_corrected' }), 422, 'unprocessable')
  // Only the long limit back to 200 %: the long visit is flagged again, the short one not.
  ok(await civil.put('/api/v1/service/settings', { evv_long_pct: 200 }))
  assert.deepEqual(await flags(civil, long), ['too_long'])
  assert.deepEqual(await flags(civil, short), [])
  const a = (await auditOf('service.settings')).at(0)
  assert.ok(a, 'the change is audited')
  ok(await civil.put('/api/v1/service/settings', { evv_short_pct: 50, evv_long_pct: 200 }))
  assert.deepEqual(await flags(civil, short), ['too_short'])
})

// The dispatch board's stream of client `c`: what it heard so far, and a stop.
async function follow(c) {
  const ctl = new AbortController()
  const res = await fetch(s.base + '/api/v1/service/board/events', { headers: { Cookie: `anlao_session=${c.cookie}` }, signal: ctl.signal })
  assert.equal(res.status, 200)
  const seen = []
  const done = readEvents(res, (ev) => { seen.push(ev) }).catch(() => {})
  for (let i = 0; i < 100 && !seen.length; i++) await sleep(20)
  assert.equal(seen[0]?.event, 'ready')
  return { seen, orders: () => seen.filter((e) => e.event === 'order').map((e) => e.data), stop: () => { ctl.abort(); return done } }
}

test('RULE-SVC-180: a provider account hears on the live board only of its own provider\'s orders', async () => {
  const [b1, b2, bc] = await Promise.all([prov1, prov2, civil].map(follow))
  try {
    const oY = await placed(await elder('520327102002', 27.851, 107.821), ['zhucan']) // 琊川: provider 2 serves it
    const oL = await placed(await elder(), ['zhucan']) // 龙泉: provider 1
    const d2 = ok(await prov2.post(`/api/v1/service/orders/${oY.id}/dispatch`, {}))
    ok(await civil.post(`/api/v1/service/orders/${oL.id}/dispatch`, {}))
    for (let i = 0; i < 250 && bc.orders().length < 4; i++) await sleep(20)
    await sleep(300) // anything late would have come by now
    const ids = (b) => b.orders().map((e) => `${e.id}:${e.status}`)
    assert.deepEqual(ids(bc), [`${oY.id}:created`, `${oL.id}:created`, `${oY.id}:assigned`, `${oL.id}:assigned`])
    assert.deepEqual(ids(b2), [`${oY.id}:created`, `${oY.id}:assigned`])
    assert.deepEqual(ids(b1), [`${oL.id}:created`, `${oL.id}:assigned`])
    const p2 = ok(await prov2.get('/api/v1/service/admin/providers')).items[0].id
    assert.equal(b2.orders().at(-1).provider_id, p2)
    assert.equal(b2.orders().at(-1).caregiver_id, d2.caregiver_id)
  } finally {
    await Promise.all([b1, b2, bc].map((b) => b.stop()))
  }
})

test('RULE-SVC-181: the EVV report of a provider account counts and lists its own visits only', async () => {
  const p1 = ok(await prov1.get('/api/v1/service/admin/providers')).items[0].id
  const p2 = ok(await prov2.get('/api/v1/service/admin/providers')).items[0].id
  // A visit of provider 2: its caregiver 吴军 is, for this test, the fg_caregiver account.
  const cgs = ok(await civil.get('/api/v1/service/caregivers')).items
  const sun = cgs.find((c) => c.name === '孙丽'), wu = cgs.find((c) => c.name === '吴军')
  const uid = sqlite(s.db, "SELECT id FROM users WHERE username = 'fg_caregiver'")
  const relink = (a, b) => {
    sqlite(s.db, `UPDATE svc_caregivers SET user_id = NULL WHERE id = ${a.id}`)
    sqlite(s.db, `UPDATE svc_caregivers SET user_id = ${uid} WHERE id = ${b.id}`)
  }
  const oY = await placed(await elder('520327102002', 27.851, 107.821))
  ok(await prov2.post(`/api/v1/service/orders/${oY.id}/assign`, { caregiver_id: wu.id, reason: '测试指定' }))
  relink(sun, wu)
  try {
    ok(await carer.post(`/api/v1/service/orders/${oY.id}/accept`, {}))
    const t = Date.now()
    for (const [what, ms] of [['checkin', t - 30 * 60e3], ['checkout', t]]) {
      ok(await carer.post(`/api/v1/service/orders/${oY.id}/${what}`, { lat: 27.851, lng: 107.821, accuracy_m: 10, at: cst(ms) }))
    }
  } finally { relink(wu, sun) }
  const oL = await carers()
  await visited(oL, 30) // both too short: both flagged
  const month = tomorrow.slice(0, 7)
  const rep = async (c) => ok(await c.get(`/api/v1/service/evv/report?month=${month}`))
  const all = await rep(civil)
  assert.ok([p1, p2].every((p) => all.providers.some((x) => x.provider_id === p)), JSON.stringify(all.providers))
  assert.ok([oY.id, oL.id].every((id) => all.flagged.some((f) => f.order_id === id)))
  const r1 = await rep(prov1), r2 = await rep(prov2)
  assert.deepEqual(r1.providers.map((x) => x.provider_id), [p1])
  assert.deepEqual(r2.providers.map((x) => x.provider_id), [p2])
  assert.ok(r1.flagged.some((f) => f.order_id === oL.id) && !r1.flagged.some((f) => f.order_id === oY.id))
  assert.deepEqual(r2.flagged.map((f) => f.order_id), [oY.id])
  assert.equal(r2.providers[0].visits, 1)
})

test('RULE-SVC-183, RULE-SVC-184: a month not begun is not settled; a provider\'s month is paid once, even asked for at once', async () => {
  const p1 = ok(await prov1.get('/api/v1/service/admin/providers')).items[0].id
  const d = new Date(Date.now() + 8 * 3600e3)
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() + 1)
  const next = d.toISOString().slice(0, 7)
  const future = assertError(await civil.post('/api/v1/service/settlements', { provider_id: p1, month: next }), 422, 'unprocessable', 'month')
  assert.ok(future.message.includes(next) && /尚未到来/.test(future.message), future.message)
  assertError(await civil.post('/api/v1/service/settlements', { provider_id: p1, month: '2099-01' }), 422, 'unprocessable', 'month')
  // A window half an hour ago (RULE-SVC-011 allows an hour): its month has begun on any day.
  const at = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 16)
  const t0 = Math.floor((Date.now() - 30 * 60e3) / 60e3) * 60e3
  const month = at(t0).slice(0, 7)
  const o = await carers(null, [at(t0), at(t0 + 59 * 60e3)])
  await visited(o, 120) // as planned: verified
  ok(await civil.post(`/api/v1/service/orders/${o.id}/confirm-for-elder`, { reason: '电话回访确认' }))
  // Six requests at once for the same provider and month: one statement, the others 409 naming month.
  const rs = await Promise.all(Array.from({ length: 6 }, () => civil.post('/api/v1/service/settlements', { provider_id: p1, month })))
  assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409], rs.map((r) => r.text).join('\n'))
  for (const r of rs.filter((x) => x.status === 409)) assertError(r, 409, 'conflict', 'month')
  const st = rs.find((r) => r.status === 201).body
  assert.ok(st.lines.some((l) => l.order_id === o.id))
  const mine = ok(await civil.get('/api/v1/service/settlements')).items.filter((x) => x.provider_id === p1 && x.month === month)
  assert.equal(mine.length, 1)
  // Approved at once four times: once.
  const as = await Promise.all(Array.from({ length: 4 }, () => civil.post(`/api/v1/service/settlements/${st.id}/approve`, {})))
  assert.deepEqual(as.map((r) => r.status).sort(), [200, 409, 409, 409], as.map((r) => r.text).join('\n'))
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${o.id}`)).status, 'settled')
  assert.equal((await auditOf('service.settlement_approve')).filter((x) => x.target_id === String(st.id)).length, 1)
})

test('RULE-SVC-187, RULE-SVC-188: the caregiver\'s day says what to do now, first; the board counts the whole list, scoped', async () => {
  const day = chinaDay(Date.now() + 3 * 86400e3)
  const sun = ok(await civil.get('/api/v1/service/caregivers')).items.find((c) => c.name === '孙丽')
  const at = { lat: 27.965, lng: 107.72, accuracy_m: 10 }
  // One order of 孙丽 per hour of that day, moved to a state: [hour, moves].
  const plan = { assigned: ['09', []], accepted: ['10', ['accept']], in_service: ['11', ['accept', 'checkin']],
    on_the_way: ['12', ['accept', 'start']], completed: ['13', ['accept', 'checkin', 'checkout']],
    confirmed: ['14', ['accept', 'checkin', 'checkout']] }
  const ids = {}
  for (const [state, [h, moves]] of Object.entries(plan)) {
    const e = await elder()
    const o = ok(await civil.post('/api/v1/service/orders', { elder_id: e.id, items: ['zhujie'], window_start: `${day}T${h}:00`, window_end: `${day}T${h}:59` }), 201)
    ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '测试待办' }))
    for (const m of moves) ok(await carer.post(`/api/v1/service/orders/${o.id}/${m}`, m.startsWith('check') ? at : {}))
    if (state === 'confirmed') ok(await civil.post(`/api/v1/service/orders/${o.id}/confirm-for-elder`, { reason: '电话回访确认' }))
    ids[state] = o.id
  }
  const mine = ok(await carer.get(`/api/v1/service/my/visits?date=${day}`))
  // Finish the visit in service, then the one on the way, answer the new one, have the completed
  // one confirmed, set off for the later one; nothing left for the confirmed one.
  const want = ['in_service', 'on_the_way', 'assigned', 'completed', 'accepted', 'confirmed']
  assert.deepEqual(mine.items.map((v) => v.id), want.map((k) => ids[k]))
  assert.deepEqual(mine.items.map((v) => v.todo.action ?? null), ['checkout', 'arrive', 'accept', 'confirm', 'start', null])
  assert.ok(mine.items.every((v) => v.todo.late === false))
  assert.equal(mine.total, 6)
  // Only what is to be done, paged over that list: its total counts it.
  const todo = ok(await carer.get(`/api/v1/service/my/visits?date=${day}&todo=1&page=2&page_size=2`))
  assert.equal(todo.total, 5)
  assert.deepEqual(todo.items.map((v) => v.id), [ids.assigned, ids.completed])
  assertError(await carer.get(`/api/v1/service/my/visits?todo=yes`), 400, 'invalid', 'todo')
  // The board's counts are those of every page of the list, scoped like it (RULE-SVC-188).
  const page = ok(await civil.get(`/api/v1/service/orders?date=${day}&page_size=1`))
  assert.equal(page.items.length, 1)
  assert.equal(Object.values(page.counts).reduce((a, b) => a + b, 0), page.total)
  assert.deepEqual(page.counts, { assigned: 1, accepted: 1, in_service: 1, on_the_way: 1, completed: 1, confirmed: 1 })
  const open = ok(await civil.get(`/api/v1/service/orders?date=${day}&status=open&page_size=2`))
  assert.deepEqual([open.total, open.counts.confirmed], [5, undefined])
  const other = ok(await prov2.get(`/api/v1/service/orders?date=${day}&page_size=1`))
  assert.deepEqual([other.total, other.counts], [0, {}])
})

test('RULE-SVC-190: a visit to an elder recorded as dead or moved out by that day is flagged, and fixed by codes', async () => {
  const e = await elder()
  const o = await carers(e)
  const checkin = await visited(o, 120) // as planned: verified
  assert.deepEqual(await flags(civil, o), [])
  const cur = ok(await civil.get(`/api/v1/elders/${e.id}`))
  // Dead on the visit's day (hours back: early in the China day that is the day before).
  ok(await civil.patch(`/api/v1/elders/${e.id}`, { version: cur.version, status: 'deceased', status_date: chinaDay(checkin), status_reason: '病故' }))
  assert.deepEqual(await flags(civil, o), ['elder_gone'])
  ok(await civil.post(`/api/v1/service/orders/${o.id}/fix`, { reason_code: 'other', resolution_code: 'not_payable', note: '老人当日已去世，未实际服务' }))
  const rep = ok(await civil.get(`/api/v1/service/evv/report?month=${tomorrow.slice(0, 7)}`))
  assert.equal(rep.flagged.find((f) => f.order_id === o.id).fixed, true)
})
