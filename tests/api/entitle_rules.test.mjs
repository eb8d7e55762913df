// The rule language joined to the service list (issue 12): rules compile when saved, with the
// compiler's positioned message; parameters that would break a rule or an example are refused;
// example elders guard every save; the editor's live check; one elder's entitlements explained.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, admin, fg, lq, jx
const test = serverTest(() => [s])

before(async () => {
  s = await Server.start()
  ;[admin, fg, lq, jx] = await Promise.all(['admin', 'fg_civil', 'lq_officer', 'jx_officer'].map((u) => s.login(u)))
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const newItem = (over = {}) => ({
  category: 'care', name: '测试项目', target_group: '60 周岁以上老年人', content: '测试内容',
  standard_kind: 'frequency', times: 2, period: 'month', provider_type: '养老服务机构',
  fund_national_pct: 0, fund_province_pct: 40, fund_city_pct: 30, fund_county_pct: 30,
  legal_doc: '测试文件〔2026〕1号', effective_from: '2020-01-01', rule_text: '年龄 >= 60', ...over,
})
const check = (c, body) => c.post('/api/v1/entitle/rules/check', body)

test('RULE-ENT-040, RULE-ENT-047: every seeded rule of the national list compiles, and its examples hold (shown on the item)', async () => {
  const nat = ok(await fg.get('/api/v1/entitle/list?region=&date=2026-06-01'))
  assert.ok(nat.items.length >= 12)
  for (const it of nat.items) {
    const c = ok(await check(fg, { rule_text: it.rule_text, region_code: '', date: '2026-06-01' }))
    assert.equal(c.ok, true, `${it.item_key}: ${JSON.stringify(c.error)}`)
    const d = ok(await fg.get(`/api/v1/entitle/items/${it.item_key}?region=&date=2026-06-01`))
    assert.equal(d.rule_check.ok, true, it.item_key)
    for (const e of d.examples) assert.equal(e.passed, true, `${it.item_key} ${e.label}: ${JSON.stringify(e)}`)
  }
  // The county's list (inherited) compiles too, at the same date.
  for (const it of ok(await fg.get('/api/v1/entitle/list?date=2026-06-01')).items)
    assert.equal(ok(await check(fg, { rule_text: it.rule_text, date: '2026-06-01' })).ok, true, it.item_key)
})

test('RULE-ENT-042, RULE-ENT-041: a rule that does not compile is refused 400 naming rule_text and the column; one that compiles is stored checked', async () => {
  const ch = ok(await fg.post('/api/v1/entitle/changes', { effective_from: '2026-01-01' }), 201)
  const put = (key, body) => fg.put(`/api/v1/entitle/changes/${ch.id}/items/${key}`, body)
  let r = await put('fg_rule', newItem({ rule_text: '年龄 >= 80 且 户籍 = 本地' }))
  assertError(r, 400, 'invalid', 'rule_text')
  assert.equal(r.body.error.column, 12)
  assert.match(r.body.error.message, /第 12 个字符处：未知字段“户籍”/)
  r = await put('fg_rule', newItem({ rule_text: '年龄 >= 无此参数' }))
  assertError(r, 400, 'invalid', 'rule_text')
  assert.ok(r.body.error.column > 0)
  // Reading its own receipt is refused; reading another item's is fine.
  assertError(await put('fg_rule', newItem({ name: '自指项目', rule_text: '年龄 >= 60 且 非 已享受 自指项目' })), 400, 'invalid', 'rule_text')
  const good = ok(await put('fg_rule', newItem({ rule_text: '年龄 >= 高龄年龄 且 非 已享受 高龄津贴' })))
  assert.equal(good.items.find((i) => i.item_key === 'fg_rule').rule_checked, true)
  // Nothing was written by the refusals: the change holds the good text only.
  assert.equal(good.items.length, 1)
})

test('RULE-ENT-044: a rule change that breaks an example elder is refused 422 naming the example, expected and got', async () => {
  const ch = ok(await admin.post('/api/v1/entitle/changes', { region: '', effective_from: '2026-01-01' }), 201)
  const base = ok(await admin.get('/api/v1/entitle/items/gaoling_jintie?region='))
  const body = {}
  for (const k of ['category', 'name', 'target_group', 'content', 'standard_kind', 'amount_fen', 'period', 'standard_text', 'provider_type', 'fund_national_pct', 'fund_province_pct', 'fund_city_pct', 'fund_county_pct', 'legal_doc', 'legal_article', 'effective_from']) body[k] = base[k]
  const r = await admin.put(`/api/v1/entitle/changes/${ch.id}/items/gaoling_jintie`, { ...body, rule_text: '年龄 >= 90' })
  assertError(r, 422, 'unprocessable', 'rule_text')
  assert.match(r.body.error.message, /示例「86 岁，符合」（2026-06-01）预期符合，实际不符合/)
  const fine = ok(await admin.put(`/api/v1/entitle/changes/${ch.id}/items/gaoling_jintie`, { ...body, rule_text: '年龄 >= 80' }))
  assert.equal(fine.items[0].rule_checked, true)
})

test('RULE-ENT-045: a parameter value that breaks an example or a rule of the lists using it is refused', async () => {
  // The national example 86 岁 on 2026-06-01 holds with 高龄年龄 = 80; 90 from 2026-01-01 breaks it.
  let r = await fg.post('/api/v1/entitle/params', { name: '高龄年龄', value: 90, unit: '岁', valid_from: '2026-01-01', legal_ref: '测试' })
  assertError(r, 422, 'unprocessable', 'value')
  assert.match(r.body.error.message, /高龄年龄.*90.*示例「86 岁，符合」.*预期符合，实际不符合/)
  // A level outside the ability scale makes 能力等级 >= 中度失能等级 fail to compile.
  r = await fg.post('/api/v1/entitle/params', { name: '中度失能等级', value: 9, valid_from: '2026-01-01', legal_ref: '测试' })
  assertError(r, 400, 'invalid', 'value')
  assert.match(r.body.error.message, /中度失能等级/)
  // After the examples' date nothing breaks: accepted.
  ok(await fg.post('/api/v1/entitle/params', { name: '高龄年龄', value: 90, unit: '岁', valid_from: '2027-07-01', legal_ref: '测试' }), 201)
})

test('RULE-ENT-046: the editor\'s check answers ok with the normalised text and parameters, or the error with its column; it writes nothing', async () => {
  const since = ok(await admin.get('/api/v1/audit?page_size=1')).items[0].id
  let c = ok(await check(fg, { rule_text: 'age >= 高龄年龄 and economic in [dibao]', date: '2026-06-01' }))
  assert.equal(c.ok, true)
  assert.equal(c.normalised, '年龄 >= 高龄年龄 且 经济状况 属于 [低保]')
  assert.deepEqual(c.params.map((p) => [p.name, p.value]), [['高龄年龄', 80]])
  assert.equal(c.region_code, '520327')
  c = ok(await check(fg, { rule_text: '年龄 >=', region_code: '', date: '2026-06-01' }))
  assert.equal(c.ok, false)
  assert.equal(c.error.column, 6)
  assert.match(c.error.message, /^第 6 个字符处/)
  // A township officer reads the county list; another county's list is not theirs to read.
  assert.equal(ok(await check(lq, { rule_text: '年龄 >= 60' })).ok, true)
  assertError(await check(fg, { rule_text: '年龄 >= 60', region_code: '520322' }), 404, 'not_found', 'region_code')
  assertError(await check(fg, { rule_text: '年龄 >= 60', date: '2026-02-30' }), 400, 'invalid', 'date')
  assert.equal(ok(await admin.get('/api/v1/audit?page_size=1')).items[0].id, since, 'a check writes no audit entry')
})

test('RULE-ENT-050, RULE-ENT-051, RULE-ENT-052: an elder\'s entitlements today, with receiving and the reasons in Chinese; scoped', async () => {
  const e = ok(await fg.post('/api/v1/elders', { name: '赵德明', id_number: idNumber('520327', '19400301', 7), region_code: '520327001001', address: '龙泉街道一号', phone: '13800001111', living_arrangement: 'alone', economic_status: 'dibao' }), 201)
  ok(await fg.post('/api/v1/entitle/benefits', { elder_id: e.id, item_key: 'gaoling_jintie', from_date: '2026-01-01', source: 'manual' }), 201)
  const x = ok(await lq.get(`/api/v1/elders/${e.id}/entitlements?date=2026-12-01`))
  assert.equal(x.list_region, '520327')
  const by = (k) => x.items.find((i) => i.item_key === k)
  const g = by('gaoling_jintie')
  assert.equal(g.eligible, true)
  assert.equal(g.receiving, true)
  assert.equal(g.conditions.sentence, '年满 80 周岁：是（86 周岁）')
  assert.equal(g.conditions.reference, '财社〔2014〕113号（待核对）')
  assert.equal(by('fuwu_butie').eligible, true)
  assert.equal(by('fuwu_butie').receiving, false)
  const h = by('huli_butie')
  assert.equal(h.eligible, false)
  assert.ok(h.missing.length >= 1 && h.missing.some((m) => /能力等级|失能/.test(m)), JSON.stringify(h.missing))
  assert.equal(by('tekun_gongyang').eligible, false)
  assert.match(by('tekun_gongyang').missing[0], /经济状况/)
  // RULE-ENT-052: the rules part of one elder's explanation takes at most 1 ms of CPU.
  assert.ok(x.rules_cpu_us <= 1000, `rules took ${x.rules_cpu_us} µs`)
  // Another township's officer does not see the elder at all.
  const hidden = await jx.get(`/api/v1/elders/${e.id}/entitlements`)
  assertError(hidden, 404, 'not_found')
  assert.deepEqual(hidden.body, (await jx.get('/api/v1/elders/987654/entitlements')).body)
})

test('RULE-ENT-048, RULE-ENT-043: a new example elder must hold for the item\'s rule; its facts use the record\'s field names', async () => {
  let r = await admin.post('/api/v1/entitle/items/gaoling_jintie/examples', { label: '70 岁写成符合', facts: { birth_date: '1956-01-01' }, on_date: '2026-06-01', expected: true })
  assertError(r, 422, 'unprocessable', 'expected')
  assert.match(r.body.error.message, /示例「70 岁写成符合」（2026-06-01）预期符合，实际不符合/)
  r = await admin.post('/api/v1/entitle/items/huli_butie/examples', { label: '写错的经济状况', facts: { birth_date: '1950-01-01', economic_status: '很穷', ability_level: 3 }, on_date: '2026-06-01', expected: true })
  assertError(r, 400, 'invalid', 'facts')
  assert.match(r.body.error.message, /economic_status/)
  const ex = ok(await admin.post('/api/v1/entitle/items/huli_butie/examples', { label: '特困、重度失能、独居', facts: { birth_date: '1950-01-01', economic_status: 'tekun', ability_level: 3, living_arrangement: 'alone', categories: ['living_alone'], receiving: ['gaoling_jintie'] }, on_date: '2026-06-01', expected: true }), 201)
  assert.equal(ex.expected, true)
  const d = ok(await fg.get('/api/v1/entitle/items/huli_butie?date=2026-06-01'))
  const mine = d.examples.find((e) => e.label === '特困、重度失能、独居')
  assert.equal(mine.got, true)
  assert.equal(mine.passed, true)
})

test('RULE-ENT-069: approval runs the rule gate again: a parameter changed after the submission that breaks the rule refuses the approval', async () => {
  const zy = await s.login('zy_civil')
  ok(await fg.post('/api/v1/entitle/params', { name: '审批测试等级', value: 2, valid_from: '2020-01-01', legal_ref: '测试' }), 201)
  let ch = ok(await fg.post('/api/v1/entitle/changes', { effective_from: '2026-01-01' }), 201)
  ch = ok(await fg.put(`/api/v1/entitle/changes/${ch.id}/items/fg_gate`, newItem({ name: '审批校验项目', rule_text: '能力等级 >= 审批测试等级' })))
  ch = ok(await fg.post(`/api/v1/entitle/changes/${ch.id}/submit`, { version: ch.version }))
  // No approved rule uses the parameter yet, so its new value passes the parameter gate …
  ok(await fg.post('/api/v1/entitle/params', { name: '审批测试等级', value: 9, valid_from: '2025-06-01', legal_ref: '测试' }), 201)
  // … and the approval, compiling the submitted rule again at the change's date, refuses it.
  const r = await zy.post(`/api/v1/entitle/changes/${ch.id}/approve`, { version: ch.version })
  assertError(r, 422, 'unprocessable', 'rule_text')
  assert.match(r.body.error.message, /项目「审批校验项目」的认定规则在提交后已不能通过校验，不能批准：认定规则有误，第 \d+ 个字符处/)
  assert.equal(ok(await fg.get(`/api/v1/entitle/changes/${ch.id}`)).status, 'submitted', 'nothing moved')
  // A value that fits again lets the same submission through.
  ok(await fg.post('/api/v1/entitle/params', { name: '审批测试等级', value: 3, valid_from: '2025-09-01', legal_ref: '测试' }), 201)
  assert.equal(ok(await zy.post(`/api/v1/entitle/changes/${ch.id}/approve`, { version: ch.version })).status, 'approved')
})
