// Regions from province to village, scoped by the caller's region code.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError } from './helpers.mjs'

let s, admin, civil, lq
const test = serverTest(() => [s])

before(async () => {
  s = await Server.start()
  ;[admin, civil, lq] = await Promise.all([s.login('admin'), s.login('fg_civil'), s.login('lq_officer')])
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

function assertItems(r, level, digits) {
  assert.equal(r.status, 200, r.text)
  assert.equal(r.body.total, r.body.items.length)
  for (const i of r.body.items) {
    assert.deepEqual(Object.keys(i).sort(), ['code', 'has_children', 'level', 'name'], JSON.stringify(i))
    assert.equal(i.level, level, JSON.stringify(i))
    assert.match(i.code, new RegExp(`^\\d{${digits}}$`), JSON.stringify(i))
    assert.match(i.name, /\p{Script=Han}/u)
    assert.equal(typeof i.has_children, 'boolean')
  }
  const codes = r.body.items.map((i) => i.code)
  assert.deepEqual(codes, [...codes].sort(), 'in code order')
  assert.equal(new Set(codes).size, codes.length, 'no duplicates')
}

test('admin (whole country) starts from the 31 provinces, 52 贵州省 among them', async () => {
  const r = await admin.get('/api/v1/regions')
  assertItems(r, 1, 2)
  assert.equal(r.body.total, 31)
  const gz = r.body.items.find((p) => p.code === '52')
  assert.deepEqual(gz, { code: '52', name: '贵州省', level: 1, has_children: true })
  assert.ok(r.body.items.every((p) => p.has_children))
})

test('a township officer gets its own township only, and cannot see its neighbours', async () => {
  const r = await lq.get('/api/v1/regions')
  assertItems(r, 4, 9)
  assert.deepEqual(r.body.items, [{ code: '520327001', name: '龙泉街道', level: 4, has_children: true }])
  // Listing above the scope shows only the branch that leads to it.
  assert.deepEqual((await lq.get('/api/v1/regions?parent=520327')).body.items.map((i) => i.code), ['520327001'])
  const villages = await lq.get('/api/v1/regions?parent=520327001')
  assertItems(villages, 5, 12)
  assert.ok(villages.body.total > 0)
})

test('a county officer: the county, then its 14 townships with 520327001 龙泉街道', async () => {
  const roots = await civil.get('/api/v1/regions')
  assertItems(roots, 3, 6)
  assert.deepEqual(roots.body.items, [{ code: '520327', name: '凤冈县', level: 3, has_children: true }])
  const towns = await civil.get('/api/v1/regions?parent=520327')
  assertItems(towns, 4, 9)
  assert.equal(towns.body.total, 14)
  assert.ok(towns.body.items.every((t) => t.code.startsWith('520327') && t.has_children), towns.text)
  assert.deepEqual(towns.body.items.find((t) => t.code === '520327001'), { code: '520327001', name: '龙泉街道', level: 4, has_children: true })
  assert.ok(towns.body.items.some((t) => t.code === '520327101' && t.name === '进化镇'))
})

test('?parent=520327101 gives its villages, with 12-digit codes and no children', async () => {
  const r = await civil.get('/api/v1/regions?parent=520327101')
  assertItems(r, 5, 12)
  assert.equal(r.body.total, 8)
  assert.ok(r.body.items.every((v) => v.code.startsWith('520327101') && v.has_children === false), r.text)
  assert.ok(r.body.items.some((v) => v.code === '520327101201' && v.name === '黄荆村村民委员会'))
  assert.deepEqual((await civil.get('/api/v1/regions?parent=520327101201')).body, { items: [], total: 0 })
})

test('outside the scope is 404: a township officer asking for another township', async () => {
  assertError(await lq.get('/api/v1/regions?parent=520327101'), 404, 'not_found')
  assertError(await lq.get('/api/v1/regions/520327101'), 404, 'not_found', null)
  assertError(await lq.get('/api/v1/regions/520327101201'), 404, 'not_found', null)
  assertError(await civil.get('/api/v1/regions?parent=520328'), 404, 'not_found')
  assertError(await civil.get('/api/v1/regions/520328'), 404, 'not_found', null)
  // Same answer as a code that does not exist at all.
  const hidden = await civil.get('/api/v1/regions/520328')
  const missing = await civil.get('/api/v1/regions/520327999')
  assert.equal(hidden.text, missing.text)
  assert.equal((await admin.get('/api/v1/regions/520328')).status, 200, 'it exists')
})

test('GET /api/v1/regions/520327101201: a village with its five-level path', async () => {
  const r = await civil.get('/api/v1/regions/520327101201')
  assert.equal(r.status, 200, r.text)
  assert.equal(r.body.code, '520327101201')
  assert.equal(r.body.name, '黄荆村村民委员会')
  assert.equal(r.body.level, 5)
  assert.equal(r.body.parent, '520327101')
  assert.deepEqual(r.body.path, [
    { code: '52', name: '贵州省' }, { code: '5203', name: '遵义市' }, { code: '520327', name: '凤冈县' },
    { code: '520327101', name: '进化镇' }, { code: '520327101201', name: '黄荆村村民委员会' },
  ])
  const p = await admin.get('/api/v1/regions/52')
  assert.equal(p.body.level, 1)
  assert.deepEqual(p.body.path, [{ code: '52', name: '贵州省' }])
  // The way up to one's own region is visible (to show where one is).
  const up = await lq.get('/api/v1/regions/520327')
  assert.equal(up.status, 200)
  assert.equal(up.body.name, '凤冈县')
})

test('a malformed code is 400 on the field parent; a malformed path code is 404', async () => {
  for (const bad of ['52x', '5', '520', '5203270', '5203271012011', 'abc', '５２']) {
    assertError(await admin.get(`/api/v1/regions?parent=${encodeURIComponent(bad)}`), 400, 'invalid', 'parent')
  }
  for (const bad of ['52x', '5203270', 'abc']) assertError(await admin.get(`/api/v1/regions/${bad}`), 404, 'not_found')
  // Well formed but no such region: 404 on the list as on the item, not an empty list.
  assertError(await admin.get('/api/v1/regions?parent=999999'), 404, 'not_found', 'parent')
  assertError(await admin.get('/api/v1/regions/999999'), 404, 'not_found')
  const helper = await s.login('lq_helper')
  assert.equal((await helper.get('/api/v1/regions')).status, 200, 'helpers hold region.read')
  assertError(await (await s.login('fg_caregiver')).get('/api/v1/regions'), 403, 'forbidden')
})
