// The basic service list per level (issue 12): inheritance and raised standards across
// national → province → city → county, a lowered standard refused, the approval of a lower
// list's changes by the level above, versions, effective dates, region scope and audit.
// Demo officers: admin (全国), gz_civil (52 贵州省), zy_civil (5203 遵义市), fg_civil (520327
// 凤冈县), lq_officer (520327001 龙泉街道).  The demo province list raises 高龄津贴 to 每月 100 元.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError } from './helpers.mjs'

let s, admin, gz, zy, fg, lq, other
const test = serverTest(() => [s])

before(async () => {
  s = await Server.start()
  ;[admin, gz, zy, fg, lq] = await Promise.all(['admin', 'gz_civil', 'zy_civil', 'fg_civil', 'lq_officer'].map((u) => s.login(u)))
  // An officer of another county of the same city (520322 桐梓县).
  const r = await admin.post('/api/v1/users', { username: 'tz_civil', display_name: '桐梓县民政局', role: 'civil_officer', region_code: '520322', password: 'Tongzi2026' })
  assert.equal(r.status, 201, r.text)
  other = await s.firstLogin('tz_civil', 'Tongzi2026')
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const list = async (c, q = '') => ok(await c.get(`/api/v1/entitle/list${q}`))
const byKey = (l, k) => l.items.find((i) => i.item_key === k)
const newChange = async (c, effective_from, note = '测试变更') => ok(await c.post('/api/v1/entitle/changes', { effective_from, note }), 201)
const put = (c, ch, key, body) => c.put(`/api/v1/entitle/changes/${ch.id}/items/${key}`, body)
const submit = async (c, ch) => ok(await c.post(`/api/v1/entitle/changes/${ch.id}/submit`, { version: ch.version }))
const approve = async (c, ch) => ok(await c.post(`/api/v1/entitle/changes/${ch.id}/approve`, { version: ch.version }))
const raise = (amount_fen, period = 'month') => ({ standard_kind: 'amount', amount_fen, period })
const newItem = (over = {}) => ({
  category: 'care', name: '测试项目', target_group: '60 周岁以上老年人', content: '测试内容',
  standard_kind: 'frequency', times: 2, period: 'month', provider_type: '养老服务机构',
  fund_national_pct: 0, fund_province_pct: 40, fund_city_pct: 30, fund_county_pct: 30,
  legal_doc: '测试文件〔2026〕1号', legal_article: '第三条', effective_from: '2020-01-01',
  rule_text: '年龄 >= 老年人年龄', ...over,
})

test('RULE-ENT-005, RULE-ENT-010, RULE-ENT-011: the national list holds the 12 seeded items, each 待核对; a county inherits them and the province raise', async () => {
  const nat = await list(admin, '?region=')
  assert.equal(nat.region_name, '全国')
  assert.equal(nat.level, 0)
  assert.equal(nat.total, 12)
  const names = nat.items.map((i) => i.name)
  for (const n of ['高龄津贴', '护理补贴', '养老服务补贴', '家庭养老床位建设补贴', '上门服务', '适老化改造', '探访关爱', '能力评估', '助餐补贴', '特困供养', '公办养老机构优先入住', '2025 年老年人消费补贴（中度及以上失能）'])
    assert.ok(names.includes(n), n)
  assert.ok(nat.items.every((i) => i.status === 'to_check' && !i.inherited && i.rule_text && i.rule_version === 1 && i.rule_checked === true), 'seeded 待核对; their rules compile (RULE-ENT-040, migration 031)')
  assert.equal(byKey(nat, 'gaoling_jintie').rule_text, '年龄 >= 高龄年龄')
  assert.equal(byKey(nat, 'gaoling_jintie').standard_text_full, '每月 50.00 元')

  const county = await list(fg)
  assert.equal(county.region_code, '520327')
  assert.equal(county.editable, true)
  assert.deepEqual(county.chain.map((c) => c.region_code), ['', '52', '5203', '520327'])
  const g = byKey(county, 'gaoling_jintie')
  assert.equal(g.inherited, true)
  assert.equal(g.raised, true, 'the province raised it')
  assert.equal(g.amount_fen, 10000)
  assert.equal(g.standard_region, '52')
  assert.equal(g.upper_standard, '每月 50.00 元')
  const own = byKey(county, 'zhuyu_butie')
  assert.equal(own.origin_region, '52', 'the province item is inherited by the county')
  assert.equal(own.inherited, true)
  // Read-only above: the province list from the county.
  const prov = await list(fg, '?region=52')
  assert.equal(prov.editable, false)
  assert.equal(byKey(prov, 'zhuyu_butie').inherited, false)
})

test('RULE-ENT-012: a county may not lower an inherited standard; the refusal names the item and both standards', async () => {
  const ch = await newChange(fg, '2026-01-01')
  const low = await put(fg, ch, 'gaoling_jintie', raise(8000))
  const e = assertError(low, 422, 'unprocessable', 'amount_fen')
  assert.match(e.message, /高龄津贴/)
  assert.match(e.message, /每月 100\.00 元/)
  assert.match(e.message, /每月 80\.00 元/)
  assert.match(e.message, /贵州省/)
  // The same standard per year is no raise either; a higher one per year is.
  assertError(await put(fg, ch, 'gaoling_jintie', raise(120000, 'year')), 422, 'unprocessable', 'amount_fen')
  assertError(await put(fg, ch, 'gaoling_jintie', raise(500000, 'once')), 422, 'unprocessable', 'standard_kind')
  assertError(await put(fg, ch, 'gaoling_jintie', { standard_kind: 'frequency', times: 3, period: 'month' }), 422, 'unprocessable', 'standard_kind')
  assertError(await put(fg, ch, 'tekun_gongyang', { standard_kind: 'text', standard_text: '更高' }), 422, 'unprocessable', 'standard_kind')
  // RULE-ENT-011: nothing but the standard (and who pays) of an inherited item.
  const renamed = assertError(await put(fg, ch, 'gaoling_jintie', { ...raise(13000), name: '长寿金' }), 400, 'invalid', 'name')
  assert.match(renamed.message, /只能提高标准/)
  const up = ok(await put(fg, ch, 'gaoling_jintie', raise(130000, 'year')))
  assert.equal(up.items.length, 1)
  assert.equal(up.items[0].kind, 'raise')
  assert.equal(up.items[0].amount_fen, 130000)
  ok(await fg.del(`/api/v1/entitle/changes/${ch.id}/items/gaoling_jintie`))
  assertError(await fg.del(`/api/v1/entitle/changes/${ch.id}/items/gaoling_jintie`), 404, 'not_found', 'key')
})

test('RULE-ENT-014, RULE-ENT-015: a change takes effect only when the level above approves it; returned with a reason; every version readable', async () => {
  const ch = await newChange(zy, '2026-01-01', '遵义市提高高龄津贴')
  assert.equal(ch.status, 'draft')
  assert.equal(ch.region_code, '5203')
  ok(await put(zy, ch, 'gaoling_jintie', raise(12000)))
  ok(await put(zy, ch, 'zy_song_can', newItem({ name: '送餐上门', category: 'care' })))
  let sub = await submit(zy, ch)
  assert.equal(sub.status, 'submitted')
  // Not effective yet.
  assert.equal(byKey(await list(zy), 'gaoling_jintie').amount_fen, 10000)
  assert.equal(byKey(await list(zy), 'zy_song_can'), undefined)
  // A submitted change is no longer edited.
  assertError(await put(zy, ch, 'gaoling_jintie', raise(15000)), 409, 'conflict', 'status')
  // Only the level above decides: not the city itself, not the county, not the nation.
  for (const c of [zy, fg, admin]) assertError(await c.post(`/api/v1/entitle/changes/${ch.id}/approve`, { version: sub.version }), 403, 'forbidden')
  // The province's queue holds it; the nation's does not.
  assert.ok(ok(await gz.get('/api/v1/entitle/changes?queue=1')).items.some((c) => c.id === ch.id))
  assert.ok(!ok(await admin.get('/api/v1/entitle/changes?queue=1')).items.some((c) => c.id === ch.id))
  // Returned: a reason is required.
  assertError(await gz.post(`/api/v1/entitle/changes/${ch.id}/return`, { version: sub.version }), 400, 'invalid', 'reason')
  const back = ok(await gz.post(`/api/v1/entitle/changes/${ch.id}/return`, { version: sub.version, reason: '请补充政策依据条款' }))
  assert.equal(back.status, 'returned')
  assert.equal(back.return_reason, '请补充政策依据条款')
  assert.equal(byKey(await list(zy), 'gaoling_jintie').amount_fen, 10000, 'a returned change is not in force')
  // Mended and submitted again, then approved.
  ok(await put(zy, back, 'zy_song_can', newItem({ name: '送餐上门', legal_article: '第五条' })))
  sub = await submit(zy, back)
  assertError(await gz.post(`/api/v1/entitle/changes/${ch.id}/approve`, { version: sub.version - 1 }), 409, 'conflict', 'version')
  const done = await approve(gz, sub)
  assert.equal(done.status, 'approved')
  assert.equal(done.list_version, 1)
  assert.equal(done.decided_by, 'gz_civil')

  const city = await list(zy)
  const g = byKey(city, 'gaoling_jintie')
  assert.equal(g.amount_fen, 12000)
  assert.equal(g.standard_region, '5203')
  assert.equal(g.upper_standard, '每月 100.00 元')
  assert.equal(byKey(city, 'zy_song_can').inherited, false)
  // Effective from its date only.
  assert.equal(byKey(await list(zy, '?date=2025-12-31'), 'gaoling_jintie').amount_fen, 10000)
  assert.equal(byKey(await list(zy, '?date=2025-12-31'), 'zy_song_can'), undefined)
  // The county below gets it too.
  assert.equal(byKey(await list(fg), 'gaoling_jintie').amount_fen, 12000)

  // A second version; the first stays readable.
  const ch2 = await newChange(zy, '2026-03-01', '再次提高')
  ok(await put(zy, ch2, 'gaoling_jintie', raise(13000)))
  await approve(gz, await submit(zy, ch2))
  const versions = ok(await zy.get('/api/v1/entitle/versions'))
  assert.deepEqual(versions.items.map((v) => v.list_version), [2, 1])
  assert.equal(byKey(await list(zy, '?version=1'), 'gaoling_jintie').amount_fen, 12000)
  assert.equal(byKey(await list(zy, '?version=2'), 'gaoling_jintie').amount_fen, 13000)
  assert.equal(byKey(await list(zy), 'gaoling_jintie').amount_fen, 13000)
  assertError(await zy.get('/api/v1/entitle/list?version=9'), 404, 'not_found', 'version')
  const detail = ok(await zy.get('/api/v1/entitle/items/gaoling_jintie'))
  assert.deepEqual(detail.history.map((h) => [h.region_code, h.amount_fen]), [['', 5000], ['52', 10000], ['5203', 12000], ['5203', 13000]])

  // Audited, each step.
  const actions = ok(await admin.get('/api/v1/audit?page_size=200&target_type=entitle_change')).items
    .filter((a) => a.target_id === String(ch.id)).map((a) => a.action)
  for (const a of ['entitle.change_create', 'entitle.change_item', 'entitle.change_submit', 'entitle.change_return', 'entitle.change_approve'])
    assert.ok(actions.includes(a), `${a} in ${actions}`)
})

test('RULE-ENT-013: a raise the level above has since overtaken is shown as superseded; the higher standard applies', async () => {
  // The county raised to 135 元 from 2026-04-01 (approved by the city) …
  const ch = await newChange(fg, '2026-04-01')
  ok(await put(fg, ch, 'gaoling_jintie', raise(13500)))
  await approve(zy, await submit(fg, ch))
  assert.equal(byKey(await list(fg), 'gaoling_jintie').standard_region, '520327')
  // … then the city raised to 140 元 from 2026-05-01.
  const up = await newChange(zy, '2026-05-01')
  ok(await put(zy, up, 'gaoling_jintie', raise(14000)))
  await approve(gz, await submit(zy, up))
  const g = byKey(await list(fg), 'gaoling_jintie')
  assert.equal(g.amount_fen, 14000)
  assert.equal(g.standard_region, '5203')
  assert.deepEqual(g.superseded, [{ region_code: '520327', standard: '每月 135.00 元' }])
  const april = byKey(await list(fg, '?date=2026-04-15'), 'gaoling_jintie')
  assert.equal(april.amount_fen, 13500)
  assert.equal(april.standard_region, '520327')
  // RULE-ENT-012 at approval: a submitted raise the upper list has overtaken meanwhile is refused.
  const stale = await newChange(fg, '2026-06-01')
  ok(await put(fg, stale, 'gaoling_jintie', raise(14500)))
  const sub = await submit(fg, stale)
  const ch3 = await newChange(zy, '2026-06-01')
  ok(await put(zy, ch3, 'gaoling_jintie', raise(15000)))
  await approve(gz, await submit(zy, ch3))
  const e = assertError(await zy.post(`/api/v1/entitle/changes/${sub.id}/approve`, { version: sub.version }), 422, 'unprocessable', 'amount_fen')
  assert.match(e.message, /每月 150\.00 元/)
})

test('RULE-ENT-016: scope — own list edited, upper lists read-only, other counties invisible, townships read their county', async () => {
  assertError(await fg.post('/api/v1/entitle/changes', { region: '52', effective_from: '2026-01-01' }), 403, 'forbidden', 'region')
  assertError(await other.get('/api/v1/entitle/list?region=520327'), 404, 'not_found', 'region')
  assertError(await other.get('/api/v1/entitle/changes?region=520327'), 404, 'not_found', 'region')
  const mine = ok(await fg.get('/api/v1/entitle/changes'))
  assert.ok(mine.items.length > 0)
  for (const c of mine.items) {
    assertError(await other.get(`/api/v1/entitle/changes/${c.id}`), 404, 'not_found')
    assertError(await other.get(`/api/v1/entitle/changes/${c.id}`), 404, 'not_found')
  }
  // The city reads the county below it.
  assert.equal((await list(zy, '?region=520327')).editable, false)
  // A township officer reads its county's list and edits none.
  const t = await list(lq)
  assert.equal(t.region_code, '520327')
  assert.equal(t.editable, false)
  assertError(await lq.post('/api/v1/entitle/changes', { effective_from: '2026-01-01' }), 403, 'forbidden', 'region')
  assertError(await lq.get('/api/v1/entitle/changes?queue=1'), 403, 'forbidden', 'queue')
  assertError(await fg.get('/api/v1/entitle/list?region=520327001'), 400, 'invalid', 'region')
  // The helper role may read, not edit.
  const helper = await s.login('lq_helper')
  ok(await helper.get('/api/v1/entitle/list'))
  assertError(await helper.post('/api/v1/entitle/changes', { effective_from: '2026-01-01' }), 403, 'forbidden')
})

test('RULE-ENT-014: the national list is decided at the national level; an empty change cannot be submitted', async () => {
  const ch = await newChange(admin, '2026-01-01', '国家清单修订')
  assertError(await admin.post(`/api/v1/entitle/changes/${ch.id}/submit`, { version: ch.version }), 422, 'unprocessable', 'items')
  ok(await put(admin, ch, 'nengli_pinggu', newItem({ name: '能力评估', content: '按 GB/T 42195-2022 评估', times: 1, period: 'year', rule_text: '年龄 >= 老年人年龄' })))
  const done = await approve(admin, await submit(admin, ch))
  assert.equal(done.list_version, 2)
  const n = byKey(await list(admin, '?region='), 'nengli_pinggu')
  assert.equal(n.content, '按 GB/T 42195-2022 评估')
  assert.equal(n.inherited, false)
})
