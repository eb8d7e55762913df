// RULE-SCOPE-002: every count, total and summary is computed over the same scope as its list.
// For each signed-in officer, each figure is checked against the list it summarises (issue 10:
// the identification cards counted the whole registry; this guards the other pages).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'

let s
before(async () => {
  s = await new Server().start()
  const civil = await s.login('fg_civil')
  // People in 龙泉街道 (520327001) and 进化镇 (520327101), some in special difficulty.
  const people = [
    ['520327001001', '19400101', 'alone', 'dibao'], ['520327001001', '19500101', null, 'general'],
    ['520327001003', '19420101', 'spouse_only', 'general'], ['520327101201', '19410101', 'alone', 'tekun'],
    ['520327101201', '19550101', null, 'general'],
  ]
  for (const [i, [region, birth, living, eco]] of people.entries()) {
    const body = { name: `范围${i}`, id_number: idNumber('520327', birth, 500 + i), region_code: region, address: '一号', phone: '13800001234', economic_status: eco }
    if (living) body.living_arrangement = living
    const r = await civil.post('/api/v1/elders', body)
    assert.equal(r.status, 201, JSON.stringify(r.body))
  }
})
after(async () => { await s.stop(); s.cleanup() })

const total = async (c, path) => {
  const r = await c.get(path)
  assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`)
  return r.body.total
}

test('RULE-SCOPE-002: dashboard, elders overview, assessments due, imports and audit agree with their lists', async () => {
  const seen = {}
  let checked = 0
  for (const who of ['fg_civil', 'lq_officer', 'jx_officer']) {
    const c = await s.login(who)
    const perms = new Set((await c.get('/api/v1/me')).body.user.permissions)
    assert.ok(perms.size > 0, who)
    // Dashboard: users against the user list (same scope).
    if (perms.has('dashboard.read') && perms.has('user.read')) {
      const d = (await c.get('/api/v1/dashboard')).body.counts
      checked++
      assert.equal(d.users, await total(c, '/api/v1/users?page_size=1'), `${who}: dashboard users`)
      assert.equal(d.users_active, await total(c, '/api/v1/users?status=active&page_size=1'), `${who}: active users`)
      if (perms.has('audit.read'))
        assert.ok(d.audit_today <= await total(c, '/api/v1/audit?page_size=1'), `${who}: audit today within the visible log`)
    }
    // Elders overview against the elder list with the matching filter.
    const o = (await c.get('/api/v1/elders/overview')).body
    assert.equal(o.active, await total(c, '/api/v1/elders?status=active&page_size=1'), `${who}: active elders`)
    assert.equal(o.special_difficulty, await total(c, '/api/v1/elders?special=1&status=active&page_size=1'), `${who}: special difficulty`)
    for (const [cat, n] of Object.entries(o.categories))
      assert.equal(n, await total(c, `/api/v1/elders?category=${cat}&status=active&page_size=1`), `${who}: ${cat}`)
    seen[who] = o.active
    // Lists whose total is their length: the total says so.
    for (const path of ['/api/v1/assessments/due', '/api/v1/imports', '/api/v1/assessment-requests']) {
      const r = await c.get(path)
      if (r.status === 403) continue
      assert.equal(r.body.total, r.body.items.length, `${who}: ${path}`)
    }
  }
  assert.equal(checked, 3, 'the dashboard was checked for each officer')
  assert.equal(seen.fg_civil, 5)
  assert.equal(seen.lq_officer, 3, '龙泉街道 counts its own three')
  assert.equal(seen.jx_officer, 2, '进化镇 counts its own two')
})
