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

// RULE-SCOPE-002 (issue 18): the home page's registry chart — each region's bar is the total of
// the elder list filtered by that region; a township officer sees only their township and cannot
// drill into another (RULE-SCOPE-001).
test('RULE-SCOPE-002: the home chart counts per township and per village agree with the elder list', async () => {
  const sum = (items) => items.reduce((a, it) => a + it.active, 0)
  for (const who of ['fg_civil', 'lq_officer']) {
    const c = await s.login(who)
    const top = await c.get('/api/v1/dashboard/regions')
    assert.equal(top.status, 200, JSON.stringify(top.body))
    assert.ok(top.body.items.length > 0, `${who}: regions under ${top.body.parent}`)
    assert.equal(sum(top.body.items), await total(c, '/api/v1/elders?status=active&page_size=1'), `${who}: bars add up`)
    let drilled = 0
    for (const t of top.body.items) {
      assert.equal(t.active, await total(c, `/api/v1/elders?status=active&region=${t.code}&page_size=1`), `${who}: ${t.name}`)
      if (t.active === 0 || t.code.length >= 12 || drilled++ > 1) continue
      const down = await c.get(`/api/v1/dashboard/regions?parent=${t.code}`)
      assert.equal(down.status, 200)
      assert.equal(sum(down.body.items), t.active, `${who}: villages of ${t.name} add up`)
      for (const v of down.body.items.filter((x) => x.active > 0))
        assert.equal(v.active, await total(c, `/api/v1/elders?status=active&region=${v.code}&page_size=1`), `${who}: ${v.name}`)
    }
    if (who === 'fg_civil') assert.ok(drilled > 0, `${who}: drilled into a township with elders`)
  }
  const lq = await s.login('lq_officer')
  const own = (await lq.get('/api/v1/dashboard/regions')).body
  assert.equal(own.parent, '520327001', '龙泉街道 officer: villages of 龙泉街道')
  assert.equal(sum(own.items), 3)
  const up = (await lq.get('/api/v1/dashboard/regions?parent=520327')).body
  assert.equal(up.parent, '520327001', 'a parent above the scope is the scope')
  assert.equal((await lq.get('/api/v1/dashboard/regions?parent=520327101')).status, 404, '进化镇 is outside 龙泉街道')
  assert.equal((await lq.get('/api/v1/dashboard/regions?parent=12ab')).status, 400)
})

// RULE-SCOPE-002: the home page's to-do counts are the totals of the lists they open, fetched as
// those lists fetch them (web/src/views/Home.vue, the `todos` table). Check those lists honour
// the scope: a township officer's figure never exceeds the county's, and the due list's total is
// its length.
test('RULE-SCOPE-002: the home to-do lists are scoped (county vs township)', async () => {
  const figs = {}
  for (const who of ['fg_civil', 'lq_officer']) {
    const c = await s.login(who)
    const due = (await c.get('/api/v1/assessments/due?within_days=0')).body
    assert.equal(due.total, due.items.length, `${who}: due`)
    figs[who] = { due: due.total }
  }
  assert.ok(figs.lq_officer.due <= figs.fg_civil.due)
})
