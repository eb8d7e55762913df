// Needs and service in the time bank (issue 16): a helper posts a need of an elder, a volunteer
// takes it on their phone (or a helper assigns one), the minutes are reported and the elder
// confirms with a short code (or the helper on their behalf), the hours move in the same
// transaction; disputes go to the helper.  On the demo's two allied schemes (龙泉, 进化镇).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError, sqlite } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, fg, helper, jx, lqVol, jxVol
const test = serverTest(() => [s])
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }

let LQ, JX, elder, elderMember
const soon = () => {
  const d = new Date(Date.now() + 8 * 3600e3 + 86400e3)
  return d.toISOString().slice(0, 10) + ' 09:30'
}
before(async () => {
  s = await Server.start()
  ;[fg, helper, jx, lqVol, jxVol] = await Promise.all(['fg_civil', 'lq_helper', 'jx_officer', 'lq_volunteer', 'jx_volunteer'].map((u) => s.login(u)))
  const schemes = ok(await fg.get('/api/v1/timebank/schemes')).items
  LQ = schemes.find((x) => x.name === '龙泉街道时间银行').id
  JX = schemes.find((x) => x.name === '进化镇时间银行').id
  elder = ok(await helper.post('/api/v1/elders', { name: '需求老人', id_number: idNumber('520327', '19500202', 701), region_code: '520327001001', address: '前进社区 1 号', phone: '13700007001' }), 201).id
  elderMember = ok(await helper.post('/api/v1/timebank/members', { scheme_id: LQ, kind: 'individual', elder_id: elder }), 201).id
  ok(await helper.post(`/api/v1/timebank/members/${elderMember}/verify`, { version: 1 }))
  ok(await helper.post('/api/v1/timebank/transfers', { category: 'service', to_member_id: elderMember, minutes: 300 }), 201)
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

const need = (c, over = {}) => c.post('/api/v1/timebank/needs', { scheme_id: LQ, elder_id: elder, category: '陪同就医', starts_at: soon(), duration_min: 90, place: '凤冈县人民医院', ...over })

test('RULE-TB-040: a helper posts a need of an elder of the registry in the scheme\'s area, with a category from its list', async () => {
  const n = ok(await need(helper), 201)
  assert.equal(n.status, 'open')
  assert.equal(n.status_name, '待接单')
  assert.match(n.confirm_code, /^\d{4}$/) // RULE-TB-041: given to the elder
  assert.equal(n.elder_name, '需求老人')
  assertError(await need(helper, { category: '修电脑' }), 400, 'invalid', 'category')
  assertError(await need(helper, { starts_at: '2026-02-30 09:00' }), 400, 'invalid', 'starts_at')
  assertError(await need(helper, { duration_min: 5 }), 400, 'invalid', 'duration_min')
  assertError(await need(helper, { scheme_id: JX }), 404, 'not_found', 'scheme_id')
  assertError(await need(fg, { scheme_id: JX }), 404, 'not_found', 'elder_id') // not in 进化镇's area
  assertError(await need(helper, { pay_from: 'elder' }), 400, 'invalid', 'payer_id')
  // Scoped: the other township sees nothing of it.
  assertError(await jx.get(`/api/v1/timebank/needs/${n.id}`), 404, 'not_found')
  assert.ok(!ok(await jx.get('/api/v1/timebank/needs')).items.some((x) => x.id === n.id))
  assert.equal(ok(await helper.get(`/api/v1/timebank/needs/${n.id}`)).confirm_code, n.confirm_code)
  ok(await helper.post(`/api/v1/timebank/needs/${n.id}/cancel`, { version: n.version }))
  assertError(await helper.post(`/api/v1/timebank/needs/${n.id}/cancel`, { version: n.version + 1 }), 409, 'conflict', 'status')
  const audit = ok(await fg.get('/api/v1/audit?action=timebank.need_create')).items
  assert.ok(audit.some((x) => x.username === 'lq_helper' && x.region_code === '520327001001'))
})

test('RULE-TB-044, RULE-TB-041, RULE-TB-043: a volunteer of the allied scheme takes the need on the phone, reports the minutes with the elder\'s code, and the hours are deposited across', async () => {
  const n = ok(await need(helper, { category: '陪伴聊天' }), 201)
  const nearby = ok(await jxVol.get('/api/v1/timebank/me/needs')).items
  assert.ok(nearby.some((x) => x.id === n.id), 'the allied scheme\'s open need is nearby')
  assert.ok(!('confirm_code' in nearby[0]))
  const me0 = ok(await jxVol.get('/api/v1/timebank/me'))
  assert.equal(me0.scheme_name, '进化镇时间银行')
  const bal0 = ok(await jxVol.get('/api/v1/timebank/me/statement')).balance_min
  const t = ok(await jxVol.post(`/api/v1/timebank/me/needs/${n.id}/take`, { version: n.version }))
  assert.equal(t.status, 'taken')
  assertError(await lqVol.post(`/api/v1/timebank/me/needs/${n.id}/take`, { version: t.version }), 409, 'conflict', 'status')
  assert.ok(!ok(await lqVol.get('/api/v1/timebank/me/needs')).items.some((x) => x.id === n.id))
  assertError(await lqVol.post(`/api/v1/timebank/me/needs/${n.id}/done`, { version: t.version, minutes: 60 }), 404, 'not_found')
  assertError(await jxVol.post(`/api/v1/timebank/me/needs/${n.id}/done`, { version: t.version, minutes: 800 }), 400, 'invalid', 'minutes')
  const wrong = n.confirm_code === '0000' ? '1111' : '0000'
  assertError(await jxVol.post(`/api/v1/timebank/me/needs/${n.id}/done`, { version: t.version, minutes: 75, code: wrong }), 422, 'unprocessable', 'code')
  const cur = ok(await helper.get(`/api/v1/timebank/needs/${n.id}`))
  const d = ok(await jxVol.post(`/api/v1/timebank/me/needs/${n.id}/done`, { version: cur.version, minutes: 75, code: n.confirm_code }))
  assert.equal(d.status, 'done')
  assert.ok(d.transfer_id > 0)
  const st = ok(await jxVol.get('/api/v1/timebank/me/statement'))
  assert.equal(st.balance_min, bal0 + 75)
  assert.equal(st.items[0].amount_min, 75)
  assert.ok(st.items[0].alliance_id > 0, '通存: issued by 龙泉, deposited in 进化镇 through the clearing accounts')
  const legs = sqlite(s.db, `SELECT a.kind FROM tb_movements m JOIN tb_accounts a ON a.id = m.account_id WHERE m.transfer_id = ${d.transfer_id} ORDER BY m.id`).split('\n')
  assert.deepEqual(legs, ['issue', 'clearing', 'clearing', 'member'])
  assertError(await jxVol.post(`/api/v1/timebank/me/needs/${n.id}/done`, { version: d.version, minutes: 75 }), 409, 'conflict', 'status')
  assert.equal(s.cli(['timebank', 'verify']).status, 0)
})

test('RULE-TB-042, RULE-TB-043: for members without phones the helper assigns, reports the minutes and confirms for the elder; the elder\'s own hours pay', async () => {
  const vols = ok(await helper.get(`/api/v1/timebank/members?scheme_id=${LQ}&q=陈建国`)).items
  const vol = vols[0].id
  const bal = ok(await helper.get(`/api/v1/timebank/members/${vol}`)).balance_min
  const n = ok(await need(helper, { pay_from: 'elder', payer_id: elderMember }), 201)
  const a = ok(await helper.post(`/api/v1/timebank/needs/${n.id}/assign`, { version: n.version, member_id: vol }))
  assertError(await helper.post(`/api/v1/timebank/needs/${n.id}/assign`, { version: a.version, member_id: vol }), 409, 'conflict', 'status')
  const c = ok(await helper.post(`/api/v1/timebank/needs/${n.id}/confirm`, { version: a.version }))
  assert.equal(c.status, 'taken') // the volunteer's side is still missing
  assert.equal(c.elder_ok, true)
  const d = ok(await helper.post(`/api/v1/timebank/needs/${n.id}/done`, { version: c.version, minutes: 120 }))
  assert.equal(d.status, 'done')
  assert.equal(ok(await helper.get(`/api/v1/timebank/members/${vol}`)).balance_min, bal + 120)
  assert.equal(ok(await helper.get(`/api/v1/timebank/members/${elderMember}`)).balance_min, 300 - 120)
  const audit = ok(await fg.get(`/api/v1/audit?action=timebank.need_confirm&target_id=${n.id}`)).items
  assert.equal(audit[0].detail.by, 'helper')
  // More than the elder holds: refused, nothing moves, the need stays taken.
  const n2 = ok(await need(helper, { pay_from: 'elder', payer_id: elderMember }), 201)
  const a2 = ok(await helper.post(`/api/v1/timebank/needs/${n2.id}/assign`, { version: n2.version, member_id: vol }))
  const c2 = ok(await helper.post(`/api/v1/timebank/needs/${n2.id}/confirm`, { version: a2.version, code: n2.confirm_code }))
  assertError(await helper.post(`/api/v1/timebank/needs/${n2.id}/done`, { version: c2.version, minutes: 200 }), 422, 'unprocessable', 'minutes')
  assert.equal(ok(await helper.get(`/api/v1/timebank/needs/${n2.id}`)).status, 'taken')
})

test('RULE-TB-045: a dispute goes to the helper, who settles the minutes or cancels; five wrong codes make a dispute', async () => {
  const vol = ok(await helper.get(`/api/v1/timebank/members?scheme_id=${LQ}&q=刘婷`)).items[0].id
  const bal = ok(await helper.get(`/api/v1/timebank/members/${vol}`)).balance_min
  const n = ok(await need(helper, { category: '打扫卫生' }), 201)
  const a = ok(await helper.post(`/api/v1/timebank/needs/${n.id}/assign`, { version: n.version, member_id: vol }))
  const dp = ok(await helper.post(`/api/v1/timebank/needs/${n.id}/dispute`, { version: a.version, reason: '老人说只服务了半小时' }))
  assert.equal(dp.status, 'disputed')
  assertError(await helper.post(`/api/v1/timebank/needs/${n.id}/confirm`, { version: dp.version }), 409, 'conflict', 'status')
  const r = ok(await helper.post(`/api/v1/timebank/needs/${n.id}/resolve`, { version: dp.version, minutes: 30 }))
  assert.equal(r.status, 'done')
  assert.equal(ok(await helper.get(`/api/v1/timebank/members/${vol}`)).balance_min, bal + 30)
  // Five wrong codes.
  const n3 = ok(await need(helper, { category: '打扫卫生' }), 201)
  let v = ok(await helper.post(`/api/v1/timebank/needs/${n3.id}/assign`, { version: n3.version, member_id: vol })).version
  const wrong = n3.confirm_code === '9999' ? '8888' : '9999'
  for (let i = 0; i < 5; i++) {
    assertError(await helper.post(`/api/v1/timebank/needs/${n3.id}/confirm`, { version: v, code: wrong }), 422, 'unprocessable', 'code')
    v++
  }
  const locked = ok(await helper.get(`/api/v1/timebank/needs/${n3.id}`))
  assert.equal(locked.status, 'disputed')
  assert.match(locked.dispute, /5 次/)
  ok(await helper.post(`/api/v1/timebank/needs/${n3.id}/resolve`, { version: locked.version, minutes: 0 }))
  assert.equal(ok(await helper.get(`/api/v1/timebank/needs/${n3.id}`)).status, 'cancelled')
  assert.equal(s.cli(['timebank', 'verify']).status, 0)
})
