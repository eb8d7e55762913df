// Capability assessment drafts: scoring through the API, item errors, scope, who may create.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError } from '../lib/server.mjs'

let s, assessor, elderId, otherId
before(async () => {
  s = await new Server().start()
  const civil = await s.login('fg_civil')
  elderId = (await civil.post('/api/v1/elders', { name: '评估甲', id_number: '11010519491231002X', region_code: '520327001001', address: '一号', phone: '13800001111' })).body.id
  otherId = (await civil.post('/api/v1/elders', { name: '评估乙', id_number: '440524188001010014', region_code: '520327101201', address: '二号', phone: '13800002222' })).body.id
  assessor = await s.login('fg_assessor')
})
after(async () => { await s.stop(); s.cleanup() })

const max = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 1, 1, 2, 2, 2, 4, 3, 4]

test('a draft returns total, domain scores and both levels', async () => {
  const items = [...max]
  items[0] = 0; items[1] = 0; items[2] = 0; items[3] = 0; items[4] = 0 // total 70
  const r = await assessor.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items, coma: false,
    diagnoses: ['I10', 'F01.1'], risk_events: { fall: 1, wandering: 1 } })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal(r.body.total, 70)
  assert.equal(r.body.domain_scores['自理能力'], 12)
  assert.equal(r.body.preliminary_level, 1)
  assert.equal(r.body.final_level, 2, 'dementia and two risk events: +1 at most')
  assert.deepEqual(r.body.rules, ['RULE-ASSESS-002', 'RULE-ASSESS-004', 'RULE-ASSESS-005', 'RULE-ASSESS-006'])
  assert.equal(r.body.status, 'draft')
})

test('coma sets level 4 without item scores', async () => {
  const r = await assessor.post('/api/v1/assessments', { elder_id: elderId, reason: 'immediate', coma: true })
  assert.equal(r.status, 201)
  assert.equal(r.body.final_level, 4)
  assert.equal(r.body.total, null)
})

test('an out-of-range or missing item is a 400 naming the item', async () => {
  const items = [...max]
  items[11] = 4
  const r = await assessor.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items })
  assertError(assert, r, 400, 'invalid', 'B.2.4')
  assert.match(r.body.error.message, /上下楼梯.*0 到 3/)
  assertError(assert, await assessor.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items: max.slice(1) }), 400, 'invalid', 'items')
  const holes = [...max]
  holes[18] = null
  assertError(assert, await assessor.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items: holes }), 400, 'invalid', 'B.3.7')
  assertError(assert, await assessor.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items: max, diagnoses: ['dementia'] }), 400, 'invalid', 'diagnoses')
  assertError(assert, await assessor.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items: max, risk_events: { fall: 9 } }), 400, 'invalid', 'risk_events.fall')
  assertError(assert, await assessor.post('/api/v1/assessments', { elder_id: elderId, reason: 'whim', items: max }), 400, 'invalid', 'reason')
})

test('only assessors create; scope applies; history lists the drafts', async () => {
  const civil = await s.login('fg_civil')
  assertError(assert, await civil.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items: max }), 403, 'forbidden')
  const lq = await s.login('lq_officer')
  assert.equal((await lq.get(`/api/v1/elders/${elderId}/assessments`)).body.total, 2)
  assertError(assert, await lq.get(`/api/v1/elders/${otherId}/assessments`), 404, 'not_found')
  const h = (await civil.get(`/api/v1/elders/${elderId}/assessments`)).body.items
  assert.equal(h[0].coma, true)
  assert.equal(h[1].items.length, 26)
  assert.equal(h[1].final_level_name, '中度失能')
  const form = await civil.get('/api/v1/assessments/form')
  assert.equal(form.body.items.length, 26)
  assert.equal(form.body.items[11].code, 'B.2.4')
})
