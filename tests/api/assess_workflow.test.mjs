// The assessment workflow (issue 4): form texts, drafts saved as the assessor goes, two
// qualified signatures, draft → submitted → reviewed → published, 409 on any other move,
// publishing updates the elder in the same transaction, disputes and re-assessments by other
// assessors, level-only view for providers, region scope, due list, requests, legacy results.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError } from '../lib/server.mjs'

let s, a1, a2, a3, civil, lq, jx, provider, elderId, otherId
const max = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 1, 1, 2, 2, 2, 4, 3, 4]
// Total 47 → level 2 (中度失能, 46–65).
const items50 = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 2, 2, 2]

before(async () => {
  s = await new Server().start()
  civil = await s.login('fg_civil')
  elderId = (await civil.post('/api/v1/elders', { name: '流程甲', id_number: '11010519491231002X', region_code: '520327001001', address: '一号', phone: '13800001111' })).body.id
  otherId = (await civil.post('/api/v1/elders', { name: '流程乙', id_number: '440524188001010014', region_code: '520327101201', address: '二号', phone: '13800002222' })).body.id
  ;[a1, a2, a3, lq, jx, provider] = await Promise.all(['fg_assessor', 'fg_assessor2', 'fg_assessor3', 'lq_officer', 'jx_officer', 'fg_provider'].map((u) => s.login(u)))
})
after(async () => { await s.stop(); s.cleanup() })

const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const step = (c, id, what, body) => c.post(`/api/v1/assessments/${id}/${what}`, body)
const current = async (id) => ok(await civil.get(`/api/v1/assessments/${id}`))

test('the form carries Chinese option texts for every item, best first, and the context lists', async () => {
  const f = ok(await a1.get('/api/v1/assessments/form'))
  assert.equal(f.items.length, 26)
  for (const it of f.items) {
    assert.equal(it.options.length, it.max + 1, it.code)
    assert.deepEqual(it.options.map((o) => o.score), Array.from({ length: it.max + 1 }, (_, i) => it.max - i), it.code)
    for (const o of it.options) assert.match(o.text, /\p{Script=Han}/u)
  }
  assert.ok(f.items[24].options.some((o) => o.uncertain), 'B.4.4: uncertain wording is flagged')
  assert.deepEqual(f.reasons.map((x) => x.id), ['first', 'routine', 'immediate', 'reassessment', 'other'])
  assert.ok(f.diseases.some((d) => d.code === 'F00-F03' && d.name === '痴呆'))
  assert.deepEqual(f.needs.map((n) => n.key), ['daily_care', 'basic_care', 'health', 'comfort', 'emergency', 'errands', 'home_adaptation'])
  assert.equal(f.settings.assessors_required, 2)
})

test('a draft saved half-way has no levels; PATCH completes it; bad input is 400 naming the field', async () => {
  const partial = [...items50]
  partial[20] = null
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items: partial, incomplete: true }), 201)
  assert.equal(d.total, null)
  assert.equal(d.final_level, null)
  assert.equal(d.version, 1)
  const stale = await a1.patch(`/api/v1/assessments/${d.id}`, { version: 9, items: items50 })
  assertError(assert, stale, 409, 'conflict', 'version')
  assertError(assert, await a1.patch(`/api/v1/assessments/${d.id}`, { version: 1, health: { pain: '剧痛' } }), 400, 'invalid', 'health.pain')
  assertError(assert, await a1.patch(`/api/v1/assessments/${d.id}`, { version: 1, needs: { daily_care: { needed: true, items: ['开飞机'] } } }), 400, 'invalid', 'needs.daily_care')
  assertError(assert, await a1.patch(`/api/v1/assessments/${d.id}`, { version: 1, assessed_on: '2999-01-01' }), 400, 'invalid', 'assessed_on')
  const p = ok(await a1.patch(`/api/v1/assessments/${d.id}`, { version: 1, items: items50, diagnoses: ['I10'],
    health: { pain: '轻度', special_care: ['胃管'] }, needs: { daily_care: { needed: true, items: ['助餐', '助浴'], notes: '独居，午餐不便' } },
    organisation: '凤冈县养老服务指导中心', place: '老人家中' }))
  assert.equal(p.total, 47)
  assert.equal(p.final_level, 2)
  const full = await current(d.id)
  assert.deepEqual(full.needs.daily_care.items, ['助餐', '助浴'])
  assert.equal(full.organisation, '凤冈县养老服务指导中心')
  assert.deepEqual(full.diagnoses, ['I10'], 'fields the PATCH names replace; the others stay')
})

test('signatures: qualified assessors only, each once, two required before submitting; a change voids them', async () => {
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items: items50 }), 201)
  let v = d.version
  assertError(assert, await step(a1, d.id, 'submit', { version: v }), 409, 'conflict', 'signatures')
  const expired = await step(a3, d.id, 'sign', { version: v })
  assertError(assert, expired, 403, 'forbidden')
  assert.match(expired.body.error.message, /资格已于 2026-03-31 到期/)
  v = ok(await step(a1, d.id, 'sign', { version: v })).version
  assertError(assert, await step(a1, d.id, 'sign', { version: v }), 409, 'conflict')
  // Saving the same form again changes nothing and keeps the signature.
  const same = ok(await a1.patch(`/api/v1/assessments/${d.id}`, { version: v, items: items50 }))
  assert.equal(same.changed, false)
  assert.equal(same.version, v)
  assert.equal((await current(d.id)).signatures.length, 1)
  assertError(assert, await step(civil, d.id, 'sign', { version: v }), 403, 'forbidden')
  // Changing the form after a signature voids it.
  const p = ok(await a2.patch(`/api/v1/assessments/${d.id}`, { version: v, place: '社区日间照料中心' }))
  assert.equal(p.signatures_cleared, 1)
  v = p.version
  v = ok(await step(a1, d.id, 'sign', { version: v })).version
  const two = ok(await step(a2, d.id, 'sign', { version: v }))
  assert.equal(two.signatures, 2)
  v = two.version
  const sub = ok(await step(a1, d.id, 'submit', { version: v }))
  assert.equal(sub.status, 'submitted')
  const rec = await current(d.id)
  assert.deepEqual(rec.signatures.map((x) => x.certificate_no).sort(), ['PG-520300-2024-0137', 'PG-520300-2025-0412'])
  assert.deepEqual(rec.history.map((h) => h.action), ['create', 'sign', 'save', 'sign', 'sign', 'submit'])
})

// RULE-FIELD-002: the health and needs parts of the form are read from field tables; each bad
// member is a 400 naming it with the message the hand-written readers gave, nothing is written.
test('each bad member of the health and needs parts is a 400 naming it with its message', async () => {
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items: items50 }), 201)
  const cases = [
    [{ health: 'x' }, 'health', '健康状况应为对象'],
    [{ health: [] }, 'health', '健康状况应为对象'],
    [{ health: { foo: '无' } }, 'health', '健康状况中没有“foo”这一项'],
    [{ health: { pain: '剧痛' } }, 'health.pain', '疼痛的取值不在表单选项中'],
    [{ health: { pain: 3 } }, 'health.pain', '疼痛的取值不在表单选项中'],
    [{ health: { pain: null } }, 'health.pain', '疼痛的取值不在表单选项中'],
    [{ health: { pain: ' 无' } }, 'health.pain', '疼痛的取值不在表单选项中'],
    [{ health: { pain: ['无'] } }, 'health.pain', '疼痛的取值不在表单选项中'],
    [{ health: { special_care: ['胃管', '飞行'] } }, 'health.special_care', '特殊护理的取值不在表单选项中'],
    [{ health: { special_care: [1] } }, 'health.special_care', '特殊护理的取值不在表单选项中'],
    [{ needs: 5 }, 'needs', '需求评估应为对象'],
    [{ needs: { flying: {} } }, 'needs', '需求评估中没有“flying”这一类'],
    [{ needs: { daily_care: 1 } }, 'needs.daily_care', '生活照料应为对象（needed、items、notes）'],
    [{ needs: { daily_care: { needed: 'yes' } } }, 'needs.daily_care', '生活照料的 needed 应为是或否'],
    [{ needs: { daily_care: { needed: null } } }, 'needs.daily_care', '生活照料的 needed 应为是或否'],
    [{ needs: { daily_care: { items: '助餐' } } }, 'needs.daily_care', '生活照料的服务项目应为列表'],
    [{ needs: { daily_care: { items: null } } }, 'needs.daily_care', '生活照料的服务项目应为列表'],
    [{ needs: { basic_care: { items: ['协助进食', '开飞机'] } } }, 'needs.basic_care', '基础照护的服务项目第 2 项不在表单选项中'],
    [{ needs: { daily_care: { notes: 5 } } }, 'needs.daily_care', '备注应为文本'],
    [{ needs: { daily_care: { notes: '长'.repeat(501) } } }, 'needs.daily_care', '备注不能超过 500 个字符'],
  ]
  for (const [change, field, message] of cases) {
    const r = await a1.patch(`/api/v1/assessments/${d.id}`, { version: 1, ...change })
    assertError(assert, r, 400, 'invalid', field)
    assert.equal(r.body.error.message, message, JSON.stringify(change))
  }
  assert.equal((await current(d.id)).version, 1, 'nothing written')
  // What the tables accept: one special care as a text or none as an empty list, notes trimmed.
  const p = ok(await a1.patch(`/api/v1/assessments/${d.id}`, { version: 1, health: { special_care: '胃管', pain: '无' },
    needs: { comfort: { needed: false, items: [], notes: '  常有人探望 ' } } }))
  assert.equal(p.version, 2)
  const full = await current(d.id)
  assert.deepEqual(full.health, { special_care: '胃管', pain: '无' })
  assert.deepEqual(full.needs, { comfort: { needed: false, items: [], notes: '常有人探望' } })
  ok(await a1.patch(`/api/v1/assessments/${d.id}`, { version: 2, health: { special_care: [] } }))
})

test('every transition that is not allowed answers 409; review needs a note to return', async () => {
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'routine', items: items50 }), 201)
  let v = d.version
  assertError(assert, await step(civil, d.id, 'review', { version: v, decision: 'approve' }), 409, 'conflict', 'status')
  assertError(assert, await step(civil, d.id, 'publish', { version: v }), 409, 'conflict', 'status')
  assertError(assert, await step(civil, d.id, 'dispute', { version: v, reason: '不服' }), 409, 'conflict', 'status')
  v = ok(await step(a1, d.id, 'sign', { version: v })).version
  v = ok(await step(a2, d.id, 'sign', { version: v })).version
  v = ok(await step(a1, d.id, 'submit', { version: v })).version
  assertError(assert, await step(a1, d.id, 'submit', { version: v }), 409, 'conflict', 'status')
  assertError(assert, await a1.patch(`/api/v1/assessments/${d.id}`, { version: v, place: 'x' }), 409, 'conflict', 'status')
  assertError(assert, await step(civil, d.id, 'publish', { version: v }), 409, 'conflict', 'status')
  assertError(assert, await step(a1, d.id, 'review', { version: v, decision: 'approve' }), 403, 'forbidden')
  assertError(assert, await step(civil, d.id, 'review', { version: v, decision: 'return' }), 400, 'invalid', 'note')
  const back = ok(await step(civil, d.id, 'review', { version: v, decision: 'return', note: '第 B.3.4 项请复核' }))
  assert.equal(back.status, 'draft')
  assert.equal((await current(d.id)).signatures.length, 0, 'returned: the assessors sign again')
})

// RULE-ASSESS-015
test('publishing sets the elder\'s ability level and 失能 with the assessment as evidence, in one transaction', async () => {
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items: items50, assessed_on: '2025-12-01' }), 201)
  let v = d.version
  v = ok(await step(a1, d.id, 'sign', { version: v })).version
  v = ok(await step(a2, d.id, 'sign', { version: v })).version
  v = ok(await step(a1, d.id, 'submit', { version: v })).version
  v = ok(await step(lq, d.id, 'review', { version: v, decision: 'approve' })).version
  const pub = ok(await step(lq, d.id, 'publish', { version: v }))
  assert.equal(pub.status, 'published')
  assert.equal(pub.valid_until, '2026-12-01', 'valid for 12 months (setting)')
  const elder = ok(await civil.get(`/api/v1/elders/${elderId}`))
  assert.equal(elder.ability_level, 2)
  assert.ok(elder.categories.includes('disabled'), JSON.stringify(elder.categories))
  const cat = elder.category_evidence.find((c) => c.category === 'disabled')
  assert.equal(cat.source, 'assessment')
  assert.equal(cat.source_ref, `assessment:${d.id}`)
  assert.equal(cat.evidence_date, '2025-12-01')
  const audit = ok(await civil.get(`/api/v1/audit?action=assess.publish&target_id=${d.id}`))
  assert.equal(audit.total, 1)
  // The provider sees the level, never the item scores.
  const seen = ok(await provider.get(`/api/v1/assessments/${d.id}`))
  assert.equal(seen.final_level, 2)
  assert.equal(seen.final_level_name, '中度失能')
  for (const k of ['items', 'domain_scores', 'diagnoses', 'total', 'health']) assert.ok(!(k in seen), k)
  const hist = ok(await provider.get(`/api/v1/elders/${elderId}/assessments`))
  assert.ok(hist.items.every((h) => !('items' in h)))
  assertError(assert, await provider.post('/api/v1/assessments', { elder_id: elderId, reason: 'first', items: max }), 403, 'forbidden')
  // Needs of the latest published assessment.
  const needs = ok(await provider.get(`/api/v1/elders/${elderId}/needs`))
  assert.equal(needs.assessment_id, d.id)
})

// RULE-ASSESS-016 (the disputed result and the level stay until the re-assessment is published),
// RULE-ASSESS-014 (the re-assessment must answer the request its dispute opened; publishing closes it)
test('a dispute keeps the result and opens a re-assessment that other assessors must make', async () => {
  const hist0 = ok(await civil.get(`/api/v1/elders/${elderId}/assessments`)).items
  const published = hist0.find((h) => h.status === 'published')
  const disp = ok(await step(civil, published.id, 'dispute', { version: (await current(published.id)).version, reason: '家属认为评估时老人状态不佳' }))
  assert.equal(disp.status, 'disputed')
  assert.equal(ok(await civil.get(`/api/v1/elders/${elderId}`)).ability_level, 2, 'the level stays until the re-assessment is published')
  const due = ok(await civil.get('/api/v1/assessments/due?page_size=200'))
  assert.ok(due.items.some((i) => i.kind === 'request' && i.id === disp.request_id && i.disputed_id === published.id))
  assertError(assert, await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'reassessment', items: max }), 400, 'invalid', 'request_id')
  const items = [...max]
  items[0] = 0 // total 87 → level 1
  const re = ok(await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'reassessment', items, request_id: disp.request_id }), 201)
  let v = re.version
  // fg_assessor and fg_assessor2 signed the disputed one: neither may sign the re-assessment.
  const refused = await step(a1, re.id, 'sign', { version: v })
  assertError(assert, refused, 409, 'conflict')
  assert.match(refused.body.error.message, /原评估以外的评估员/)
  // A third, qualified assessor and one more are needed: qualify two new ones.
  // Assessor accounts come from the admin (an officer cannot grant a role holding assess.create).
  const admin = await s.login('admin')
  const qual = async (username, no) => {
    const created = ok(await admin.post('/api/v1/users', { username, display_name: `评估员${no}`, role: 'assessor', region_code: '520327', password: 'Assess12345' }), 201)
    ok(await civil.put(`/api/v1/users/${created.id}/qualification`, { certificate_no: `PG-TEST-${no}`, expires_on: '2030-01-01' }))
    const c = await s.login(username, 'Assess12345')
    // A password set by someone else is changed first.
    ok(await c.post('/api/v1/me/password', { old_password: 'Assess12345', new_password: 'Assess123456' }))
    return s.login(username, 'Assess123456')
  }
  const b1 = await qual('re_assessor1', 1)
  const b2 = await qual('re_assessor2', 2)
  v = ok(await step(b1, re.id, 'sign', { version: v })).version
  v = ok(await step(b2, re.id, 'sign', { version: v })).version
  v = ok(await step(b1, re.id, 'submit', { version: v })).version
  v = ok(await step(civil, re.id, 'review', { version: v, decision: 'approve' })).version
  ok(await step(civil, re.id, 'publish', { version: v }))
  assert.equal(ok(await civil.get(`/api/v1/elders/${elderId}`)).ability_level, 1)
  const after = ok(await civil.get(`/api/v1/elders/${elderId}/assessments`)).items
  assert.equal(after.find((h) => h.id === published.id).status, 'superseded', 'the earlier result stays in the history')
  assert.equal(after.find((h) => h.id === re.id).status, 'published')
  const reqs = ok(await civil.get('/api/v1/assessment-requests?status=done')).items
  assert.ok(reqs.some((q) => q.id === disp.request_id && q.assessment_id === re.id))
})

test('region scope: another township\'s assessments and elders are 404; the list is scoped', async () => {
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: otherId, reason: 'first', items: max }), 201)
  assertError(assert, await lq.get(`/api/v1/assessments/${d.id}`), 404, 'not_found')
  assertError(assert, await step(lq, d.id, 'review', { version: 1, decision: 'approve' }), 404, 'not_found')
  assert.equal(ok(await jx.get(`/api/v1/assessments/${d.id}`)).id, d.id)
  const list = ok(await lq.get('/api/v1/assessments?page_size=100'))
  assert.ok(list.items.every((i) => i.elder_id === elderId), 'only 龙泉街道')
  assertError(assert, await lq.get(`/api/v1/elders/${otherId}/needs`), 404, 'not_found')
})

test('the list searches by part of the elder\'s name (q); a name too long is 400', async () => {
  const all = ok(await civil.get('/api/v1/assessments?page_size=200'))
  const mine = all.items.filter((i) => i.elder_name.includes('乙'))
  assert.ok(mine.length > 0 && mine.length < all.items.length, 'the search narrows the list')
  const found = ok(await civil.get('/api/v1/assessments?page_size=200&q=' + encodeURIComponent('乙')))
  assert.equal(found.total, mine.length)
  assert.deepEqual(found.items.map((i) => i.id), mine.map((i) => i.id))
  assert.equal(ok(await civil.get('/api/v1/assessments?q=' + encodeURIComponent('无此人'))).total, 0)
  assertError(assert, await civil.get('/api/v1/assessments?q=' + encodeURIComponent('长'.repeat(51))), 400, 'invalid', 'q')
})

// RULE-ASSESS-014: officers request an immediate assessment
test('due list: results expiring within 30 days or expired; immediate requests from officers', async () => {
  // Published long ago: validity over.
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: otherId, reason: 'routine', items: items50, assessed_on: '2024-06-15' }), 201)
  let v = d.version
  v = ok(await step(a1, d.id, 'sign', { version: v })).version
  v = ok(await step(a2, d.id, 'sign', { version: v })).version
  v = ok(await step(a1, d.id, 'submit', { version: v })).version
  v = ok(await step(jx, d.id, 'review', { version: v, decision: 'approve' })).version
  assert.equal(ok(await step(jx, d.id, 'publish', { version: v })).valid_until, '2025-06-15')
  const due = ok(await civil.get('/api/v1/assessments/due?page_size=200')).items
  const row = due.find((i) => i.kind === 'expiring' && i.assessment_id === d.id)
  assert.ok(row, JSON.stringify(due))
  assert.equal(row.expired, true)
  assert.ok(row.days_left < 0)
  assertError(assert, await civil.get('/api/v1/assessments/due?within_days=x'), 400, 'invalid', 'within_days')
  const q = ok(await jx.post('/api/v1/assessment-requests', { elder_id: otherId, reason: 'immediate', source: 'alarm', note: '跌倒报警' }), 201)
  assert.equal(q.status, 'open')
  assertError(assert, await jx.post('/api/v1/assessment-requests', { elder_id: otherId, reason: 'whim' }), 400, 'invalid', 'reason')
  assertError(assert, await lq.post('/api/v1/assessment-requests', { elder_id: otherId, reason: 'immediate' }), 404, 'not_found')
  assert.ok(ok(await jx.get('/api/v1/assessments/due?page_size=200')).items.some((i) => i.kind === 'request' && i.id === q.id))
})

test('legacy MZ/T 039-2013 results keep their own scale and never set the ability level', async () => {
  const before = ok(await civil.get(`/api/v1/elders/${otherId}`)).ability_level
  const l = ok(await civil.post('/api/v1/assessments/legacy', { elder_id: otherId, level: 3, adl_score: 35, assessed_on: '2021-05-10', reference: '凤民评〔2021〕12号' }), 201)
  assert.equal(l.scale, 'MZ/T 039-2013')
  assert.equal(l.legacy_level_name, '重度失能')
  assertError(assert, await civil.post('/api/v1/assessments/legacy', { elder_id: otherId, level: 4, assessed_on: '2021-05-10' }), 400, 'invalid', 'level')
  assertError(assert, await a1.post('/api/v1/assessments/legacy', { elder_id: otherId, level: 1, assessed_on: '2021-05-10' }), 403, 'forbidden')
  assert.equal(ok(await civil.get(`/api/v1/elders/${otherId}`)).ability_level, before)
  const hist = ok(await civil.get(`/api/v1/elders/${otherId}/assessments`)).items
  const legacy = hist.find((h) => h.scale === 'MZ/T 039-2013')
  assert.equal(legacy.legacy_level, 3)
  assert.ok(!('final_level' in legacy), 'not converted to a GB/T 42195 level')
})

test('qualifications: only for assessors, in scope; the assessor list shows who may sign', async () => {
  const list = ok(await civil.get('/api/v1/assessors')).items
  const byName = Object.fromEntries(list.map((x) => [x.username, x]))
  assert.equal(byName.fg_assessor.qualified, true)
  assert.equal(byName.fg_assessor3.qualified, false)
  const helper = (await civil.get('/api/v1/users?q=lq_helper')).body.items[0]
  assertError(assert, await civil.put(`/api/v1/users/${helper.id}/qualification`, { certificate_no: 'X-1', expires_on: '2030-01-01' }), 400, 'invalid')
  assertError(assert, await civil.put(`/api/v1/users/${byName.fg_assessor3.id}/qualification`, { certificate_no: 'X-1', expires_on: '2030-02-30' }), 400, 'invalid', 'expires_on')
  assertError(assert, await lq.put(`/api/v1/users/${byName.fg_assessor3.id}/qualification`, { certificate_no: 'X-1', expires_on: '2030-01-01' }), 403, 'forbidden')
  // Renewed: the expired assessor may sign again.
  ok(await civil.put(`/api/v1/users/${byName.fg_assessor3.id}/qualification`, { certificate_no: 'PG-520300-2026-0999', expires_on: '2029-03-31' }))
  const d = ok(await a3.post('/api/v1/assessments', { elder_id: elderId, reason: 'other', items: max }), 201)
  assert.equal(ok(await step(a3, d.id, 'sign', { version: d.version })).signatures, 1)
})

test('legacy results from a file: the sixth import kind, idempotent, never converted', async () => {
  const { writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const before = ok(await civil.get(`/api/v1/elders/${elderId}`)).ability_level
  const csv = join(s.dir, '旧标准评估.csv')
  writeFileSync(csv, '身份证号,姓名,评估日期,评估等级,ADL得分,原始记录编号\n' +
    '11010519491231002X,流程甲,2020年3月5日,中度失能,55,凤民评〔2020〕3号\n' +
    '11010519491231002X,流程甲,2021-04-01,9,,\n' +
    '440524188001010014,流程乙,2019/12/31,1,80,\n')
  const bad = s.cli('import', '--kind', 'legacy_assessment', csv, '--commit')
  assert.match(bad.stdout.trim().split('\n').pop(), /"rejected":1,"committed":false/, 'all or nothing: the bad level refuses the file')
  writeFileSync(csv, '身份证号,姓名,评估日期,评估等级,ADL得分,原始记录编号\n' +
    '11010519491231002X,流程甲,2020年3月5日,中度失能,55,凤民评〔2020〕3号\n' +
    '440524188001010014,流程乙,2019/12/31,1,80,\n')
  const r = s.cli('import', '--kind', 'legacy_assessment', csv, '--commit')
  assert.match(r.stdout.trim().split('\n').pop(), /"rows":2,"accepted":2,"rejected":0,"committed":true/, r.stderr)
  assert.match(r.stderr, /新增 2/)
  const again = s.cli('import', '--kind', 'legacy_assessment', csv, '--commit')
  assert.match(again.stderr, /新增 0，变更 0，未变 2/, 're-importing the same file changes nothing')
  const hist = ok(await civil.get(`/api/v1/elders/${elderId}/assessments`)).items.filter((h) => h.kind === 'legacy')
  assert.ok(hist.some((h) => h.assessed_on === '2020-03-05' && h.legacy_level === 2 && h.legacy_level_name === '中度失能' && h.adl_score === 55))
  assert.equal(ok(await civil.get(`/api/v1/elders/${elderId}`)).ability_level, before, 'never sets the ability level')
  // Through the web upload only for those who may record legacy results.
  const up = await lq.request('POST', '/api/v1/imports?kind=legacy_assessment&filename=x.csv', 'a,b\n')
  assertError(assert, up, 403, 'forbidden', 'kind')
})

// RULE-ASSESS-014: an assessment answers an open request of the same elder only.
test('RULE-ASSESS-014: a request is answered by an assessment of its own elder, once', async () => {
  const q = ok(await civil.post('/api/v1/assessment-requests', { elder_id: elderId, reason: 'immediate', source: 'family', note: '家属反映' }), 201)
  assertError(assert, await a1.post('/api/v1/assessments', { elder_id: otherId, reason: 'immediate', items: items50, request_id: q.id }), 400, 'invalid', 'request_id')
  assertError(assert, await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'immediate', items: items50, request_id: 999999 }), 400, 'invalid', 'request_id')
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'immediate', items: items50, request_id: q.id }), 201)
  let v = d.version
  v = ok(await step(a1, d.id, 'sign', { version: v })).version
  v = ok(await step(a2, d.id, 'sign', { version: v })).version
  v = ok(await step(a1, d.id, 'submit', { version: v })).version
  v = ok(await step(lq, d.id, 'review', { version: v, decision: 'approve' })).version
  ok(await step(lq, d.id, 'publish', { version: v }))
  const done = ok(await civil.get('/api/v1/assessment-requests?status=done')).items.find((x) => x.id === q.id)
  assert.ok(done && done.assessment_id === d.id, 'publishing closes the request it answers')
  assertError(assert, await a1.post('/api/v1/assessments', { elder_id: elderId, reason: 'immediate', items: items50, request_id: q.id }), 409, 'conflict', 'request_id')
})

// Issue 10: a handler reads "now" once; the row it writes and its event carry that one time.
test('one request, one time: a draft and its create event, a signature and its sign event', async () => {
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: otherId, reason: 'first', items: items50 }), 201)
  ok(await step(a1, d.id, 'sign', { version: d.version }))
  const full = await current(d.id)
  const event = (action) => full.history.find((h) => h.action === action)
  assert.equal(event('create').at, full.created_at)
  assert.equal(event('sign').at, full.signatures[0].signed_at)
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
  assert.equal(full.assessed_on, today, 'the date left out is the request\'s day (China Standard Time)')
})
