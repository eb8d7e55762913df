// The time bank, second part (issue 16): hours that expire (first in, first out, by a job that
// posts through the ledger and can run twice), the elder-volunteer target and the radius of
// nearby needs as regional settings, needs sorted by distance, a volunteer's dispute from the
// phone, elders who left the registry, and the citizen card.  SQLite, and PostgreSQL with
// ANLAO_TEST_PG.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError, sqlite, sleep } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, admin, fg, lq, helper, lqVol, jxVol
const test = serverTest(() => [s])
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const DAY = 86400

let S, LQ, JX, elders = []
before(async () => {
  s = await Server.start()
  ;[admin, fg, lq, helper, lqVol, jxVol] = await Promise.all(['admin', 'fg_civil', 'lq_officer', 'lq_helper', 'lq_volunteer', 'jx_volunteer'].map((u) => s.login(u)))
  const schemes = ok(await fg.get('/api/v1/timebank/schemes')).items
  LQ = schemes.find((x) => x.name === '龙泉街道时间银行').id
  JX = schemes.find((x) => x.name === '进化镇时间银行').id
  for (let i = 0; i < 3; i++)
    elders.push(ok(await fg.post('/api/v1/elders', { name: `二期老人${i}`, id_number: idNumber('520327', '19500301', 801 + i), region_code: '520327001001', address: '龙泉社区 1 号', phone: '1370000800' + i, lat: 27.955 + i * 0.01, lng: 107.72 }), 201).id)
  // One of three elders is a registered volunteer: 33 % of the township's elders.
  const em = ok(await helper.post('/api/v1/timebank/members', { scheme_id: LQ, kind: 'individual', elder_id: elders[0] }), 201).id
  ok(await helper.post(`/api/v1/timebank/members/${em}/verify`, { version: 1 }))
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

async function member(c, scheme_id, over = {}) {
  const m = ok(await c.post('/api/v1/timebank/members', { scheme_id, kind: 'individual', name: '志愿者', birth_date: '1990-01-01', phone: '13900002222', conduct_signed: true, ...over }), 201)
  ok(await c.post(`/api/v1/timebank/members/${m.id}/verify`, { version: 1 }))
  return m.id
}
const deposit = async (to, minutes, daysAgo = 0) => {
  const t = ok(await helper.post('/api/v1/timebank/transfers', { category: 'service', to_member_id: to, minutes }), 201)
  if (daysAgo) sqlite(s.db, `UPDATE tb_movements SET created_at = created_at - ${daysAgo * DAY} WHERE transfer_id = ${t.id}; UPDATE tb_transfers SET created_at = created_at - ${daysAgo * DAY} WHERE id = ${t.id}`)
  return t.id
}
async function job(c, r) {
  assert.equal(r.status, 202, r.text)
  for (let i = 0; i < 400; i++) {
    const j = ok(await c.get(`/api/v1/jobs/${r.body.job_id}`))
    if (j.status === 'done') return j
    assert.notEqual(j.status, 'failed', JSON.stringify(j))
    await sleep(25)
  }
  assert.fail('job did not finish')
}
const verify = () => { const v = s.cli(['timebank', 'verify']); assert.equal(v.status, 0, v.stderr); return v }

test('RULE-TB-060, RULE-TB-061, RULE-TB-062: hours older than the scheme\'s expiry go back to the issue account, first in first out, by a job that can run twice; the member sees what expires soon', async () => {
  S = ok(await lq.post('/api/v1/timebank/schemes', { name: '有效期时间银行', region_code: '520327001', categories: ['陪伴聊天'], expiry_months: 12 }), 201)
  assert.equal(S.rules.expiry_months, 12)
  assertError(await lq.patch(`/api/v1/timebank/schemes/${S.id}`, { version: S.version, expiry_months: 121 }), 400, 'invalid', 'expiry_months')
  const v = await member(helper, S.id, { name: '过期测试' })
  await deposit(v, 300, 400) // 13 months ago: expires
  await deposit(v, 200, 350) // 11.5 months ago: expires within 30 days
  await deposit(v, 100)
  // 100 minutes donated: first in, first out, they came out of the oldest 300.
  ok(await helper.post('/api/v1/timebank/transfers', { category: 'donate', from_member_id: v, minutes: 100 }), 201)
  let m = ok(await helper.get(`/api/v1/timebank/members/${v}`))
  assert.equal(m.balance_min, 500)
  assert.equal(m.expiry.months, 12)
  assert.equal(m.expiry.expiring_min, 400) // 200 due now and 200 within 30 days
  assertError(await helper.post('/api/v1/timebank/expiry', {}), 403, 'forbidden')
  const j = await job(lq, await lq.post('/api/v1/timebank/expiry', {}))
  assert.deepEqual(j.result, { members: 1, minutes: 200 })
  m = ok(await helper.get(`/api/v1/timebank/members/${v}`))
  assert.equal(m.balance_min, 300)
  assert.equal(m.expiry.expiring_min, 200)
  assert.match(m.expiry.text, /将有 3 小时 20 分钟过期失效/)
  const st = ok(await helper.get(`/api/v1/timebank/members/${v}/statement`)).items
  assert.equal(st[0].category, 'expire')
  assert.equal(st[0].category_name, '过期失效')
  assert.equal(st[0].amount_min, -200)
  // Idempotent: a second run (the job again, or the CLI) finds nothing more due.
  assert.deepEqual((await job(lq, await lq.post('/api/v1/timebank/expiry', {}))).result, { members: 0, minutes: 0 })
  const cli = s.cli(['timebank', 'expire'])
  assert.equal(cli.status, 0, cli.stderr)
  assert.match(cli.stdout, /0 名成员，共 0 分钟/)
  assert.equal(ok(await helper.get(`/api/v1/timebank/members/${v}`)).balance_min, 300)
  verify() // the issue account took the hours back: every scheme still sums to zero
  const audit = ok(await fg.get('/api/v1/audit?action=timebank.expire')).items
  assert.equal(audit.length, 1)
  assert.equal(audit[0].username, 'lq_officer')
  assert.equal(audit[0].region_code, '520327001')
  // A scheme without expiry (the demo's) keeps old hours.
  const w = await member(helper, LQ, { name: '不过期' })
  await deposit(w, 60, 2000)
  assert.deepEqual((await job(lq, await lq.post('/api/v1/timebank/expiry', {}))).result, { members: 0, minutes: 0 })
  const wm = ok(await helper.get(`/api/v1/timebank/members/${w}`))
  assert.equal(wm.balance_min, 60)
  assert.equal(wm.expiry.text, '时间长期有效')
})

test('RULE-TB-064: the elder-volunteer target is a regional setting (the deepest region that sets it decides), and the measures use it', async () => {
  let st = ok(await fg.get('/api/v1/timebank/settings?region=520327001'))
  assert.equal(st.elder_volunteer_target_pct, 12) // Hangzhou's, the default
  assert.equal(st.elder_volunteer_target_pct_from, '')
  assertError(await helper.put('/api/v1/timebank/settings', { region_code: '520327001', elder_volunteer_target_pct: 30 }), 403, 'forbidden')
  assertError(await lq.put('/api/v1/timebank/settings', { region_code: '520327101', elder_volunteer_target_pct: 30 }), 403, 'forbidden', 'region_code')
  assertError(await lq.put('/api/v1/timebank/settings', { region_code: '520327001', elder_volunteer_target_pct: 0 }), 400, 'invalid', 'elder_volunteer_target_pct')
  assertError(await lq.put('/api/v1/timebank/settings', { region_code: '520327001' }), 400, 'invalid', 'elder_volunteer_target_pct')
  st = ok(await lq.put('/api/v1/timebank/settings', { region_code: '520327001', elder_volunteer_target_pct: 50 }))
  assert.equal(st.elder_volunteer_target_pct, 50)
  assert.equal(st.elder_volunteer_target_pct_from, '520327001')
  // A village below inherits the township's; the county keeps the default.
  assert.equal(ok(await fg.get('/api/v1/timebank/settings?region=520327001001')).elder_volunteer_target_pct, 50)
  const m = ok(await fg.get('/api/v1/timebank/measures'))
  assert.equal(m.target_pct, 12)
  assert.equal(m.target, 0.12)
  const lqArea = m.children.find((c) => c.code === '520327001')
  const jxArea = m.children.find((c) => c.code === '520327101')
  assert.equal(lqArea.target_pct, 50)
  assert.equal(jxArea.target_pct, 12)
  for (const c of [m, lqArea, jxArea])
    assert.equal(c.reached, c.elders_active > 0 && c.elder_volunteers * 100 >= c.elders_active * c.target_pct, JSON.stringify(c))
  assert.deepEqual([lqArea.elder_volunteers, lqArea.elders_active, lqArea.reached], [1, 3, false])
  assert.deepEqual([m.elder_volunteers, m.elders_active, m.reached], [1, 3, true]) // 33 % ≥ 12 %
  const own = ok(await lq.get('/api/v1/timebank/measures'))
  assert.equal(own.target, 0.5)
  const csv = await fg.get('/api/v1/timebank/measures/export?format=csv', { check: false })
  assert.equal(csv.status, 200)
  assert.match(csv.text, /520327001,龙泉街道,.*,50%,否/)
  const audit = ok(await fg.get('/api/v1/audit?action=timebank.settings')).items
  assert.equal(audit[0].username, 'lq_officer')
  ok(await lq.put('/api/v1/timebank/settings', { region_code: '520327001', elder_volunteer_target_pct: 12 }))
})

const soon = (h = 24) => new Date(Date.now() + 8 * 3600e3 + h * 3600e3).toISOString().slice(0, 16).replace('T', ' ')
const need = (c, over = {}) => c.post('/api/v1/timebank/needs', { scheme_id: LQ, elder_id: elders[0], category: '陪伴聊天', starts_at: soon(), duration_min: 60, place: '老人家中', ...over })

let nearVol, nearVolId
test('RULE-TB-066: needs carry a position (the elder\'s address or a picked point); a volunteer sees the open needs of their scheme and allied schemes nearest first, within the region\'s radius', async () => {
  ok(await admin.post('/api/v1/users', { username: 'near_vol', display_name: '附近志愿者', role: 'volunteer', region_code: '520327001', password: 'Near12345' }), 201)
  nearVol = await s.firstLogin('near_vol', 'Near12345')
  const uid = ok(await admin.get('/api/v1/users?q=near_vol')).items[0].id
  assertError(await helper.post('/api/v1/timebank/members', { scheme_id: LQ, kind: 'individual', name: '附近志愿者', birth_date: '1980-05-05', user_id: uid, lat: 27.975 }), 400, 'invalid', 'lng')
  assertError(await helper.post('/api/v1/timebank/members', { scheme_id: LQ, kind: 'individual', name: '附近志愿者', birth_date: '1980-05-05', user_id: uid, lat: 91, lng: 107.72 }), 400, 'invalid', 'lat')
  nearVolId = await member(helper, LQ, { name: '附近志愿者', birth_date: '1980-05-05', user_id: uid, lat: 27.975, lng: 107.72 })
  const noPos = ok(await fg.post('/api/v1/elders', { name: '无坐标老人', id_number: idNumber('520327', '19480808', 811), region_code: '520327001001', address: '龙泉社区 9 号', phone: '13700008111' }), 201).id
  const a = ok(await need(helper, { elder_id: elders[0] }), 201)                 // 2.2 km away
  const b = ok(await need(helper, { elder_id: elders[2], starts_at: soon(48) }), 201) // at the volunteer's door
  const far = ok(await need(helper, { elder_id: elders[1], lat: 28.2, lng: 107.72, place: '县城外' }), 201) // picked point, 25 km
  const d = ok(await need(helper, { elder_id: noPos }), 201)                      // no position known
  const other = ok(await need(helper, { scheme_id: S.id, elder_id: elders[2] }), 201) // not allied with 龙泉
  assertError(await need(helper, { lat: 27.9 }), 400, 'invalid', 'lng')
  let r = ok(await nearVol.get('/api/v1/timebank/me/needs'))
  assert.equal(r.by_distance, true)
  assert.equal(r.radius_m, 5000)
  const mine = r.items.filter((x) => [a.id, b.id, far.id, d.id, other.id].includes(x.id))
  assert.deepEqual(mine.map((x) => x.id), [b.id, a.id, d.id])
  assert.equal(mine[0].distance_m, 0)
  assert.ok(Math.abs(mine[1].distance_m - 2224) < 5, String(mine[1].distance_m))
  assert.equal(mine[2].distance_m, null)
  // Ordered across pages too.
  const p1 = ok(await nearVol.get('/api/v1/timebank/me/needs?page_size=1&page=1'))
  assert.equal(p1.items.length, 1)
  assert.equal(p1.total, r.total)
  assert.equal(p1.items[0].id, r.items[0].id)
  // The radius is a regional setting: 1 km in 龙泉 leaves the 2.2 km need out.
  ok(await lq.put('/api/v1/timebank/settings', { region_code: '520327001', nearby_radius_m: 1000 }))
  r = ok(await nearVol.get('/api/v1/timebank/me/needs'))
  assert.equal(r.radius_m, 1000)
  assert.deepEqual(r.items.filter((x) => [a.id, b.id, d.id].includes(x.id)).map((x) => x.id), [b.id, d.id])
  ok(await lq.put('/api/v1/timebank/settings', { region_code: '520327001', nearby_radius_m: 5000 }))
  // A volunteer without a position still sees their scheme and allied schemes, by time.
  const j = ok(await jxVol.get('/api/v1/timebank/me/needs'))
  assert.equal(j.by_distance, false)
  assert.ok(j.items.some((x) => x.id === far.id), 'no position: no distance filter')
  assert.ok(!j.items.some((x) => x.id === other.id))
})

test('RULE-TB-068: the volunteer who took a need raises a dispute from the phone; it goes to the helper', async () => {
  const n = ok(await need(helper, { elder_id: elders[2] }), 201)
  const t = ok(await nearVol.post(`/api/v1/timebank/me/needs/${n.id}/take`, { version: n.version }))
  assertError(await jxVol.post(`/api/v1/timebank/me/needs/${n.id}/dispute`, { version: t.version, reason: '不是我接的' }), 404, 'not_found')
  assertError(await nearVol.post(`/api/v1/timebank/me/needs/${n.id}/dispute`, { version: t.version }), 400, 'invalid', 'reason')
  assertError(await nearVol.post(`/api/v1/timebank/me/needs/${n.id}/dispute`, { version: t.version + 1, reason: '老人不在家' }), 409, 'conflict', 'version')
  const d = ok(await nearVol.post(`/api/v1/timebank/me/needs/${n.id}/dispute`, { version: t.version, reason: '老人不在家，未能服务' }))
  assert.equal(d.status, 'disputed')
  assert.equal(d.dispute, '志愿者附近志愿者：老人不在家，未能服务')
  assertError(await nearVol.post(`/api/v1/timebank/me/needs/${n.id}/dispute`, { version: d.version, reason: '再次' }), 409, 'conflict', 'status')
  // The helper sees it among the disputes and settles it.
  const list = ok(await helper.get('/api/v1/timebank/needs?status=disputed')).items
  assert.ok(list.some((x) => x.id === n.id))
  const res = ok(await helper.post(`/api/v1/timebank/needs/${n.id}/resolve`, { version: d.version, minutes: 0 }))
  assert.equal(res.status, 'cancelled')
  const audit = ok(await fg.get('/api/v1/audit?action=timebank.need_dispute')).items
  assert.equal(audit[0].username, 'near_vol')
})

test('RULE-TB-069: an elder who died or moved away can neither spend nor receive hours (409 naming why)', async () => {
  const e = ok(await fg.post('/api/v1/elders', { name: '离册老人', id_number: idNumber('520327', '19500505', 821), region_code: '520327001001', address: '龙泉社区 3 号', phone: '13700008211' }), 201)
  const em = await member(helper, LQ, { elder_id: e.id, name: undefined, birth_date: undefined })
  await deposit(em, 120)
  ok(await helper.post('/api/v1/timebank/transfers', { category: 'redeem', from_member_id: em, to_member_id: nearVolId, minutes: 30 }), 201)
  const rec = ok(await fg.get(`/api/v1/elders/${e.id}`))
  ok(await fg.patch(`/api/v1/elders/${e.id}`, { version: rec.version, status: 'deceased', status_date: '2026-11-01', status_reason: '病故' }))
  let r = await helper.post('/api/v1/timebank/transfers', { category: 'redeem', from_member_id: em, to_member_id: nearVolId, minutes: 30 })
  assertError(r, 409, 'conflict', 'from_member_id')
  assert.match(r.body.error.message, /老人已去世，不能使用时间/)
  r = await helper.post('/api/v1/timebank/transfers', { category: 'service', to_member_id: em, minutes: 30 })
  assertError(r, 409, 'conflict', 'to_member_id')
  assert.match(r.body.error.message, /老人已去世，不能接收时间/)
  assertError(await helper.post('/api/v1/timebank/transfers', { category: 'donate', from_member_id: em, minutes: 30 }), 409, 'conflict', 'from_member_id')
  // Moved away: the same, naming the move.
  const e2 = ok(await fg.post('/api/v1/elders', { name: '迁出老人', id_number: idNumber('520327', '19500606', 822), region_code: '520327001001', address: '龙泉社区 4 号', phone: '13700008222' }), 201)
  const em2 = await member(helper, LQ, { elder_id: e2.id, name: undefined, birth_date: undefined })
  const rec2 = ok(await fg.get(`/api/v1/elders/${e2.id}`))
  ok(await fg.patch(`/api/v1/elders/${e2.id}`, { version: rec2.version, status: 'moved_out', status_date: '2026-11-01', status_reason: '随子女迁居' }))
  r = await fg.post('/api/v1/timebank/transfers', { category: 'grant', to_member_id: em2, minutes: 30 })
  assert.equal(r.status, 409, r.text)
  assert.match(r.body.error.message, /已迁出/)
  assert.equal(ok(await helper.get(`/api/v1/timebank/members/${em}`)).balance_min, 90)
  verify()
})

test('RULE-TB-070, RULE-TB-071: a member links a citizen card (sealed, hashed, shown masked); the exchange file gives the hours per member for a period, audited', async () => {
  const v = await member(helper, LQ, { name: '市民卡志愿者' })
  assertError(await helper.put(`/api/v1/timebank/members/${v}/card`, { card_number: 'abc' }), 400, 'invalid', 'card_number')
  assertError(await helper.put(`/api/v1/timebank/members/${v}/card`, {}), 400, 'invalid', 'card_number')
  const r = ok(await helper.put(`/api/v1/timebank/members/${v}/card`, { card_number: '3301ZJ00123456' }))
  assert.equal(r.card_masked, '3301******3456')
  const m = ok(await helper.get(`/api/v1/timebank/members/${v}`))
  assert.equal(m.card_masked, '3301******3456')
  assert.ok(!JSON.stringify(m).includes('3301ZJ00123456'))
  const row = sqlite(s.db, `SELECT card_enc || '|' || card_hash FROM tb_members WHERE id = ${v}`)
  assert.ok(!row.includes('3301ZJ00123456'), 'stored sealed, never in the clear')
  // The same card on another member of the scheme: 409.
  const w = await member(helper, LQ, { name: '另一志愿者' })
  assertError(await helper.put(`/api/v1/timebank/members/${w}/card`, { card_number: '3301ZJ00123456' }), 409, 'conflict', 'card_number')
  // Hours: 90 before the period, 60 in it, 30 spent in it.
  await deposit(v, 90, 40)
  await deposit(v, 60, 5)
  const sp = ok(await helper.post('/api/v1/timebank/transfers', { category: 'donate', from_member_id: v, minutes: 30 }), 201)
  sqlite(s.db, `UPDATE tb_movements SET created_at = created_at - ${3 * DAY} WHERE transfer_id = ${sp.id}`)
  const day = (d) => new Date(Date.now() + 8 * 3600e3 - d * DAY * 1000).toISOString().slice(0, 10)
  assertError(await helper.get(`/api/v1/timebank/card-export?from=${day(10)}&to=${day(0)}&format=csv`, { check: false }), 403, 'forbidden')
  assertError(await lq.get(`/api/v1/timebank/card-export?from=${day(0)}&to=${day(10)}&format=csv`, { check: false }), 400, 'invalid', 'to')
  assertError(await lq.get(`/api/v1/timebank/card-export?from=2026-02-30&to=${day(0)}&format=csv`, { check: false }), 400, 'invalid', 'from')
  const x = await lq.get(`/api/v1/timebank/card-export?from=${day(10)}&to=${day(0)}&format=csv`, { check: false })
  assert.equal(x.status, 200, x.text)
  const lines = x.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  assert.equal(lines[0], '市民卡号,成员编号,姓名,时间银行,期间存入（分钟）,期间使用（分钟）,期末余额（分钟）')
  assert.deepEqual(lines.slice(1), [`3301ZJ00123456,${v},市民卡志愿者,龙泉街道时间银行,60,30,120`]) // the officer may read it in full
  const audit = ok(await fg.get('/api/v1/audit?action=timebank.card_export')).items
  assert.equal(audit[0].username, 'lq_officer')
  assert.equal(audit[0].detail.rows, 1)
  // Unlinked: out of the file.
  ok(await helper.put(`/api/v1/timebank/members/${v}/card`, { card_number: null }))
  assert.equal(ok(await helper.get(`/api/v1/timebank/members/${v}`)).card_masked, null)
  const y = await lq.get(`/api/v1/timebank/card-export?from=${day(10)}&to=${day(0)}&format=csv`, { check: false })
  assert.equal(y.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/).length, 1)
})
