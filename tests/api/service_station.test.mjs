// Home services (issue 13): a station's own account (RULE-SVC-207..212). "The county centre sees
// every open order of its region; a station sees its own." The demo's lq_station is 颐康's 龙泉
// station (county-wide region, so only the station scope tells it apart from fg_provider, the
// provider's account with both 龙泉 and 进化).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, serverTest, chinaDay, sleep, sqlite } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'
import { readEvents } from '../lib/sse.mjs'

let s, civil, prov, st, lq, jx
const test = serverTest(() => [s])
before(async () => {
  s = await Server.start()
  ;[civil, prov, st] = await Promise.all(['fg_civil', 'fg_provider', 'lq_station'].map((u) => s.login(u)))
  const all = ok(await civil.get('/api/v1/service/stations')).items
  lq = all.find((x) => x.name.startsWith('龙泉'))
  jx = all.find((x) => x.name.startsWith('进化'))
})
after(async () => { await s?.stop(); await s?.dispose() })

const ok = (r, status = 200) => { assert.equal(r.status, status, JSON.stringify(r.body)); return r.body }
const tomorrow = chinaDay(Date.now() + 86400e3)
let seq = 800
let hour = 8
async function placed(region, lat, lng) {
  const e = ok(await civil.post('/api/v1/elders', { name: '站点老人', id_number: idNumber('520327', '19410303', seq++), region_code: region, address: '站点测试 1 号', phone: '13800001234', lat, lng }), 201)
  const h = String(hour++).padStart(2, '0')
  return ok(await civil.post('/api/v1/service/orders', { elder_id: e.id, items: ['zhujie'], window_start: `${tomorrow}T${h}:00`, window_end: `${tomorrow}T${h}:59` }), 201)
}
const inLq = () => placed('520327001001', 27.965, 107.72)
const inJx = () => placed('520327101001', 27.88, 107.6)
const ownOrder = (o) => o.station_id === lq.id || (!o.station_id && o.region_code.startsWith('520327001'))

test('RULE-SVC-207 RULE-SVC-208 RULE-SVC-209: a station account sees its own station, caregivers and orders; totals and counts are of those', async () => {
  assert.deepEqual(ok(await st.get('/api/v1/service/stations')).items.map((x) => x.id), [lq.id])
  assert.deepEqual(ok(await prov.get('/api/v1/service/stations')).items.map((x) => x.id).sort(), [lq.id, jx.id].sort())
  const cg = ok(await st.get('/api/v1/service/caregivers')).items
  assert.ok(cg.length > 0 && cg.every((c) => c.station_id === lq.id), JSON.stringify(cg))
  assert.ok(cg.some((c) => c.name === '孙丽'))
  assert.ok(ok(await prov.get('/api/v1/service/caregivers')).items.some((c) => c.station_id === jx.id))

  const oJ = await inJx(); const oL = await inLq()
  ok(await civil.post(`/api/v1/service/orders/${oJ.id}/dispatch`, {}))
  for (const day of [chinaDay(), tomorrow]) {
    const mine = ok(await st.get(`/api/v1/service/orders?date=${day}&page_size=200`))
    const theirs = ok(await prov.get(`/api/v1/service/orders?date=${day}&page_size=200`))
    assert.ok(mine.items.every(ownOrder), JSON.stringify(mine.items.map((o) => [o.id, o.station_id, o.region_code])))
    assert.equal(mine.total, mine.items.length)
    assert.equal(Object.values(mine.counts).reduce((a, b) => a + b, 0), mine.total)
    if (day === tomorrow) assert.ok(theirs.items.some((o) => o.id === oJ.id), 'the provider sees the other station\'s order')
    assert.equal(mine.total, theirs.items.filter(ownOrder).length)
  }
  // One order: the other station's is missing for the station account, as a missing one.
  assertError(await st.get(`/api/v1/service/orders/${oJ.id}`), 404, 'not_found')
  ok(await prov.get(`/api/v1/service/orders/${oJ.id}`))
  assert.equal(ok(await st.get(`/api/v1/service/orders/${oL.id}`)).id, oL.id) // waiting, in its area
})

test('RULE-SVC-209 RULE-SVC-212: a station account dispatches only to its own caregivers; the network is read-only to it', async () => {
  const o = await inLq()
  const other = ok(await prov.get('/api/v1/service/caregivers')).items.find((c) => c.station_id === jx.id)
  assertError(await st.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: other.id, reason: '测试' }), 400, 'invalid', 'caregiver_id')
  const auto = ok(await st.post(`/api/v1/service/orders/${o.id}/dispatch`, {}))
  const mine = ok(await st.get('/api/v1/service/caregivers')).items.map((c) => c.id)
  assert.ok(mine.includes(auto.caregiver_id), JSON.stringify(auto))
  assertError(await st.post(`/api/v1/service/orders/${(await inJx()).id}/dispatch`, {}), 404, 'not_found')
  const sun = ok(await civil.get(`/api/v1/service/admin/caregivers/${mine[0]}`))
  const denied = assertError(await st.patch(`/api/v1/service/admin/caregivers/${sun.id}`, { version: sun.version, phone: '13900000000' }), 403, 'forbidden')
  assert.match(denied.message, /服务站账号/)
})

test('RULE-SVC-210: a station account hears on the live board only of its own station\'s orders', async () => {
  const follow = async (c) => {
    const ctl = new AbortController()
    const res = await fetch(s.base + '/api/v1/service/board/events', { headers: { Cookie: `anlao_session=${c.cookie}` }, signal: ctl.signal })
    assert.equal(res.status, 200)
    const seen = []
    const done = readEvents(res, (ev) => { seen.push(ev) }).catch(() => {})
    for (let i = 0; i < 100 && !seen.length; i++) await sleep(20)
    return { ids: () => seen.filter((e) => e.event === 'order').map((e) => `${e.data.id}:${e.data.status}`), stop: () => { ctl.abort(); return done } }
  }
  const [bs, bp] = await Promise.all([st, prov].map(follow))
  try {
    const oJ = await inJx(); const oL = await inLq()
    ok(await civil.post(`/api/v1/service/orders/${oJ.id}/dispatch`, {}))
    ok(await civil.post(`/api/v1/service/orders/${oL.id}/dispatch`, {}))
    for (let i = 0; i < 250 && bp.ids().length < 4; i++) await sleep(20)
    await sleep(300) // anything late would have come by now
    assert.deepEqual(bp.ids(), [`${oJ.id}:created`, `${oL.id}:created`, `${oJ.id}:assigned`, `${oL.id}:assigned`])
    assert.deepEqual(bs.ids(), [`${oL.id}:created`, `${oL.id}:assigned`])
  } finally {
    await Promise.all([bs, bp].map((b) => b.stop()))
  }
})

// A visit of `o` by the caregiver `name` (the fg_caregiver account made theirs for it), checked out
// at once (too short: flagged), confirmed for the elder and rated with a complaint.
async function complained(o, name) {
  const cg = ok(await civil.get('/api/v1/service/caregivers')).items.find((c) => c.name === name)
  const uid = sqlite(s.db, "SELECT id FROM users WHERE username = 'fg_caregiver'")
  sqlite(s.db, `UPDATE svc_caregivers SET user_id = NULL WHERE user_id = ${uid}`)
  sqlite(s.db, `UPDATE svc_caregivers SET user_id = ${uid} WHERE id = ${cg.id}`)
  ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: cg.id, reason: '测试指定' }))
  const carer = await s.login('fg_caregiver')
  ok(await carer.post(`/api/v1/service/orders/${o.id}/accept`, {}))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, { lat: 27.9, lng: 107.7, accuracy_m: 10 }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { lat: 27.9, lng: 107.7, accuracy_m: 10 }))
  ok(await civil.post(`/api/v1/service/orders/${o.id}/confirm-for-elder`, { reason: '电话回访' }))
  ok(await civil.post(`/api/v1/service/orders/${o.id}/rate`, { rating: 1, complaint: '来去匆匆' }))
}

test('RULE-SVC-211: the EVV report and the complaints of a station account are its own station\'s', async () => {
  const station = async (id) => ok(await civil.get(`/api/v1/service/orders/${id}`)).station_id
  const oL = await inLq(); const oJ = await inJx()
  await complained(oL, '孙丽')
  const jxName = ok(await civil.get('/api/v1/service/caregivers')).items.find((c) => c.station_id === jx.id && !c.expired_certificates).name
  await complained(oJ, jxName)
  const month = `?month=${tomorrow.slice(0, 7)}`
  const mine = ok(await st.get('/api/v1/service/evv/report' + month))
  const theirs = ok(await prov.get('/api/v1/service/evv/report' + month))
  for (const f of mine.flagged) assert.equal(await station(f.order_id), lq.id)
  assert.ok(mine.flagged.some((f) => f.order_id === oL.id))
  assert.ok(theirs.flagged.some((f) => f.order_id === oJ.id) && !mine.flagged.some((f) => f.order_id === oJ.id))
  const visits = (rep) => rep.providers.reduce((a, p) => a + p.visits, 0)
  assert.ok(visits(theirs) > visits(mine), `provider ${visits(theirs)}, station ${visits(mine)}`)
  const cs = ok(await st.get('/api/v1/service/complaints?page_size=200'))
  for (const c of cs.items) assert.equal(await station(c.order_id), lq.id)
  assert.equal(cs.total, cs.items.length)
  assert.ok(cs.items.some((c) => c.order_id === oL.id))
  const all = ok(await prov.get('/api/v1/service/complaints?page_size=200'))
  const own = []
  for (const c of all.items) if (await station(c.order_id) === lq.id) own.push(c.order_id)
  assert.deepEqual(cs.items.map((c) => c.order_id).sort(), own.sort())
})
