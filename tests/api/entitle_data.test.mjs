// The service list's data beside the items (issue 12): dated parameters, exclusions, example
// elders, the check of an item against the official text, item fields refused with the field
// named, rule versions, and benefit records (what an elder receives), scoped and audited.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, admin, gz, zy, fg, other
const test = serverTest(() => [s])

before(async () => {
  s = await Server.start()
  ;[admin, gz, zy, fg] = await Promise.all(['admin', 'gz_civil', 'zy_civil', 'fg_civil'].map((u) => s.login(u)))
  const r = await admin.post('/api/v1/users', { username: 'tz_civil', display_name: '桐梓县民政局', role: 'civil_officer', region_code: '520322', password: 'Tongzi2026' })
  assert.equal(r.status, 201, r.text)
  other = await s.firstLogin('tz_civil', 'Tongzi2026')
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const param = (l, name) => l.items.find((p) => p.name === name)
const newItem = (over = {}) => ({
  category: 'care', name: '测试项目', target_group: '60 周岁以上老年人', content: '测试内容',
  standard_kind: 'frequency', times: 2, period: 'month', provider_type: '养老服务机构',
  fund_national_pct: 0, fund_province_pct: 40, fund_city_pct: 30, fund_county_pct: 30,
  legal_doc: '测试文件〔2026〕1号', effective_from: '2020-01-01', rule_text: '年龄 >= 60', ...over,
})

test('RULE-ENT-020, RULE-ENT-021: a parameter has dated values; the value at a date is the deepest list\'s latest', async () => {
  const p = ok(await fg.get('/api/v1/entitle/params?date=2026-06-01'))
  const g = param(p, '高龄年龄')
  assert.equal(g.current.value, 80)
  assert.equal(g.current.region_code, '')
  assert.equal(g.current.valid_from, '2020-01-01')
  assert.match(g.current.legal_ref, /113号/)
  ok(await fg.post('/api/v1/entitle/params', { name: '高龄年龄', value: 75, unit: '岁', valid_from: '2027-01-01', legal_ref: '凤冈县文件（测试）' }), 201)
  assert.equal(param(ok(await fg.get('/api/v1/entitle/params?date=2026-12-31')), '高龄年龄').current.value, 80)
  const next = param(ok(await fg.get('/api/v1/entitle/params?date=2027-01-01')), '高龄年龄')
  assert.equal(next.current.value, 75)
  assert.equal(next.current.region_code, '520327')
  assert.equal(next.history.length, 2)
  // The levels above keep their own value.
  assert.equal(param(ok(await zy.get('/api/v1/entitle/params?date=2027-06-01')), '高龄年龄').current.value, 80)
  // Before any value: none.
  assert.equal(param(ok(await fg.get('/api/v1/entitle/params?date=2010-01-01')), '高龄年龄').current, null)
  assertError(await fg.post('/api/v1/entitle/params', { name: '高龄年龄', value: 70, unit: '岁', valid_from: '2027-01-01', legal_ref: '重复' }), 409, 'conflict', 'valid_from')
  assertError(await fg.post('/api/v1/entitle/params', { name: '高龄年龄', value: 70, valid_from: '2027-02-01' }), 400, 'invalid', 'legal_ref')
  assertError(await fg.post('/api/v1/entitle/params', { name: '高龄年龄', value: '七十', valid_from: '2027-02-01', legal_ref: 'x' }), 400, 'invalid', 'value')
  assertError(await fg.post('/api/v1/entitle/params', { name: '高龄年龄', value: 70, valid_from: '2027-02-30', legal_ref: 'x' }), 400, 'invalid', 'valid_from')
  assertError(await fg.get('/api/v1/entitle/params?date=2027-13-01'), 400, 'invalid', 'date')
  const audit = ok(await admin.get('/api/v1/audit?action=entitle.param_add')).items
  assert.ok(audit.some((a) => a.username === 'fg_civil' && a.region_code === '520327'), JSON.stringify(audit))
})

test('RULE-ENT-025: exclusions are data, inherited down the levels, kept in one order, edited at their own level', async () => {
  const l = ok(await fg.get('/api/v1/entitle/exclusions'))
  assert.equal(l.items.length, 3)
  assert.ok(l.items.every((x) => x.inherited && x.region_code === ''))
  assert.ok(l.items.some((x) => x.item_a === 'huli_butie' && x.item_b === 'xiaofei_butie_2025'))
  const x = ok(await fg.post('/api/v1/entitle/exclusions', { item_a: 'zhucan_butie', item_b: 'shangmen_fuwu', reason: '上门送餐已含助餐补贴（测试）' }), 201)
  assert.deepEqual([x.item_a, x.item_b], ['shangmen_fuwu', 'zhucan_butie'])
  assertError(await fg.post('/api/v1/entitle/exclusions', { item_a: 'shangmen_fuwu', item_b: 'zhucan_butie', reason: '重复' }), 409, 'conflict', 'item_b')
  assertError(await fg.post('/api/v1/entitle/exclusions', { item_a: 'zhucan_butie', item_b: 'zhucan_butie', reason: '同一' }), 400, 'invalid', 'item_b')
  assertError(await fg.post('/api/v1/entitle/exclusions', { item_a: 'no_such_item', item_b: 'zhucan_butie', reason: '未知' }), 400, 'invalid', 'item_a')
  assertError(await fg.post('/api/v1/entitle/exclusions', { item_a: 'zhucan_butie', item_b: 'shangmen_fuwu' }), 400, 'invalid', 'reason')
  const mine = ok(await fg.get('/api/v1/entitle/exclusions')).items
  assert.equal(mine.length, 4)
  assert.equal(mine.find((e) => e.id === x.id).inherited, false)
  // Not visible to another county; the city sees the upper ones only.
  assert.equal(ok(await other.get('/api/v1/entitle/exclusions')).items.length, 3)
  assertError(await other.del(`/api/v1/entitle/exclusions/${x.id}`), 404, 'not_found')
  // An upper exclusion is not the county's to delete.
  assertError(await fg.del(`/api/v1/entitle/exclusions/${l.items[0].id}`), 403, 'forbidden', 'region')
  ok(await fg.del(`/api/v1/entitle/exclusions/${x.id}`))
  assert.equal(ok(await fg.get('/api/v1/entitle/exclusions')).items.length, 3)
  const actions = ok(await admin.get('/api/v1/audit?target_type=entitle_exclusion')).items.map((a) => a.action)
  assert.ok(actions.includes('entitle.exclusion_add') && actions.includes('entitle.exclusion_remove'), actions)
})

test('RULE-ENT-001, RULE-ENT-002, RULE-ENT-003, RULE-ENT-004: item fields refused with the field named', async () => {
  const ch = ok(await fg.post('/api/v1/entitle/changes', { effective_from: '2026-01-01' }), 201)
  const put = (key, body) => fg.put(`/api/v1/entitle/changes/${ch.id}/items/${key}`, body)
  const funds = assertError(await put('fg_test', newItem({ fund_county_pct: 20 })), 400, 'invalid', 'fund_national_pct')
  assert.match(funds.message, /100%/)
  assert.match(funds.message, /90%/)
  assertError(await put('fg_test', newItem({ fund_county_pct: 130 })), 400, 'invalid', 'fund_county_pct')
  assertError(await put('fg_test', newItem({ name: undefined })), 400, 'invalid', 'name')
  assertError(await put('fg_test', newItem({ category: '物质' })), 400, 'invalid', 'category')
  assertError(await put('fg_test', newItem({ standard_kind: 'amount', times: undefined })), 400, 'invalid', 'amount_fen')
  assertError(await put('fg_test', newItem({ period: undefined })), 400, 'invalid', 'period')
  assertError(await put('fg_test', newItem({ standard_kind: 'text', standard_text: '' })), 400, 'invalid', 'standard_text')
  assertError(await put('fg_test', newItem({ effective_until: '2019-12-31' })), 400, 'invalid', 'effective_until')
  assertError(await put('fg_test', newItem({ effective_from: '2026-02-30' })), 400, 'invalid', 'effective_from')
  assertError(await put('Bad-Key', newItem()), 400, 'invalid', 'key')
  const good = ok(await put('fg_test', newItem()))
  assert.equal(good.items[0].status, 'to_check')
  assert.equal(good.items[0].kind, 'add')
  assertError(await fg.post('/api/v1/entitle/changes', { effective_from: '明天' }), 400, 'invalid', 'effective_from')
})

test('RULE-ENT-006, RULE-ENT-041: a rule keeps its version until its text changes; a saved rule is stored checked', async () => {
  const ch = ok(await admin.post('/api/v1/entitle/changes', { region: '', effective_from: '2026-01-01' }), 201)
  const base = ok(await admin.get('/api/v1/entitle/items/gaoling_jintie?region=')) // national item
  const body = {}
  for (const k of ['category', 'name', 'target_group', 'content', 'standard_kind', 'amount_fen', 'period', 'standard_text', 'provider_type', 'fund_national_pct', 'fund_province_pct', 'fund_city_pct', 'fund_county_pct', 'legal_doc', 'legal_article', 'effective_from', 'rule_text']) body[k] = base[k]
  let r = ok(await admin.put(`/api/v1/entitle/changes/${ch.id}/items/gaoling_jintie`, body))
  assert.equal(r.items[0].rule_version, 1, 'the same text keeps its version')
  r = ok(await admin.put(`/api/v1/entitle/changes/${ch.id}/items/gaoling_jintie`, { ...body, rule_text: '年龄 >= 高龄年龄 且 非 已享受 特困供养' }))
  assert.equal(r.items[0].rule_version, 2)
  assert.equal(r.items[0].rule_checked, true)
})

test('RULE-ENT-005: an officer of the item\'s own level marks it checked against the official text', async () => {
  assertError(await fg.post('/api/v1/entitle/items/gaoling_jintie/check', {}), 404, 'not_found', 'key')
  ok(await admin.post('/api/v1/entitle/items/gaoling_jintie/check', {}))
  const l = ok(await fg.get('/api/v1/entitle/list'))
  const g = l.items.find((i) => i.item_key === 'gaoling_jintie')
  assert.equal(g.status, 'checked')
  assert.equal(g.checked_by, 'admin')
  assert.equal(l.items.find((i) => i.item_key === 'huli_butie').status, 'to_check')
  // Examples are data of the item: facts, a date, the expected answer.
  const ex = ok(await admin.post('/api/v1/entitle/items/gaoling_jintie/examples', { label: '刚满 80 岁', facts: { birth_date: '1946-06-01' }, on_date: '2026-06-01', expected: true }), 201)
  assert.deepEqual(ex.facts, { birth_date: '1946-06-01' })
  assertError(await admin.post('/api/v1/entitle/items/gaoling_jintie/examples', { label: 'x', facts: '80', on_date: '2026-06-01', expected: true }), 400, 'invalid', 'facts')
  assertError(await admin.post('/api/v1/entitle/items/gaoling_jintie/examples', { label: 'x', facts: {}, on_date: '2026-06-01' }), 400, 'invalid', 'expected')
  const d = ok(await fg.get('/api/v1/entitle/items/gaoling_jintie'))
  assert.deepEqual(d.examples.map((e) => [e.label, e.expected]), [['86 岁，符合', true], ['79 岁，不符合', false], ['刚满 80 岁', true]])
})

test('RULE-ENT-030, RULE-ENT-031, RULE-ENT-032: benefit records of an elder — added and ended (audited), scoped, checked', async () => {
  const e = ok(await fg.post('/api/v1/elders', { name: '享受老人', id_number: idNumber('520327', '19400101', 7), region_code: '520327001001', address: '一号', phone: '13800001234' }), 201)
  const add = (c, body) => c.post('/api/v1/entitle/benefits', { elder_id: e.id, item_key: 'gaoling_jintie', from_date: '2026-01-01', source: 'manual', ...body })
  const b = ok(await add(fg, {}), 201)
  assert.equal(b.region_code, '520327001001')
  assertError(await add(fg, { item_key: 'no_such_item' }), 422, 'unprocessable', 'item_key')
  assertError(await add(fg, { item_key: 'xiaofei_butie_2025', from_date: '2025-01-01' }), 422, 'unprocessable', 'item_key') // not yet in force then
  assertError(await add(fg, { until_date: '2025-12-31' }), 400, 'invalid', 'until_date')
  assertError(await add(fg, { source: '口头' }), 400, 'invalid', 'source')
  assertError(await add(fg, { from_date: undefined }), 400, 'invalid', 'from_date')
  assertError(await add(other, {}), 404, 'not_found', 'elder_id')
  const mine = ok(await fg.get(`/api/v1/entitle/benefits?elder_id=${e.id}`))
  assert.deepEqual(mine.items.map((x) => [x.item_key, x.from_date, x.until_date]), [['gaoling_jintie', '2026-01-01', null]])
  assertError(await other.get(`/api/v1/entitle/benefits?elder_id=${e.id}`), 404, 'not_found', 'elder_id')
  assertError(await fg.get('/api/v1/entitle/benefits'), 400, 'invalid', 'elder_id')
  assertError(await other.post(`/api/v1/entitle/benefits/${b.id}/end`, { until_date: '2026-06-30' }), 404, 'not_found')
  assertError(await fg.post(`/api/v1/entitle/benefits/${b.id}/end`, { until_date: '2025-06-30' }), 400, 'invalid', 'until_date')
  ok(await fg.post(`/api/v1/entitle/benefits/${b.id}/end`, { until_date: '2026-06-30' }))
  assertError(await fg.post(`/api/v1/entitle/benefits/${b.id}/end`, { until_date: '2026-07-31' }), 409, 'conflict')
  assert.equal(ok(await fg.get(`/api/v1/entitle/benefits?elder_id=${e.id}`)).items[0].until_date, '2026-06-30')
  const actions = ok(await admin.get(`/api/v1/audit?target_type=elder&target_id=${e.id}`)).items.map((a) => a.action)
  assert.ok(actions.includes('entitle.benefit_add') && actions.includes('entitle.benefit_end'), actions)
})
