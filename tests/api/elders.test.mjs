// The elder registry: ID numbers, masking, audited full view, scope, versions, search,
// categories with evidence, family access only with consent.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError } from '../lib/server.mjs'

let s, civil
before(async () => { s = await new Server().start(); civil = await s.login('fg_civil') })
after(async () => { await s.stop(); s.cleanup() })

const base = { name: '王秀英', id_number: '11010519491231002X', region_code: '520327001001', address: '龙泉街道前进社区 3 组 12 号', phone: '13800001234' }

test('create: derived sex, birth date, age; masked ID and phone; categories with evidence', async () => {
  const r = await civil.post('/api/v1/elders', { ...base, living_arrangement: 'alone', economic_status: 'dibao' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const e = r.body
  assert.equal(e.sex, 'F')
  assert.equal(e.birth_date, '1949-12-31')
  assert.ok(e.age >= 76)
  assert.equal(e.id_number_masked, '110105***********X') // RULE-PII-001
  assert.equal(e.phone_masked, '138****1234')
  assert.ok(!('id_number' in e) && !('phone' in e))
  assert.equal(JSON.stringify(e).includes('11010519491231002X'), false)
  assert.deepEqual(e.categories.sort(), ['economic_difficulty', 'living_alone'])
  const ev = e.category_evidence.find((c) => c.category === 'living_alone')
  assert.equal(ev.source, 'record')
  assert.equal(ev.source_ref, 'user:fg_civil')
})

test('ID numbers: 15-digit converted, full-width and lowercase x normalised, duplicates refused', async () => {
  assertError(assert, await civil.post('/api/v1/elders', { ...base, id_number: '110105491231002' }), 409, 'conflict', 'id_number')
  assertError(assert, await civil.post('/api/v1/elders', { ...base, id_number: '１１０１０５１９４９１２３１００２ｘ' }), 409, 'conflict', 'id_number')
  assertError(assert, await civil.post('/api/v1/elders', { ...base, id_number: '37070419881216001X' }), 400, 'invalid', 'id_number')
  assertError(assert, await civil.post('/api/v1/elders', { ...base, id_number: '11010520991231002X' }), 400, 'invalid', 'id_number')
  assertError(assert, await civil.post('/api/v1/elders', { ...base, id_number: '320124198808240056' }), 400, 'invalid', 'id_number')
  const old = await civil.post('/api/v1/elders', { ...base, name: '李福', id_number: '520327400101001', region_code: '520327101201', phone: '13900005678', address: '进化镇黄荆村 2 组' })
  assert.equal(old.status, 201, JSON.stringify(old.body))
  assert.equal(old.body.birth_date, '1940-01-01', '15-digit years are 19xx')
  assert.equal(old.body.id_number_masked, '520327***********3')
  assert.equal(old.body.sex, 'M')
})

test('bad fields are named', async () => {
  const cases = [[{ name: '' }, 'name'], [{ region_code: '520327001' }, 'region_code'], [{ region_code: '520327999999' }, 'region_code'],
    [{ phone: '123' }, 'phone'], [{ address: undefined }, 'address'], [{ sex: 'F' }, 'sex'], [{ birth_date: '1950-01-01' }, 'birth_date'],
    [{ living_arrangement: 'cave' }, 'living_arrangement'], [{ lat: 99 }, 'lat']]
  for (const [p, field] of cases) {
    const r = await civil.post('/api/v1/elders', { ...base, id_number: '440524188001010014', ...p })
    assertError(assert, r, 400, 'invalid', field)
  }
})

test('full ID number only with elder.read_pii, on request, audited', async () => {
  const id = (await civil.get('/api/v1/elders?q=王秀英')).body.items[0].id
  const full = await civil.get(`/api/v1/elders/${id}?reveal=1`)
  assert.equal(full.body.id_number, '11010519491231002X')
  assert.equal(full.body.phone, '13800001234')
  const admin = await s.login('admin')
  const a = await admin.get(`/api/v1/audit?action=elder.read_pii&target_id=${id}`)
  assert.equal(a.body.total, 1)
  assert.equal(a.body.items[0].username, 'fg_civil')
  const helper = await s.login('lq_helper')
  assert.equal((await helper.get(`/api/v1/elders/${id}`)).status, 200)
  assertError(assert, await helper.get(`/api/v1/elders/${id}?reveal=1`), 403, 'forbidden')
})

test('a township officer gets 404 for another township\'s elder', async () => {
  const other = (await civil.get('/api/v1/elders?q=李福')).body.items[0]
  const jx = await s.login('jx_officer')
  assert.equal((await jx.get(`/api/v1/elders/${other.id}`)).status, 200)
  const lq = await s.login('lq_officer')
  const hidden = await lq.get(`/api/v1/elders/${other.id}`)
  assertError(assert, hidden, 404, 'not_found')
  assert.deepEqual(hidden.body, (await lq.get('/api/v1/elders/987654')).body)
  assert.equal((await lq.get('/api/v1/elders?q=李福')).body.total, 0)
  assertError(assert, await lq.post('/api/v1/elders', { ...base, id_number: '440524188001010014', region_code: '520327101201' }), 403, 'forbidden', 'region_code')
})

test('PATCH with a stale version is 409; history records the change', async () => {
  const e = (await civil.get('/api/v1/elders?q=王秀英')).body.items[0]
  const r = await civil.patch(`/api/v1/elders/${e.id}`, { version: e.version, living_arrangement: 'spouse_only' })
  assert.equal(r.status, 200)
  assert.deepEqual(r.body.categories.sort(), ['economic_difficulty', 'empty_nest'])
  assertError(assert, await civil.patch(`/api/v1/elders/${e.id}`, { version: e.version, address: '旧' }), 409, 'conflict', 'version')
  assertError(assert, await civil.patch(`/api/v1/elders/${e.id}`, { version: r.body.version, status: 'deceased' }), 400, 'invalid')
  const h = await civil.get(`/api/v1/elders/${e.id}/history`)
  assert.deepEqual(h.body.items[0].changes.living_arrangement, ['alone', 'spouse_only'])
})

test('search by name, phone, address (Chinese substring) and exact ID; filters', async () => {
  const find = async (q) => (await civil.get('/api/v1/elders?' + new URLSearchParams(q))).body
  assert.equal((await find({ q: '王秀' })).total, 1, 'name prefix')
  assert.equal((await find({ q: '秀英' })).total, 1, 'RULE-UI-007: two characters of the given name find the name containing them')
  assert.equal((await find({ q: '英' })).total, 1, 'one character too')
  assert.equal((await find({ q: '前进社区' })).total, 1, 'address substring')
  assert.equal((await find({ q: '00001234' })).total, 1, 'phone substring')
  assert.equal((await find({ id_number: '11010519491231002x' })).total, 1, 'exact ID, normalised')
  assert.equal((await find({ id_number: '440524188001010014' })).total, 0)
  assert.equal((await find({ category: 'empty_nest' })).total, 1)
  assert.equal((await find({ age_min: 70, age_max: 80 })).total, 1)
  assert.equal((await find({ region: '520327101' })).total, 1)
  assertError(assert, await civil.get('/api/v1/elders?category=vip'), 400, 'invalid', 'category')
  assertError(assert, await civil.get('/api/v1/elders?age_min=90&age_max=70'), 400, 'invalid', 'age_min')
})

test('family members see nothing without consent, then only what it allows, until revoked', async () => {
  const admin = await s.login('admin')
  const fam = (await admin.post('/api/v1/users', { username: 'fam_son', display_name: '儿子', role: 'family', region_code: '520327001', password: 'Family2026' })).body
  const e = (await civil.get('/api/v1/elders?q=王秀英')).body.items[0]
  const first = await s.login('fam_son', 'Family2026')
  // A password set by the admin is changed at first sign-in (RULE-AUTH-001).
  assert.equal((await first.post('/api/v1/me/password', { old_password: 'Family2026', new_password: 'Family2027' })).status, 200)
  const son = await s.login('fam_son', 'Family2027')
  assertError(assert, await son.get('/api/v1/elders'), 403, 'forbidden')
  assertError(assert, await son.get(`/api/v1/my/elders/${e.id}`), 404, 'not_found')
  assert.equal((await son.get('/api/v1/my/elders')).body.total, 0)
  const g = await civil.post(`/api/v1/elders/${e.id}/consents`, { user_id: fam.id, relation: '儿子', granted_by: '王秀英本人', scope: ['basic'] })
  assert.equal(g.status, 201)
  const seen = await son.get(`/api/v1/my/elders/${e.id}`)
  assert.equal(seen.body.name, '王秀英')
  assert.ok(!('address' in seen.body) && !('id_number_masked' in seen.body) && !('phone_masked' in seen.body))
  assert.equal((await son.get('/api/v1/my/elders')).body.total, 1)
  assertError(assert, await civil.post(`/api/v1/elders/${e.id}/consents`, { user_id: fam.id, relation: '儿子', granted_by: '本人', scope: ['everything'] }), 400, 'invalid', 'scope')
  assert.equal((await civil.del(`/api/v1/elders/${e.id}/consents/${g.body.id}`)).status, 200)
  assertError(assert, await son.get(`/api/v1/my/elders/${e.id}`), 404, 'not_found')
  const detail = await civil.get(`/api/v1/elders/${e.id}`)
  assert.ok(detail.body.consents[0].revoked_at)
})
