// The time bank's measures (issue 16): elder volunteers ÷ elders per region against 12 %,
// minutes per month by category, needs open and overdue, the fund; scoped; exports.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError, chinaDay } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, fg, lq, helper
const test = serverTest(() => [s])
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }

let LQ
before(async () => {
  s = await Server.start()
  ;[fg, lq, helper] = await Promise.all(['fg_civil', 'lq_officer', 'lq_helper'].map((u) => s.login(u)))
  LQ = ok(await fg.get('/api/v1/timebank/schemes')).items.find((x) => x.name === '龙泉街道时间银行').id
  const ids = []
  for (let i = 0; i < 10; i++) {
    ids.push(ok(await fg.post('/api/v1/elders', { name: `指标老人${i}`, id_number: idNumber('520327', '19550303', 800 + i), region_code: '520327001001', address: '指标路 1 号', phone: `1360000${1000 + i}` }), 201).id)
  }
  for (const id of ids.slice(0, 2)) {
    const m = ok(await helper.post('/api/v1/timebank/members', { scheme_id: LQ, kind: 'individual', elder_id: id }), 201).id
    ok(await helper.post(`/api/v1/timebank/members/${m}/verify`, { version: 1 }))
  }
  // A pending elder member does not count yet.
  ok(await helper.post('/api/v1/timebank/members', { scheme_id: LQ, kind: 'individual', elder_id: ids[2] }), 201)
  // A need served and confirmed (陪同就医), and a need left open past its time.
  const vol = ok(await helper.get(`/api/v1/timebank/members?scheme_id=${LQ}&q=陈建国`)).items[0].id
  const n = ok(await helper.post('/api/v1/timebank/needs', { scheme_id: LQ, elder_id: ids[5], category: '陪同就医', starts_at: `${chinaDay()} 08:00`, duration_min: 60, place: '医院' }), 201)
  const a = ok(await helper.post(`/api/v1/timebank/needs/${n.id}/assign`, { version: n.version, member_id: vol }))
  const c = ok(await helper.post(`/api/v1/timebank/needs/${n.id}/confirm`, { version: a.version, code: n.confirm_code }))
  ok(await helper.post(`/api/v1/timebank/needs/${n.id}/done`, { version: c.version, minutes: 45 }))
  ok(await helper.post('/api/v1/timebank/needs', { scheme_id: LQ, elder_id: ids[6], category: '打扫卫生', starts_at: '2026-01-05 08:00', duration_min: 60, place: '家中' }), 201)
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

test('RULE-TB-050: registered elder volunteers ÷ elders in the registry per region, against the 12 % target, with the areas below', async () => {
  const m = ok(await fg.get('/api/v1/timebank/measures'))
  assert.equal(m.region_code, '520327')
  assert.equal(m.target, 0.12)
  assert.equal(m.elders_active, 10)
  assert.equal(m.elder_volunteers, 2)
  assert.equal(m.ratio, 0.2)
  assert.equal(m.reached, true)
  const lqArea = m.children.find((c) => c.code === '520327001')
  assert.equal(lqArea.name, '龙泉街道')
  assert.equal(lqArea.elder_volunteers, 2)
  assert.equal(lqArea.elders_active, 10)
  const jx = m.children.find((c) => c.code === '520327101')
  assert.deepEqual([jx.elder_volunteers, jx.elders_active, jx.ratio, jx.reached], [0, 0, 0, false])
  assert.ok(m.volunteers >= 8, 'verified volunteers of every kind')
})

test('RULE-TB-051: minutes per month by category, needs open and overdue, the fund, and drill-down lists, all within the caller\'s region', async () => {
  const m = ok(await lq.get('/api/v1/timebank/measures'))
  assert.equal(m.region_code, '520327001')
  const month = chinaDay().slice(0, 7)
  const served = m.hours.find((h) => h.month === month && h.category === '陪同就医')
  assert.deepEqual([served.minutes, served.services], [45, 1])
  const posted = m.hours.find((h) => h.month === month && h.category === '管理员补录')
  assert.ok(posted.minutes >= 1260, 'the demo\'s hours posted by administrators')
  assert.equal(m.needs.open, 1)
  assert.equal(m.needs.overdue, 1)
  assert.equal(m.needs.done, 1)
  assert.equal(m.totals.topup, 6000)
  assert.equal(m.totals.donate, 960)
  const overdue = ok(await lq.get('/api/v1/timebank/needs?overdue=1'))
  assert.equal(overdue.total, 1)
  assert.equal(overdue.items[0].category, '打扫卫生')
  const list = ok(await lq.get('/api/v1/timebank/members?region=520327001001'))
  assert.ok(list.items.every((x) => x.region_code.startsWith('520327001001')))
  assert.equal(list.items.filter((x) => x.elder_id).length, 3)
  assertError(await lq.get('/api/v1/timebank/measures?region=520327'), 404, 'not_found', 'region')
  assertError(await lq.get('/api/v1/timebank/members?region=520327101'), 404, 'not_found', 'region')
  assertError(await lq.get('/api/v1/timebank/measures?region=abc'), 404, 'not_found', 'region')
  // Scoped: 进化镇's officer sees none of 龙泉's figures.
  const jx = await s.login('jx_officer')
  const other = ok(await jx.get('/api/v1/timebank/measures'))
  assert.equal(other.needs.open, 0)
  assert.equal(other.hours.filter((h) => h.category === '陪同就医').length, 0)
})

test('RULE-TB-052: the measures and the volunteers export as CSV or XLSX, scoped and audited', async () => {
  const r = await lq.get('/api/v1/timebank/measures/export?format=csv', { check: false })
  assert.equal(r.status, 200, r.text)
  const lines = r.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  assert.equal(lines[0], '区划代码,区划,在册老人,登记老年志愿者,志愿者（含非老年）,老年志愿者占比,目标,是否达标')
  assert.ok(lines[1].startsWith('520327001,龙泉街道,10,2,'), lines[1])
  assert.ok(lines[1].endsWith(',20.00%,12%,是'), lines[1])
  const x = await fg.get('/api/v1/timebank/members/export?format=xlsx', { check: false })
  assert.equal(x.status, 200)
  const v = await lq.get('/api/v1/timebank/members/export?format=csv', { check: false })
  const rows = v.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  assert.equal(rows[0], '编号,姓名/名称,类型,时间银行,所在区划,状态,登记老人,余额（小时）,联系电话')
  assert.ok(rows.some((l) => l.includes('王秀兰,个人,龙泉街道时间银行') && l.includes('139****0101')), rows.join('\n'))
  assert.ok(!rows.some((l) => l.includes('进化镇时间银行')), 'scoped')
  assertError(await lq.get('/api/v1/timebank/members/export?format=pdf'), 400, 'invalid', 'format')
  const audit = ok(await fg.get('/api/v1/audit?action=timebank.members_export')).items
  assert.equal(audit.filter((a) => a.username === 'lq_officer')[0].detail.rows, rows.length - 1)
  assert.equal(ok(await fg.get('/api/v1/audit?action=timebank.measures_export')).total, 1)
})
