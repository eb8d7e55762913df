// Home services from the family's order to the month's statement (issue 13), every step in the
// browser: the family orders on a phone (390×844, 长辈模式), the county centre assigns the
// order on its board (1440×900), the caregiver (phone, 长辈模式) accepts, sets off, arrives,
// checks in and checks out with the network cut (the check-out waits in the queue and is sent
// once), the family reads the code and the caregiver types it in, the family rates the visit,
// the officer resolves the visit's exception on 上门核验 (checked out at once: too short), makes
// the provider's statement for the month and approves it: the visit is on it and settled.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { launch, openAs, fitsWidth, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 }, bypassCSP: true }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true }
const cst = (ms) => new Date(ms + 8 * 3600e3).toISOString()
let server, browser, civil
before(async () => {
  server = await new Server({ env: { ANLAO_DEMO_ELDERS: '300' } }).start()
  browser = await launch()
  civil = await server.login('fg_civil')
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

const ok = (r) => { assert.equal(r.status, 200, JSON.stringify(r.body)); return r.body }
const outbox = (page) => page.locator('[data-test=outbox-count]').innerText()

test('RULE-SVC-155, RULE-SVC-030, RULE-UI-041, RULE-SVC-061, RULE-SVC-156, RULE-SVC-193, RULE-SVC-081, RULE-SVC-083: a family order is assigned, visited with the network cut, confirmed, rated, fixed and settled', async (t) => {
  // The visit is today, an hour and a half ahead (the caregiver's page shows today's visits).
  const when = Date.now() + 90 * 60e3
  if (cst(when).slice(0, 10) !== cst(Date.now()).slice(0, 10)) {
    t.skip('late in the China day: an order 90 minutes ahead falls on tomorrow')
    return
  }
  const day = cst(when).slice(0, 10)
  const note = '端到端测试：门口有台阶'

  // 1. The family orders 助餐 for today on a phone.
  const fam = await openAs(browser, server, 'fg_family', PHONE, true)
  await fam.page.goto(server.base + '/service/family')
  await fam.page.waitForSelector('[data-test=family-place]')
  await fam.page.click('[data-test=family-item]')
  await fam.page.locator('.el-select-dropdown__item', { hasText: '助餐' }).first().click()
  await fam.page.fill('[data-test=family-when]', cst(when).slice(0, 16))
  await fam.page.fill('input[aria-label=备注]', note)
  await fam.page.click('[data-test=family-place]')
  await fam.page.waitForSelector('.el-message--success:has-text("已预约")')
  const placed = ok(await civil.get(`/api/v1/service/orders?date=${day}&status=created&page_size=200`)).items
    .find((o) => o.note === note)
  assert.ok(placed, 'the order is on the board, waiting for dispatch')
  assert.equal(placed.channel, 'family')

  // 2. The county centre assigns it to 孙丽 on its board.
  const board = await openAs(browser, server, 'fg_civil', DESKTOP)
  await board.page.goto(server.base + `/service?date=${day}`)
  const row = board.page.locator('[data-test=board-table] .el-table__row', { hasText: placed.elder_name }).filter({ hasText: '待派单' }).first()
  await row.waitFor()
  await row.locator('[data-test=board-assign]').click()
  await board.page.click('[data-test=assign-caregiver]')
  await board.page.locator('.el-select-dropdown__item:visible', { hasText: '孙丽' }).first().click()
  await board.page.fill('[data-test=assign-reason]', '家属点单，就近派单')
  await board.page.click('[data-test=assign-save]')
  await board.page.waitForSelector('.el-message--success')
  const order = ok(await civil.get(`/api/v1/service/orders/${placed.id}`))
  assert.equal(order.status, 'assigned')

  // 3. The caregiver at the home, on a phone: accept, set off, arrive, check in online …
  const home = order.lat && order.lng ? { latitude: order.lat, longitude: order.lng } : { latitude: 27.965, longitude: 107.72 }
  const c = await openAs(browser, server, 'fg_caregiver', { ...PHONE, geolocation: { ...home, accuracy: 10 }, permissions: ['geolocation'] }, true)
  await c.page.goto(server.base + '/service/my')
  const card = c.page.locator(`[data-test=visit-${order.id}]`)
  await card.waitFor()
  for (const [step, state] of [['visit-accept', '已接单'], ['visit-start', '在途'], ['visit-arrive', '已到达']]) {
    await card.locator(`[data-test=${step}]`).click()
    await card.filter({ hasText: state }).waitFor()
  }
  await card.locator('[data-test=visit-checkin]').click()
  await c.page.waitForSelector('.el-message--success:has-text("已签到")')
  // … and checks out with the network cut: the check-out waits on the phone, then goes once.
  await c.ctx.setOffline(true)
  await card.locator('.el-checkbox:has-text("已按计划完成服务")').click()
  await card.locator('[data-test=visit-checkout]').click()
  await c.page.waitForFunction(() => document.querySelector('[data-test=outbox-count]')?.textContent === '待同步 1 条')
  assert.equal(await outbox(c.page), '待同步 1 条')
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${order.id}`)).status, 'in_service', 'nothing reached the server')
  await c.ctx.setOffline(false)
  await c.page.waitForSelector('[data-test=outbox]', { state: 'detached', timeout: 40000 })
  const visited = ok(await civil.get(`/api/v1/service/orders/${order.id}`))
  assert.equal(visited.status, 'completed')
  assert.equal(visited.events.filter((e) => e.to_status === 'completed').length, 1, 'the check-out once')
  assert.ok(await fitsWidth(c.page))

  // 4. The family reads the code; the caregiver types it in at the home.
  await fam.page.reload()
  const coming = fam.page.locator(`[data-test=family-coming] [data-test=family-order-${order.id}]`)
  await coming.locator('[data-test=family-show-code]').click()
  const code = (await coming.locator('[data-test=family-code]').innerText()).trim()
  assert.match(code, /^\d{6}$/)
  await c.page.reload()
  await card.waitFor()
  await card.locator(`[data-test=visit-code-${order.id}]`).fill(code)
  await card.locator(`[data-test=visit-code-ok-${order.id}]`).click()
  await c.page.waitForSelector('.el-message--success:has-text("用确认码确认")')
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${order.id}`)).confirmed_by, 'code')

  // 5. The family rates the visit.
  await fam.page.reload()
  const past = fam.page.locator(`[data-test=family-past] [data-test=family-order-${order.id}]`)
  await past.waitFor()
  await past.locator('.el-rate__item').nth(4).click()
  await past.locator('input[aria-label=评价内容]').fill('准时，饭菜热乎')
  await past.locator('[data-test=family-rate]').click()
  await fam.page.waitForSelector('.el-message--success:has-text("谢谢您的评价")')
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${order.id}`)).status, 'rated')

  // 6. Checked out a minute after check-in: 服务时长过短, held from payment until the officer
  //    resolves it on 上门核验.
  await board.page.goto(server.base + '/service/evv')
  const flagged = board.page.locator('[data-test=evv-flagged] .el-table__row', { hasText: String(order.id) })
  await flagged.waitFor()
  assert.match(await flagged.innerText(), /服务时长过短/)
  await board.page.click(`[data-test=evv-fix-${order.id}]`)
  await board.page.click('[data-test=evv-fix-reason]')
  await board.page.click('.el-select-dropdown__item:has-text("护理员漏签到或签出")')
  await board.page.click('[data-test=evv-fix-resolution]')
  await board.page.click('.el-select-dropdown__item:has-text("电话回访核实")')
  await board.page.click('[data-test=evv-fix-submit]')
  await board.page.locator(`[data-test=evv-fixed-${order.id}]`).waitFor()

  // 7. The month's statement of 孙丽's provider, made and approved on the settlement page.
  const provider = ok(await civil.get('/api/v1/service/caregivers')).items.find((x) => x.name === '孙丽').provider_name
  await board.page.goto(server.base + '/service/settlements')
  await board.page.click('[data-test=settle-form] .el-select')
  await board.page.locator('.el-select-dropdown__item:visible', { hasText: provider }).first().click()
  // The page offers last month; this visit is this month's (a month already begun, RULE-SVC-184).
  const month = board.page.locator('[data-test=settle-form] input[aria-label=结算月份]')
  await month.fill(day.slice(0, 7))
  await month.press('Enter')
  await board.page.click('.page-title') // close the picker
  assert.equal(await month.inputValue(), day.slice(0, 7))
  await board.page.click('[data-test=settle-create]')
  await board.page.waitForSelector('[data-test=settle-approve]')
  const line = board.page.locator('[data-test=settle-lines] .el-table__row', { hasText: String(order.id) })
  await line.waitFor()
  await board.page.click('[data-test=settle-approve]')
  await board.page.locator('.el-message-box__btns .el-button--primary', { hasText: '审核' }).click()
  await board.page.locator('[data-test=settle-status]', { hasText: '已审核' }).waitFor()
  await board.page.screenshot({ path: `${SHOTS}/service-flow-settled.png`, fullPage: true })
  const settled = ok(await civil.get(`/api/v1/service/orders/${order.id}`))
  assert.equal(settled.status, 'settled')
  assert.deepEqual([...fam.page.errors, ...board.page.errors, ...c.page.errors], [])
  await Promise.all([fam.ctx.close(), board.ctx.close(), c.ctx.close()])
})
