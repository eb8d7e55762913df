// The meal counter on a tablet (issue 17): a helper picks the demo canteen, a card number
// identifies the diner, the page shows the price, the subsidy and what the diner pays, and one
// tap records the meal. A network cut keeps the meal with its idempotency key and sends it once
// when the network returns (RULE-MEAL-021) — both a request that never left and an answer that
// was lost after the server wrote it. Officers' canteen list and statement pages are axe-clean.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { launch, openAs, fitsWidth, input, axeViolations, SHOTS } from './browser.mjs'

const TABLET = { viewport: { width: 800, height: 1280 }, isMobile: true, hasTouch: true, bypassCSP: true }
const DESKTOP = { viewport: { width: 1440, height: 900 }, bypassCSP: true }
const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)

let server, browser, fg, canteen
const diners = []
before(async () => {
  server = await new Server({ env: { ANLAO_DEMO_ELDERS: '200' } }).start()
  browser = await launch()
  fg = await server.login('fg_civil')
  canteen = (await fg.get('/api/v1/meal/canteens?q=' + encodeURIComponent('龙泉街道长者食堂'))).body.items[0]
  assert.ok(canteen, 'the demo canteen')
  for (let i = 0; i < 3; i++) {
    const e = (await fg.post('/api/v1/elders', { name: ['窗口甲', '窗口乙', '窗口丙'][i], id_number: idNumber('520327', '19410101', 900 + i), region_code: '520327001001', address: '和平路 3 号', phone: '13800001234', economic_status: 'dibao' })).body
    assert.ok(e.id, JSON.stringify(e))
    const c = await fg.post('/api/v1/meal/cards', { elder_id: e.id, card_no: `E2E00${i}` })
    assert.equal(c.status, 200, JSON.stringify(c.body))
    diners.push(e)
  }
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

async function counter(elder = false) {
  const { ctx, page } = await openAs(browser, server, 'lq_helper', TABLET, elder)
  await page.goto(server.base + '/meal/counter')
  await page.waitForSelector('[data-test=counter-code]')
  await page.waitForFunction(() => document.querySelector('[data-test=counter-canteen]')?.textContent.includes('龙泉街道长者食堂'))
  await page.click('[data-test=counter-meal] label:has-text("午餐")')
  return { ctx, page }
}
async function byCard(page, card) {
  await page.fill(input('counter-code'), card)
  await page.click('[data-test=counter-scan]')
  await page.waitForSelector('[data-test=counter-diner]')
}
const mealsOf = async (e) => (await fg.get(`/api/v1/meal/meals?date=${today}&canteen_id=${canteen.id}&page_size=200`)).body.items.filter((m) => m.elder_id === e.id)

test('RULE-MEAL-020, RULE-MEAL-013: the counter identifies a diner by card and records the meal in one tap (tablet 800×1280)', async () => {
  const { ctx, page } = await counter()
  await byCard(page, 'E2E000')
  const card = await page.locator('[data-test=counter-diner]').innerText()
  assert.match(card, /窗口甲/)
  assert.match(card, /低保/)
  assert.match(card, /高龄/)
  // 80+ on 低保: ¥6 of the ¥12 lunch (the demo county's rules).
  const menu = page.locator('[data-test^=counter-menu-]').first()
  assert.match(await menu.innerText(), /价格 12\.00 元[\s\S]*补贴 6\.00 元[\s\S]*个人支付 6\.00 元/)
  assert.ok(await fitsWidth(page))
  assert.deepEqual(await axeViolations(page), [])
  await page.screenshot({ path: `${SHOTS}/meal-counter-tablet.png`, fullPage: true })
  await menu.click()
  await page.waitForSelector('[data-test=counter-done]')
  assert.match(await page.locator('[data-test=counter-done]').innerText(), /补贴 6\.00 元，个人支付 6\.00 元/)
  const rec = await mealsOf(diners[0])
  assert.equal(rec.length, 1)
  assert.equal(rec[0].subsidy_fen, 600)
  // The same diner again in the window: full price, said on the button before the tap.
  await byCard(page, 'E2E000')
  assert.match(await page.locator('[data-test^=counter-menu-]').first().innerText(), /个人支付 12\.00 元[\s\S]*已享受过补贴/)
  // By name, in 长辈模式 too.
  await ctx.close()
  const big = await counter(true)
  await big.page.fill(input('counter-name'), '窗口乙')
  await big.page.click('[data-test=counter-search]')
  await big.page.click('[data-test=counter-found] button:has-text("窗口乙")')
  await big.page.waitForSelector('[data-test=counter-diner]')
  assert.ok(await fitsWidth(big.page))
  assert.deepEqual(await axeViolations(big.page), [])
  await big.ctx.close()
})

test('RULE-MEAL-021, RULE-UI-040: a meal tapped during a network cut is kept and sent once when the network returns', async () => {
  const { ctx, page } = await counter()
  // 1. The request never leaves: offline.
  await byCard(page, 'E2E001')
  await ctx.setOffline(true)
  await page.locator('[data-test^=counter-menu-]').first().click()
  await page.waitForSelector('[data-test=counter-pending]')
  assert.equal((await mealsOf(diners[1])).length, 0)
  await ctx.setOffline(false) // the offline queue sends it by itself (RULE-UI-041)
  await page.waitForSelector('[data-test=counter-done]')
  assert.equal((await mealsOf(diners[1])).length, 1)

  // 2. The server writes the meal but its answer is lost: the resend gets the same record.
  await byCard(page, 'E2E002')
  let cut = true
  let heardNothing
  const lost = new Promise((resolve) => { heardNothing = resolve })
  await page.route('**/api/v1/meal/meals', async (route) => {
    if (!cut) return route.continue()
    cut = false
    await route.fetch() // the server records it …
    await route.abort('connectionreset') // … and the tablet never hears
    heardNothing()
  })
  await page.locator('[data-test^=counter-menu-]').first().click()
  // The entry shows as pending when it is queued, before it is sent: wait for the lost answer.
  await lost
  await page.waitForSelector('[data-test=counter-pending]')
  assert.equal((await mealsOf(diners[2])).length, 1)
  await page.click('[data-test=counter-resend]')
  await page.waitForSelector('[data-test=counter-done]')
  const rec = await mealsOf(diners[2])
  assert.equal(rec.length, 1, 'sent twice, recorded once')
  assert.equal(rec[0].subsidy_fen, 600)
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-MEAL-030: officers see the canteens, the coverage and a statement; axe finds nothing', async () => {
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.click('[data-test=menu-meal]')
  await page.waitForSelector('[data-test=meal-table] .el-table__row')
  assert.match(await page.locator('[data-test=meal-coverage]').innerText(), /城市社区覆盖/)
  assert.deepEqual(await axeViolations(page), [])
  await page.click('[data-test=meal-licence]')
  await page.click('.el-select-dropdown__item:visible:has-text("许可证已过期")')
  await page.waitForURL((u) => u.searchParams.get('licence') === 'expired')
  await page.waitForFunction(() => document.querySelectorAll('[data-test=meal-table] .el-table__row').length === 1)
  assert.match(await page.locator('[data-test=meal-table]').innerText(), /琊川镇老年食堂/)
  await page.locator('[data-test=meal-table] .el-table__row').first().click()
  await page.waitForSelector('[data-test=statement-lines] .el-table__row')
  assert.match(await page.locator('[data-test=statement-lines]').innerText(), /合计/)
  assert.deepEqual(await axeViolations(page), [])
  await page.screenshot({ path: `${SHOTS}/meal-statement.png`, fullPage: true })
  assert.deepEqual(page.errors, [])
  await ctx.close()
})
