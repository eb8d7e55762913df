// The elder list's filters (issue 3): every combination of category, status, age range and
// region, for a county officer and a township officer, gives exactly the records a plain
// reading of the whole registry gives, page after page. Each filter drives its own index
// (sql/011), so this checks the modes against each other; moves and deaths reach the copies
// the category index keeps of region, status and birth date.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { sqlite } from './helpers.mjs'

let s, civil, lq, all
// RULE-DB-062: 900 demo elders seeded on either engine (make api / make api-pg).
before(async () => {
  s = await new Server({ env: { ANLAO_DEMO_ELDERS: '900' } }).start()
  ;[civil, lq] = await Promise.all(['fg_civil', 'lq_officer'].map((u) => s.login(u)))
  all = await everything(civil, {})
})
after(async () => { await s.stop(); s.cleanup() })

const TODAY = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10) // China time
const ageOf = (birth) => {
  const [y, m, d] = birth.split('-').map(Number)
  const [ty, tm, td] = TODAY.split('-').map(Number)
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0)
}

// Every page of a filtered list: the ids in page order, and the total the API gave.
async function everything(client, filter) {
  const ids = []
  let total
  for (let page = 1; ; page++) {
    const r = await client.get('/api/v1/elders?' + new URLSearchParams({ ...filter, page, page_size: 200 }))
    assert.equal(r.status, 200, r.text)
    total = r.body.total
    ids.push(...r.body.items)
    if (r.body.items.length < 200) break
  }
  assert.equal(ids.length, total, `total and pages agree for ${JSON.stringify(filter)}`)
  assert.equal(new Set(ids.map((e) => e.id)).size, ids.length, `no record twice across pages for ${JSON.stringify(filter)}`)
  return ids
}

const SPECIAL = new Set(['advanced_age', 'living_alone', 'empty_nest', 'left_behind', 'disabled',
  'severe_disability', 'fp_special', 'economic_difficulty', 'entitled']) // the default setting (RULE-CAT-009)
const expected = (f, scope = '') => all.filter((e) =>
  e.region_code.startsWith(scope) &&
  (!f.special || e.categories.some((c) => SPECIAL.has(c))) &&
  (!f.region || e.region_code.startsWith(f.region)) &&
  (!f.category || e.categories.includes(f.category)) &&
  (!f.status || e.status === f.status) &&
  (f.age_min === undefined || ageOf(e.birth_date) >= f.age_min) &&
  (f.age_max === undefined || ageOf(e.birth_date) <= f.age_max)).map((e) => e.id).sort((a, b) => a - b)

async function check(client, f, scope) {
  const got = (await everything(client, f)).map((e) => e.id).sort((a, b) => a - b)
  assert.deepEqual(got, expected(f, scope), JSON.stringify(f))
  return got.length
}

// RULE-DB-062: the demo's phones and flags are written by SQL both engines accept.
test('the demo elders have 11-digit phones and 0/1 left-behind flags on either engine', () => {
  const [n, phones, good, flags] = sqlite(s.db, "SELECT count(*), count(phone), sum(CASE WHEN length(phone) = 11 AND substr(phone, 1, 1) = '1' THEN 1 ELSE 0 END)," +
    " sum(CASE WHEN left_behind IN (0, 1) THEN 1 ELSE 0 END) FROM elders WHERE region_code LIKE '520327%'").split('|').map(Number)
  assert.ok(n >= 900, `${n} demo elders`)
  assert.equal(phones, n, 'every demo elder has a phone')
  assert.equal(good, n, 'every phone is 11 digits starting with 1')
  assert.equal(flags, n)
})

test('every combination of filters gives what a reading of the whole registry gives', async () => {
  assert.ok(all.length >= 800, 'the demo county')
  const categories = [undefined, 'advanced_age', 'living_alone', 'economic_difficulty', 'disabled']
  const statuses = [undefined, 'active', 'deceased']
  const ages = [{}, { age_min: 80 }, { age_min: 65, age_max: 79 }]
  const regions = [undefined, '520327001', '520327101']
  let nonEmpty = 0
  for (const special of [undefined, 1])
    for (const category of categories)
      for (const status of statuses)
        for (const age of ages)
          for (const region of regions) {
            const f = { ...age }
            if (special) f.special = special
            if (category) f.category = category
            if (status) f.status = status
            if (region) f.region = region
            nonEmpty += (await check(civil, f, '')) > 0
          }
  assert.ok(nonEmpty > 120, `most combinations hold records (${nonEmpty})`)
  assert.ok(expected({ special: 1 }).length < all.length, 'not everyone is in special difficulty')
  // A township officer: the same filters within 龙泉街道 only; a region beside it is empty.
  for (const f of [{}, { category: 'advanced_age' }, { status: 'active', age_min: 80 }, { category: 'living_alone', status: 'active' },
    { special: 1, status: 'active' }, { special: 1, age_min: 70 }])
    await check(lq, f, '520327001')
  assert.equal((await lq.get('/api/v1/elders?region=520327101&category=advanced_age')).body.total, 0)
})

test('pages follow the order of the filter: oldest first for an age range, by region otherwise', async () => {
  const old = await everything(civil, { age_min: 80 })
  for (let i = 1; i < old.length; i++) assert.ok(old[i - 1].birth_date <= old[i].birth_date, 'by birth date')
  const cat = await everything(civil, { category: 'advanced_age', status: 'active' })
  for (let i = 1; i < cat.length; i++) assert.ok(cat[i - 1].region_code <= cat[i].region_code, 'by region')
})

test('a move and a death reach the category lists at once', async () => {
  const e = all.find((x) => x.status === 'active' && x.categories.includes('advanced_age') && x.region_code.startsWith('520327001'))
  const rec = (await civil.get(`/api/v1/elders/${e.id}`)).body
  const moved = await civil.patch(`/api/v1/elders/${e.id}`, { version: rec.version, region_code: '520327101201', address: '进化镇新址1号' })
  assert.equal(moved.status, 200, moved.text)
  const ids = async (client, f) => (await everything(client, f)).map((x) => x.id)
  assert.ok(!(await ids(lq, { category: 'advanced_age' })).includes(e.id), 'gone from 龙泉街道')
  assert.ok((await ids(civil, { category: 'advanced_age', region: '520327101' })).includes(e.id), 'now in 进化镇')
  const died = await civil.patch(`/api/v1/elders/${e.id}`, { version: moved.body.version, status: 'deceased', status_date: '2026-11-01', status_reason: '病故' })
  assert.equal(died.status, 200, died.text)
  assert.ok(!(await ids(civil, { category: 'advanced_age', status: 'active' })).includes(e.id))
  assert.ok((await ids(civil, { category: 'advanced_age', status: 'deceased' })).includes(e.id))
  assert.ok((await ids(civil, { status: 'deceased', region: '520327101' })).includes(e.id))
})

test('the overview counts what the lists hold: in registry, special difficulty, each category', async () => {
  for (const [client, scope] of [[civil, ''], [lq, '520327001']]) {
    const now = await everything(client, {})
    const o = (await client.get('/api/v1/elders/overview')).body
    const active = now.filter((e) => e.status === 'active' && e.region_code.startsWith(scope))
    assert.equal(o.active, active.length)
    assert.equal(o.special_difficulty, active.filter((e) => e.categories.some((c) => SPECIAL.has(c))).length)
    assert.ok(o.special_difficulty > 0 && o.special_difficulty < o.active)
    for (const [id, n] of Object.entries(o.categories))
      assert.equal(n, active.filter((e) => e.categories.includes(id)).length, id)
    // The figure and its list agree.
    assert.equal((await client.get('/api/v1/elders?special=1&status=active')).body.total, o.special_difficulty)
  }
  // The setting decides what counts as special difficulty (RULE-CAT-009).
  sqlite(s.db, "INSERT INTO settings(key, value) VALUES ('elder.special_difficulty', 'living_alone')" +
    ' ON CONFLICT(key) DO UPDATE SET value = excluded.value')
  const o = (await civil.get('/api/v1/elders/overview')).body
  assert.equal(o.special_difficulty, o.categories.living_alone)
  assert.equal((await civil.get('/api/v1/elders?special=1&status=active')).body.total, o.categories.living_alone)
  assert.equal((await civil.get('/api/v1/elders?special=2')).status, 400)
  // Without elder.read (a caregiver): refused.
  assert.equal((await (await s.login('fg_caregiver')).get('/api/v1/elders/overview')).status, 403)
})

// RULE-DB-130: a list's total may be remembered between requests, but never past a write —
// on this worker or the other (each request may reach either worker's connection).
test('RULE-DB-130: a remembered total follows every write, whichever worker answers', async () => {
  const { idNumber } = await import('../lib/ids.mjs')
  const filter = '/api/v1/elders?age_min=90&status=active&page_size=1'
  const totals = async () => Promise.all(Array.from({ length: 6 }, () => civil.get(filter).then((r) => r.body.total)))
  const before = await totals()
  assert.equal(new Set(before).size, 1, JSON.stringify(before))
  for (let i = 0; i < 3; i++) {
    const r = await civil.post('/api/v1/elders', { name: '记数老人', id_number: idNumber('520327', '19300101', 700 + i), region_code: '520327001001', address: '一号', phone: '13800001234' })
    assert.equal(r.status, 201, r.text)
    assert.deepEqual(await totals(), Array(6).fill(before[0] + i + 1))
  }
})
