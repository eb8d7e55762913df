// Home services in the browser (issue 13): the county officer's dispatch board at 1440×900
// dispatches a waiting order and sees the caregiver's check-in arrive live (RULE-SVC-030); the
// caregiver's phone page at 390×844 in 长辈模式 checks in with the browser's position
// (RULE-SVC-041: far from the home, accepted and flagged) and checks out with the checklist.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { launch, openAs, fitsWidth, SHOTS } from './browser.mjs'
import { cutLine } from '../lib/cutline.mjs'
import { idNumber } from '../lib/ids.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 } }
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

test('RULE-SVC-030, RULE-SVC-041, RULE-SVC-234: the board dispatches and updates live; the caregiver checks in and out on a phone; the elder signs on its screen', async () => {
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
  const all = (await civil.get(`/api/v1/service/orders?date=${today}&page_size=200`)).body.items
  const accepted = all.find((o) => o.status === 'accepted' && o.caregiver_name === '孙丽')
  assert.ok(accepted, JSON.stringify(all.map((o) => [o.status, o.caregiver_name])))

  // The board: the day's open orders; one waiting order dispatched automatically.
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.click('[data-test=menu-service]')
  await page.waitForSelector('[data-test=board-table] .el-table__row')
  await page.waitForSelector('[data-test=board-live]:has-text("实时更新中")')
  const waiting = page.locator('[data-test=board-table] .el-table__row:has([data-test=board-dispatch])').first()
  await waiting.locator('[data-test=board-dispatch]').click()
  await page.waitForSelector('.el-message--success:has-text("已派给")')
  await page.screenshot({ path: `${SHOTS}/service-board.png` })

  // The caregiver 500 m from the home, on a phone in 长辈模式.
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
    geolocation: { latitude: accepted.lat + 0.0045, longitude: accepted.lng, accuracy: 20 }, permissions: ['geolocation'] }
  const c = await openAs(browser, server, 'fg_caregiver', phone, true)
  await c.page.goto(server.base + '/service/my')
  const card = c.page.locator(`[data-test=visit-${accepted.id}]`)
  await card.waitFor()
  assert.ok(await fitsWidth(c.page), 'the phone page fits 390 px')
  await card.locator('[data-test=visit-checkin]').click()
  await c.page.waitForSelector('.el-message--success:has-text("已签到")')
  await card.locator('.visit-flag').waitFor()
  assert.match(await card.locator('.visit-flag').innerText(), /超出签到范围/)
  assert.match(await card.innerText(), /服务中/)
  // The board heard it (server-sent events), without a reload.
  await page.locator('[data-test=board-table] .el-table__row', { hasText: accepted.elder_name }).filter({ hasText: '服务中' }).first().waitFor()

  await card.locator('.el-checkbox:has-text("情绪良好")').click()
  await card.locator('[data-test=visit-checkout]').click()
  await c.page.waitForSelector('.el-message--success:has-text("已签出")')
  await c.page.screenshot({ path: `${SHOTS}/service-caregiver.png` })
  const done = (await civil.get(`/api/v1/service/orders/${accepted.id}`)).body
  assert.equal(done.status, 'completed')
  assert.equal(done.visit.checkin_outside, true)
  assert.deepEqual(done.visit.checklist, ['情绪良好'])

  // RULE-SVC-234: the elder signs on the caregiver's screen; an empty pad cannot be sent.
  await card.locator(`[data-test=visit-sign-${accepted.id}]`).click()
  const pad = c.page.locator('[data-test=sign-canvas]')
  await pad.waitFor()
  assert.equal(await c.page.locator('[data-test=sign-submit]').isDisabled(), true, 'nothing drawn yet')
  const box = await pad.boundingBox()
  assert.ok(box.width > 300 && box.height >= 259, `the pad fills the phone, taller in 长辈模式: ${box.width}×${box.height}`)
  await c.page.mouse.move(box.x + 30, box.y + box.height / 2)
  await c.page.mouse.down()
  for (let x = 30; x <= box.width - 30; x += 12) await c.page.mouse.move(box.x + x, box.y + box.height / 2 + 30 * Math.sin(x / 25))
  await c.page.mouse.up()
  await c.page.screenshot({ path: `${SHOTS}/service-signature.png` })
  await c.page.locator('[data-test=sign-submit]').click()
  await c.page.waitForSelector('.el-message--success:has-text("签名确认")')
  const signed = (await civil.get(`/api/v1/service/orders/${accepted.id}`)).body
  assert.equal(signed.status, 'confirmed')
  assert.equal(signed.confirmed_by, 'signature')
  assert.ok(signed.photos.some((p) => p.tag === 'signature' && p.content_type === 'image/png'))
  assert.match(await card.innerText(), /已确认/)
  assert.deepEqual(page.errors, [])
  assert.deepEqual(c.page.errors, [])
  await ctx.close()
  await c.ctx.close()
})

test('RULE-SVC-223: an order placed while the board had lost its live stream shows once the stream is back', async () => {
  // Tomorrow, so the window is ahead whatever the hour; the board is opened on that day.
  const day = new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10)
  const line = await cutLine(server.port) // the board reaches the server through a line the test cuts
  const { ctx, page } = await openAs(browser, { base: line.base }, 'fg_civil', DESKTOP)
  await page.goto(`${line.base}/service?date=${day}`)
  await page.waitForSelector('[data-test=board-live]:has-text("实时更新中")')
  line.cut()
  await page.waitForSelector('[data-test=board-live]:has-text("未连接实时更新")')
  const e = await civil.post('/api/v1/elders', { name: '断线期间下单', id_number: idNumber('520327', '19390303', 811), region_code: '520327001001', address: '测试地址 3 号', phone: '13800001234', lat: 27.965, lng: 107.72 })
  assert.equal(e.status, 201, e.text)
  const o = await civil.post('/api/v1/service/orders', { elder_id: e.body.id, items: ['zhujie'], window_start: `${day}T10:00`, window_end: `${day}T11:00` })
  assert.equal(o.status, 201, o.text)
  line.mend()
  await page.waitForSelector('[data-test=board-live]:has-text("实时更新中")', { timeout: 20000 })
  await page.locator('[data-test=board-table] .el-table__row', { hasText: '断线期间下单' }).waitFor()
  assert.deepEqual(page.errors, [])
  await ctx.close()
  await line.close()
})

test('RULE-SVC-224: a phone that cannot give a position still checks in, after saying the record will be checked', async () => {
  // An order of 孙丽 for now (today in China time; an hour back when now is close to midnight).
  const cst = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 16)
  let start = Date.now() + 5 * 60e3
  if (cst(start).slice(0, 10) !== cst(Date.now()).slice(0, 10)) start = Date.now() - 60 * 60e3
  const e = await civil.post('/api/v1/elders', { name: '无定位老人', id_number: idNumber('520327', '19380808', 812), region_code: '520327001001', address: '测试地址 8 号', phone: '13800001234', lat: 27.965, lng: 107.72 })
  assert.equal(e.status, 201, e.text)
  const o = (await civil.post('/api/v1/service/orders', { elder_id: e.body.id, items: ['zhujie'], window_start: cst(start), window_end: cst(start + 50 * 60e3) })).body
  const sun = (await civil.get('/api/v1/service/caregivers')).body.items.find((c) => c.name === '孙丽')
  assert.equal((await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '测试无定位' })).status, 200)
  const carer = await server.login('fg_caregiver')
  assert.equal((await carer.post(`/api/v1/service/orders/${o.id}/accept`, {})).status, 200)
  // The phone's location is refused (no geolocation permission in this context).
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
  const { ctx, page } = await openAs(browser, server, 'fg_caregiver', phone, true)
  await page.goto(server.base + '/service/my')
  const card = page.locator(`[data-test=visit-${o.id}]`)
  await card.locator('[data-test=visit-checkin]').click()
  const box = page.locator('.el-message-box', { hasText: '无法定位' })
  await box.waitFor()
  assert.match(await box.innerText(), /须由管理员核查后才能结算/)
  await box.locator('button', { hasText: '仍然签到' }).click()
  await card.filter({ hasText: '已记录（无定位），将由管理员核查' }).waitFor()
  const got = (await civil.get(`/api/v1/service/orders/${o.id}`)).body
  assert.equal(got.status, 'in_service')
  assert.equal(got.visit.checkin_distance_m, null)
  assert.deepEqual(page.errors, [])
  await ctx.close()
})
