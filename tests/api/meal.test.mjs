// Meal assistance (issue 17): canteens and the supervision list, subsidy rules and caps, the
// counter (QR, card, name search), idempotency keys, one subsidised meal per window across two
// counters, the stop at death, statements to the fen with the month locked, measures, scope.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, admin, fg, lq, jx, prov, other
const test = serverTest(() => [s])
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }

// Dates in China Standard Time.
const cst = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 10)
const today = cst(Date.now())
const thisMonth = today.slice(0, 7)
// The last day of the previous month and noon of it, in unix seconds.
const prevDay = (() => { const d = new Date(`${thisMonth}-01T12:00:00+08:00`); return cst(d.getTime() - 86400e3) })()
const prevMonth = prevDay.slice(0, 7)
const prevNoon = Math.floor(Date.parse(`${prevDay}T12:00:00+08:00`) / 1000)

const windows = [{ meal: 'lunch', from: '11:00', to: '13:30' }, { meal: 'dinner', from: '17:00', to: '18:30' }]
const canteen = (over = {}) => ({
  region_code: '520327001', kind: 'canteen', name: '龙泉街道老年食堂', operator: '凤冈县颐康餐饮有限公司',
  address: '龙泉街道和平路 8 号', lat: 27.955, lng: 107.72, capacity: 80, delivery_radius_m: 1500,
  hours: '10:30–19:00', windows, areas: ['520327001001', '520327001002'],
  licence_no: 'JY15203270012345', licence_expiry: '2030-06-30', ...over,
})

let seq = 300
async function elder(over = {}) {
  const birth = over.birth || '19400101'
  const r = await fg.post('/api/v1/elders', { name: over.name || '助餐老人', id_number: idNumber('520327', birth, seq++), region_code: over.region || '520327001001', address: '和平路 1 号', phone: '13800001234', economic_status: over.economic || 'general' })
  assert.equal(r.status, 201, r.text)
  return r.body
}

let A, B, C, lunchToday, dinnerToday, lunchPrev
before(async () => {
  s = await Server.start()
  ;[admin, fg, lq, jx, prov] = await Promise.all(['admin', 'fg_civil', 'lq_officer', 'jx_officer', 'fg_provider'].map((u) => s.login(u)))
  const r = await admin.post('/api/v1/users', { username: 'tz_civil', display_name: '桐梓县民政局', role: 'civil_officer', region_code: '520322', password: 'Tongzi2026' })
  assert.equal(r.status, 201, r.text)
  other = await s.firstLogin('tz_civil', 'Tongzi2026')
  A = ok(await fg.post('/api/v1/meal/canteens', canteen()), 201)
  B = ok(await fg.post('/api/v1/meal/canteens', canteen({ region_code: '520327101201', kind: 'point', name: '黄荆村助餐点', areas: ['520327101201'], lat: 27.99, lng: 107.80 })), 201)
  C = ok(await fg.post('/api/v1/meal/canteens', canteen({ region_code: '520327102', name: '琊川镇老年食堂', areas: ['520327102001'], licence_expiry: '2024-01-31' })), 201)
  lunchToday = ok(await prov.post(`/api/v1/meal/canteens/${A.id}/menus`, { date: today, meal: 'lunch', name: '午餐套餐', dishes: '米饭、青椒肉丝、炒青菜、豆腐汤', price_fen: 1200 }), 201)
  dinnerToday = ok(await prov.post(`/api/v1/meal/canteens/${A.id}/menus`, { date: today, meal: 'dinner', name: '晚餐套餐', price_fen: 1000 }), 201)
  lunchPrev = ok(await prov.post(`/api/v1/meal/canteens/${A.id}/menus`, { date: prevDay, meal: 'lunch', name: '午餐套餐', price_fen: 1100 }), 201)
  // County rules: every registered elder ¥3 a lunch; 80+ on 低保 ¥8 (the funds split 0/30/30/40).
  const funds = { fund_national_pct: 0, fund_province_pct: 30, fund_city_pct: 30, fund_county_pct: 40 }
  ok(await fg.post('/api/v1/meal/rules', { meal: 'lunch', amount_fen: 300, tags: [], valid_from: '2020-01-01', ...funds }), 201)
  ok(await fg.post('/api/v1/meal/rules', { meal: 'lunch', amount_fen: 800, tags: ['dibao', 'advanced_age'], valid_from: '2020-01-01', ...funds }), 201)
  ok(await fg.post('/api/v1/meal/rules', { meal: 'dinner', amount_fen: 333, tags: [], valid_from: '2020-01-01', ...funds }), 201)
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

test('RULE-MEAL-001, RULE-MEAL-002: a canteen names its areas, windows and licence; bad input is refused with the field named', async () => {
  const got = ok(await fg.get(`/api/v1/meal/canteens/${A.id}`))
  assert.deepEqual(got.areas.map((a) => a.code), ['520327001001', '520327001002'])
  assert.equal(got.areas[0].name, '龙潭湖社区居民委员会')
  assert.equal(got.windows.length, 2)
  assert.equal(got.delivery_radius_m, 1500)
  assert.equal(got.licence_state, 'valid')
  assertError(await fg.post('/api/v1/meal/canteens', canteen({ windows: [{ meal: 'lunch', from: '13:00', to: '11:00' }] })), 400, 'invalid', 'windows')
  assertError(await fg.post('/api/v1/meal/canteens', canteen({ areas: ['520322100200'] })), 400, 'invalid', 'areas')
  assertError(await fg.post('/api/v1/meal/canteens', canteen({ licence_expiry: '2030-02-30' })), 400, 'invalid', 'licence_expiry')
  assertError(await fg.post('/api/v1/meal/canteens', canteen({ capacity: -1 })), 400, 'invalid', 'capacity')
  assertError(await lq.post('/api/v1/meal/canteens', canteen({ region_code: '520327101' })), 400, 'invalid', 'region_code')
  // An update needs the current version.
  const up = ok(await fg.put(`/api/v1/meal/canteens/${A.id}`, { ...canteen(), capacity: 90, version: got.version }))
  assert.equal(up.capacity, 90)
  assertError(await fg.put(`/api/v1/meal/canteens/${A.id}`, { ...canteen(), version: got.version }), 409, 'conflict', 'version')
  const audit = ok(await admin.get('/api/v1/audit?action=meal.canteen_update')).items
  assert.ok(audit.some((a) => a.username === 'fg_civil'))
})

test('RULE-MEAL-003, RULE-SCOPE-001: expired licences make the supervision list; canteens are scoped by region', async () => {
  const expired = ok(await fg.get('/api/v1/meal/canteens?licence=expired'))
  assert.deepEqual(expired.items.map((c) => c.id), [C.id])
  assert.equal(expired.items[0].licence_state, 'expired')
  assert.equal(ok(await fg.get('/api/v1/meal/canteens')).total, 3)
  assert.deepEqual(ok(await jx.get('/api/v1/meal/canteens')).items.map((c) => c.id), [B.id])
  assert.equal(ok(await other.get('/api/v1/meal/canteens')).total, 0)
  assertError(await other.get(`/api/v1/meal/canteens/${A.id}`), 404, 'not_found')
  assertError(await jx.get(`/api/v1/meal/canteens/${A.id}/statements/${thisMonth}`), 404, 'not_found')
})

test('RULE-MEAL-010, RULE-MEAL-011, RULE-MEAL-020: the counter identifies by QR, card or name and shows cost and subsidy', async () => {
  const e = await elder({ name: '王秀英', economic: 'dibao' })
  const card = ok(await fg.post('/api/v1/meal/cards', { elder_id: e.id, card_no: 'FG0001' }))
  assert.match(card.qr_token, /^[0-9a-f]{32}$/)
  const byQr = ok(await prov.post('/api/v1/meal/counter/identify', { canteen_id: A.id, qr: card.qr_token, meal: 'lunch' }))
  assert.equal(byQr.diner.name, '王秀英')
  assert.equal(byQr.diner.birth_year, 1940)
  assert.ok(!('birth_date' in byQr.diner))
  assert.ok(byQr.diner.tags.includes('低保') && byQr.diner.tags.includes('高龄'))
  const m = byQr.menus.find((x) => x.id === lunchToday.id)
  assert.equal(m.subsidy_fen, 800)
  assert.equal(m.diner_fen, 400)
  const byCard = ok(await prov.post('/api/v1/meal/counter/identify', { canteen_id: A.id, card: 'FG0001', meal: 'lunch' }))
  assert.equal(byCard.diner.id, e.id)
  // Another elder qualifies for the "everyone" rule only.
  const plain = await elder({ name: '李玉兰', birth: '19550101' })
  const p = ok(await prov.post('/api/v1/meal/counter/identify', { canteen_id: A.id, elder_id: plain.id, meal: 'lunch' }))
  assert.equal(p.menus[0].subsidy_fen, 300)
  const found = ok(await prov.get('/api/v1/meal/counter/search?q=' + encodeURIComponent('王秀')))
  assert.ok(found.items.some((x) => x.id === e.id && x.card_no === 'FG0001' && !('birth_date' in x)))
  // Outside the caller's scope: as missing.
  assertError(await prov.post('/api/v1/meal/counter/identify', { canteen_id: A.id, card: 'NOPE' }), 404, 'not_found', 'card')
  assertError(await prov.post('/api/v1/meal/counter/identify', { canteen_id: A.id, card: 'FG0001', meal: 'supper' }), 400, 'invalid', 'meal')
  assert.equal(ok(await other.get('/api/v1/meal/rules')).items.filter((x) => x.region_code === '520327').length, 0)
})

test('RULE-MEAL-021, RULE-MEAL-022, RULE-MEAL-012: a meal resent is recorded once; the second subsidy of a window is charged in full and flagged', async () => {
  const e = await elder({ name: '赵德明', economic: 'dibao' })
  const body = { canteen_id: A.id, elder_id: e.id, menu_id: lunchToday.id, idem_key: `k-${e.id}-counter1`, counter: '一号窗口' }
  const first = ok(await prov.post('/api/v1/meal/meals', body), 201)
  assert.equal(first.subsidy_fen, 800)
  assert.equal(first.diner_fen, 400)
  assert.equal(first.fund_province_fen + first.fund_city_fen + first.fund_county_fen, 800)
  assert.equal(first.flag, '')
  // The same key again (the counter was cut off before the answer): the same record.
  const again = ok(await prov.post('/api/v1/meal/meals', body), 200)
  assert.equal(again.id, first.id)
  assert.equal(again.replayed, true)
  // The key used for another diner: refused.
  const other1 = await elder()
  assertError(await prov.post('/api/v1/meal/meals', { ...body, elder_id: other1.id }), 409, 'conflict', 'idem_key')
  // Another counter, another key, the same window: full price, flagged.
  const second = ok(await prov.post('/api/v1/meal/meals', { ...body, idem_key: `k-${e.id}-counter2`, counter: '二号窗口' }), 201)
  assert.equal(second.subsidy_fen, 0)
  assert.equal(second.diner_fen, 1200)
  assert.equal(second.flag, 'duplicate_window')
  // Dinner the same day: the daily cap (1) is reached.
  const dinner = ok(await prov.post('/api/v1/meal/meals', { ...body, menu_id: dinnerToday.id, idem_key: `k-${e.id}-dinner` }), 201)
  assert.equal(dinner.flag, 'daily_cap')
  assert.equal(dinner.subsidy_fen, 0)
  // Two offline counters sending at the same moment: exactly one subsidy.
  const f = await elder({ name: '钱桂芳' })
  const both = await Promise.all([1, 2].map((n) => prov.post('/api/v1/meal/meals', { ...body, elder_id: f.id, idem_key: `race-${f.id}-${n}` })))
  both.forEach((r) => assert.equal(r.status, 201, r.text))
  assert.deepEqual(both.map((r) => r.body.subsidy_fen).sort((x, y) => x - y), [0, 300])
  assert.deepEqual(both.map((r) => r.body.flag).sort(), ['', 'duplicate_window'])
  // The flagged list.
  const flagged = ok(await fg.get(`/api/v1/meal/meals?flag=duplicate_window&canteen_id=${A.id}`))
  assert.ok(flagged.items.some((m) => m.id === second.id))
  assertError(await prov.post('/api/v1/meal/meals', { ...body, idem_key: 'short' }), 400, 'invalid', 'idem_key')
  assertError(await prov.post('/api/v1/meal/meals', { ...body, idem_key: `k-${e.id}-wrong-date`, menu_id: lunchPrev.id }), 422, 'unprocessable', 'menu_id')
})

test('RULE-MEAL-003: an expired licence stops subsidised meals', async () => {
  const m = ok(await prov.post(`/api/v1/meal/canteens/${C.id}/menus`, { date: today, meal: 'lunch', name: '午餐', price_fen: 1000 }), 201)
  const e = await elder({ region: '520327102001' })
  const r = ok(await prov.post('/api/v1/meal/meals', { canteen_id: C.id, elder_id: e.id, menu_id: m.id, idem_key: `licence-${e.id}-1` }), 201)
  assert.equal(r.flag, 'licence_expired')
  assert.equal(r.subsidy_fen, 0)
})

test('RULE-MEAL-030, RULE-MEAL-031, RULE-MEAL-040: the statement adds up to the fen, leaves out meals after a death, and approval locks the month', async () => {
  const d1 = await elder({ name: '孙大爷', economic: 'dibao' })
  const d2 = await elder({ name: '周奶奶' })
  const gone = await elder({ name: '吴老人', economic: 'dibao' })
  const rec = (e, k) => prov.post('/api/v1/meal/meals', { canteen_id: A.id, elder_id: e.id, menu_id: lunchPrev.id, idem_key: `prev-${e.id}-${k}`, served_at: prevNoon })
  for (const e of [d1, d2, gone]) ok(await rec(e, 1), 201)
  ok(await rec(d1, 2), 201) // second in the window: full price
  // The registry learns that 吴老人 died on that day: the meal already recorded leaves the statement.
  const g = ok(await fg.get(`/api/v1/elders/${gone.id}`))
  ok(await fg.patch(`/api/v1/elders/${gone.id}`, { version: g.version, status: 'deceased', status_date: prevDay, status_reason: '病故' }))
  const late = ok(await rec(gone, 2), 201) // recorded after: flagged at once
  assert.equal(late.flag, 'after_status')
  assert.equal(late.subsidy_fen, 0)
  const st = ok(await fg.get(`/api/v1/meal/canteens/${A.id}/statements/${prevMonth}`))
  assert.equal(st.status, 'open')
  const keys = ['meals', 'amount_fen', 'subsidy_fen', 'fund_national_fen', 'fund_province_fen', 'fund_city_fen', 'fund_county_fen', 'diner_fen']
  for (const k of keys) assert.equal(st.lines.reduce((a, l) => a + l[k], 0), st.totals[k], k)
  for (const l of st.lines) {
    assert.equal(l.amount_fen, l.meals * l.price_fen)
    assert.equal(l.subsidy_fen + l.diner_fen, l.amount_fen)
    assert.equal(l.fund_national_fen + l.fund_province_fen + l.fund_city_fen + l.fund_county_fen, l.subsidy_fen)
  }
  // By hand: d1 ¥8 subsidised + d1 full price + d2 ¥3 = 3 meals of ¥11; 吴老人's two are out.
  assert.equal(st.totals.meals, 3)
  assert.equal(st.totals.amount_fen, 3300)
  assert.equal(st.totals.subsidy_fen, 1100)
  assert.equal(st.totals.diner_fen, 2200)
  assert.equal(st.excluded.length, 2)
  assert.ok(st.excluded.every((x) => x.elder_name === '吴老人'))
  const line = st.lines.find((l) => l.tags === 'advanced_age,dibao')
  assert.equal(line.subsidy_fen, 800)
  assert.equal(line.fund_county_fen, 320)
  // Export.
  const csv = await fg.get(`/api/v1/meal/canteens/${A.id}/statements/${prevMonth}/export?format=csv`, { check: false })
  assert.equal(csv.status, 200)
  assert.match(csv.text, /合计,,,3,33\.00,11\.00/)
  // Approval: the month is locked, a second approval is refused.
  assertError(await prov.post(`/api/v1/meal/canteens/${A.id}/statements/${prevMonth}/approve`, {}), 403, 'forbidden')
  const ap = ok(await fg.post(`/api/v1/meal/canteens/${A.id}/statements/${prevMonth}/approve`, {}))
  assert.equal(ap.status, 'approved')
  assert.equal(ap.approved_by, 'fg_civil')
  assert.deepEqual(ap.totals, st.totals)
  assertError(await fg.post(`/api/v1/meal/canteens/${A.id}/statements/${prevMonth}/approve`, {}), 409, 'conflict', 'month')
  assertError(await rec(d2, 3), 409, 'conflict', 'served_at')
  assertError(await fg.post(`/api/v1/meal/canteens/${A.id}/statements/${thisMonth}/approve`, {}), 422, 'unprocessable', 'month')
  const audit = ok(await admin.get('/api/v1/audit?action=meal.statement_approve')).items
  assert.equal(audit.length, 1)
})

test('RULE-MEAL-050, RULE-MEAL-051, RULE-MEAL-052, RULE-SCOPE-002: coverage, townships with a canteen and monthly figures against a hand count, scoped', async () => {
  // 凤冈县 has 24 residents' committees and 63 village committees (data/regions, counted by name).
  // Served: 龙潭湖, 龙井 (canteen A), 偏刀水 (C) → 3 of 24; 黄荆村 (point B) → 1 of 63.
  // Townships with a canteen (not a meal point): 龙泉街道 (A), 琊川镇 (C) → 2 of 14.
  const m = ok(await fg.get('/api/v1/meal/measures'))
  assert.deepEqual(m.coverage.urban, { total: 24, served: 3 })
  assert.deepEqual(m.coverage.rural, { total: 63, served: 1 })
  assert.deepEqual(m.coverage.townships, { total: 14, with_canteen: 2 })
  const lqRow = m.coverage.by_township.find((t) => t.code === '520327001')
  assert.deepEqual([lqRow.urban_total, lqRow.urban_served, lqRow.rural_total, lqRow.rural_served, lqRow.canteen], [6, 2, 1, 0, true])
  // 龙泉街道's officer sees their township only.
  const l = ok(await lq.get('/api/v1/meal/measures'))
  assert.deepEqual(l.coverage.urban, { total: 6, served: 2 })
  assert.deepEqual(l.coverage.rural, { total: 1, served: 0 })
  assert.deepEqual(l.coverage.townships, { total: 1, with_canteen: 1 })
  const j = ok(await jx.get('/api/v1/meal/measures'))
  assert.deepEqual(j.coverage.rural, { total: 7, served: 1 })
  assert.equal(j.monthly.length, 0) // no meals at 进化镇's point
  const o = ok(await other.get('/api/v1/meal/measures'))
  assert.equal(o.coverage.urban.served, 0)
  assert.equal(o.monthly.length, 0)
  // Monthly: the county's figures equal the records of its list.
  const all = ok(await fg.get(`/api/v1/meal/meals?month=${thisMonth}&page_size=200`))
  const row = m.monthly.find((x) => x.month === thisMonth)
  assert.equal(row.meals, all.total)
  assert.equal(row.subsidised_meals, all.items.filter((x) => x.subsidy_fen > 0).length)
  const perA = m.canteens.find((c) => c.canteen_id === A.id)
  assert.equal(perA.diners, new Set(all.items.filter((x) => x.canteen_id === A.id).map((x) => x.elder_id)).size)
  const x = await fg.get('/api/v1/meal/measures/export?format=csv', { check: false })
  assert.equal(x.status, 200)
  assert.match(x.text, /520327001,龙泉街道,有,6,2,33\.3%,1,0,0\.0%/)
})

test('RULE-MEAL-020: a family member with consent sees the diner\'s card and QR token; others do not', async () => {
  const e = await elder({ name: '家属老人' })
  const card = ok(await fg.post('/api/v1/meal/cards', { elder_id: e.id, card_no: 'FG0099' }))
  const u = ok(await admin.post('/api/v1/users', { username: 'fam_meal', display_name: '家属 张', role: 'family', region_code: '520327001001', password: 'Family2026x' }), 201)
  const fam = await s.firstLogin('fam_meal', 'Family2026x')
  assertError(await fam.get(`/api/v1/my/elders/${e.id}/meal-card`), 404, 'not_found')
  ok(await fg.post(`/api/v1/elders/${e.id}/consents`, { user_id: u.id, relation: '子女', granted_by: '本人', scope: ['basic'] }), 201)
  const mine = ok(await fam.get(`/api/v1/my/elders/${e.id}/meal-card`))
  assert.equal(mine.qr_token, card.qr_token)
  assertError(await fg.post('/api/v1/meal/cards', { elder_id: (await elder()).id, card_no: 'FG0099' }), 409, 'conflict', 'card_no')
})

test('RULE-MEAL-053: the map gives the canteens at their coordinates and the areas they serve, scoped', async () => {
  const m = ok(await fg.get('/api/v1/meal/map'))
  assert.deepEqual(m.canteens.map((c) => c.id).sort((a, b) => a - b), [A.id, B.id, C.id])
  const a = m.canteens.find((c) => c.id === A.id)
  assert.equal(a.lat, 27.955)
  assert.equal(a.delivery_radius_m, 1500)
  assert.equal(m.canteens.find((c) => c.id === C.id).licence_state, 'expired')
  const served = m.areas.filter((x) => x.canteen_id === A.id)
  assert.deepEqual(served.map((x) => x.code), ['520327001001', '520327001002'])
  // The elders registered in the tests have no coordinates: an area without any has none.
  assert.ok(served.every((x) => x.lat === null && typeof x.elders === 'number'))
  const j = ok(await jx.get('/api/v1/meal/map'))
  assert.deepEqual(j.canteens.map((c) => c.id), [B.id])
  assert.ok(j.areas.every((x) => x.canteen_id === B.id))
  assert.equal(ok(await other.get('/api/v1/meal/map')).canteens.length, 0)
})
