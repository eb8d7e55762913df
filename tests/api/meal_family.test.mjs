// Meal assistance, second part (issue 17): a family member orders delivery for their elder
// (canteens within the delivery radius, price and subsidy, cut-off, cancel), the canteen's
// delivery list; the counter's idempotency keys on src/core/idem; a statement approved inside
// its own transaction.  SQLite, and PostgreSQL with ANLAO_TEST_PG.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError, sqlite } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, admin, fg, prov, fam, stranger
const test = serverTest(() => [s])
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const cst = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 10)
const today = cst(Date.now())
const tomorrow = cst(Date.now() + 86400e3)
const thisMonth = today.slice(0, 7)
const prevDay = (() => { const d = new Date(`${thisMonth}-01T12:00:00+08:00`); return cst(d.getTime() - 86400e3) })()
const prevMonth = prevDay.slice(0, 7)
const prevNoon = Math.floor(Date.parse(`${prevDay}T12:00:00+08:00`) / 1000)

// Windows far from now so that "before the cut-off" holds for tomorrow's lunch whatever the hour.
const windows = [{ meal: 'lunch', from: '11:00', to: '13:30' }, { meal: 'dinner', from: '17:00', to: '18:30' }]
const canteen = (over = {}) => ({
  region_code: '520327001', kind: 'canteen', name: '龙泉送餐食堂', operator: '凤冈县颐康餐饮有限公司',
  address: '龙泉街道和平路 8 号', lat: 27.955, lng: 107.72, capacity: 80, delivery_radius_m: 3000,
  hours: '10:30–19:00', windows, areas: ['520327001001'], licence_no: 'JY15203270019999', licence_expiry: '2030-06-30', ...over,
})

let A, FAR, mom, lunchT, dinnerT, farLunch, lunchPrev
before(async () => {
  s = await Server.start()
  ;[admin, fg, prov] = await Promise.all(['admin', 'fg_civil', 'fg_provider'].map((u) => s.login(u)))
  A = ok(await fg.post('/api/v1/meal/canteens', canteen()), 201)
  FAR = ok(await fg.post('/api/v1/meal/canteens', canteen({ name: '远处食堂', lat: 28.2, lng: 107.72, licence_no: 'JY15203270018888' })), 201)
  lunchT = ok(await prov.post(`/api/v1/meal/canteens/${A.id}/menus`, { date: tomorrow, meal: 'lunch', name: '午餐套餐', dishes: '米饭、肉末茄子、炒青菜', price_fen: 1200 }), 201)
  dinnerT = ok(await prov.post(`/api/v1/meal/canteens/${A.id}/menus`, { date: tomorrow, meal: 'dinner', name: '晚餐套餐', price_fen: 1000 }), 201)
  farLunch = ok(await prov.post(`/api/v1/meal/canteens/${FAR.id}/menus`, { date: tomorrow, meal: 'lunch', name: '远处午餐', price_fen: 900 }), 201)
  lunchPrev = ok(await prov.post(`/api/v1/meal/canteens/${A.id}/menus`, { date: prevDay, meal: 'lunch', name: '上月午餐', price_fen: 1100 }), 201)
  ok(await fg.post('/api/v1/meal/rules', { meal: 'lunch', amount_fen: 300, tags: [], valid_from: '2020-01-01', fund_national_pct: 0, fund_province_pct: 30, fund_city_pct: 30, fund_county_pct: 40 }), 201)
  // The elder lives 1.1 km from canteen A; her son has a family account with her consent.
  mom = ok(await fg.post('/api/v1/elders', { name: '送餐老人', id_number: idNumber('520327', '19380303', 901), region_code: '520327001001', address: '龙泉社区和平路 20 号', phone: '13800009001', lat: 27.965, lng: 107.72 }), 201)
  for (const u of ['fam_son', 'fam_other']) ok(await admin.post('/api/v1/users', { username: u, display_name: '家属', role: 'family', region_code: '520327001', password: 'Family2026' }), 201)
  fam = await s.firstLogin('fam_son', 'Family2026')
  stranger = await s.firstLogin('fam_other', 'Family2026')
  const uid = ok(await admin.get('/api/v1/users?q=fam_son')).items[0].id
  ok(await fg.post(`/api/v1/elders/${mom.id}/consents`, { user_id: uid, relation: '儿子', granted_by: '本人', scope: ['basic', 'services'] }), 201)
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

let order
test('RULE-MEAL-060, RULE-MEAL-061, RULE-MEAL-063: the family sees the canteens whose delivery radius reaches the home, with price and subsidy, and orders one delivery per meal', async () => {
  assertError(await stranger.get(`/api/v1/my/elders/${mom.id}/meal-options?date=${tomorrow}`), 404, 'not_found')
  assertError(await fam.get(`/api/v1/my/elders/${mom.id}/meal-options?date=2020-01-01`), 400, 'invalid', 'date')
  const o = ok(await fam.get(`/api/v1/my/elders/${mom.id}/meal-options?date=${tomorrow}`))
  assert.equal(o.located, true)
  assert.deepEqual(o.canteens.map((c) => c.id), [A.id]) // 远处食堂 is 26 km away
  const c = o.canteens[0]
  assert.ok(Math.abs(c.distance_m - 1112) < 5, String(c.distance_m))
  const lunch = c.menus.find((m) => m.id === lunchT.id)
  assert.deepEqual([lunch.price_fen, lunch.subsidy_fen, lunch.pay_fen, lunch.open], [1200, 300, 900, true])
  assert.equal(c.menus.find((m) => m.id === dinnerT.id).subsidy_fen, 0) // no dinner rule
  assertError(await fam.post(`/api/v1/my/elders/${mom.id}/meal-orders`, { canteen_id: FAR.id, menu_id: farLunch.id }), 422, 'unprocessable', 'canteen_id')
  assertError(await fam.post(`/api/v1/my/elders/${mom.id}/meal-orders`, { canteen_id: A.id, menu_id: farLunch.id }), 400, 'invalid', 'menu_id')
  assertError(await stranger.post(`/api/v1/my/elders/${mom.id}/meal-orders`, { canteen_id: A.id, menu_id: lunchT.id }), 404, 'not_found')
  assertError(await prov.post(`/api/v1/my/elders/${mom.id}/meal-orders`, { canteen_id: A.id, menu_id: lunchT.id }), 403, 'forbidden')
  order = ok(await fam.post(`/api/v1/my/elders/${mom.id}/meal-orders`, { canteen_id: A.id, menu_id: lunchT.id, note: '少盐' }), 201)
  assert.deepEqual([order.status, order.price_fen, order.subsidy_fen, order.meal, order.date, order.address], ['ordered', 1200, 300, 'lunch', tomorrow, '龙泉社区和平路 20 号'])
  assert.equal(order.cutoff_at, new Date(Date.parse(`${tomorrow}T09:00:00+08:00`)).toISOString().replace('.000', ''))
  assertError(await fam.post(`/api/v1/my/elders/${mom.id}/meal-orders`, { canteen_id: A.id, menu_id: lunchT.id }), 409, 'conflict', 'menu_id')
  ok(await fam.post(`/api/v1/my/elders/${mom.id}/meal-orders`, { canteen_id: A.id, menu_id: dinnerT.id }), 201)
  const mine = ok(await fam.get(`/api/v1/my/elders/${mom.id}/meal-orders`)).items
  assert.equal(mine.length, 2)
  const audit = ok(await admin.get('/api/v1/audit?action=meal.order')).items
  assert.equal(audit[0].username, 'fam_son')
})

test('RULE-MEAL-064: the canteen staff see the day\'s delivery list, with the address and a masked phone', async () => {
  const d = ok(await prov.get(`/api/v1/meal/canteens/${A.id}/deliveries?date=${tomorrow}`))
  assert.equal(d.total, 2)
  assert.deepEqual(d.items.map((x) => x.meal), ['lunch', 'dinner'])
  assert.equal(d.items[0].elder_name, '送餐老人')
  assert.equal(d.items[0].address, '龙泉社区和平路 20 号')
  assert.equal(d.items[0].phone_masked, '138****9001')
  assert.ok(!JSON.stringify(d).includes('13800009001'))
  assertError(await fam.get(`/api/v1/meal/canteens/${A.id}/deliveries`), 403, 'forbidden')
})

test('RULE-MEAL-062: an order is cancelled before the cut-off only', async () => {
  assertError(await stranger.post(`/api/v1/my/meal-orders/${order.id}/cancel`, { version: order.version }), 404, 'not_found')
  assertError(await fam.post(`/api/v1/my/meal-orders/${order.id}/cancel`, { version: order.version + 1 }), 409, 'conflict', 'version')
  const c = ok(await fam.post(`/api/v1/my/meal-orders/${order.id}/cancel`, { version: order.version }))
  assert.equal(c.status, 'cancelled')
  assertError(await fam.post(`/api/v1/my/meal-orders/${order.id}/cancel`, { version: c.version }), 409, 'conflict', 'status')
  assert.equal(ok(await prov.get(`/api/v1/meal/canteens/${A.id}/deliveries?date=${tomorrow}`)).total, 1)
  // Ordered again, then the cut-off passes (moved back in the table): too late to cancel.
  const again = ok(await fam.post(`/api/v1/my/elders/${mom.id}/meal-orders`, { canteen_id: A.id, menu_id: lunchT.id }), 201)
  sqlite(s.db, `UPDATE meal_orders SET cutoff_at = 1000 WHERE id = ${again.id}`)
  const late = await fam.post(`/api/v1/my/meal-orders/${again.id}/cancel`, { version: again.version })
  assertError(late, 409, 'conflict', 'status')
  assert.match(late.body.error.message, /已过取消截止时间/)
  // A menu of today whose window has passed (or nearly) is no longer open to order.
  const gone = ok(await prov.post(`/api/v1/meal/canteens/${A.id}/menus`, { date: today, meal: 'lunch', name: '今日午餐', price_fen: 1200 }), 201)
  const nowMin = Math.floor(((Date.now() / 1000 + 8 * 3600) % 86400) / 60)
  if (nowMin >= 9 * 60) assertError(await fam.post(`/api/v1/my/elders/${mom.id}/meal-orders`, { canteen_id: A.id, menu_id: gone.id }), 409, 'conflict', 'menu_id')
})

test('RULE-MEAL-021, RULE-MEAL-071: the counter keeps its keys through the request idempotency helper (al_idem_req_*): a resend in any field order answers the same record once, replayed: true; two sends at once record it once', async () => {
  const body = { canteen_id: A.id, elder_id: mom.id, menu_id: lunchPrev.id, idem_key: `fam-${mom.id}-idem`, served_at: prevNoon, counter: '一号窗口' }
  const first = ok(await prov.post('/api/v1/meal/meals', body), 201)
  assert.equal(first.replayed, false)
  const n = sqlite(s.db, `SELECT count(*) FROM idem_keys WHERE scope = 'meal.record' AND idem_key = 'fam-${mom.id}-idem'`)
  assert.equal(String(n).trim(), '1')
  const reordered = Object.fromEntries(Object.entries(body).reverse())
  const again = ok(await prov.post('/api/v1/meal/meals', reordered))
  assert.equal(again.replayed, true)
  assert.equal(again.id, first.id)
  assertError(await prov.post('/api/v1/meal/meals', { ...body, counter: '二号窗口' }), 409, 'conflict', 'idem_key')
  const hdr = await prov.request('POST', '/api/v1/meal/meals', { ...body, idem_key: `fam-${mom.id}-other` }, { headers: { 'Idempotency-Key': `fam-${mom.id}-header` } })
  assertError(hdr, 400, 'invalid', 'idem_key')
  assertError(await prov.post('/api/v1/meal/meals', { ...body, idem_key: 'bad key with spaces' }), 400, 'invalid', 'idem_key')
  // Through the request helper (al_idem_req_*): the replay says so in a header too, and two
  // counters' copies of one meal sent at once record it once: one 201, the other its replay.
  const rep = await prov.post('/api/v1/meal/meals', body)
  assert.equal(rep.headers.get('idempotent-replayed'), 'true')
  const twin = { ...body, idem_key: `fam-${mom.id}-twin`, served_at: prevNoon + 60 }
  const both = await Promise.all([prov.post('/api/v1/meal/meals', twin), prov.post('/api/v1/meal/meals', twin)])
  assert.deepEqual(both.map((r) => r.status).sort(), [200, 201], both.map((r) => r.text).join())
  assert.deepEqual(both.map((r) => r.body.replayed).sort(), [false, true])
  assert.equal(both[0].body.id, both[1].body.id)
  assert.equal(Number(sqlite(s.db, `SELECT count(*) FROM meal_records WHERE idem_key = '${twin.idem_key}'`)), 1)
})

test('RULE-MEAL-065: a statement is approved as read inside its own transaction; meals racing the approval are either in it or refused', async () => {
  const diners = []
  for (let i = 0; i < 6; i++) diners.push(ok(await fg.post('/api/v1/elders', { name: `结算老人${i}`, id_number: idNumber('520327', '19400404', 910 + i), region_code: '520327001001', address: '一号', phone: '13800009100' }), 201).id)
  const meals = diners.map((id, i) => prov.post('/api/v1/meal/meals', { canteen_id: A.id, elder_id: id, menu_id: lunchPrev.id, idem_key: `race-approve-${id}`, served_at: prevNoon + i }))
  const approval = fg.post(`/api/v1/meal/canteens/${A.id}/statements/${prevMonth}/approve`, {})
  const [ap, ...rs] = await Promise.all([approval, ...meals])
  assert.equal(ap.status, 200, ap.text)
  const recorded = rs.filter((r) => r.status === 201).length
  for (const r of rs) assert.ok(r.status === 201 || r.status === 409, r.text)
  const st = ok(await fg.get(`/api/v1/meal/canteens/${A.id}/statements/${prevMonth}`))
  assert.equal(st.status, 'approved')
  // The approved statement holds every meal of the month that was recorded: none slipped in after.
  const inDb = Number(sqlite(s.db, `SELECT count(*) FROM meal_records WHERE canteen_id = ${A.id} AND month = '${prevMonth}'`))
  assert.equal(st.totals.meals, inDb, `approved ${st.totals.meals}, recorded ${inDb} (${recorded} of the race)`)
})

test('RULE-MEAL-070: the demo family account fg_family sees delivery orders for its elder over the next days, each one of the quoted options', async () => {
  const d = await Server.start({ env: { ANLAO_DEMO_ELDERS: '300' } })
  try {
    const f = await d.login('fg_family')
    const linked = ok(await f.get('/api/v1/my/elders')).items
    assert.equal(linked.length, 1)
    const id = linked[0].id
    const orders = ok(await f.get(`/api/v1/my/elders/${id}/meal-orders`)).items
    const day = (n) => cst(Date.now() + n * 86400e3)
    assert.deepEqual(orders.map((o) => [o.date, o.meal, o.status]), [[day(1), 'lunch', 'ordered'], [day(2), 'lunch', 'ordered'], [day(2), 'dinner', 'ordered'], [day(3), 'lunch', 'ordered']])
    // Each as the family would have been quoted it: the canteen reaches the home, price and subsidy.
    const opts = ok(await f.get(`/api/v1/my/elders/${id}/meal-options?date=${day(1)}`))
    const c = opts.canteens.find((x) => x.id === orders[0].canteen_id)
    assert.ok(c, 'the canteen is among the options')
    const m = c.menus.find((x) => x.id === orders[0].menu_id)
    assert.deepEqual([orders[0].price_fen, orders[0].subsidy_fen], [m.price_fen, m.subsidy_fen])
    // The canteen's delivery list of tomorrow has it.
    const del = ok(await (await d.login('fg_provider')).get(`/api/v1/meal/canteens/${c.id}/deliveries?date=${day(1)}`))
    assert.ok(del.items.some((x) => x.id === orders[0].id), JSON.stringify(del.items))
    // The family can still cancel before the cut-off.
    const x = ok(await f.post(`/api/v1/my/meal-orders/${orders[3].id}/cancel`, { version: orders[3].version }))
    assert.equal(x.status, 'cancelled')
  } finally { await d.stop(); await d.dispose() }
})

test('RULE-MEAL-072: a subsidy rule may require an item of the basic service list; it applies to the elders entitled to it', async () => {
  assertError(await fg.post('/api/v1/meal/rules', { meal: 'lunch', amount_fen: 650, tags: ['item:Bad-Key'], valid_from: '2020-01-01', fund_county_pct: 100 }), 400, 'invalid', 'tags')
  assertError(await fg.post('/api/v1/meal/rules', { meal: 'lunch', amount_fen: 650, tags: ['月球居民'], valid_from: '2020-01-01', fund_county_pct: 100 }), 400, 'invalid', 'tags')
  const rule = ok(await fg.post('/api/v1/meal/rules', { meal: 'lunch', amount_fen: 650, tags: ['item:gaoling_jintie'], valid_from: '2020-01-01', fund_county_pct: 100 }), 201)
  assert.equal(rule.tags, 'item:gaoling_jintie')
  // 送餐老人 (born 1938) is entitled to 高龄津贴 (年龄 >= 高龄年龄); a 70-year-old is not.
  const young = ok(await fg.post('/api/v1/elders', { name: '年轻老人', id_number: idNumber('520327', '19560505', 931), region_code: '520327001001', address: '龙泉社区和平路 22 号', phone: '13800009311', lat: 27.965, lng: 107.72 }), 201)
  const uid = ok(await admin.get('/api/v1/users?q=fam_son')).items[0].id
  ok(await fg.post(`/api/v1/elders/${young.id}/consents`, { user_id: uid, relation: '儿子', granted_by: '本人', scope: ['basic'] }), 201)
  const quote = async (id) => ok(await fam.get(`/api/v1/my/elders/${id}/meal-options?date=${tomorrow}`)).canteens.find((c) => c.id === A.id).menus.find((m) => m.id === lunchT.id)
  assert.equal((await quote(mom.id)).subsidy_fen, 650)
  assert.equal((await quote(young.id)).subsidy_fen, 300)
  const ent = ok(await fg.get(`/api/v1/elders/${mom.id}/entitlements`))
  assert.ok(JSON.stringify(ent).includes('gaoling_jintie'), 'the same answer as the entitlements page')
})
