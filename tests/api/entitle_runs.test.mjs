// Entitlement runs and their worklists (issue 12, RULE-ENT-060..068): a run evaluates every elder
// of a region (a job from the page, `anlao entitle` from a shell), keeps each elder's set, records
// each change since the last run with the rule version and the deciding inputs, and writes the
// worklists 待落实 / 需核查 / 重复享受 / 新增符合 / 不再符合, scoped, paged and exported.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError, sleep, sqlite } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, fg, lq, jx, helper, ids
const test = serverTest(() => [s])

const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }

async function run(client, body = {}) {
  const r = ok(await client.post('/api/v1/entitle/runs', body), 202)
  for (let i = 0; i < 400; i++) {
    const job = (await client.get(`/api/v1/jobs/${r.job_id}`)).body
    if (job.status === 'done') return job.result
    assert.notEqual(job.status, 'failed', JSON.stringify(job))
    await sleep(25)
  }
  assert.fail('the entitlement job did not finish')
}

const list = async (c, run, name, q = '') => ok(await c.get(`/api/v1/entitle/runs/${run}/lists/${name}?page_size=200${q}`))
const byName = (l) => Object.fromEntries(l.items.map((i) => [i.name, i.items.map((x) => x.item_key).sort()]))

before(async () => {
  s = await Server.start()
  ;[fg, lq, jx, helper] = await Promise.all(['fg_civil', 'lq_officer', 'jx_officer', 'lq_helper'].map((u) => s.login(u)))
  const elder = async (name, birth, seq, region, extra = {}) =>
    ok(await fg.post('/api/v1/elders', { name, id_number: idNumber('520327', birth, seq), region_code: region, address: '一号', phone: '13800001234', ...extra }), 201).id
  ids = {
    // 特困, 86: receives two items that exclude each other (养老服务补贴 and 特困供养).
    a: await elder('甲老人', '19400301', 11, '520327001001', { economic_status: 'tekun', living_arrangement: 'alone' }),
    // 66, 一般: receives 高龄津贴 without being entitled to it.
    b: await elder('乙老人', '19600601', 12, '520327001001', { economic_status: 'general' }),
    // 80 on 2026-12-15: 高龄津贴 and 助餐补贴 come with the birthday.
    d: await elder('丁老人', '19461215', 13, '520327001002', { economic_status: 'general' }),
    // another township (进化镇): outside 龙泉街道's scope.
    c: await elder('丙老人', '19350101', 14, '520327101201', { economic_status: 'dibao' }),
  }
  const benefit = (elder_id, item_key) => fg.post('/api/v1/entitle/benefits', { elder_id, item_key, from_date: '2026-01-01', source: 'manual' })
  ok(await benefit(ids.a, 'fuwu_butie'), 201)
  ok(await benefit(ids.a, 'tekun_gongyang'), 201)
  ok(await benefit(ids.b, 'gaoling_jintie'), 201)
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

let r1, r2
test('RULE-ENT-060, RULE-ENT-062, RULE-ENT-064: the first run sets the baseline and writes 待落实, 需核查 and 重复享受', async () => {
  r1 = await run(fg, { date: '2026-12-01' })
  assert.equal(r1.baseline, true)
  assert.equal(r1.elders, 4)
  assert.equal(r1.gained, 0, 'a baseline records no changes')
  assert.ok(r1.evaluations >= 4 * 12, JSON.stringify(r1))
  const review = byName(await list(fg, r1.run_id, 'review'))
  assert.deepEqual(review, { 乙老人: ['gaoling_jintie'] })
  const dup = byName(await list(fg, r1.run_id, 'dup'))
  assert.deepEqual(dup, { 甲老人: ['fuwu_butie', 'tekun_gongyang'] })
  const todo = byName(await list(fg, r1.run_id, 'todo'))
  assert.ok(todo['甲老人'].includes('gaoling_jintie'), JSON.stringify(todo))
  assert.ok(!todo['甲老人'].includes('tekun_gongyang'), 'received: not on 待落实')
  assert.ok(!(todo['丁老人'] || []).includes('gaoling_jintie'), '79 on the run date')
  const row = (await list(fg, r1.run_id, 'todo')).items.find((i) => i.name === '甲老人')
  assert.equal(row.birth_year, 1940)
  assert.equal(row.birth_date, undefined, 'RULE-PII-001: the year only')
  assert.match(row.phone_masked, /^138\*\*\*\*1234$/)
  assert.match(row.items_text, /高龄津贴/)
  assert.equal((await list(fg, r1.run_id, 'gained')).total, 0)
})

test('RULE-ENT-061, RULE-ENT-062, RULE-ENT-068: a later run records each change with the rule version and the deciding inputs', async () => {
  r2 = await run(fg, { date: '2027-01-01' })
  assert.equal(r2.baseline, false)
  const gained = byName(await list(fg, r2.run_id, 'gained'))
  assert.deepEqual(gained, { 丁老人: ['gaoling_jintie', 'zhucan_butie'] })
  assert.equal(r2.gained, 2)
  assert.equal(r2.lost, 0)
  // Only the changed set is written again (RULE-ENT-061): 丁's row carries run 2, the others run 1.
  const state = sqlite(s.db, `SELECT elder_id, run_id FROM entitle_state ORDER BY elder_id`)
  assert.match(state, new RegExp(`${ids.d}\\|${r2.run_id}`))
  assert.match(state, new RegExp(`${ids.a}\\|${r1.run_id}`))
  // Why: the rule of then, its version, and the inputs in sentences, kept after the facts move on.
  const ch = ok(await lq.get(`/api/v1/elders/${ids.d}/entitlement-changes`))
  const g = ch.items.find((x) => x.item_key === 'gaoling_jintie')
  assert.equal(g.gained, true)
  assert.equal(g.run_id, r2.run_id)
  assert.equal(g.on_date, '2027-01-01')
  assert.equal(g.rule_version, 1)
  assert.equal(g.rule_text, '年龄 >= 高龄年龄')
  assert.deepEqual(g.inputs.conditions, ['年满 80 周岁：是（80 周岁）'])
  // Back to the earlier date: the two items are no longer entitled.
  const r3 = await run(fg, { date: '2026-12-01' })
  assert.deepEqual(byName(await list(fg, r3.run_id, 'lost')), { 丁老人: ['gaoling_jintie', 'zhucan_butie'] })
  const lost = ok(await fg.get(`/api/v1/elders/${ids.d}/entitlement-changes`)).items.find((x) => x.run_id === r3.run_id && x.item_key === 'gaoling_jintie')
  assert.equal(lost.gained, false)
  assert.deepEqual(lost.inputs.missing, ['年满 80 周岁'])
  // Outside the caller's scope: as if the elder did not exist.
  assertError(await jx.get(`/api/v1/elders/${ids.d}/entitlement-changes`), 404, 'not_found')
})

test('RULE-ENT-065, RULE-SCOPE-001: worklists are read within the caller\'s region; runs outside it are not found', async () => {
  const mine = await list(lq, r1.run_id, 'todo')
  assert.ok(mine.items.length > 0)
  assert.ok(mine.items.every((i) => i.region_code.startsWith('520327001')), JSON.stringify(mine.items.map((i) => i.region_code)))
  const theirs = await list(jx, r1.run_id, 'todo')
  assert.deepEqual(theirs.items.map((i) => i.name), ['丙老人'])
  // A helper reads the lists of their community too (elder.read), but may not start a run.
  assert.ok((await list(helper, r1.run_id, 'todo')).total >= 1)
  assertError(await helper.post('/api/v1/entitle/runs', {}), 403, 'forbidden')
  // A township officer runs over their own township only.
  assertError(await lq.post('/api/v1/entitle/runs', { region_code: '520327101' }), 403, 'forbidden', 'region_code')
  const own = await run(lq, { region_code: '520327001', date: '2027-01-01' })
  assert.equal(own.elders, 3)
  // jx does not see lq's run at all.
  assertError(await jx.get(`/api/v1/entitle/runs/${own.run_id}/lists/todo`), 404, 'not_found')
  const runs = ok(await jx.get('/api/v1/entitle/runs')).items.map((x) => x.id)
  assert.ok(!runs.includes(own.run_id) && runs.includes(r1.run_id))
  assertError(await fg.get(`/api/v1/entitle/runs/${r1.run_id}/lists/nope`), 404, 'not_found')
  assertError(await fg.post('/api/v1/entitle/runs', { region_code: '52032' }), 400, 'invalid', 'region_code')
  assertError(await fg.post('/api/v1/entitle/runs', { date: '2027-13-01' }), 400, 'invalid', 'date')
  // Paged: one row per page, the same total.
  const p1 = ok(await fg.get(`/api/v1/entitle/runs/${r1.run_id}/lists/todo?page_size=1`))
  const p2 = ok(await fg.get(`/api/v1/entitle/runs/${r1.run_id}/lists/todo?page_size=1&page=2`))
  assert.equal(p1.items.length, 1)
  assert.equal(p1.total, p2.total)
  assert.notEqual(p1.items[0].elder_id, p2.items[0].elder_id)
})

test('RULE-ENT-067: a worklist exports to CSV and XLSX within scope, and the export is audited', async () => {
  const csv = await lq.get(`/api/v1/entitle/runs/${r1.run_id}/lists/todo/export?format=csv`, { check: false })
  assert.equal(csv.status, 200)
  const text = csv.text
  assert.match(text, /序号,姓名,性别,出生年份/)
  assert.match(text, /甲老人/)
  assert.doesNotMatch(text, /丙老人/, 'another township')
  const xlsx = await fg.get(`/api/v1/entitle/runs/${r1.run_id}/lists/dup/export?format=xlsx`, { check: false })
  assert.equal(xlsx.status, 200)
  assert.equal(xlsx.raw.subarray(0, 2).toString(), 'PK')
  const audit = sqlite(s.db, `SELECT count(*) FROM audit_log WHERE action = 'entitle.export'`)
  assert.equal(audit, '2')
  // The entry names the list, the format and how many rows the caller got.
  const mine = (await list(lq, r1.run_id, 'todo')).total
  const detail = JSON.parse(sqlite(s.db, `SELECT detail FROM audit_log WHERE action = 'entitle.export' ORDER BY id LIMIT 1`))
  assert.deepEqual(detail, { list: 'todo', format: 'csv', rows: mine })
})

test('RULE-ENT-063: an item without a rule is skipped with the reason and is on no worklist', async () => {
  const zy = await s.login('zy_civil')
  let ch = ok(await fg.post('/api/v1/entitle/changes', { effective_from: '2026-01-01' }), 201)
  ch = ok(await fg.put(`/api/v1/entitle/changes/${ch.id}/items/fg_norule`, {
    category: 'care', name: '无规则项目', target_group: '待定', content: '测试', standard_kind: 'text', standard_text: '按需',
    provider_type: '养老服务机构', fund_national_pct: 0, fund_province_pct: 0, fund_city_pct: 0, fund_county_pct: 100,
    legal_doc: '测试文件', effective_from: '2026-01-01', rule_text: '' }))
  ch = ok(await fg.post(`/api/v1/entitle/changes/${ch.id}/submit`, { version: ch.version }))
  ok(await zy.post(`/api/v1/entitle/changes/${ch.id}/approve`, { version: ch.version }))
  const r = await run(fg, { date: '2027-01-01' })
  assert.deepEqual(r.skipped, [{ list_region: '520327', item_key: 'fg_norule', error: '该项目尚未设定认定规则' }])
  for (const name of ['todo', 'review', 'dup', 'gained', 'lost'])
    for (const row of (await list(fg, r.run_id, name)).items)
      assert.ok(!row.items.some((i) => i.item_key === 'fg_norule'), `${name}: ${JSON.stringify(row)}`)
})

test('RULE-ENT-060, RULE-ENT-066: `anlao entitle --region` runs from a shell and is audited like a run from the page', async () => {
  const r = s.cli(['entitle', '--region', '520327', '--date', '2027-01-01'])
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.equal(out.elders, 4)
  assert.match(r.stderr, /享受资格认定 #\d+：4 位老人/)
  const bad = s.cli(['entitle', '--region', 'abc'])
  assert.equal(bad.status, 2)
  assert.match(bad.stderr, /区划代码/)
  assert.equal(sqlite(s.db, `SELECT created_by FROM entitle_runs WHERE id = ${out.run_id}`), 'cli')
  assert.ok(Number(sqlite(s.db, `SELECT count(*) FROM audit_log WHERE action = 'entitle.run'`)) >= 5)
})
