// Welfare visits (issue 15), what joins them to the rest: photos on a visit through src/attach,
// a visit task after an alarm, campaign generation as a job (one per region at a time), the
// unvisited export streamed, the demo's visit dates.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError } from '../lib/server.mjs'
import { sqlite } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'
import { finished, generate } from '../lib/visit.mjs'

let s, civil, admin, lq, jx, helper, caregiver
const E = {}
const V = '520327001001' // a village of 龙泉街道 (lq_officer, lq_helper)
const V2 = '520327101201' // a village of 进化镇 (jx_officer)
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text || JSON.stringify(r.body)); return r.body }
const cst = (ms) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)
const today = cst(Date.now())
const year = Number(today.slice(0, 4))

before(async () => {
  s = await new Server().start()
  ;[civil, admin, lq, jx, helper, caregiver] = await Promise.all(['fg_civil', 'admin', 'lq_officer', 'jx_officer', 'lq_helper', 'fg_caregiver'].map((u) => s.login(u)))
  let seq = 300
  for (const [k, region] of [['A', V], ['B', V], ['F', V2]]) {
    const r = await civil.post('/api/v1/elders', { name: `接缝${k}`, id_number: idNumber('520327', `${year - 86}0301`, seq++),
      region_code: region, address: `${k}号`, phone: '13800004444', living_arrangement: 'alone' })
    E[k] = ok(r, 201).id
  }
  await generate(civil, '520327')
})
after(async () => { await s.stop(); s.cleanup() })

const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex')
const upload = (c, id, q = {}) => c.request('POST', '/api/v1/attachments?' + new URLSearchParams({ owner_kind: 'visit', owner_id: String(id), tag: 'hazard', filename: '燃气灶.png', ...q }), png)

test('RULE-VISIT-080: a visit takes photos through the attachment module, scoped and audited like the visit, shown on the visit record', async () => {
  const v = ok(await helper.post('/api/v1/visits', { elder_id: E.A, method: 'phone', findings: { hazards: ['gas'] } }), 201)
  const a = ok(await upload(helper, v.id, { note: '燃气软管老化' }), 201)
  assert.equal(a.content_type, 'image/png')
  assert.equal(a.tag, 'hazard')
  // The visit record shows its photos; the photo itself comes back to whoever may see the visit.
  const got = ok(await lq.get(`/api/v1/visits/${v.id}`))
  assert.equal(got.elder_id, E.A)
  assert.deepEqual(got.attachments.map((x) => [x.id, x.tag, x.note]), [[a.id, 'hazard', '燃气软管老化']])
  assert.ok((await civil.get(a.url, { raw: true })).raw.equals(png))
  // Audited with the visit as target, in the visit's region.
  const audit = ok(await admin.get('/api/v1/audit?action=attachment.create&page_size=200')).items
  const e = audit.find((x) => x.target_type === 'visit' && x.target_id === String(v.id))
  assert.ok(e, 'audited')
  assert.equal(e.region_code, V)
  // Scope: 进化镇's officer sees neither the visit nor its photo (404 like a missing one), and may
  // not attach to it; a caregiver holds no visit permission.
  assertError(assert, await jx.get(`/api/v1/visits/${v.id}`), 404, 'not_found')
  assert.equal((await jx.get(a.url, { raw: true })).status, 404)
  assertError(assert, await upload(jx, v.id), 404, 'not_found', 'owner_id')
  assert.equal((await caregiver.get(a.url, { raw: true })).status, 404)
  assertError(assert, await upload(helper, 999999), 404, 'not_found', 'owner_id')
  assertError(assert, await upload(helper, v.id, { tag: 'selfie' }), 400, 'invalid', 'tag')
  assertError(assert, await civil.get('/api/v1/visits/999999'), 404, 'not_found')
  // A referral past its deadline is overdue on the needs list (computed with the list).
  const w = ok(await helper.post('/api/v1/visits', { elder_id: E.A, method: 'phone', needs: [{ kind: 'safety', need: '更换燃气软管', target: 'service_order', deadline: today }] }), 201)
  assert.equal(ok(await lq.get(`/api/v1/visit-needs/${w.needs[0]}`)).status, 'referred')
  const overdue = async () => ok(await lq.get('/api/v1/visit-needs?overdue=1&page_size=200')).items.filter((x) => x.id === w.needs[0])
  assert.equal((await overdue()).length, 0)
  sqlite(s.db, `UPDATE visit_needs SET deadline = '2020-01-01' WHERE id = ${w.needs[0]}`)
  const [late] = await overdue()
  assert.equal(late.overdue, true)
  // The owner's list through the attachment routes.
  assert.equal(ok(await lq.get(`/api/v1/attachments?owner_kind=visit&owner_id=${v.id}`)).items.length, 1)
})

test('RULE-VISIT-081: an alarm closed as a real emergency or a need for help gets the elder one follow-up visit task; a false alarm none', async () => {
  const alarmTasks = async () => ok(await civil.get('/api/v1/visit-tasks?page_size=200')).items.filter((t) => t.elder_id === E.B && t.reason === 'alarm')
  assert.equal((await alarmTasks()).length, 0)
  // Two alarms for B (raised by urgent findings: alarms without a device), each acknowledged.
  const raise = async () => {
    const v = ok(await helper.post('/api/v1/visits', { elder_id: E.B, method: 'phone', urgent: true, findings: { health: '摔倒后起不来' } }), 201)
    const a = ok(await civil.get(`/api/v1/alarms/${v.alarm_id}`))
    return ok(await civil.post(`/api/v1/alarms/${a.id}/ack`, { version: a.version }))
  }
  const fake = await raise()
  ok(await civil.post(`/api/v1/alarms/${fake.id}/close`, { outcome: 'false_alarm', note: '误按' }))
  assert.equal((await alarmTasks()).length, 0, 'a false alarm calls for no visit')
  const real = await raise()
  ok(await civil.post(`/api/v1/alarms/${real.id}/close`, { outcome: 'needed_help', note: '已送医' }))
  const tasks = await alarmTasks()
  assert.equal(tasks.length, 1)
  assert.equal(tasks[0].kind, 'event')
  assert.equal(tasks[0].status, 'open')
  assert.match(tasks[0].note, new RegExp(`告警 #${real.id}`))
  // Due within the tier's event hours (the high tier: 24 h): today or tomorrow.
  assert.ok(tasks[0].due_date >= today && tasks[0].due_date <= cst(Date.now() + 86400_000), tasks[0].due_date)
  // The close's audit entry names the task.
  const audit = ok(await admin.get('/api/v1/audit?action=alarm.close&page_size=200')).items.find((x) => x.target_id === String(real.id))
  assert.equal(audit.detail.visit_task_id, tasks[0].id)
  // A visit afterwards does it like any task (RULE-VISIT-032).
  ok(await helper.post('/api/v1/visits', { elder_id: E.B, method: 'phone' }), 201)
  assert.equal((await alarmTasks()).length, 0, 'no longer open')
  const done = ok(await civil.get('/api/v1/visit-tasks?status=done&page_size=200')).items.filter((t) => t.id === tasks[0].id)
  assert.equal(done.length, 1)
})

const addDays = (d, n) => cst(Date.parse(d + 'T00:00:00Z') - 8 * 3600_000 + n * 86400_000 + 12 * 3600_000)
const locks = () => sqlite(s.db, 'SELECT count(*) FROM visit_generation_locks')

test('RULE-VISIT-082 RULE-VISIT-083: a campaign\'s tasks are generated by a job; never two generations at once for a region (409), a finished or abandoned holder taken over', async () => {
  const c = ok(await civil.post('/api/v1/visit-campaigns', { name: '高温专项探访', kind: 'weather', start_date: today, end_date: addDays(today, 3), regions: [V, V2], tiers: ['high'] }), 201)
  const j = await finished(civil, await civil.post(`/api/v1/visit-campaigns/${c.id}/generate`, {}))
  assert.equal(j.status, 'done', JSON.stringify(j))
  assert.equal(j.kind, 'visit.campaign_generate')
  assert.equal(j.result.tasks_created, j.result.tasks)
  assert.ok(j.result.tasks >= 3, JSON.stringify(j.result)) // A, B (龙泉街道) and F (进化镇) at least
  assert.equal(ok(await civil.get(`/api/v1/visit-campaigns/${c.id}`)).scope_tasks, j.result.tasks)
  assert.equal((await finished(civil, await civil.post(`/api/v1/visit-campaigns/${c.id}/generate`, {}))).result.tasks_created, 0, 'again: none twice')
  const audit = ok(await admin.get('/api/v1/audit?action=visit.campaign_generate&page_size=200')).items.filter((x) => x.target_id === String(c.id))
  assert.equal(audit.length, 2)
  assert.equal(audit[0].username, 'fg_civil')
  assert.equal(locks(), '0', 'each job gave its lock back')
  // A generation of 龙泉街道 queued (its lock taken, its job not yet known): the county's
  // generations, routine or campaign, and the township's own wait (409 naming the region); the
  // township beside may go on.
  const now = Math.floor(Date.now() / 1000)
  sqlite(s.db, `INSERT INTO visit_generation_locks(region_code, kind, created_at) VALUES ('520327001', 'routine', ${now})`)
  for (const r of [await civil.post('/api/v1/visit-tasks/generate', {}), await civil.post(`/api/v1/visit-campaigns/${c.id}/generate`, {}),
    await lq.post('/api/v1/visit-tasks/generate', { region: V })]) {
    assertError(assert, r, 409, 'conflict', 'region')
    assert.match(r.body.error.message, /龙泉街道”的探访任务正在生成/)
  }
  assert.equal((await finished(jx, await jx.post('/api/v1/visit-tasks/generate', {}))).status, 'done')
  // A holder whose job is over (done) or that never got a job in 2 minutes is taken over.
  sqlite(s.db, `UPDATE visit_generation_locks SET job_id = ${j.id}`)
  assert.equal((await finished(civil, await civil.post('/api/v1/visit-tasks/generate', {}))).status, 'done')
  sqlite(s.db, `INSERT INTO visit_generation_locks(region_code, kind, created_at) VALUES ('520327001', 'campaign', ${now - 600})`)
  assert.equal((await finished(civil, await civil.post(`/api/v1/visit-campaigns/${c.id}/generate`, {}))).status, 'done')
  assert.equal(locks(), '0')
  // Two at once from the page: whatever the timing, never two running for the county.
  const both = await Promise.all([civil.post('/api/v1/visit-tasks/generate', {}), civil.post('/api/v1/visit-tasks/generate', {})])
  assert.ok(both.every((r) => r.status === 202 || r.status === 409), both.map((r) => r.status).join())
  for (const r of both) if (r.status === 202) await finished(civil, r)
  assert.equal(locks(), '0')
})

test('RULE-VISIT-085: the demo\'s visits are dated sensibly: none in the future, none doing a task before its start, a campaign\'s tasks done only inside its window', async () => {
  const d = await new Server({ env: { ANLAO_DEMO_ELDERS: '600' } }).start()
  try {
    const q = (sql) => sqlite(d.db, sql)
    const now = Math.floor(Date.now() / 1000)
    assert.ok(Number(q('SELECT count(*) FROM visit_records')) > 50)
    assert.equal(q(`SELECT count(*) FROM visit_records WHERE visited_at > ${now} OR visit_date > '${today}'`), '0')
    assert.equal(q('SELECT count(*) FROM visit_tasks k JOIN visit_records v ON v.id = k.visit_id WHERE v.visit_date < k.start_date'), '0')
    assert.equal(q('SELECT count(*) FROM visit_tasks k JOIN visit_records v ON v.id = k.visit_id WHERE v.method <> k.method'), '0')
    // Every done task has its visit (the demo marks nothing done without one), and some stay
    // open: a visit earlier in the month does not do this week's task.
    assert.equal(q("SELECT count(*) FROM visit_tasks WHERE status = 'done' AND visit_id IS NULL"), '0')
    assert.ok(Number(q("SELECT count(*) FROM visit_tasks WHERE status = 'done'")) > 50)
    // The demo's cold-wave campaign: some of its tasks done by today's visits, inside the window.
    const c = await d.login('fg_civil')
    const camp = ok(await c.get('/api/v1/visit-campaigns')).items.find((x) => x.name === '寒潮专项探访')
    assert.ok(camp.scope_tasks > 0 && camp.visited > 0 && camp.visited < camp.scope_tasks, JSON.stringify(camp))
    assert.equal(q(`SELECT count(*) FROM visit_tasks k JOIN visit_records v ON v.id = k.visit_id WHERE k.dedupe = 'campaign:${camp.id}' AND (v.visit_date < k.start_date OR v.visit_date > k.due_date)`), '0')
  } finally {
    await d.stop()
    d.cleanup()
  }
})

const exportLines = () => s.log.split('\n').filter((l) => /"msg":"export \/api\/v1\/visit-measures\/unvisited\/export/.test(l))

test('RULE-VISIT-084: the unvisited export is read a page at a time and streamed; its rows are the list\'s; audited with the count', async () => {
  // More unvisited targets than one export page (200): 230 elders of 85 living alone.
  for (let i = 0; i < 230; i++) {
    ok(await civil.post('/api/v1/elders', { name: `未访${i}`, id_number: idNumber('520327', `${year - 86}0${1 + (i % 9)}1${i % 10}`, 400 + i),
      region_code: V, address: `幸福路${i}号`, phone: '13800005555', living_arrangement: 'alone' }), 201)
  }
  await generate(civil, '520327001')
  const month = today.slice(0, 7)
  const list = []
  for (let page = 1; ; page++) {
    const b = ok(await civil.get(`/api/v1/visit-measures/unvisited?month=${month}&page_size=200&page=${page}`))
    list.push(...b.items)
    if (list.length >= b.total) break
  }
  assert.ok(list.length > 230, String(list.length))
  const before = exportLines().length
  const r = await civil.get(`/api/v1/visit-measures/unvisited/export?format=csv&month=${month}`, { raw: true })
  assert.equal(r.status, 200)
  assert.equal(r.headers.get('transfer-encoding'), 'chunked', 'streamed, not one body')
  const rows = r.raw.toString('utf8').slice(1).split('\r\n').filter((l) => l).map((l) => l.split(','))
  assert.deepEqual(rows[0], ['老人', '村（社区）', '住址', '电话', '探访分级', '纳入原因', '探访人'])
  assert.equal(rows.length, list.length + 1)
  assert.deepEqual(rows.slice(1).map((x) => x[0]).sort(), list.map((x) => x.name).sort())
  const mine = rows.find((x) => x[0] === '未访7')
  assert.equal(mine[2], '幸福路7号')
  assert.match(mine[3], /^138\*+5555$/, 'the phone masked')
  assert.equal(mine[4], '高风险')
  assert.match(mine[5], /独居/)
  let line
  for (let i = 0; i < 250 && !(line = exportLines().slice(before).find((l) => / sent: /.test(l))); i++) await new Promise((d) => setTimeout(d, 20))
  const m = line && line.match(/sent: (\d+) rows, (\d+) pages/)
  assert.ok(m, 'the export logged: ' + exportLines().join('\n'))
  assert.equal(Number(m[1]), list.length)
  assert.equal(Number(m[2]), Math.ceil(list.length / 200) + (list.length % 200 === 0 ? 1 : 0))
  const audit = ok(await admin.get('/api/v1/audit?action=visit.export&page_size=200')).items[0]
  assert.equal(audit.detail.rows, list.length)
  // Outside the caller's scope nothing; the XLSX too.
  const x = await civil.get(`/api/v1/visit-measures/unvisited/export?format=xlsx&month=${month}`, { raw: true })
  assert.equal(x.raw.subarray(0, 2).toString(), 'PK')
  const beside = await lq.get(`/api/v1/visit-measures/unvisited/export?format=csv&month=${month}&region=520327101`, { raw: true })
  assert.equal(beside.raw.toString('utf8').slice(1).split('\r\n').filter((l) => l).length, 1, 'the headings alone')
})
