// Which assessment is the result in force (issue 4): an older result never replaces a newer one
// (RULE-ASSESS-019); level-only readers see results, not assessments under way
// (RULE-ASSESS-018); the needs of a disputed result stay in force, legacy results sit in the
// history by date (RULE-ASSESS-020); the due list and the list keep to the caller's scope.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError } from '../lib/server.mjs'

let s, a1, a2, civil, lq, jx, provider, caregiver, elderId
const max = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 1, 1, 2, 2, 2, 4, 3, 4] // 90 → 0
const items47 = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 2, 2, 2] // → 2

before(async () => {
  s = await new Server().start()
  civil = await s.login('fg_civil')
  elderId = (await civil.post('/api/v1/elders', { name: '结果甲', id_number: '11010519491231002X', region_code: '520327001001', address: '一号', phone: '13800001111' })).body.id
  ;[a1, a2, lq, jx, provider, caregiver] = await Promise.all(['fg_assessor', 'fg_assessor2', 'lq_officer', 'jx_officer', 'fg_provider', 'fg_caregiver'].map((u) => s.login(u)))
})
after(async () => { await s.stop(); s.cleanup() })

const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const step = (c, id, what, body) => c.post(`/api/v1/assessments/${id}/${what}`, body)

// A draft taken to `reviewed` (signed twice, submitted, approved); returns {id, version}.
async function reviewed(items, assessedOn, extra = {}) {
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'routine', items, assessed_on: assessedOn, ...extra }), 201)
  let v = d.version
  v = ok(await step(a1, d.id, 'sign', { version: v })).version
  v = ok(await step(a2, d.id, 'sign', { version: v })).version
  v = ok(await step(a1, d.id, 'submit', { version: v })).version
  v = ok(await step(lq, d.id, 'review', { version: v, decision: 'approve' })).version
  return { id: d.id, version: v }
}

let older, newer

test('RULE-ASSESS-019: an older result is not published over a newer one in force', async () => {
  older = await reviewed(max, '2025-06-01')
  newer = await reviewed(items47, '2025-12-01', { needs: { daily_care: { needed: true, items: ['助餐'], notes: '午餐不便' } } })
  ok(await step(lq, newer.id, 'publish', { version: newer.version }))
  const refused = await step(lq, older.id, 'publish', { version: older.version })
  assertError(assert, refused, 409, 'conflict', 'assessed_on')
  assert.match(refused.body.error.message, /2025-12-01/)
  const elder = ok(await civil.get(`/api/v1/elders/${elderId}`))
  assert.equal(elder.ability_level, 2, 'the newer result stays in force')
  assert.equal(elder.category_evidence.find((c) => c.category === 'disabled').source_ref, `assessment:${newer.id}`)
  const rec = ok(await civil.get(`/api/v1/assessments/${older.id}`))
  assert.equal(rec.status, 'reviewed', 'nothing written by the refused publish')
  assert.equal(rec.version, older.version)
  assert.equal(ok(await civil.get(`/api/v1/assessments/${newer.id}`)).status, 'published')
  // The same date as the result in force is not older: a second result that day may replace it.
  const sameDay = await reviewed(items47, '2025-12-01')
  ok(await step(lq, sameDay.id, 'publish', { version: sameDay.version }))
  assert.equal(ok(await civil.get(`/api/v1/assessments/${newer.id}`)).status, 'superseded')
  newer = { id: sameDay.id }
})

test('RULE-ASSESS-018: providers and caregivers see results only, never an assessment under way', async () => {
  const draft = ok(await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'routine', items: max }), 201)
  for (const reader of [provider, caregiver]) {
    assertError(assert, await reader.get(`/api/v1/assessments/${draft.id}`), 404, 'not_found')
    assertError(assert, await reader.get(`/api/v1/assessments/${older.id}`), 404, 'not_found')
    const seen = ok(await reader.get(`/api/v1/assessments/${newer.id}`))
    assert.equal(seen.status, 'published')
    assert.equal(seen.final_level, 2)
    assert.ok(!('items' in seen) && !('domain_scores' in seen) && !('signatures' in seen))
    const hist = ok(await reader.get(`/api/v1/elders/${elderId}/assessments`)).items
    assert.deepEqual(hist.map((h) => h.status).sort(), ['published', 'superseded'])
    const list = ok(await reader.get('/api/v1/assessments?page_size=200'))
    assert.ok(list.items.every((i) => ['published', 'disputed', 'superseded'].includes(i.status)), JSON.stringify(list.items))
    assert.equal(list.total, list.items.length)
    assert.equal(ok(await reader.get('/api/v1/assessments?status=draft')).total, 0)
  }
  // Readers of the scores see everything, drafts included.
  const all = ok(await civil.get(`/api/v1/elders/${elderId}/assessments`)).items
  assert.ok(all.some((h) => h.id === draft.id && h.status === 'draft'))
  assert.ok(all.some((h) => h.id === older.id && h.status === 'reviewed'))
  assert.equal(ok(await civil.get(`/api/v1/assessments/${draft.id}`)).status, 'draft')
})

test('RULE-ASSESS-020: the needs of a disputed result stay in force until the re-assessment is published', async () => {
  const cur = ok(await civil.get(`/api/v1/assessments/${newer.id}`))
  const n0 = ok(await provider.get(`/api/v1/elders/${elderId}/needs`))
  assert.equal(n0.assessment_id, newer.id)
  const disp = ok(await step(civil, newer.id, 'dispute', { version: cur.version, reason: '家属认为评估时老人状态不佳' }))
  const n1 = ok(await provider.get(`/api/v1/elders/${elderId}/needs`))
  assert.equal(n1.assessment_id, newer.id, 'disputed: still the result in force')
  // The disputed result is visible to level-only readers as such.
  assert.equal(ok(await provider.get(`/api/v1/assessments/${newer.id}`)).status, 'disputed')
  assert.ok(ok(await civil.get('/api/v1/assessments/due?page_size=200')).items.some((i) => i.kind === 'request' && i.disputed_id === newer.id && i.id === disp.request_id))
})

test('RULE-ASSESS-020: legacy results sit in the history by date, newest first', async () => {
  ok(await civil.post('/api/v1/assessments/legacy', { elder_id: elderId, level: 1, assessed_on: '2025-09-01' }), 201)
  ok(await civil.post('/api/v1/assessments/legacy', { elder_id: elderId, level: 2, assessed_on: '2019-01-01' }), 201)
  const hist = ok(await civil.get(`/api/v1/elders/${elderId}/assessments`)).items
  const legacyAt = (on) => hist.findIndex((h) => h.kind === 'legacy' && h.assessed_on === on)
  const at = (id) => hist.findIndex((h) => h.kind !== 'legacy' && h.id === id)
  assert.ok(at(newer.id) < legacyAt('2025-09-01'), 'after the 2025-12-01 result')
  assert.ok(legacyAt('2025-09-01') < at(older.id), 'before the 2025-06-01 one')
  assert.equal(legacyAt('2019-01-01'), hist.length - 1)
  const lv = ok(await provider.get(`/api/v1/elders/${elderId}/assessments`)).items
  assert.equal(lv.filter((h) => h.kind === 'legacy').length, 2, 'level-only readers see legacy results too')
  assert.equal(ok(await civil.get(`/api/v1/elders/${elderId}`)).ability_level, 2, 'never converted (RULE-ASSESS-017)')
})

test('due list and list: a region beside the caller\'s scope is empty, a narrower one filters; unknown filters are 400', async () => {
  const other = ok(await civil.post('/api/v1/elders', { name: '结果乙', id_number: '440524188001010014', region_code: '520327101201', address: '二号', phone: '13800002222' }), 201)
  ok(await jx.post('/api/v1/assessment-requests', { elder_id: other.id, reason: 'immediate', source: 'visit', note: '走访发现行动不便' }), 201)
  const lqDue = ok(await lq.get('/api/v1/assessments/due?page_size=200'))
  assert.ok(lqDue.total > 0)
  assert.ok(lqDue.items.every((i) => i.region_code.startsWith('520327001')))
  assert.equal(ok(await lq.get('/api/v1/assessments/due?region=520327101')).total, 0, 'beside the scope: empty, not the whole scope')
  assert.equal(ok(await lq.get('/api/v1/assessments/due?region=520327')).total, lqDue.total, 'broader: the caller\'s scope')
  assert.equal(ok(await lq.get('/api/v1/assessments/due?region=520327001001')).total, lqDue.total)
  const countyDue = ok(await civil.get('/api/v1/assessments/due?region=520327101'))
  assert.ok(countyDue.items.length > 0 && countyDue.items.every((i) => i.region_code.startsWith('520327101')))
  assert.equal(ok(await lq.get('/api/v1/assessments?region=520327101')).total, 0)
  assertError(assert, await civil.get('/api/v1/assessments?status=finished'), 400, 'invalid', 'status')
  assertError(assert, await civil.get('/api/v1/assessments?reason=whim'), 400, 'invalid', 'reason')
  assert.ok(ok(await civil.get('/api/v1/assessments?status=superseded')).items.every((i) => i.status === 'superseded'))
})

test('RULE-ASSESS-021: an elder who died is not assessed; the due list drops the request, the request list keeps it', async () => {
  const e = ok(await civil.post('/api/v1/elders', { name: '结果丙', id_number: '110105194912310046', region_code: '520327001001', address: '三号', phone: '13800003333' }), 201)
  const open = ok(await civil.post('/api/v1/assessment-requests', { elder_id: e.id, reason: 'immediate', source: 'family', note: '家属反映跌倒' }), 201)
  const draft = ok(await a1.post('/api/v1/assessments', { elder_id: e.id, reason: 'immediate', items: max, request_id: open.id }), 201)
  const rec = ok(await civil.get(`/api/v1/elders/${e.id}`))
  ok(await civil.patch(`/api/v1/elders/${e.id}`, { version: rec.version, status: 'deceased', status_date: '2026-01-05', status_reason: '病故' }))
  const refused = await a1.post('/api/v1/assessments', { elder_id: e.id, reason: 'routine', items: max })
  assertError(assert, refused, 409, 'conflict', 'elder_id')
  assert.match(refused.body.error.message, /死亡/)
  assertError(assert, await civil.post('/api/v1/assessment-requests', { elder_id: e.id, reason: 'immediate', source: 'officer' }), 409, 'conflict', 'elder_id')
  const due = ok(await civil.get('/api/v1/assessments/due?page_size=200'))
  assert.ok(!due.items.some((i) => i.elder_id === e.id), 'no request of a dead elder on the due list')
  const all = ok(await civil.get('/api/v1/assessment-requests'))
  assert.ok(all.items.some((i) => i.id === open.id), 'the request list keeps it')
  // The draft begun before the death stays readable, but cannot be published.
  let v = ok(await step(a1, draft.id, 'sign', { version: draft.version })).version
  v = ok(await step(a2, draft.id, 'sign', { version: v })).version
  v = ok(await step(a1, draft.id, 'submit', { version: v })).version
  v = ok(await step(civil, draft.id, 'review', { version: v, decision: 'approve' })).version
  assertError(assert, await step(civil, draft.id, 'publish', { version: v }), 409, 'conflict', 'elder_id')
  assert.equal(ok(await civil.get(`/api/v1/assessments/${draft.id}`)).status, 'reviewed')
  assert.equal(ok(await civil.get(`/api/v1/elders/${e.id}`)).ability_level, null)
})
