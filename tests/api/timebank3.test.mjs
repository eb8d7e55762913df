// The time bank, third part (issue 16): a transfer's audit entry is filed under the member's
// region (a township officer sees what their volunteers' accounts did, whoever posted it), and
// the demo volunteer lq_volunteer has a home position.  SQLite, and PostgreSQL with
// ANLAO_TEST_PG.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, sqlite, assertError } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, fg, lq, jx, lqVol
const test = serverTest(() => [s])
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }

let LQ, JX
before(async () => {
  s = await Server.start()
  ;[fg, lq, jx, lqVol] = await Promise.all(['fg_civil', 'lq_officer', 'jx_officer', 'lq_volunteer'].map((u) => s.login(u)))
  const schemes = ok(await fg.get('/api/v1/timebank/schemes')).items
  LQ = schemes.find((x) => x.name === '龙泉街道时间银行').id
  JX = schemes.find((x) => x.name === '进化镇时间银行').id
  // Township officers do not read the audit log by default; a bureau may grant it (roles are
  // data, RULE-AUTH-009).
  sqlite(s.db, "INSERT INTO role_permissions(role_id, permission_id) VALUES ('township_officer', 'audit.read');" +
    " UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'auth.roles_version';")
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

async function member(scheme_id, region_code, name) {
  const m = ok(await fg.post('/api/v1/timebank/members', { scheme_id, region_code, kind: 'individual', name, birth_date: '1955-01-01', phone: '13900003333', conduct_signed: true }), 201)
  ok(await fg.post(`/api/v1/timebank/members/${m.id}/verify`, { version: 1 }))
  return m.id
}
const audited = async (c, id) => ok(await c.get(`/api/v1/audit?action=timebank.transfer&target_id=${id}`)).items

test('RULE-TB-080: a transfer posted by the county is audited under the member\'s region, so the township officer sees it and another township does not', async () => {
  const v = await member(LQ, '520327001002', '审计志愿者')
  const w = await member(JX, '520327101', '审计受让人')
  // The county officer (region 520327) posts service hours for a 龙泉 member.
  const t = ok(await fg.post('/api/v1/timebank/transfers', { category: 'service', to_member_id: v, minutes: 120 }), 201)
  let mine = await audited(lq, t.id)
  assert.equal(mine.length, 1, 'the township officer sees the transfer of their member')
  assert.equal(mine[0].region_code, '520327001002')
  assert.equal(mine[0].username, 'fg_civil')
  assert.deepEqual(await audited(jx, t.id), [])
  // A spend across schemes is filed under the member whose hours leave; the receiver's region
  // is in the detail.
  const x = ok(await fg.post('/api/v1/timebank/transfers', { category: 'redeem', from_member_id: v, to_member_id: w, minutes: 30 }), 201)
  assert.ok(x.alliance_id > 0)
  mine = await audited(lq, x.id)
  assert.equal(mine.length, 1)
  assert.equal(mine[0].region_code, '520327001002')
  assert.equal(mine[0].detail.to_region_code, '520327101')
  // A fund top-up has no member: the scheme's region.
  const f = ok(await fg.post('/api/v1/timebank/transfers', { category: 'topup', scheme_id: JX, minutes: 60 }), 201)
  assert.equal((await audited(jx, f.id))[0].region_code, '520327101')
  assert.deepEqual(await audited(lq, f.id), [])
  assert.equal(s.cli(['timebank', 'verify']).status, 0)
})

test('RULE-TB-081: the demo volunteer lq_volunteer has a home position, so their nearby needs come by distance even without demo elders', async () => {
  const r = ok(await lqVol.get('/api/v1/timebank/me/needs'))
  assert.equal(r.by_distance, true)
  assert.equal(r.radius_m, 5000)
  const elder = ok(await fg.post('/api/v1/elders', { name: '附近老人', id_number: idNumber('520327', '19480303', 871), region_code: '520327001001', address: '龙泉社区 3 号', phone: '13700008711', lat: 27.955, lng: 107.7196 }), 201).id
  const n = ok(await fg.post('/api/v1/timebank/needs', { scheme_id: LQ, elder_id: elder, category: '陪伴聊天', starts_at: new Date(Date.now() + 32 * 3600e3).toISOString().slice(0, 16).replace('T', ' '), duration_min: 60, place: '龙泉社区 3 号' }), 201)
  const got = ok(await lqVol.get('/api/v1/timebank/me/needs')).items.find((x) => x.id === n.id)
  assert.ok(got, 'the need 370 m away is in the list')
  assert.ok(Math.abs(got.distance_m - 370) < 10, String(got.distance_m))
})

test('RULE-TB-082: a family member posts a need for their linked elder from the phone; it lands in the elder\'s scheme with a confirmation code, the helper and nearby volunteers see it', async () => {
  const [admin, helper] = await Promise.all(['admin', 'lq_helper'].map((u) => s.login(u)))
  const mom = ok(await fg.post('/api/v1/elders', { name: '互助老人', id_number: idNumber('520327', '19440404', 872), region_code: '520327001001', address: '龙泉社区 5 号', phone: '13700008721', lat: 27.953, lng: 107.7196 }), 201).id
  for (const u of ['tb_son', 'tb_other']) ok(await admin.post('/api/v1/users', { username: u, display_name: '家属', role: 'family', region_code: '520327001', password: 'Family2026' }), 201)
  const son = await s.firstLogin('tb_son', 'Family2026')
  const other = await s.firstLogin('tb_other', 'Family2026')
  const uid = ok(await admin.get('/api/v1/users?q=tb_son')).items[0].id
  ok(await fg.post(`/api/v1/elders/${mom}/consents`, { user_id: uid, relation: '儿子', granted_by: '本人', scope: ['basic'] }), 201)
  const when = new Date(Date.now() + 8 * 3600e3 + 30 * 3600e3).toISOString().slice(0, 16).replace('T', ' ')
  const body = { category: '陪伴聊天', starts_at: when, duration_min: 60, place: '龙泉社区 5 号', note: '老人想聊聊天' }
  assertError(await other.post(`/api/v1/my/elders/${mom}/timebank-needs`, body), 404, 'not_found')
  assertError(await other.get(`/api/v1/my/elders/${mom}/timebank-needs`), 404, 'not_found')
  assertError(await helper.post(`/api/v1/my/elders/${mom}/timebank-needs`, body), 403, 'forbidden')
  assertError(await son.post(`/api/v1/my/elders/${mom}/timebank-needs`, { ...body, category: '开飞机' }), 400, 'invalid', 'category')
  assertError(await son.post(`/api/v1/my/elders/${mom}/timebank-needs`, { ...body, starts_at: 'tomorrow' }), 400, 'invalid', 'starts_at')
  const n = ok(await son.post(`/api/v1/my/elders/${mom}/timebank-needs`, body), 201)
  assert.equal(n.scheme_id, LQ) // the deepest scheme at or above 520327001001
  assert.match(n.confirm_code, /^\d{4}$/)
  assert.deepEqual([n.status, n.pay_from, n.elder_id], ['open', 'scheme', mom])
  const mine = ok(await son.get(`/api/v1/my/elders/${mom}/timebank-needs`))
  assert.equal(mine.scheme.id, LQ)
  assert.deepEqual(mine.items.map((x) => x.id), [n.id])
  assert.ok(ok(await helper.get('/api/v1/timebank/needs?status=open')).items.some((x) => x.id === n.id))
  const near = ok(await lqVol.get('/api/v1/timebank/me/needs')).items.find((x) => x.id === n.id)
  assert.ok(near && near.distance_m < 300, JSON.stringify(near))
  const a = ok(await fg.get(`/api/v1/audit?action=timebank.need_create&target_id=${n.id}`)).items
  assert.deepEqual([a[0].username, a[0].region_code], ['tb_son', '520327001001'])
})
