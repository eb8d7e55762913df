// Home services (issue 13), the points finished last: photos of a visit (RULE-SVC-170..173), the
// EVV duration limits as settings (RULE-SVC-175..177), provider accounts on the live board and in
// the EVV report (RULE-SVC-180..181), settlement never twice and never ahead (RULE-SVC-183..185),
// the caregiver's to-do and the board's counts (RULE-SVC-187..189).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, serverTest, chinaDay } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

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
async function placed(e, items = ['zhujie'], day = tomorrow) {
  const h = String(hour++).padStart(2, '0')
  return ok(await civil.post('/api/v1/service/orders', { elder_id: e.id, items, window_start: `${day}T${h}:00`, window_end: `${day}T${h}:59` }), 201)
}
// An order given to fg_caregiver (孙丽) and accepted.
async function carers(e = null) {
  const o = await placed(e || await elder())
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
// fg_caregiver's visit of order `o` lasting `min` minutes (device times), checked in and out at the door.
async function visited(o, min) {
  const t = Date.now()
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, { lat: 27.965, lng: 107.72, accuracy_m: 10, at: cst(t - min * 60e3) }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { lat: 27.965, lng: 107.72, accuracy_m: 10, at: cst(t) }))
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
