// Home services (issue 13): the service network's sign-ins (RULE-SVC-213..216). A county onboards
// a provider: the officer creates an account on the users page and binds it to the provider, to
// one of its stations, or (a caregiver's account) to the caregiver's record. Until then a
// provider account sees nothing of anyone's.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, serverTest } from './helpers.mjs'

let s, admin, civil, jxOfficer, prov, lq, jx, provider, other
const test = serverTest(() => [s])
const A = '/api/v1/service/admin/accounts'
before(async () => {
  s = await Server.start()
  ;[admin, civil, jxOfficer, prov] = await Promise.all(['admin', 'fg_civil', 'jx_officer', 'fg_provider'].map((u) => s.login(u)))
  const all = ok(await civil.get('/api/v1/service/stations')).items
  lq = all.find((x) => x.name.startsWith('龙泉'))
  jx = all.find((x) => x.name.startsWith('进化'))
  provider = lq.provider_id
  other = all.find((x) => x.provider_id !== provider)
})
after(async () => { await s?.stop(); await s?.dispose() })

const ok = (r, status = 200) => { assert.equal(r.status, status, JSON.stringify(r.body)); return r.body }
let n = 0
// A caregiver's account holds service.visit, which a civil officer does not: the administrator
// creates it (RULE-USER-003); the officer binds it.
async function account(role, region = '520327') {
  const username = `acct_${role.slice(0, 4)}_${n++}`
  const u = ok(await (role === 'caregiver' ? admin : civil).post('/api/v1/users', { username, display_name: '绑定测试', role, region_code: region, password: 'Anlao-Test-2026' }), 201)
  return { id: u.id, username, client: () => s.firstLogin(username, 'Anlao-Test-2026') }
}

test('RULE-SVC-213 RULE-SVC-214 RULE-SVC-216: an unbound provider account sees nothing; bound to the provider it sees its network and orders; to a station, that station only', async () => {
  const a = await account('provider_admin')
  const c = await a.client()
  // RULE-SVC-216: bound to nothing, nothing (not the whole county as an officer would).
  for (const path of ['/api/v1/service/stations', '/api/v1/service/caregivers', '/api/v1/service/orders', '/api/v1/service/admin/providers']) {
    const r = ok(await c.get(path))
    assert.equal(r.items.length, 0, path)
    assert.equal(r.total ?? 0, 0, path)
  }
  assertError(await c.get(`/api/v1/service/admin/stations/${lq.id}`), 404, 'not_found')
  assertError(await c.post('/api/v1/service/admin/stations', { provider_id: provider, region_code: '520327001', name: '偷建站', address: '某处', lat: 27.9, lng: 107.7, radius_min: 20 }), 400, 'invalid', 'provider_id')

  // RULE-SVC-213: the officer's list says who is bound to what.
  const unbound = ok(await civil.get(`${A}?bound=0&page_size=200`)).items
  assert.ok(unbound.some((x) => x.user_id === a.id && x.provider_id === null && x.station_id === null))
  assert.ok(!unbound.some((x) => x.username === 'fg_provider'))
  const fg = ok(await civil.get(`${A}?bound=1&q=fg_provider`)).items.find((x) => x.username === 'fg_provider')
  assert.equal(fg.provider_id, provider)
  assert.equal(ok(await civil.get(`${A}?role=caregiver&bound=1`)).items.find((x) => x.username === 'fg_caregiver').caregiver_name.length > 0, true)
  assertError(await civil.get(`${A}?role=civil_officer`), 400, 'invalid', 'role')
  assertError(await civil.get(`${A}?bound=2`), 400, 'invalid', 'bound')

  // RULE-SVC-214: bound to the provider: its two stations, as fg_provider sees them.
  const b = ok(await civil.put(`${A}/${a.id}`, { provider_id: provider }))
  assert.deepEqual([b.provider_id, b.station_id, b.caregiver_id], [provider, null, null])
  assert.equal(b.provider_name.length > 0, true)
  const mine = ok(await c.get('/api/v1/service/stations')).items.map((x) => x.id).sort()
  assert.deepEqual(mine, ok(await prov.get('/api/v1/service/stations')).items.map((x) => x.id).sort())
  assert.ok(mine.includes(lq.id) && mine.includes(jx.id))

  // To a station: that station alone, and the network read-only (RULE-SVC-212).
  const st = ok(await civil.put(`${A}/${a.id}`, { station_id: lq.id }))
  assert.deepEqual([st.provider_id, st.station_id], [provider, lq.id])
  assert.equal(st.station_name, lq.name)
  assert.deepEqual(ok(await c.get('/api/v1/service/stations')).items.map((x) => x.id), [lq.id])
  assert.equal((await c.patch(`/api/v1/service/admin/stations/${lq.id}`, { version: 1, name: '改名' })).status, 403)
  assert.deepEqual(ok(await civil.get(`${A}/${a.id}`)).station_id, lq.id)

  // Unbinding: nothing again. Each binding audited.
  ok(await civil.put(`${A}/${a.id}`, {}))
  assert.equal(ok(await c.get('/api/v1/service/stations')).items.length, 0)
  const audit = ok(await civil.get(`/api/v1/audit?action=service.account_bind&target_id=${a.id}`)).items
  assert.equal(audit.length, 3)
})

test('RULE-SVC-215: bad bindings are refused naming the field; a caregiver account is bound to one caregiver record', async () => {
  const a = await account('provider_admin')
  assertError(await civil.put(`${A}/${a.id}`, { provider_id: 999999 }), 400, 'invalid', 'provider_id')
  assertError(await civil.put(`${A}/${a.id}`, { provider_id: 'x' }), 400, 'invalid', 'provider_id')
  assertError(await civil.put(`${A}/${a.id}`, { station_id: 999999 }), 400, 'invalid', 'station_id')
  if (other) assertError(await civil.put(`${A}/${a.id}`, { provider_id: other.provider_id, station_id: lq.id }), 400, 'invalid', 'station_id')
  assertError(await civil.put(`${A}/${a.id}`, { caregiver_id: 1 }), 400, 'invalid', 'caregiver_id')
  // Someone else's account, or out of region: refused / missing.
  const officer = ok(await civil.get('/api/v1/users?q=jx_officer')).items.find((x) => x.username === 'jx_officer')
  assertError(await civil.put(`${A}/${officer.id}`, { provider_id: provider }), 400, 'invalid', 'role')
  assertError(await civil.put(`${A}/99999999`, { provider_id: provider }), 404, 'not_found')
  assertError(await jxOfficer.put(`${A}/${a.id}`, { provider_id: provider }), 403, 'forbidden') // no service.config
  assertError(await prov.put(`${A}/${a.id}`, { provider_id: provider }), 403, 'forbidden')

  // A caregiver: its record; the record's own account cannot be taken; the page shows its visits.
  const cg = await account('caregiver')
  const free = ok(await civil.get('/api/v1/service/caregivers?page_size=200')).items
  const taken = ok(await civil.get(`${A}?role=caregiver&bound=1`)).items.map((x) => x.caregiver_id)
  const target = free.find((x) => !taken.includes(x.id) && x.status === 'active')
  assert.ok(target, 'a caregiver record without an account')
  assertError(await civil.put(`${A}/${cg.id}`, { provider_id: provider }), 400, 'invalid', 'provider_id')
  assertError(await civil.put(`${A}/${cg.id}`, { caregiver_id: taken[0] }), 409, 'conflict', 'caregiver_id')
  const c = await cg.client()
  assertError(await c.get('/api/v1/service/my/visits'), 422, 'unprocessable') // 当前账号未登记为护理员
  const b = ok(await civil.put(`${A}/${cg.id}`, { caregiver_id: target.id }))
  assert.deepEqual([b.caregiver_id, b.caregiver_name], [target.id, target.name])
  ok(await c.get('/api/v1/service/my/visits'))
  // Re-binding moves the account: the first record is free again.
  const second = free.find((x) => !taken.includes(x.id) && x.id !== target.id && x.status === 'active')
  if (second) {
    ok(await civil.put(`${A}/${cg.id}`, { caregiver_id: second.id }))
    const now = ok(await civil.get(`${A}?role=caregiver&bound=1&page_size=200`)).items
    assert.ok(!now.some((x) => x.caregiver_id === target.id))
    assert.equal(now.filter((x) => x.user_id === cg.id).length, 1)
  }
})
