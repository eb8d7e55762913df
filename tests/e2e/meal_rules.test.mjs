// The officer's page of meal subsidy rules and the daily cap (issue 17, RULE-MEAL-073..079): the
// county officer adds a rule through the form (a bad amount is named first), changes the cap; a
// helper sees the page read-only. Axe-clean on the desktop and on a phone in 长辈模式.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { launch, openAs, fitsWidth, input, axeViolations, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 }, bypassCSP: true }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true }

let server, browser, fg
before(async () => {
  server = await new Server().start()
  browser = await launch()
  fg = await server.login('fg_civil')
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

async function rulesPage(user, opts = DESKTOP, elder = false) {
  const { ctx, page } = await openAs(browser, server, user, opts, elder)
  await page.goto(server.base + '/meal/rules')
  await page.waitForSelector('[data-test=rules-cap]')
  return { ctx, page }
}

test('RULE-MEAL-073, RULE-MEAL-074, RULE-MEAL-075: the county officer adds a rule in yuan; a bad amount is named at its field', async () => {
  const before_ = (await fg.get('/api/v1/meal/rules')).body.items.length
  const { ctx, page } = await rulesPage('fg_civil')
  await page.click('[data-test=rules-add]')
  await page.fill(input('rules-amount'), '3.5元')
  await page.click('[data-test=rules-submit]')
  await page.waitForSelector('.el-form-item__error')
  assert.match(await page.locator('.el-form-item:has([data-test=rules-amount]) .el-form-item__error').innerText(), /补贴金额/)
  // A split that does not add up to 100: the server's message under the county share.
  await page.fill(input('rules-amount'), '3.50')
  await page.fill(input('rules-fund_county_pct'), '90')
  await page.click('[data-test=rules-submit]')
  await page.waitForFunction(() => /之和应为 100/.test(document.querySelector('.el-form-item:has([data-test=rules-fund_county_pct]) .el-form-item__error')?.textContent || ''))
  await page.fill(input('rules-fund_county_pct'), '100')
  await page.click('[data-test=rules-submit]')
  await page.waitForFunction(() => /3\.50/.test(document.querySelector('[data-test=rules-self]')?.textContent || ''))
  const after_ = (await fg.get('/api/v1/meal/rules')).body.items
  assert.equal(after_.length, before_ + 1)
  assert.ok(after_.some((r) => r.amount_fen === 350 && r.fund_county_pct === 100))
  assert.deepEqual(await axeViolations(page), [])
  await page.screenshot({ path: `${SHOTS}/meal-rules-desktop.png`, fullPage: true })
  await ctx.close()
})

test('RULE-MEAL-076: the daily cap is changed and reloads with the new value', async () => {
  const { ctx, page } = await rulesPage('fg_civil')
  await page.fill(input('rules-cap-input'), '2')
  await page.click('[data-test=rules-cap-save]')
  await page.waitForSelector('.el-message--success')
  assert.equal((await fg.get('/api/v1/meal/rules')).body.daily_cap, 2)
  await page.reload()
  await page.waitForSelector('[data-test=rules-cap-input]')
  assert.equal(await page.inputValue(input('rules-cap-input')), '2')
  await ctx.close()
})

test('RULE-MEAL-077: a helper sees the rules read-only; axe-clean on a phone in 长辈模式', async () => {
  const { ctx, page } = await rulesPage('lq_helper', PHONE, true)
  assert.equal(await page.locator('[data-test=rules-add]').count(), 0)
  assert.equal(await page.locator('[data-test=rules-cap-save]').count(), 0)
  assert.match(await page.locator('[data-test=rules-cap-value]').innerText(), /\d 餐/)
  assert.ok(await fitsWidth(page))
  assert.deepEqual(await axeViolations(page), [])
  await page.screenshot({ path: `${SHOTS}/meal-rules-phone-elder.png`, fullPage: true })
  await ctx.close()
})

test('RULE-UI-046: a write made without a network says so in Chinese, not the browser\'s "Failed to fetch"', async () => {
  const { ctx, page } = await rulesPage('fg_civil')
  await ctx.setOffline(true)
  await page.fill(input('rules-cap-input'), '3')
  await page.click('[data-test=rules-cap-save]')
  await page.waitForFunction(() => /网络连接失败，请检查网络后重试/.test(document.body.innerText))
  assert.doesNotMatch(await page.locator('body').innerText(), /Failed to fetch|NetworkError/)
  await ctx.setOffline(false)
  await ctx.close()
})
