// Welfare visits and referrals (issue 15): tiers derived from the registry with regional settings,
// responsible visitors with history, tasks per period (idempotent) and on events, overdue lists,
// visit records with the position check, the immediate home visit after an unanswered call, needs
// referred and followed to closure, the monthly visit rate against a hand-counted fixture, scope.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { finished, generateCampaign } from '../lib/visit.mjs'

let s, civil, lq, jx, helper, a1, a2
const E = {} // elder ids by letter
const V = '520327001001' // a village of 龙泉街道 (lq_officer, lq_helper)
const V2 = '520327101201' // a village of 进化镇 (jx_officer)
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text || JSON.stringify(r.body)); return r.body }

// The request's date in China (the server's r->today), and dates around it.
const cst = (ms) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)
const today = cst(Date.now())
const addDays = (d, n) => cst(Date.parse(d + 'T00:00:00Z') - 8 * 3600_000 + n * 86400_000 + 12 * 3600_000)
const year = Number(today.slice(0, 4))
// The end of this ISO week, month and quarter (RULE-VISIT-020).
function periodEnd(kind, d) {
  const t = new Date(d + 'T00:00:00Z')
  if (kind === 'week') { const wd = (t.getUTCDay() + 6) % 7; return addDays(d, 6 - wd) }
  const m = t.getUTCMonth()
  const last = kind === 'month' ? new Date(Date.UTC(t.getUTCFullYear(), m + 1, 0)) : new Date(Date.UTC(t.getUTCFullYear(), Math.floor(m / 3) * 3 + 3, 0))
  return last.toISOString().slice(0, 10)
}

// Hand-counted fixture: who is in which tier by the defaults of services.md (RULE-VISIT-001).
const people = [
  // letter, age, region, facts, expected tier
  ['A', 85, V, { living_arrangement: 'alone', lat: 27.80, lng: 107.72 }, 'high'],
  ['B', 70, V, { living_arrangement: 'alone', lat: 27.80, lng: 107.72 }, 'general'],
  ['C', 70, V, { economic_status: 'tekun', lat: 27.80, lng: 107.72 }, 'key'],
  ['D', 70, V, { fp_special: true }, 'key'],
  ['E', 70, V, { living_arrangement: 'with_children' }, 'none'],
  ['F', 82, V2, { living_arrangement: 'spouse_only' }, 'high'],
  ['G', 72, V, { living_arrangement: 'with_others', left_behind: true }, 'general'],
]

before(async () => {
  s = await new Server().start()
  ;[civil, lq, jx, helper, a1, a2] = await Promise.all(['fg_civil', 'lq_officer', 'jx_officer', 'lq_helper', 'fg_assessor', 'fg_assessor2'].map((u) => s.login(u)))
  let seq = 100
  for (const [k, age, region, facts] of people) {
    const birth = `${year - age - 1}0615`
    const r = await civil.post('/api/v1/elders', { name: `探访${k}`, id_number: idNumber('520327', birth, seq++), region_code: region, address: `${k}号`, phone: '13800001111', ...facts })
    E[k] = ok(r, 201).id
  }
})
after(async () => { await s.stop(); s.cleanup() })

// RULE-VISIT-062: generation runs as a job: 202 with the job, followed to its result.
async function gen(c, body) {
  const j = await finished(c, await c.post('/api/v1/visit-tasks/generate', body))
  assert.equal(j.status, 'done', JSON.stringify(j))
  assert.equal(j.kind, 'visit.generate')
  assert.equal(j.done, j.total)
  return j.result
}
const tier = async (k) => ok(await civil.get(`/api/v1/visit-targets/${E[k]}`)).tier
const tasksOf = async (c, q = '') => ok(await c.get(`/api/v1/visit-tasks?page_size=200${q}`)).items

test('RULE-VISIT-001 RULE-VISIT-020: tiers from the registry; one routine task per elder and period, a second run adds none', async () => {
  const g = await gen(civil, {})
  assert.equal(g.targets, 6)
  assert.equal(g.tasks_created, 6)
  for (const [k, , , , want] of people) assert.equal(await tier(k), want, `tier of ${k}`)
  const again = await gen(civil, {})
  assert.equal(again.tasks_created, 0, 'idempotent')
  assert.equal(again.tiers_changed, 0)
  const tasks = await tasksOf(civil)
  assert.equal(tasks.length, 6)
  const of = (k) => tasks.find((t) => t.elder_id === E[k])
  assert.equal(of('A').reason, 'week')
  assert.equal(of('A').due_date, periodEnd('week', today))
  assert.equal(of('A').tier_name, '高风险')
  assert.equal(of('C').reason, 'month')
  assert.equal(of('C').due_date, periodEnd('month', today))
  assert.equal(of('B').reason, 'quarter')
  assert.equal(of('B').due_date, periodEnd('quarter', today))
  assert.equal(of('E'), undefined, 'not a target group')
  assert.ok(!('phone' in of('A')) && of('A').phone_masked === '138****1111')
})

test('RULE-VISIT-002 RULE-VISIT-003: a county sets its own high tier; the longest region prefix wins; scope and input checked', async () => {
  const put = (c, body, tierId = 'high') => c.put(`/api/v1/visit-settings/${tierId}`, body)
  const county = { region_code: '520327', categories: 'living_alone,left_behind', min_age: 70, every: 'week', methods: 'home,phone', event_hours: 12 }
  assertError(assert, await put(jx, { ...county, region_code: '520327001' }), 403, 'forbidden', 'region_code')
  assertError(assert, await put(civil, { ...county, categories: 'living_alone,rich' }), 400, 'invalid', 'categories')
  assertError(assert, await put(civil, { ...county, every: 'daily' }), 400, 'invalid', 'every')
  assertError(assert, await put(civil, { ...county, methods: 'fax' }), 400, 'invalid', 'methods')
  assertError(assert, await put(civil, county, 'urgent'), 404, 'not_found')
  assertError(assert, await put(helper, county), 403, 'forbidden')
  ok(await put(civil, county))
  const eff = ok(await civil.get(`/api/v1/visit-settings?region=${V}`)).effective
  assert.equal(eff.find((r) => r.tier === 'high').region_code, '520327')
  assert.equal(eff.find((r) => r.tier === 'key').region_code, '')
  await gen(civil, {})
  assert.equal(await tier('B'), 'high', '70 living alone is high risk in this county')
  assert.equal(await tier('G'), 'high', '72 left behind')
  assert.equal(await tier('F'), 'general', 'empty nest is not high risk here')
  // Back to the national rule's terms for the rest of the file.
  ok(await put(civil, { region_code: '520327', categories: 'living_alone,empty_nest,left_behind', min_age: 80, every: 'week', methods: 'home,phone,video,remote', event_hours: 24 }))
  await gen(civil, {})
  for (const [k, , , , want] of people) assert.equal(await tier(k), want, `tier of ${k}`)
})

test('RULE-VISIT-010 RULE-VISIT-011 RULE-VISIT-012: bulk by village, reassignment keeps history, open tasks follow the visitor', async () => {
  const users = ok(await civil.get('/api/v1/users?page_size=100')).items
  const uid = (n) => users.find((u) => u.username === n).id
  assertError(assert, await civil.post('/api/v1/visit-assignments', { elder_id: E.A, region: V, visitor_id: uid('lq_helper') }), 400, 'invalid', 'elder_id')
  assertError(assert, await civil.post('/api/v1/visit-assignments', { region: '520327001', visitor_id: uid('lq_helper') }), 400, 'invalid', 'region')
  // RULE-VISIT-010: jx_officer's region does not contain 龙泉街道's elders.
  assertError(assert, await civil.post('/api/v1/visit-assignments', { region: V, visitor_id: uid('jx_officer') }), 422, 'unprocessable', 'visitor_id')
  assertError(assert, await helper.post('/api/v1/visit-assignments', { region: V, visitor_id: uid('lq_helper') }), 403, 'forbidden')
  const bulk = ok(await lq.post('/api/v1/visit-assignments', { region: V, visitor_id: uid('lq_helper') }))
  assert.equal(bulk.assigned, 5, 'A, B, C, D, G')
  assert.equal(bulk.visitor_kind, 'helper')
  assert.equal(ok(await lq.post('/api/v1/visit-assignments', { region: V, visitor_id: uid('lq_helper') })).assigned, 0, 'already theirs')
  // RULE-VISIT-025: the weekly tasks B and G had while the county rule made them high risk were
  // cancelled when they went back to the quarterly tier: one open task each.
  const mine = await tasksOf(helper, '&visitor=me')
  assert.deepEqual(mine.map((t) => t.elder_id).sort((x, y) => x - y), [E.A, E.B, E.C, E.D, E.G].sort((x, y) => x - y))
  assert.equal(mine.find((t) => t.elder_id === E.B).reason, 'quarter')
  const cancelled = await tasksOf(civil, '&status=cancelled')
  // F went the other way (high → general → high): its quarterly task is the cancelled one, its
  // weekly task opened again.
  const key = (t) => `${t[0]}:${t[1]}`
  assert.deepEqual(cancelled.map((t) => key([t.elder_id, t.reason])).sort(), [[E.B, 'week'], [E.G, 'week'], [E.F, 'quarter']].map(key).sort())
  // Reassign A to the street officer as a cadre.
  const re = ok(await lq.post('/api/v1/visit-assignments', { elder_id: E.A, visitor_id: uid('lq_officer'), note: '助老员休假' }))
  assert.equal(re.visitor_kind, 'cadre')
  const t = ok(await lq.get(`/api/v1/visit-targets/${E.A}`))
  assert.equal(t.visitor_id, uid('lq_officer'))
  assert.equal(t.history.length, 2)
  assert.equal(t.history[0].visitor_kind, 'cadre')
  assert.equal(t.history[0].to, null)
  assert.ok(t.history[1].to, 'the previous assignment ended')
  assert.ok(!(await tasksOf(helper, '&visitor=me')).some((x) => x.elder_id === E.A), 'A\'s open task moved')
  assert.ok((await tasksOf(lq, '&visitor=me')).some((x) => x.elder_id === E.A))
  // Scope: 进化镇's officer does not see 龙泉街道's elders.
  assertError(assert, await jx.get(`/api/v1/visit-targets/${E.A}`), 404, 'not_found')
  assert.equal((await tasksOf(jx)).length, 1, 'F only')
})

test('RULE-VISIT-022 RULE-VISIT-023 RULE-VISIT-024: a missed period caught up; overdue tasks on the supervisor\'s and the visitor\'s lists, overdue first', async () => {
  assertError(assert, await civil.post('/api/v1/visit-tasks/generate', { date: addDays(today, 1) }), 400, 'invalid', 'date')
  const past = addDays(today, -40)
  const g = await gen(civil, { date: past })
  assert.ok(g.tasks_created >= 4, 'last period\'s weekly and monthly tasks (and the quarter\'s when it differs)')
  const overdue = await tasksOf(lq, '&when=overdue')
  assert.ok(overdue.length >= 3, 'A\'s last week, C\'s and D\'s last month')
  assert.ok(overdue.every((t) => t.overdue && t.due_date < today && t.status === 'open'))
  assert.ok(overdue.every((t) => t.region_code.startsWith('520327001')), 'scoped to the street')
  const mineDue = await tasksOf(helper, '&visitor=me&when=due')
  const firstCurrent = mineDue.findIndex((t) => !t.overdue)
  assert.ok(firstCurrent > 0, 'overdue ones first')
  assert.ok(mineDue.slice(firstCurrent).every((t) => !t.overdue))
  assert.ok(mineDue.every((t) => t.start_date <= today))
  assertError(assert, await helper.get('/api/v1/visit-tasks?when=soon'), 400, 'invalid', 'when')
})

test('RULE-VISIT-021: a discharge opens one task due within the tier\'s event hours; a target only; in scope only', async () => {
  const r = ok(await helper.post('/api/v1/visit-tasks', { elder_id: E.C, reason: 'discharge', note: '县医院出院' }), 201)
  const again = ok(await helper.post('/api/v1/visit-tasks', { elder_id: E.C, reason: 'discharge' }))
  assert.equal(again.id, r.id)
  assert.equal(again.created, false)
  const t = (await tasksOf(helper, '&visitor=me')).find((x) => x.id === r.id)
  assert.equal(t.kind, 'event')
  assert.equal(t.reason, 'discharge')
  assert.ok(t.due_date >= addDays(today, 2) && t.due_date <= addDays(today, 3), `key tier: 72 h, ${t.due_date}`)
  assertError(assert, await helper.post('/api/v1/visit-tasks', { elder_id: E.E, reason: 'discharge' }), 422, 'unprocessable', 'elder_id')
  assertError(assert, await helper.post('/api/v1/visit-tasks', { elder_id: E.C, reason: 'alarm' }), 400, 'invalid', 'reason')
  assertError(assert, await jx.post('/api/v1/visit-tasks', { elder_id: E.C, reason: 'discharge' }), 404, 'not_found')
})

test('RULE-VISIT-030 RULE-VISIT-031 RULE-VISIT-032 RULE-VISIT-033: position flagged never refused, methods by tier, tasks done, unanswered high-risk call', async () => {
  // About 1.1 km from B's home: recorded, flagged far.
  const far = ok(await helper.post('/api/v1/visits', { elder_id: E.B, method: 'home', lat: 27.81, lng: 107.72, findings: { health: '血压偏高', hazards: ['gas', 'stairs'], living: '屋内整洁', mood: '良好', family_duty: '子女每周来电' } }), 201)
  assert.equal(far.position_flag, 'far')
  assert.ok(far.distance_m > 1100 && far.distance_m < 1125, String(far.distance_m))
  assert.ok(far.tasks_done >= 1, 'B\'s open tasks done')
  const near = ok(await helper.post('/api/v1/visits', { elder_id: E.C, method: 'home', lat: 27.8005, lng: 107.7201 }), 201)
  assert.equal(near.position_flag, 'ok')
  assert.equal(ok(await helper.post('/api/v1/visits', { elder_id: E.C, method: 'home' }), 201).position_flag, 'no_position')
  assert.equal(ok(await helper.post('/api/v1/visits', { elder_id: E.D, method: 'home', lat: 27.8, lng: 107.7 }), 201).position_flag, 'no_elder_position')
  assert.equal(ok(await helper.post('/api/v1/visits', { elder_id: E.D, method: 'phone' }), 201).position_flag, null)
  // Key tier: no remote monitoring by default.
  assertError(assert, await helper.post('/api/v1/visits', { elder_id: E.C, method: 'remote' }), 422, 'unprocessable', 'method')
  assertError(assert, await helper.post('/api/v1/visits', { elder_id: E.C, method: 'fax' }), 400, 'invalid', 'method')
  assertError(assert, await helper.post('/api/v1/visits', { elder_id: E.C, method: 'home', lat: 27.8 }), 400, 'invalid', 'lng')
  assertError(assert, await helper.post('/api/v1/visits', { elder_id: E.C, method: 'home', findings: { hazards: ['ghosts'] } }), 400, 'invalid', 'findings.hazards')
  assertError(assert, await helper.post('/api/v1/visits', { elder_id: E.E, method: 'phone' }), 422, 'unprocessable', 'elder_id')
  assertError(assert, await jx.post('/api/v1/visits', { elder_id: E.C, method: 'phone' }), 404, 'not_found')
  // A (high risk) does not answer: an immediate home visit, due today; a later answered call
  // leaves it open (it asks for a home visit), a home visit does it.
  const miss = ok(await helper.post('/api/v1/visits', { elder_id: E.A, method: 'phone', reached: false }), 201)
  assert.ok(miss.home_visit_task_id)
  assert.equal(miss.tasks_done, 0, 'an unanswered call does nothing')
  const task = () => tasksOf(lq, '&status=open').then((ts) => ts.find((t) => t.id === miss.home_visit_task_id))
  const t = await task()
  assert.equal(t.method, 'home')
  assert.equal(t.reason, 'unreachable')
  assert.equal(t.due_date, today)
  ok(await helper.post('/api/v1/visits', { elder_id: E.A, method: 'phone' }), 201)
  assert.ok(await task(), 'still open after a phone call')
  ok(await helper.post('/api/v1/visits', { elder_id: E.A, method: 'home', lat: 27.8, lng: 107.72 }), 201)
  assert.equal(await task(), undefined, 'done by the home visit')
  // A key-tier elder not reached by phone gets no such task.
  assert.equal(ok(await helper.post('/api/v1/visits', { elder_id: E.D, method: 'phone', reached: false }), 201).home_visit_task_id, undefined)
  const list = ok(await lq.get(`/api/v1/visits?elder_id=${E.B}`))
  assert.equal(list.total, 1)
  assert.deepEqual(list.items[0].findings.hazards, ['gas', 'stairs'])
})

test('RULE-VISIT-035 RULE-VISIT-036 RULE-VISIT-041: needs referred at the visit or later; an assessment referral follows its request to closure', async () => {
  const deadline = addDays(today, 7)
  assertError(assert, await helper.post('/api/v1/visits', { elder_id: E.G, method: 'home', needs: [{ kind: 'care', need: '助餐', target: 'taxi', deadline }] }), 400, 'invalid', 'needs[0].target')
  assertError(assert, await helper.post('/api/v1/visits', { elder_id: E.G, method: 'home', needs: [{ kind: 'care', need: '助餐', target: 'service_order', deadline: addDays(today, -1) }] }), 400, 'invalid', 'needs[0].deadline')
  assertError(assert, await helper.post('/api/v1/visits', { elder_id: E.G, method: 'home', needs: [{ kind: 'food', need: '助餐' }] }), 400, 'invalid', 'needs[0].kind')
  const v = ok(await helper.post('/api/v1/visits', { elder_id: E.G, method: 'home', needs: [
    { kind: 'care', need: '午餐不便，需要助餐上门', target: 'service_order', deadline },
    { kind: 'health', need: '行动变差，需要重新评估', target: 'assessment', deadline: addDays(today, 14) },
    { kind: 'mental', need: '情绪低落' },
  ] }), 201)
  assert.equal(v.needs.length, 3)
  const [order, assess, mental] = v.needs
  const need = async (id) => ok(await lq.get(`/api/v1/visit-needs/${id}`))
  const a = await need(assess)
  assert.equal(a.status, 'referred')
  assert.match(a.target_ref, /^assessment_request:\d+$/)
  assert.equal(a.target_status, 'open')
  const reqId = Number(a.target_ref.split(':')[1])
  const reqs = ok(await civil.get('/api/v1/assessment-requests?status=open')).items
  assert.ok(reqs.some((q) => q.id === reqId && q.source === 'visit'), 'the assessment module has the request')
  // RULE-VISIT-036: not closable while the assessment is not done.
  assertError(assert, await lq.post(`/api/v1/visit-needs/${assess}/close`, { version: a.version, outcome: '已评估' }), 409, 'conflict', 'target')
  // RULE-VISIT-089, RULE-SVC-230: the service referral opened an order (待派单) on the dispatch board, in the
  // care item the need's kind asks for (RULE-VISIT-086), due on the deadline's morning
  // (RULE-VISIT-087); the referral follows it (RULE-VISIT-088).
  const o = await need(order)
  assert.match(o.target_ref, /^service_order:\d+$/)
  assert.equal(o.target_status, 'open')
  assert.equal(o.target_detail, '待派单')
  const orderId = Number(o.target_ref.split(':')[1])
  const so = ok(await civil.get(`/api/v1/service/orders/${orderId}`))
  assert.equal(so.elder_id, E.G)
  assert.equal(so.status, 'created')
  assert.equal(so.channel, 'helper')
  assert.deepEqual(so.lines.map((l) => l.item_code), ['huli'])
  assert.match(so.note, /午餐不便/)
  assert.equal(so.window_start, `${deadline}T01:00:00Z`)
  assertError(assert, await helper.post(`/api/v1/visit-needs/${order}/close`, { version: o.version, outcome: 'x' }), 403, 'forbidden')
  assertError(assert, await lq.post(`/api/v1/visit-needs/${order}/close`, { version: o.version + 5, outcome: '已派单' }), 409, 'conflict', 'version')
  assertError(assert, await lq.post(`/api/v1/visit-needs/${order}/close`, { version: o.version, outcome: '已派单' }), 409, 'conflict', 'target')
  // The order ends (cancelled: the family arranged meals itself): the officer closes with the outcome.
  ok(await civil.post(`/api/v1/service/orders/${orderId}/cancel`, { reason: '家属已自行安排送餐' }))
  const ended = await need(order)
  assert.equal(ended.target_status, 'ended')
  assert.equal(ended.target_detail, '已取消')
  const closed = ok(await lq.post(`/api/v1/visit-needs/${order}/close`, { version: o.version, outcome: '家属已自行安排送餐' }))
  assert.equal(closed.status, 'closed')
  // A need recorded without a target is referred later.
  const m = await need(mental)
  assert.equal(m.status, 'recorded')
  const referred = ok(await helper.post(`/api/v1/visit-needs/${mental}/refer`, { version: m.version, target: 'bed', deadline }))
  assert.equal(referred.status, 'referred')
  // RULE-VISIT-089, RULE-BED-080, RULE-BED-081: a bed application in the bed module, at its first step.
  assert.match(referred.target_ref, /^bed:\d+$/)
  assert.equal(referred.target_status, 'open')
  const bed = ok(await lq.get(`/api/v1/beds/${referred.target_ref.split(':')[1]}`))
  assert.equal(bed.elder_id, E.G)
  assert.equal(bed.status, 'application')
  assert.equal(bed.applicant, 'helper')
  assertError(assert, await helper.post(`/api/v1/visit-needs/${mental}/refer`, { version: referred.version, target: 'bed', deadline }), 409, 'conflict', 'version')
  assertError(assert, await jx.get(`/api/v1/visit-needs/${mental}`), 404, 'not_found')
  // The assessment answers the request: published, the request is done, the referral closes.
  const items = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 2, 2, 2]
  const d = ok(await a1.post('/api/v1/assessments', { elder_id: E.G, reason: 'immediate', items, request_id: reqId }), 201)
  const step = (c, what, body) => c.post(`/api/v1/assessments/${d.id}/${what}`, body)
  let ver = d.version
  ver = ok(await step(a1, 'sign', { version: ver })).version
  ver = ok(await step(a2, 'sign', { version: ver })).version
  ver = ok(await step(a1, 'submit', { version: ver })).version
  ver = ok(await step(lq, 'review', { version: ver, decision: 'approve' })).version
  ok(await step(lq, 'publish', { version: ver }))
  assert.equal((await need(assess)).target_status, 'done')
  assert.equal(ok(await lq.post(`/api/v1/visit-needs/${assess}/close`, { version: a.version, outcome: '评估为中度失能，已纳入护理补贴' })).status, 'closed')
  const open = ok(await lq.get('/api/v1/visit-needs?status=referred')).items
  assert.deepEqual(open.map((x) => x.id), [mental])
  const stats = ok(await lq.get('/api/v1/visit-measures/referrals'))
  assert.equal(stats.referred, 3)
  assert.equal(stats.closed, 2)
  assert.equal(stats.closed_on_time, 2)
  assert.ok(Math.abs(stats.closure_rate - 2 / 3) < 1e-9)
  assert.ok(stats.mean_days_to_close >= 0 && stats.mean_days_to_close < 0.1)
})

test('RULE-VISIT-040 RULE-VISIT-042: the monthly visit rate against the hand count, per region, drillable, exportable, scoped', async () => {
  // Targets: A B C D G in 龙泉街道's village, F in 进化镇: 6.  This month A, B, C, D, G were
  // reached (D by phone, an unanswered call to D does not count on its own); F never: 5 / 6.
  // Last month: one visit back-dated to the 15th of last month, for F, who was not a target yet.
  const month = today.slice(0, 7)
  const r = ok(await civil.get(`/api/v1/visit-measures/rate?month=${month}`))
  assert.equal(r.targets, 6)
  assert.equal(r.visited, 5)
  assert.ok(Math.abs(r.rate - 5 / 6) < 1e-9)
  const byTownship = Object.fromEntries(r.children.map((c) => [c.region_code, c]))
  assert.equal(byTownship['520327001'].targets, 5)
  assert.equal(byTownship['520327001'].visited, 5)
  assert.equal(byTownship['520327101'].visited, 0)
  assert.equal(byTownship['520327101'].region_name, '进化镇')
  const unv = ok(await civil.get(`/api/v1/visit-measures/unvisited?month=${month}`))
  assert.deepEqual(unv.items.map((x) => x.elder_id), [E.F])
  // The visitor records F last month (jx_officer holds visit.record in 进化镇).
  const [y, m] = last(month)
  const lastMonth = `${y}-${String(m).padStart(2, '0')}`
  const at = Math.floor(Date.parse(`${lastMonth}-15T04:00:00Z`) / 1000)
  ok(await jx.post('/api/v1/visits', { elder_id: E.F, method: 'phone', visited_at: at }), 201)
  // RULE-VISIT-063: last month's list is last month's: these elders entered their tiers today, so
  // last month had none of them (today's list would say 1 / 6).
  const prev = ok(await civil.get(`/api/v1/visit-measures/rate?month=${lastMonth}`))
  assert.equal(prev.targets, 0)
  assert.equal(prev.visited, 0)
  assert.equal(ok(await civil.get(`/api/v1/visit-measures/unvisited?month=${lastMonth}`)).total, 0)
  // Scope: the street officer sees the street; a region beside the caller's is empty.
  const street = ok(await lq.get(`/api/v1/visit-measures/rate?month=${month}`))
  assert.equal(street.targets, 5)
  assert.equal(street.children[0].region_code, V)
  const beside = ok(await lq.get(`/api/v1/visit-measures/rate?month=${month}&region=520327101`))
  assert.equal(beside.targets, 0)
  assert.equal(ok(await jx.get(`/api/v1/visit-measures/unvisited?month=${month}`)).total, 1)
  assert.equal(ok(await lq.get(`/api/v1/visit-measures/unvisited?month=${month}`)).total, 0)
  assertError(assert, await lq.get('/api/v1/visit-measures/rate?month=2026-13'), 400, 'invalid', 'month')
  const csv = await civil.get(`/api/v1/visit-measures/unvisited/export?format=csv&month=${month}`, { raw: true })
  assert.equal(csv.status, 200)
  const text = csv.raw.toString('utf8')
  assert.match(text, /探访F/)
  assert.match(text, /空巢/)
  assert.doesNotMatch(text, /探访A/)
  const x = await civil.get(`/api/v1/visit-measures/unvisited/export?format=xlsx&month=${month}`, { raw: true })
  assert.equal(x.status, 200)
  assert.equal(x.raw.subarray(0, 2).toString(), 'PK')
  const audit = ok(await civil.get('/api/v1/audit?action=visit.export')).items
  assert.ok(audit.length >= 2)
})

function last(month) {
  let [y, m] = month.split('-').map(Number)
  m -= 1
  if (m === 0) { y -= 1; m = 12 }
  return [y, m]
}

test('RULE-VISIT-050: helpers per community against one per community, two above 500 elders', async () => {
  const h = ok(await civil.get('/api/v1/visit-measures/helpers'))
  const v = h.items.find((x) => x.region_code === V)
  assert.equal(v.elders, 6)
  assert.equal(v.helpers, 1, 'lq_helper, assigned as a helper')
  assert.equal(v.required, 1)
  assert.equal(v.meets, true)
  const v2 = h.items.find((x) => x.region_code === V2)
  assert.equal(v2.helpers, 0)
  assert.equal(v2.meets, false)
  assert.equal(h.short, 1)
  assert.equal(ok(await lq.get('/api/v1/visit-measures/helpers')).items.length, 1, 'scoped')
})

test('RULE-VISIT-060 RULE-VISIT-061: a visit sent again with its Idempotency-Key (an offline queue syncing late) is written once; the target carries what the form shows', async () => {
  const t = ok(await civil.get(`/api/v1/visit-targets/${E.D}`))
  assert.equal(t.name, '探访D')
  assert.equal(t.address, 'D号')
  assert.equal(t.phone_masked, '138****1111')
  assert.ok(!('phone' in t))
  const before = ok(await civil.get(`/api/v1/visits?elder_id=${E.D}&page_size=200`)).total
  const at = Math.floor(Date.now() / 1000) - 3600 // recorded an hour ago, offline
  const body = { elder_id: E.D, method: 'phone', visited_at: at, findings: { mood: '离线记录' }, needs: [{ kind: 'mental', need: '希望多来电话' }] }
  const key = { headers: { 'Idempotency-Key': `visit-${E.D}-00000001` } }
  // Two copies at once (a retry racing the first answer) and a third later: one visit.
  const [r1, r2] = await Promise.all([civil.post('/api/v1/visits', body, key), civil.post('/api/v1/visits', body, key)])
  const first = ok(r1, 201)
  assert.deepEqual(ok(r2, 201), first)
  const r3 = await civil.post('/api/v1/visits', body, key)
  assert.deepEqual(ok(r3, 201), first)
  assert.equal(r3.headers.get('idempotent-replayed'), 'true')
  const list = ok(await civil.get(`/api/v1/visits?elder_id=${E.D}&page_size=200`))
  assert.equal(list.total, before + 1, 'written once')
  assert.equal(ok(await civil.get(`/api/v1/visit-needs?elder_id=${E.D}&page_size=200`)).items.filter((n) => n.need === '希望多来电话').length, 1)
  // The same key for another record is refused; a malformed key too; without a key each is new.
  assertError(assert, await civil.post('/api/v1/visits', { ...body, findings: { mood: '另一条' } }, key), 409, 'conflict', 'Idempotency-Key')
  assertError(assert, await civil.post('/api/v1/visits', body, { headers: { 'Idempotency-Key': 'bad key' } }), 400, 'invalid', 'Idempotency-Key')
  // The key belongs to its user: another visitor's record under the same key is their own.
  const other = await lq.post('/api/v1/visits', body, key)
  assert.equal(other.status, 201)
  assert.notEqual(other.body.id, first.id)
})

test('RULE-VISIT-064: an identification run opens a visit task, within the tier\'s window, for each elder newly in special difficulty who is a visit target', async () => {
  const identify = async () => {
    const r = await civil.post('/api/v1/identify/runs')
    assert.equal(r.status, 202, JSON.stringify(r.body))
    for (let i = 0; i < 400; i++) {
      const j = (await civil.get(`/api/v1/jobs/${r.body.job_id}`)).body
      if (j.status === 'done') return j.result
      assert.notEqual(j.status, 'failed', JSON.stringify(j))
      await new Promise((done) => setTimeout(done, 25))
    }
    assert.fail('identification did not finish')
  }
  await identify() // the baseline (or a run that sees the elders above as known)
  // H: 85 and living alone (high tier, 24 h); I: 70 on 低保 with children (special, no visit tier).
  let seq = 200
  for (const [k, age, facts] of [['H', 85, { living_arrangement: 'alone' }], ['I', 70, { living_arrangement: 'with_children', economic_status: 'dibao' }]]) {
    const r = await civil.post('/api/v1/elders', { name: `探访${k}`, id_number: idNumber('520327', `${year - age - 1}0615`, seq++), region_code: V, address: `${k}号`, phone: '13800001111', ...facts })
    E[k] = ok(r, 201).id
  }
  const run = await identify()
  const newSpecial = ok(await civil.get(`/api/v1/identify/runs/${run.id}/lists/new_special?page_size=200`)).items.map((x) => x.name).sort()
  assert.deepEqual(newSpecial, ['探访H', '探访I'])
  const tasks = (await tasksOf(civil)).filter((t) => t.kind === 'event' && t.reason === 'identified')
  assert.deepEqual(tasks.map((t) => t.elder_id), [E.H], 'I is in no visit target group')
  assert.equal(tasks[0].due_date, cst(Date.now() + 24 * 3600_000)) // the high tier's 24 h
  assert.equal(await tier('H'), 'high')
  // A run that finds nothing new opens nothing more.
  await identify()
  assert.equal((await tasksOf(civil)).filter((t) => t.kind === 'event' && t.reason === 'identified').length, 1)
})

test('RULE-VISIT-065: a visit with an urgent finding raises an alarm on the alarm console; the visit shows it; a plain visit raises none', async () => {
  const before = ok(await civil.get('/api/v1/alarms?page_size=200')).total
  const v = ok(await helper.post('/api/v1/visits', { elder_id: E.A, method: 'phone', urgent: true, findings: { health: '胸闷气短，独自在家' } }), 201)
  assert.ok(v.alarm_id > 0, JSON.stringify(v))
  const list = ok(await civil.get('/api/v1/alarms?page_size=200'))
  assert.equal(list.total, before + 1)
  const a = list.items.find((x) => x.id === v.alarm_id)
  assert.equal(a.type, 'visit_urgent')
  assert.equal(a.elder_id, E.A)
  assert.equal(a.status, 'open')
  assert.equal(a.severity, 1)
  assert.equal(a.device_id, null)
  const detail = ok(await civil.get(`/api/v1/alarms/${v.alarm_id}`))
  assert.match(detail.steps[0].note, /探访发现紧急情况：胸闷气短/)
  // The console handles it like any alarm: acknowledged by the officer.
  assert.equal((await civil.post(`/api/v1/alarms/${v.alarm_id}/ack`, { version: detail.version })).status, 200)
  // The visit shows its alarm; a visit without an urgent finding raises none.
  const mine = ok(await civil.get(`/api/v1/visits?elder_id=${E.A}&page_size=200`)).items.find((x) => x.id === v.id)
  assert.equal(mine.alarm_id, v.alarm_id)
  assert.equal(mine.urgent, true)
  const plain = ok(await helper.post('/api/v1/visits', { elder_id: E.A, method: 'phone' }), 201)
  assert.equal(plain.alarm_id, undefined)
  assert.equal(ok(await civil.get('/api/v1/alarms?page_size=200')).total, before + 1)
  // Outside the alarm's region nobody sees it (jx_officer: 进化镇).
  assert.equal((await jx.get(`/api/v1/alarms/${v.alarm_id}`)).status, 404)
})

test('RULE-VISIT-070 RULE-VISIT-071 RULE-VISIT-072 RULE-VISIT-073: a cold-wave campaign: window, tiers and regions; tasks once; its own rate and unvisited list; scoped and audited', async () => {
  const end = addDays(today, 6)
  const body = { name: '寒潮专项探访', kind: 'weather', start_date: today, end_date: end, regions: [V, V2], tiers: ['high', 'key'], note: '寒潮预警期间逐一联系' }
  // Input checked, naming the field.
  assertError(assert, await civil.post('/api/v1/visit-campaigns', { ...body, end_date: addDays(today, -1) }), 400, 'invalid', 'end_date')
  assertError(assert, await civil.post('/api/v1/visit-campaigns', { ...body, tiers: ['urgent'] }), 400, 'invalid', 'tiers')
  assertError(assert, await civil.post('/api/v1/visit-campaigns', { ...body, kind: 'party' }), 400, 'invalid', 'kind')
  assertError(assert, await lq.post('/api/v1/visit-campaigns', { ...body, regions: [V2] }), 400, 'invalid', 'regions') // 进化镇 lies beside 龙泉街道
  assertError(assert, await civil.post('/api/v1/visit-campaigns', { ...body, end_date: addDays(today, 120) }), 400, 'invalid', 'end_date')
  const c = ok(await civil.post('/api/v1/visit-campaigns', body), 201)
  assert.equal(c.tiers, 'high,key')
  assert.equal(c.kind_name, '极端天气')
  // Tasks: the high and key targets of both villages, by their tiers now (the county's own high
  // tier of the test above applies).
  const g = await generateCampaign(civil, c.id)
  const want = []
  for (const k of Object.keys(E)) if (['high', 'key'].includes(await tier(k))) want.push(E[k])
  want.sort((x, y) => x - y)
  assert.ok(want.includes(E.C) && want.includes(E.F) && !want.includes(E.E) && !want.includes(E.I))
  assert.equal(g.tasks_created, want.length)
  assert.equal((await generateCampaign(civil, c.id)).tasks_created, 0, 'idempotent')
  const unv = ok(await civil.get(`/api/v1/visit-campaigns/${c.id}/unvisited?page_size=200`))
  assert.deepEqual(unv.items.map((x) => x.elder_id).sort((x, y) => x - y), want)
  assert.ok(unv.items.every((x) => x.due_date === end))
  // A visit in the window does the campaign's task: its own rate moves.
  ok(await helper.post('/api/v1/visits', { elder_id: E.C, method: 'phone' }), 201)
  const got = ok(await civil.get(`/api/v1/visit-campaigns/${c.id}`))
  assert.equal(got.scope_tasks, want.length)
  assert.equal(got.visited, 1)
  assert.ok(Math.abs(got.rate - 1 / want.length) < 1e-9)
  assert.equal(ok(await civil.get(`/api/v1/visit-campaigns/${c.id}/unvisited`)).total, want.length - 1)
  // Scope: the street officer sees the county's campaign with the street's figures only, and
  // may not generate it; the township beside sees its own.
  const street = ok(await lq.get(`/api/v1/visit-campaigns/${c.id}`))
  assert.equal(street.scope_tasks, want.length - 1) // all but F (进化镇)
  assert.equal(street.can_manage, false)
  assertError(assert, await lq.post(`/api/v1/visit-campaigns/${c.id}/generate`, {}), 403, 'forbidden')
  assert.equal(ok(await jx.get(`/api/v1/visit-campaigns/${c.id}/unvisited`)).total, 1)
  const mine = ok(await lq.post('/api/v1/visit-campaigns', { ...body, name: '春节走访', kind: 'festival', regions: [V], tiers: ['general'] }), 201)
  assert.equal((await jx.get(`/api/v1/visit-campaigns/${mine.id}`)).status, 404)
  assert.deepEqual(ok(await jx.get('/api/v1/visit-campaigns')).items.map((x) => x.id), [c.id])
  const list = ok(await civil.get('/api/v1/visit-campaigns')).items
  assert.deepEqual(list.map((x) => x.id).sort(), [c.id, mine.id].sort())
  // Audited.
  const audit = ok(await civil.get('/api/v1/audit?action=visit.campaign_generate')).items
  assert.ok(audit.length >= 2)
})

test('RULE-VISIT-066: a helper sets an elder\'s life-threatening condition (who, when, audited); the high tier uses it at any age; cleared, the tier falls back', async () => {
  // The county's own high tier (set above) names the condition too.
  ok(await civil.put('/api/v1/visit-settings/high', { region_code: '520327', categories: 'living_alone,empty_nest,left_behind,life_threatening', min_age: 80, every: 'week', methods: 'home,phone,video,remote', event_hours: 24 }))
  assert.equal(await tier('E'), 'none') // 70, living with children
  assertError(assert, await helper.put(`/api/v1/visit-targets/${E.E}/condition`, { life_threatening: true }), 400, 'invalid', 'note')
  assertError(assert, await helper.put(`/api/v1/visit-targets/${E.E}/condition`, { note: '晚期肺癌' }), 400, 'invalid', 'life_threatening')
  assert.equal((await jx.put(`/api/v1/visit-targets/${E.E}/condition`, { life_threatening: true, note: '晚期肺癌' })).status, 404, 'outside the scope')
  const t = ok(await helper.put(`/api/v1/visit-targets/${E.E}/condition`, { life_threatening: true, note: '晚期肺癌，居家治疗' }))
  assert.equal(t.tier, 'high')
  assert.equal(t.condition.life_threatening, true)
  assert.equal(t.condition.note, '晚期肺癌，居家治疗')
  assert.match(t.condition.set_by_name, /刘洋/)
  assert.ok(t.condition.set_at)
  const audit = ok(await civil.get('/api/v1/audit?action=visit.condition')).items
  assert.equal(audit.length, 1)
  // Weekly from now on: this period's routine task follows at the next generation.
  await gen(civil, { region: V })
  assert.ok((await tasksOf(civil)).some((x) => x.elder_id === E.E && x.reason === 'week'))
  const off = ok(await helper.put(`/api/v1/visit-targets/${E.E}/condition`, { life_threatening: false }))
  assert.equal(off.tier, 'none')
  assert.equal(off.condition.life_threatening, false)
  assert.equal(ok(await civil.get('/api/v1/audit?action=visit.condition')).items.length, 2)
})

test('RULE-VISIT-089 RULE-ENT-074: an entitlement referral checks the elder against the whole list; the referral shows the check and closes with the outcome', async () => {
  const deadline = addDays(today, 3)
  const v = ok(await helper.post('/api/v1/visits', { elder_id: E.G, method: 'home', needs: [
    { kind: 'economic', need: '生活困难，核查应享受的补贴', target: 'entitlement', deadline },
  ] }), 201)
  const n = ok(await lq.get(`/api/v1/visit-needs/${v.needs[0]}`))
  assert.equal(n.target_ref, `entitlement:${today}`)
  assert.equal(n.target_status, 'done')
  // The same answer as the elder's entitlement page: items, eligible, received, and the gap.
  const ents = ok(await civil.get(`/api/v1/elders/${E.G}/entitlements`)).items
  const eligible = ents.filter((x) => x.eligible === true)
  const gap = eligible.filter((x) => !x.receiving).map((x) => x.name)
  assert.ok(ents.length > 0)
  assert.ok(n.target_detail.startsWith(`清单 ${ents.length} 项，符合 ${eligible.length} 项，已享受 ${ents.filter((x) => x.receiving).length} 项`), n.target_detail)
  if (gap.length) assert.ok(n.target_detail.endsWith(`符合但尚未享受：${gap.join('、')}`), n.target_detail)
  assertError(assert, await jx.get(`/api/v1/visit-needs/${v.needs[0]}`), 404, 'not_found')
  const closed = ok(await lq.post(`/api/v1/visit-needs/${v.needs[0]}/close`, { version: n.version, outcome: '已申请高龄津贴' }))
  assert.equal(closed.status, 'closed')
  // RULE-BED-081: G already has a bed application (referred above): a second bed referral follows it.
  const beds = ok(await lq.get(`/api/v1/beds?elder_id=${E.G}`)).items
  assert.equal(beds.length, 1)
  const again = ok(await helper.post('/api/v1/visits', { elder_id: E.G, method: 'phone', needs: [
    { kind: 'safety', need: '卫生间无扶手', target: 'bed', deadline },
  ] }), 201)
  assert.equal(ok(await lq.get(`/api/v1/visit-needs/${again.needs[0]}`)).target_ref, `bed:${beds[0].id}`)
  assert.equal(ok(await lq.get(`/api/v1/beds?elder_id=${E.G}`)).items.length, 1)
})
