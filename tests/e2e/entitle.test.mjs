// The service list in the browser (issue 12): the county's list with inherited and raised items
// marked, a change that tries to lower an inherited standard (refused with both standards named)
// and then raises it, the city's approval queue returning it with a reason and approving it, and
// the list afterwards; on a phone at 390×844 in 长辈模式 the list is cards that fit the width.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { launch, openAs, fitsWidth, input, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 } }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }

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

const row = (page, table, text) => page.locator(`[data-test=${table}] .el-table__row:has-text("${text}")`)

test('RULE-ENT-011, RULE-ENT-012, RULE-ENT-014: the county raises an inherited standard, the city returns and then approves it', async () => {
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.click('[data-test=menu-entitle]')
  await page.waitForSelector('[data-test=entitle-table] .el-table__row')
  const g = row(page, 'entitle-table', '高龄津贴')
  assert.match(await g.innerText(), /每月 100\.00 元/)
  assert.match(await g.innerText(), /贵州省提高/)
  assert.match(await g.innerText(), /原标准 每月 50\.00 元/)
  assert.match(await page.locator('[data-test=origin-zhuyu_butie]').innerText(), /继承·贵州省/)
  assert.match(await page.locator('[data-test=entitle-caption]').innerText(), /凤冈县清单/)

  // A new change from the versions tab.
  await page.click('.el-tabs__item:has-text("版本与变更")')
  await page.waitForURL((u) => u.searchParams.get('tab') === 'versions')
  await page.click('[data-test=change-new]')
  await page.fill('.el-message-box input', '2026-01-01')
  await page.click('.el-message-box__btns .el-button--primary')
  await page.waitForURL(/\/entitle\/changes\/\d+$/)
  const id = page.url().match(/(\d+)$/)[1]
  await page.waitForSelector('[data-test=change-detail]')

  // Lowering is refused, naming both standards.
  await page.click('[data-test=change-raise]')
  await page.click('[data-test=raise-item]')
  await page.click('.el-select-dropdown__item:visible:has-text("高龄津贴")')
  await page.fill(input('item-amount'), '80')
  await page.click('[data-test=item-save]')
  const err = await page.waitForSelector('[data-test=item-error]')
  assert.match(await err.innerText(), /不得低于上级.*每月 100\.00 元.*每月 80\.00 元/)
  await page.fill(input('item-amount'), '150')
  await page.click('[data-test=item-save]')
  await page.waitForSelector('[data-test=change-items] .el-table__row:has-text("每月 150.00 元")')
  await page.click('[data-test=change-submit]')
  await page.waitForFunction(() => document.querySelector('[data-test=change-status]')?.textContent.includes('待审批'))
  await ctx.close()

  // The city: returned with a reason …
  const city = await openAs(browser, server, 'zy_civil', DESKTOP)
  await city.page.goto(server.base + '/entitle/approvals')
  await city.page.waitForSelector(`[data-test=return-${id}]`)
  await city.page.click(`[data-test=return-${id}]`)
  await city.page.fill('.el-message-box input', '请补充政策依据')
  await city.page.click('.el-message-box__btns .el-button--primary')
  await city.page.waitForSelector('[data-test=queue-table] .el-table__empty-text')
  const back = (await fg.get(`/api/v1/entitle/changes/${id}`)).body
  assert.equal(back.status, 'returned')
  assert.equal(back.return_reason, '请补充政策依据')
  // … submitted again, and approved from the change page.
  const sub = await fg.post(`/api/v1/entitle/changes/${id}/submit`, { version: back.version })
  assert.equal(sub.status, 200, sub.text)
  await city.page.goto(server.base + '/entitle/approvals')
  await city.page.goto(server.base + `/entitle/changes/${id}`)
  await city.page.click('[data-test=change-approve]')
  await city.page.waitForFunction(() => document.querySelector('[data-test=change-status]')?.textContent.includes('已批准'))
  assert.deepEqual(city.page.errors, [])
  await city.ctx.close()

  // The county's list now: 150 元, raised by the county itself; version 1 readable.
  const again = await openAs(browser, server, 'fg_civil', DESKTOP)
  await again.page.goto(server.base + '/entitle')
  await again.page.waitForSelector('[data-test=raised-gaoling_jintie]')
  assert.match(await row(again.page, 'entitle-table', '高龄津贴').innerText(), /每月 150\.00 元[\s\S]*凤冈县提高[\s\S]*原标准 每月 100\.00 元/)
  await again.page.goto(server.base + '/entitle?tab=versions')
  await again.page.waitForSelector('[data-test=version-1]')
  await again.page.click('[data-test=version-1]')
  await again.page.waitForURL((u) => u.searchParams.get('version') === '1')
  await again.page.waitForSelector('[data-test=entitle-caption]:has-text("第 1 版")')
  assert.deepEqual(again.page.errors, [])
  await again.ctx.close()
})

test('the list on a phone in 长辈模式: cards, nothing wider than the screen; the item page shows its history', async () => {
  const { ctx, page } = await openAs(browser, server, 'fg_civil', PHONE, true)
  await page.goto(server.base + '/entitle')
  await page.waitForSelector('[data-test=list-card]')
  assert.ok(await fitsWidth(page), 'fits 390 px')
  await page.click('[data-test=list-card]:has-text("护理补贴")')
  await page.waitForURL(/\/entitle\/items\/huli_butie/)
  await page.waitForSelector('[data-test=item-detail]')
  assert.match(await page.locator('[data-test=item-detail]').innerText(), /能力等级 >= 中度失能等级/)
  assert.match(await page.locator('[data-test=item-status]').innerText(), /待核对/)
  assert.ok(await fitsWidth(page), 'the item page fits 390 px')
  await page.screenshot({ path: `${SHOTS}/entitle-phone.png`, fullPage: true })
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-ENT-046, RULE-ENT-047: the rule editor shows errors as the rule is typed; the item page shows each example\'s result', async () => {
  const ch = await fg.post('/api/v1/entitle/changes', { effective_from: '2026-06-01' })
  assert.equal(ch.status, 201, ch.text)
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(server.base + `/entitle/changes/${ch.body.id}`)
  await page.waitForSelector('[data-test=change-detail]')
  await page.click('[data-test=change-add]')
  const rule = 'textarea[data-test=rule-text], [data-test=rule-text] textarea'
  await page.fill(rule, '年龄 >= 80 且 户籍 = 本地')
  const err = page.locator('[data-test=item-dialog] .el-form-item:has([data-test=rule-text]) .el-form-item__error')
  await err.waitFor()
  assert.match(await err.innerText(), /第 12 个字符处：未知字段“户籍”/)
  await page.fill(rule, 'age >= 高龄年龄 and 本地户籍')
  await page.waitForSelector('[data-test=rule-live]')
  assert.match(await page.locator('[data-test=rule-live]').innerText(), /校验通过：年龄 >= 高龄年龄 且 本地户籍（高龄年龄 = 80）/)
  assert.equal(await err.count(), 0)
  assert.deepEqual(page.errors, [])

  await page.goto(server.base + '/entitle/items/gaoling_jintie?date=2026-06-01')
  await page.waitForSelector('[data-test=item-examples] .el-table__row')
  assert.match(await page.locator('[data-test=rule-check]').innerText(), /校验通过/)
  const results = await page.locator('[data-test=example-result]').allInnerTexts()
  assert.ok(results.length >= 2)
  assert.ok(results.every((t) => /与预期一致/.test(t)), results.join(' | '))
  assert.deepEqual(page.errors, [])
  await ctx.close()
})
