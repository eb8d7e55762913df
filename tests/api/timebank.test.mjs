// The time bank (issue 16): schemes per region, alliances, members, the double-entry ledger
// with its regional rules, 通存通兑 through the clearing accounts, and `anlao timebank verify`.
// Runs on SQLite, and on PostgreSQL with ANLAO_TEST_PG.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError, sqlite } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, admin, fg, lq, jx, helper
const test = serverTest(() => [s])
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const CATS = ['打扫卫生', '陪伴聊天', '陪同就医']

let A, B, alliance, elders = {}
before(async () => {
  s = await Server.start()
  ;[admin, fg, lq, jx, helper] = await Promise.all(['admin', 'fg_civil', 'lq_officer', 'jx_officer', 'lq_helper'].map((u) => s.login(u)))
  const elder = async (name, birth, region, extra = {}) => ok(await fg.post('/api/v1/elders', {
    name, id_number: idNumber('520327', birth, Object.keys(elders).length + 11), region_code: region, address: '测试地址 1 号', phone: '1380000' + String(1000 + Object.keys(elders).length), ...extra }), 201).id
  elders.old = await elder('时老甲', '19500301', '520327001001')
  elders.young = await elder('时老乙', '19640501', '520327001001')
  elders.poor = await elder('时老丙', '19640601', '520327001002', { economic_status: 'dibao' })
  elders.other = await elder('时老丁', '19480101', '520327101201')
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

async function member(c, scheme_id, over = {}) {
  const m = ok(await c.post('/api/v1/timebank/members', { scheme_id, kind: 'individual', name: '志愿者', birth_date: '1990-01-01', phone: '13900001111', conduct_signed: true, training: '岗前培训', ...over }), 201)
  const got = ok(await c.get(`/api/v1/timebank/members/${m.id}`))
  ok(await c.post(`/api/v1/timebank/members/${m.id}/verify`, { version: got.version }))
  return m.id
}
const balance = async (c, id) => ok(await c.get(`/api/v1/timebank/members/${id}`)).balance_min
const post = (c, body) => c.post('/api/v1/timebank/transfers', body)
const verify = () => s.cli(['timebank', 'verify'])

test('RULE-TB-001, RULE-TB-002, RULE-TB-020, RULE-TB-027: schemes belong to a county or township of the caller, with their rules and categories', async () => {
  A = ok(await lq.post('/api/v1/timebank/schemes', { name: '测试甲时间银行', region_code: '520327001', categories: CATS }), 201)
  assert.equal(A.rules.cap_min, 90000) // Nanjing: 1,500 hours
  assert.equal(A.rules.redeem_age, 65)
  assert.equal(A.rules.redeem_age_difficulty, 60)
  assert.equal(A.rules.expiry_months, 0)
  assert.deepEqual(A.categories, CATS)
  B = ok(await jx.post('/api/v1/timebank/schemes', { name: '测试乙时间银行', region_code: '520327101', categories: ['理发'] }), 201)
  assertError(await lq.post('/api/v1/timebank/schemes', { name: '越界', region_code: '520327101', categories: CATS }), 403, 'forbidden', 'region_code')
  assertError(await lq.post('/api/v1/timebank/schemes', { name: '测试甲时间银行', region_code: '520327001', categories: CATS }), 409, 'conflict', 'name')
  assertError(await lq.post('/api/v1/timebank/schemes', { name: '坏区划', region_code: '520327001001', categories: CATS }), 400, 'invalid', 'region_code')
  assertError(await lq.post('/api/v1/timebank/schemes', { name: '坏类别', region_code: '520327001', categories: ['a', 'a'] }), 400, 'invalid', 'categories')
  assertError(await lq.post('/api/v1/timebank/schemes', { name: '有效期', region_code: '520327001', categories: CATS, expiry_months: 121 }), 400, 'invalid', 'expiry_months') // RULE-TB-060: 0..120
  assertError(await helper.post('/api/v1/timebank/schemes', { name: '助老员', region_code: '520327001', categories: CATS }), 403, 'forbidden')
  // Scope: the township sees its own scheme only; the county both.
  const mine = ok(await lq.get('/api/v1/timebank/schemes')).items.map((x) => x.name)
  assert.ok(mine.includes('测试甲时间银行') && !mine.includes('测试乙时间银行'), mine.join())
  const all = ok(await fg.get('/api/v1/timebank/schemes')).items.map((x) => x.name)
  assert.ok(all.includes('测试甲时间银行') && all.includes('测试乙时间银行'))
  assertError(await lq.get(`/api/v1/timebank/schemes/${B.id}`), 404, 'not_found')
  // Rules are regional settings, changed at their version.
  const upd = ok(await lq.patch(`/api/v1/timebank/schemes/${A.id}`, { version: A.version, cap_hours: 20 }))
  assert.equal(upd.rules.cap_min, 1200)
  assertError(await lq.patch(`/api/v1/timebank/schemes/${A.id}`, { version: A.version, cap_hours: 30 }), 409, 'conflict', 'version')
  A = upd
  const audit = ok(await admin.get('/api/v1/audit?action=timebank.scheme_update')).items
  assert.ok(audit.some((x) => x.username === 'lq_officer'))
  assert.equal(audit[0].action_name, '修改时间银行规则') // RULE-UI-003
})

test('RULE-TB-003, RULE-TB-004: an alliance is proposed by one scheme, accepted by the other, suspended and resumed by either', async () => {
  const p = ok(await lq.post('/api/v1/timebank/alliances', { scheme_id: A.id, partner_id: B.id, note: '试点' }), 201)
  alliance = p.id
  assert.equal(p.status, 'proposed')
  assertError(await jx.post('/api/v1/timebank/alliances', { scheme_id: B.id, partner_id: A.id }), 409, 'conflict', 'partner_id')
  assertError(await lq.post(`/api/v1/timebank/alliances/${alliance}/status`, { status: 'accepted', version: 1 }), 403, 'forbidden', 'status')
  assertError(await jx.post(`/api/v1/timebank/alliances/${alliance}/status`, { status: 'accepted', version: 9 }), 409, 'conflict', 'version')
  ok(await jx.post(`/api/v1/timebank/alliances/${alliance}/status`, { status: 'accepted', version: 1 }))
  const list = ok(await lq.get('/api/v1/timebank/alliances')).items
  const al = list.find((x) => x.id === alliance)
  assert.equal(al.status, 'accepted')
  assert.equal(al.clearing_a_min, 0)
  assert.equal(al.clearing_b_min, 0)
  assertError(await helper.post(`/api/v1/timebank/alliances/${alliance}/status`, { status: 'suspended', version: 2 }), 403, 'forbidden')
})

let v1, v2, grp, w1, oldM, youngM, poorM
test('RULE-TB-005, RULE-TB-006, RULE-TB-007: members register (individual 18+, group, or an elder of the registry) and are verified before hours move', async () => {
  v1 = await member(helper, A.id, { name: '甲志愿者一', region_code: '520327001001' })
  v2 = await member(helper, A.id, { name: '甲志愿者二' })
  grp = await member(helper, A.id, { kind: 'group', name: '茶业公司志愿队', group_type: '企业', birth_date: undefined })
  w1 = await member(jx, B.id, { name: '乙志愿者' })
  oldM = await member(helper, A.id, { elder_id: elders.old, name: undefined, birth_date: undefined })
  youngM = await member(helper, A.id, { elder_id: elders.young, name: undefined, birth_date: undefined })
  poorM = await member(helper, A.id, { elder_id: elders.poor, name: undefined, birth_date: undefined })
  const om = ok(await helper.get(`/api/v1/timebank/members/${oldM}`))
  assert.equal(om.name, '时老甲') // from the registry
  assert.equal(om.status, 'verified')
  assert.equal(om.phone_masked, '139****1111') // RULE-PII-002
  assertError(await helper.post('/api/v1/timebank/members', { scheme_id: A.id, kind: 'individual', elder_id: elders.old }), 409, 'conflict', 'elder_id')
  assertError(await helper.post('/api/v1/timebank/members', { scheme_id: A.id, kind: 'individual', elder_id: elders.other }), 404, 'not_found', 'elder_id')
  assertError(await helper.post('/api/v1/timebank/members', { scheme_id: A.id, kind: 'individual', name: '少年', birth_date: '2015-01-01' }), 422, 'unprocessable', 'birth_date')
  assertError(await helper.post('/api/v1/timebank/members', { scheme_id: A.id, kind: 'individual', name: '无生日' }), 400, 'invalid', 'birth_date')
  assertError(await helper.post('/api/v1/timebank/members', { scheme_id: B.id, kind: 'individual', name: '越界', birth_date: '1990-01-01' }), 404, 'not_found', 'scheme_id')
  assertError(await helper.post('/api/v1/timebank/members', { scheme_id: A.id, kind: 'person', name: 'x' }), 400, 'invalid', 'kind')
  // Pending members move no hours.
  const pending = ok(await helper.post('/api/v1/timebank/members', { scheme_id: A.id, kind: 'individual', name: '待审核', birth_date: '1990-01-01' }), 201).id
  assertError(await post(helper, { category: 'service', to_member_id: pending, minutes: 60 }), 422, 'unprocessable', 'to_member_id')
  const list = ok(await helper.get(`/api/v1/timebank/members?scheme_id=${A.id}`))
  assert.equal(list.total, 7)
  assert.ok(list.items.every((x) => !('phone' in x)))
  assert.equal(list.items.find((x) => x.id === v1).phone_masked, '139****1111')
})

test('RULE-TB-010, RULE-TB-011, RULE-TB-021: service hours come from the issue account; beyond the cap they are donated to the fund', async () => {
  const r = ok(await post(helper, { category: 'service', to_member_id: v1, minutes: 1000, note: '陪伴聊天' }), 201)
  assert.equal(r.to_balance_min, 1000)
  assert.equal(r.cap_donated_min, 0)
  // The cap is 20 hours (1,200 min) in this scheme: 300 more pass it by 100.
  const c = ok(await post(helper, { category: 'service', to_member_id: v1, minutes: 300 }), 201)
  assert.equal(c.cap_donated_min, 100)
  assert.equal(c.to_balance_min, 1200)
  assert.equal(await balance(helper, v1), 1200)
  const st = ok(await helper.get(`/api/v1/timebank/members/${v1}/statement`))
  assert.deepEqual(st.items.map((x) => [x.category, x.amount_min, x.balance_after_min]),
    [['cap_donate', -100, 1200], ['service', 300, 1300], ['service', 1000, 1000]])
  assert.equal(st.items[0].category_name, '超上限捐赠')
  const sch = ok(await helper.get(`/api/v1/timebank/schemes/${A.id}`))
  assert.equal(sch.issued_min, 1300)
  assert.equal(sch.fund_min, 100)
  // Every transfer sums to zero within its scheme.
  assert.equal(sqlite(s.db, 'SELECT count(*) FROM (SELECT transfer_id FROM tb_movements GROUP BY transfer_id HAVING sum(amount_min) <> 0) x'), '0')
  ok(await post(helper, { category: 'service', to_member_id: v2, minutes: 600 }), 201)
  ok(await post(helper, { category: 'service', to_member_id: grp, minutes: 480 }), 201)
  ok(await post(helper, { category: 'service', to_member_id: oldM, minutes: 300 }), 201)
  ok(await post(helper, { category: 'service', to_member_id: youngM, minutes: 300 }), 201)
  ok(await post(helper, { category: 'service', to_member_id: poorM, minutes: 300 }), 201)
  assertError(await post(helper, { category: 'service', to_member_id: v1, minutes: 0 }), 400, 'invalid', 'minutes')
  assertError(await post(helper, { category: 'service', from_member_id: v2, to_member_id: v1, minutes: 10 }), 400, 'invalid', 'from_member_id')
  assertError(await post(helper, { category: 'swap', to_member_id: v1, minutes: 10 }), 400, 'invalid', 'category')
  const audit = ok(await admin.get('/api/v1/audit?action=timebank.transfer')).items
  assert.equal(audit.filter((x) => x.username === 'lq_helper').length, 7)
})

test('RULE-TB-012, RULE-TB-022, RULE-TB-023: no overdraft; group hours only donated; redemption from 65, 60 in difficulty', async () => {
  assertError(await post(helper, { category: 'redeem', from_member_id: oldM, to_member_id: v2, minutes: 301 }), 422, 'unprocessable', 'minutes')
  ok(await post(helper, { category: 'redeem', from_member_id: oldM, to_member_id: v2, minutes: 60 }), 201)
  // 62 years old: not yet; 62 and in difficulty (低保): yes.
  assertError(await post(helper, { category: 'redeem', from_member_id: youngM, to_member_id: v2, minutes: 60 }), 422, 'unprocessable', 'from_member_id')
  ok(await post(helper, { category: 'redeem', from_member_id: poorM, to_member_id: v2, minutes: 60 }), 201)
  // A 36-year-old volunteer's own hours wait for their old age.
  assertError(await post(helper, { category: 'redeem', from_member_id: v2, to_member_id: v1, minutes: 60 }), 422, 'unprocessable', 'from_member_id')
  assertError(await post(helper, { category: 'redeem', from_member_id: grp, to_member_id: v1, minutes: 60 }), 422, 'unprocessable', 'category')
  assertError(await post(helper, { category: 'gift', from_member_id: grp, to_member_id: oldM, minutes: 60, relation: 'parent' }), 422, 'unprocessable', 'category')
  ok(await post(helper, { category: 'donate', from_member_id: grp, minutes: 480 }), 201)
  assert.equal(await balance(helper, grp), 0)
})

test('RULE-TB-024, RULE-TB-025, RULE-TB-026: gifts to direct relatives 60+, donations to the fund or elders in difficulty, fund grants to key elders', async () => {
  ok(await post(helper, { category: 'gift', from_member_id: v2, to_member_id: oldM, minutes: 60, relation: 'parent' }), 201)
  assertError(await post(helper, { category: 'gift', from_member_id: v2, to_member_id: oldM, minutes: 60, relation: 'friend' }), 400, 'invalid', 'relation')
  assertError(await post(helper, { category: 'gift', from_member_id: v2, to_member_id: v1, minutes: 60, relation: 'child' }), 422, 'unprocessable', 'to_member_id')
  ok(await post(helper, { category: 'donate', from_member_id: v2, to_member_id: poorM, minutes: 30 }), 201)
  assertError(await post(helper, { category: 'donate', from_member_id: v2, to_member_id: oldM, minutes: 30 }), 422, 'unprocessable', 'to_member_id')
  // The fund: filled (topup) and granted by officers only, to key elders only, never below zero.
  assertError(await post(helper, { category: 'topup', scheme_id: A.id, minutes: 600 }), 403, 'forbidden', 'category')
  const before = ok(await lq.get(`/api/v1/timebank/schemes/${A.id}`)).fund_min
  ok(await post(lq, { category: 'topup', scheme_id: A.id, minutes: 600 }), 201)
  assert.equal(ok(await lq.get(`/api/v1/timebank/schemes/${A.id}`)).fund_min, before + 600)
  assertError(await post(lq, { category: 'grant', to_member_id: youngM, minutes: 60 }), 422, 'unprocessable', 'to_member_id')
  assertError(await post(lq, { category: 'grant', to_member_id: poorM, minutes: before + 601 }), 422, 'unprocessable', 'minutes')
  const g = ok(await post(lq, { category: 'grant', to_member_id: poorM, minutes: 120 }), 201)
  assert.equal(g.to_balance_min, 300 - 60 + 30 + 120)
  assert.equal(verify().status, 0)
})

test('RULE-TB-031, RULE-TB-033: a spend in an allied scheme is one transaction through both clearing accounts', async () => {
  const b0 = await balance(helper, oldM)
  const r = ok(await post(helper, { category: 'redeem', from_member_id: oldM, to_member_id: w1, minutes: 90, note: '通兑' }), 201)
  assert.equal(r.alliance_id, alliance)
  assert.equal(r.from_balance_min, b0 - 90)
  assert.equal(await balance(jx, w1), 90)
  // The helper of A does not see B's member otherwise.
  assertError(await helper.get(`/api/v1/timebank/members/${w1}`), 404, 'not_found')
  const legs = sqlite(s.db, `SELECT a.kind || ':' || a.scheme_id || ':' || m.amount_min FROM tb_movements m JOIN tb_accounts a ON a.id = m.account_id WHERE m.transfer_id = ${r.id} ORDER BY m.id`).split('\n')
  assert.deepEqual(legs, [`member:${A.id}:-90`, `clearing:${A.id}:90`, `clearing:${B.id}:-90`, `member:${B.id}:90`])
  const al = ok(await fg.get('/api/v1/timebank/alliances')).items.find((x) => x.id === alliance)
  assert.equal(al.clearing_a_min + al.clearing_b_min, 0)
  assert.equal(Math.abs(al.clearing_a_min), 90)
  const st = ok(await jx.get(`/api/v1/timebank/members/${w1}/statement`)).items[0]
  assert.equal(st.counterparty, '时老甲')
  assert.equal(st.counterparty_scheme, '测试甲时间银行')
  // Suspended: no spend across; nothing is written.  The helper no longer sees B's member
  // (RULE-TB-033); the county officer, who sees both, is told there is no alliance.
  ok(await jx.post(`/api/v1/timebank/alliances/${alliance}/status`, { status: 'suspended', version: 2 }))
  const n = sqlite(s.db, 'SELECT count(*) FROM tb_movements')
  assertError(await post(helper, { category: 'redeem', from_member_id: oldM, to_member_id: w1, minutes: 10 }), 404, 'not_found', 'to_member_id')
  const e = assertError(await post(fg, { category: 'redeem', from_member_id: oldM, to_member_id: w1, minutes: 10 }), 422, 'unprocessable', 'to_member_id')
  assert.match(e.message, /没有生效的通存通兑联盟/)
  assert.equal(sqlite(s.db, 'SELECT count(*) FROM tb_movements'), n)
  assert.equal(await balance(helper, oldM), b0 - 90)
  ok(await lq.post(`/api/v1/timebank/alliances/${alliance}/status`, { status: 'accepted', version: 3 }))
  ok(await post(helper, { category: 'redeem', from_member_id: oldM, to_member_id: w1, minutes: 10 }), 201)
})

test('RULE-TB-030: `anlao timebank verify` checks every invariant and names the first break', async () => {
  let v = verify()
  assert.equal(v.status, 0, v.stderr)
  assert.match(v.stdout, /账本完好/)
  const api = ok(await fg.get('/api/v1/timebank/verify'))
  assert.equal(api.ok, true)
  assertError(await helper.get('/api/v1/timebank/verify'), 403, 'forbidden')
  // A balance that drifts from its movements.
  const acct = sqlite(s.db, `SELECT id FROM tb_accounts WHERE kind = 'member' AND member_id = ${v1}`)
  sqlite(s.db, `UPDATE tb_accounts SET balance_min = balance_min + 5 WHERE id = ${acct}`)
  v = verify()
  assert.equal(v.status, 3)
  assert.match(v.stderr, new RegExp(`账户 #${acct} 的余额`))
  sqlite(s.db, `UPDATE tb_accounts SET balance_min = balance_min - 5 WHERE id = ${acct}`)
  assert.equal(verify().status, 0)
  // A movement changed: its transfer no longer sums to zero in its scheme.
  const mv = sqlite(s.db, `SELECT id || ':' || transfer_id FROM tb_movements WHERE account_id = ${acct} ORDER BY id LIMIT 1`).split(':')
  sqlite(s.db, `UPDATE tb_movements SET amount_min = amount_min + 1 WHERE id = ${mv[0]}; UPDATE tb_accounts SET balance_min = balance_min + 1 WHERE id = ${acct}`)
  v = verify()
  assert.equal(v.status, 3)
  assert.match(v.stderr, new RegExp(`转账 #${mv[1]} 在时间银行 #${A.id} 内的分录合计为 1 分钟`))
  sqlite(s.db, `UPDATE tb_movements SET amount_min = amount_min - 1 WHERE id = ${mv[0]}; UPDATE tb_accounts SET balance_min = balance_min - 1 WHERE id = ${acct}`)
  // Clearing accounts that stop mirroring (each scheme still sums to zero).
  const cl = sqlite(s.db, `SELECT m.transfer_id FROM tb_movements m JOIN tb_accounts a ON a.id = m.account_id WHERE a.kind = 'clearing' ORDER BY m.id DESC LIMIT 1`)
  sqlite(s.db, `UPDATE tb_movements SET amount_min = amount_min * 2 WHERE transfer_id = ${cl} AND account_id IN (SELECT id FROM tb_accounts WHERE scheme_id = ${B.id});` +
    ` UPDATE tb_accounts SET balance_min = (SELECT coalesce(sum(amount_min), 0) FROM tb_movements WHERE account_id = tb_accounts.id)`)
  v = verify()
  assert.equal(v.status, 3)
  assert.match(v.stderr, new RegExp(`转账 #${cl} 的两个清算分录不对等`))
  sqlite(s.db, `UPDATE tb_movements SET amount_min = amount_min / 2 WHERE transfer_id = ${cl} AND account_id IN (SELECT id FROM tb_accounts WHERE scheme_id = ${B.id});` +
    ` UPDATE tb_accounts SET balance_min = (SELECT coalesce(sum(amount_min), 0) FROM tb_movements WHERE account_id = tb_accounts.id)`)
  assert.equal(verify().status, 0)
})
