// Regions: province → village, scoped by the caller's region.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError } from '../lib/server.mjs'

let s
before(async () => { s = await new Server().start() })
after(async () => { await s.stop(); s.cleanup() })

test('admin (whole country) starts from the provinces', async () => {
  const c = await s.login('admin')
  const r = await c.get('/api/v1/regions')
  assert.equal(r.body.items.length, 31)
  assert.ok(r.body.items.some((p) => p.code === '52' && p.name === '贵州省' && p.level === 1))
})

test('a county officer sees the county and its 14 townships', async () => {
  const c = await s.login('fg_civil')
  const roots = await c.get('/api/v1/regions')
  assert.deepEqual(roots.body.items.map((i) => i.code), ['520327'])
  const towns = await c.get('/api/v1/regions?parent=520327')
  assert.equal(towns.body.items.length, 14)
  assert.ok(towns.body.items.some((t) => t.code === '520327001' && t.name === '龙泉街道'))
  const villages = await c.get('/api/v1/regions?parent=520327101')
  assert.ok(villages.body.items.length > 0)
  assert.ok(villages.body.items.every((v) => /^520327101\d{3}$/.test(v.code) && v.level === 5))
})

test('a township officer cannot browse another township', async () => {
  const c = await s.login('lq_officer')
  assert.deepEqual((await c.get('/api/v1/regions')).body.items.map((i) => i.code), ['520327001'])
  assertError(assert, await c.get('/api/v1/regions?parent=520327101'), 404, 'not_found')
  assertError(assert, await c.get('/api/v1/regions/520327101201'), 404, 'not_found')
  assertError(assert, await c.get('/api/v1/regions?parent=52x'), 400, 'invalid', 'parent')
})

test('a village has its five-level path', async () => {
  const c = await s.login('fg_civil')
  const r = await c.get('/api/v1/regions/520327101201')
  assert.equal(r.body.level, 5)
  assert.deepEqual(r.body.path.map((p) => p.code), ['52', '5203', '520327', '520327101', '520327101201'])
  assert.equal(r.body.path[2].name, '凤冈县')
})
