// The family's phone page (issue 13) at 390×844 in 长辈模式: the demo family account fg_family
// sees its elder's visit waiting for confirmation and reads the code to tell the caregiver
// (RULE-SVC-154, audited: RULE-SVC-151), orders a service (RULE-SVC-155) and, once the caregiver
// has confirmed with the code, rates the visit (RULE-SVC-156).  The demo links them (RULE-SVC-157).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { launch, openAs, fitsWidth, axeViolations, SHOTS } from './browser.mjs'

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true }
let server, browser, civil, carer
before(async () => {
  server = await new Server({ env: { ANLAO_DEMO_ELDERS: '300' } }).start()
  browser = await launch()
  civil = await server.login('fg_civil')
  carer = await server.login('fg_caregiver')
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

test('RULE-SVC-151, RULE-SVC-154..157: the family reads the code, orders a service and rates the visit on a phone', async () => {
  const { page } = await openAs(browser, server, 'fg_family', PHONE, true)
  await page.goto(server.base + '/service/family')
  await page.waitForSelector('[data-test=family-coming]')
  assert.ok(await fitsWidth(page), 'the page fits 390 px')
  const waiting = page.locator('[data-test^=family-order-]', { has: page.locator('[data-test=family-show-code]') }).first()
  const id = Number((await waiting.getAttribute('data-test')).replace('family-order-', ''))
  const card = page.locator(`[data-test=family-coming] [data-test=family-order-${id}]`)
  assert.match(await card.innerText(), /待确认/)
  await card.locator('[data-test=family-show-code]').click()
  const code = (await card.locator('[data-test=family-code]').innerText()).trim()
  assert.equal(code, '472915') // the demo's code (src/service/service_flow_demo.c)
  const reads = (await civil.get(`/api/v1/audit?action=service.confirm_code_read&page_size=200`)).body.items
  assert.ok(reads.some((a) => a.target_id === String(id)), 'reading the code is audited')
  assert.deepEqual(await axeViolations(page), [])
  await page.screenshot({ path: `${SHOTS}/family-code.png` })

  // 点菜式: an item, a time tomorrow, a note.
  const tomorrow = new Date(Date.now() + 86400e3 + 8 * 3600e3).toISOString().slice(0, 10)
  await page.click('[data-test=family-item]')
  await page.locator('.el-select-dropdown__item', { hasText: '助餐' }).first().click()
  await page.fill('[data-test=family-when]', `${tomorrow}T11:30`)
  await page.fill('input[aria-label=备注]', '少盐')
  await page.click('[data-test=family-place]')
  await page.waitForSelector('.el-message--success:has-text("已预约")')
  await page.locator('[data-test=family-coming] li', { hasText: '助餐' }).filter({ hasText: '11:30' }).first().waitFor()
  const mine = (await civil.get('/api/v1/service/orders?status=created&page_size=200')).body.items
  assert.ok(mine.some((o) => o.channel === 'family' && o.note === '少盐'), 'on the board as a family order')

  // The caregiver enters the code; the visit moves to the record and can be rated.
  const c = await carer.post(`/api/v1/service/orders/${id}/confirm`, { code })
  assert.equal(c.status, 200, JSON.stringify(c.body))
  await page.reload()
  const past = page.locator(`[data-test=family-past] [data-test=family-order-${id}]`)
  await past.waitFor()
  await past.locator('.el-rate__item').nth(4).click()
  await past.locator('input[aria-label=评价内容]').fill('很细心')
  await past.locator('[data-test=family-rate]').click()
  await page.waitForSelector('.el-message--success:has-text("谢谢您的评价")')
  await past.locator('text=很细心').waitFor()
  const o = (await civil.get(`/api/v1/service/orders/${id}`)).body
  assert.equal(o.status, 'rated')
  assert.equal(o.rating, 5)
  await page.screenshot({ path: `${SHOTS}/family-rated.png` })
  assert.deepEqual(page.errors, [])
})
