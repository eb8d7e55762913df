// A family member orders delivery for their mother on a phone at 390×844 in 长辈模式 (issue 17,
// RULE-MEAL-060..064): pick the day, see the canteen within its delivery radius with price and
// subsidy, order, cancel before the cut-off, order again; the canteen staff see the delivery list.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { launch, openAs, fitsWidth, axeViolations, SHOTS } from './browser.mjs'
import { idNumber } from '../lib/ids.mjs'

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true }
const DESKTOP = { viewport: { width: 1440, height: 900 }, bypassCSP: true }
const cst = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 10)
const tomorrow = cst(Date.now() + 86400e3)

let server, browser, canteen
const pageAxe = axeViolations // the whole page, side menu included
const ok = (r, status = 200) => { assert.equal(r.status, status, JSON.stringify(r.body)); return r.body }
before(async () => {
  server = await new Server().start()
  browser = await launch()
  const [admin, fg, prov] = [await server.login('admin'), await server.login('fg_civil'), await server.login('fg_provider')]
  canteen = ok(await fg.post('/api/v1/meal/canteens', { region_code: '520327001', kind: 'canteen', name: '和平路老年食堂', operator: '凤冈县颐康餐饮有限公司', address: '龙泉街道和平路 8 号', lat: 27.955, lng: 107.72, capacity: 60, delivery_radius_m: 2000, windows: [{ meal: 'lunch', from: '11:00', to: '13:00' }, { meal: 'dinner', from: '17:00', to: '18:30' }], areas: ['520327001001'], licence_no: 'JY15203270017777', licence_expiry: '2030-06-30' }), 201)
  ok(await prov.post(`/api/v1/meal/canteens/${canteen.id}/menus`, { date: tomorrow, meal: 'lunch', name: '软烂午餐', dishes: '米饭、清蒸鱼、南瓜', price_fen: 1500 }), 201)
  ok(await fg.post('/api/v1/meal/rules', { meal: 'lunch', amount_fen: 500, tags: [], valid_from: '2020-01-01', fund_national_pct: 0, fund_province_pct: 30, fund_city_pct: 30, fund_county_pct: 40 }), 201)
  const mom = ok(await fg.post('/api/v1/elders', { name: '订餐妈妈', id_number: idNumber('520327', '19360606', 951), region_code: '520327001001', address: '龙泉社区和平路 26 号', phone: '13800009501', lat: 27.962, lng: 107.72 }), 201)
  const u = ok(await admin.post('/api/v1/users', { username: 'mf_son', display_name: '订餐家属', role: 'family', region_code: '520327001', password: 'Family2026x' }), 201)
  const fam = await server.login('mf_son', 'Family2026x')
  ok(await fam.post('/api/v1/me/password', { old_password: 'Family2026x', new_password: 'Anlao2026' }))
  ok(await fg.post(`/api/v1/elders/${mom.id}/consents`, { user_id: u.id, relation: '儿子', granted_by: '本人', scope: ['basic'] }), 201)
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

test('RULE-MEAL-060, RULE-MEAL-061, RULE-MEAL-062: a son orders his mother\'s lunch on a phone in 长辈模式, cancels, orders again', async () => {
  const f = await openAs(browser, server, 'mf_son', PHONE, true)
  await f.page.goto(server.base + '/my/meal')
  const sec = f.page.locator(`[data-test=mf-canteen-${canteen.id}]`)
  await sec.waitFor()
  const text = await sec.innerText()
  assert.match(text, /和平路老年食堂/)
  assert.match(text, /距离 778 米/) // 0.007° of latitude
  assert.match(text, /价格 15\.00 元，补贴 5\.00 元，需付 10\.00 元/)
  assert.match(await f.page.locator('[data-test=mf-address]').innerText(), /龙泉社区和平路 26 号/)
  for (const v of await pageAxe(f.page)) assert.fail(`axe: ${v}`)
  await sec.locator('[data-test^=mf-order-]').click()
  await f.page.click('.el-message-box__btns button:has-text("确认预订")')
  await f.page.waitForSelector('.el-message:has-text("已预订")')
  const card = f.page.locator('.list-cards-li').filter({ hasText: '软烂午餐' })
  await card.waitFor()
  assert.match(await card.innerText(), /需付 10\.00 元/)
  await f.page.waitForSelector('[data-test^=mf-order-]:has-text("已订午餐")')
  assert.ok(await fitsWidth(f.page), 'the page fits the phone in 长辈模式')
  await f.page.screenshot({ path: `${SHOTS}/phone-elder-meal-family.png`, fullPage: true })
  await card.locator('[data-test^=mf-cancel-]').click()
  await f.page.waitForSelector('.el-message:has-text("已取消预订")')
  await f.page.waitForSelector('.list-cards-li:has-text("已取消")')
  await f.page.locator('[data-test^=mf-order-]').first().click()
  await f.page.click('.el-message-box__btns button:has-text("确认预订")')
  await f.page.waitForSelector('.el-message:has-text("已预订")')
  assert.deepEqual(f.page.errors, [])
  await f.ctx.close()
})

test('RULE-MEAL-064: the canteen staff see tomorrow\'s delivery list with the address', async () => {
  for (const [opts, sel] of [[DESKTOP, '[data-test=md-table] .el-table__row'], [PHONE, '[data-test=list-card]']]) {
    const p = await openAs(browser, server, 'fg_provider', opts, opts === PHONE)
    await p.page.goto(server.base + `/meal/deliveries?canteen=${canteen.id}&date=${tomorrow}`)
    await p.page.waitForSelector(sel)
    const rows = await p.page.locator(sel).allInnerTexts()
    assert.equal(rows.length, 1, rows.join('\n'))
    assert.match(rows[0], /订餐妈妈/)
    assert.match(rows[0], /龙泉社区和平路 26 号/)
    assert.match(rows[0], /138\*\*\*\*9501/)
    for (const v of await pageAxe(p.page)) assert.fail(`axe: ${v}`)
    assert.ok(await fitsWidth(p.page))
    assert.deepEqual(p.page.errors, [])
    await p.ctx.close()
  }
})
