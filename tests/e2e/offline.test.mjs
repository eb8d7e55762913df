// Offline (issues 13, 15, 17; RULE-UI-040..043): the caregiver's phone (390×844) and the meal
// counter's tablet (800×1280) keep working without a network. A record made offline waits in the
// page's queue (IndexedDB) with the device's time and position, a reload without network still
// opens the page (the service worker's app shell), the page says 待同步 N 条, and when the network
// returns the queue sends each record once: the server has exactly one check-in, one check-out
// and one meal.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { launch, openAs, input, fitsWidth, SHOTS } from './browser.mjs'

const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
let server, browser, civil
before(async () => {
  server = await new Server({ env: { ANLAO_DEMO_ELDERS: '200' } }).start()
  browser = await launch()
  civil = await server.login('fg_civil')
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

// The page is controlled by the service worker, and the GETs it needs offline went through it
// once (the caregiver opens the app in the morning, online).
async function controlled(page) {
  await page.evaluate(() => navigator.serviceWorker.ready)
  await page.waitForFunction(() => !!navigator.serviceWorker.controller)
  await page.reload()
}
const count = (page) => page.locator('[data-test=outbox-count]').innerText()

// A real 1×1 PNG.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex')

test('RULE-UI-040, RULE-UI-041, RULE-UI-042, RULE-UI-043, RULE-UI-044, RULE-UI-045: the caregiver checks in, takes a photo, checks out and has the elder sign offline, reloads offline, and the server gets each once', async () => {
  const all = (await civil.get(`/api/v1/service/orders?date=${today}&page_size=200`)).body.items
  const o = all.find((x) => x.status === 'accepted' && x.caregiver_name === '孙丽')
  assert.ok(o, JSON.stringify(all.map((x) => [x.status, x.caregiver_name])))
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
    geolocation: { latitude: o.lat, longitude: o.lng, accuracy: 10 }, permissions: ['geolocation'] }
  const { ctx, page } = await openAs(browser, server, 'fg_caregiver', phone, true)
  await page.goto(server.base + '/service/my')
  await controlled(page)
  const card = page.locator(`[data-test=visit-${o.id}]`)
  await card.waitFor()

  await ctx.setOffline(true)
  await card.locator('[data-test=visit-checkin]').click()
  await page.waitForSelector('[data-test=outbox-offline]')
  await page.waitForFunction(() => document.querySelector('[data-test=outbox-count]')?.textContent === '待同步 1 条')
  assert.match(await card.innerText(), /服务中（待同步）/)
  // The next step is the check-out, on the card and in 现在要做 — not the check-in again.
  assert.match(await card.locator(`[data-test=visit-todo-${o.id}]`).innerText(), /签出/)
  // RULE-UI-044: the photo before the service waits in the queue after the check-in.
  await page.setInputFiles(`[data-test=visit-photo-before-${o.id}] input`, { name: '服务前.png', mimeType: 'image/png', buffer: PNG })
  await page.waitForSelector('.el-message--warning:has-text("服务前照片已保存在本机")')
  await page.waitForFunction(() => document.querySelector('[data-test=outbox-count]')?.textContent === '待同步 2 条')
  await card.locator('.el-checkbox:has-text("情绪良好")').click()
  await card.locator('[data-test=visit-checkout]').click()
  await page.waitForFunction(() => document.querySelector('[data-test=outbox-count]')?.textContent === '待同步 3 条')
  // RULE-UI-045, RULE-SVC-222: the elder signs on the screen, still offline: the pad and the
  // confirmation naming it wait behind the check-out.
  await card.locator(`[data-test=visit-sign-${o.id}]`).click()
  const pad = page.locator('[data-test=sign-canvas]')
  await pad.waitFor()
  const box = await pad.boundingBox()
  await page.mouse.move(box.x + 30, box.y + box.height / 2)
  await page.mouse.down()
  for (let x = 30; x <= box.width - 30; x += 12) await page.mouse.move(box.x + x, box.y + box.height / 2 + 30 * Math.sin(x / 25))
  await page.mouse.up()
  await page.locator('[data-test=sign-submit]').click()
  await page.waitForSelector('.el-message--warning:has-text("签名已保存在本机")')
  await page.waitForFunction(() => document.querySelector('[data-test=outbox-count]')?.textContent === '待同步 5 条')
  assert.match(await card.innerText(), /已确认（待同步）/)

  // A reload without network: the shell from the service worker, the queue from IndexedDB.
  await page.reload()
  await card.waitFor()
  assert.equal(await count(page), '待同步 5 条')
  assert.match(await card.innerText(), /已确认（待同步）/)
  assert.equal(await card.locator(`[data-test=visit-todo-${o.id}]`).count(), 0, 'nothing left to do on this visit')
  assert.ok(o.elder_name)
  const nowLine = page.locator('[data-test=visit-now]')
  if (await nowLine.count()) assert.doesNotMatch(await nowLine.innerText(), new RegExp(o.elder_name), '现在要做 is another visit')
  await page.waitForSelector('[data-test=visits-stale]')
  assert.ok(await fitsWidth(page), 'the phone page fits 390 px')
  await page.screenshot({ path: `${SHOTS}/offline-caregiver.png`, fullPage: true })
  assert.equal((await civil.get(`/api/v1/service/orders/${o.id}`)).body.status, 'accepted', 'nothing reached the server')

  // The network returns: sent in order, once each.
  await ctx.setOffline(false)
  await page.waitForSelector('[data-test=outbox]', { state: 'detached', timeout: 40000 })
  await card.filter({ hasText: '已确认' }).filter({ hasNotText: '待同步' }).waitFor()
  const done = (await civil.get(`/api/v1/service/orders/${o.id}`)).body
  assert.equal(done.status, 'confirmed')
  assert.equal(done.confirmed_by, 'signature')
  assert.equal(done.events.filter((x) => x.to_status === 'in_service').length, 1)
  assert.equal(done.events.filter((x) => x.to_status === 'completed').length, 1)
  assert.equal(done.events.filter((x) => x.to_status === 'confirmed').length, 1)
  assert.deepEqual(done.visit.checklist, ['情绪良好'])
  assert.equal(done.visit.checkin_outside, false)
  assert.equal(done.visit.clock_skew, false, 'sent_at is the time it was sent (RULE-SVC-043)')
  const shots = (await civil.get(`/api/v1/attachments?owner_kind=order&owner_id=${o.id}`)).body.items
  assert.deepEqual(shots.map((a) => [a.tag, a.filename]).sort(), [['before', '服务前.png'], ['signature', '签名.png']], 'the photo and the signature once each')
  // Nothing is left in the device's queue to send again.
  assert.equal(await page.evaluate(async () => (await new Promise((ok) => {
    const r = indexedDB.open('anlao-offline'); r.onsuccess = () => { const q = r.result.transaction('outbox').objectStore('outbox').count(); q.onsuccess = () => ok(q.result) }
  }))), 0)
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-UI-041, RULE-UI-042, RULE-UI-043: the meal counter records a meal offline, reloads offline, and the server gets it once (tablet 800×1280)', async () => {
  const e = (await civil.post('/api/v1/elders', { name: '离线甲', id_number: idNumber('520327', '19410101', 950), region_code: '520327001001', address: '和平路 5 号', phone: '13800001235', economic_status: 'dibao' })).body
  assert.ok(e.id, JSON.stringify(e))
  assert.equal((await civil.post('/api/v1/meal/cards', { elder_id: e.id, card_no: 'OFF001' })).status, 200)
  const canteen = (await civil.get('/api/v1/meal/canteens?q=' + encodeURIComponent('龙泉街道长者食堂'))).body.items[0]
  const meals = async () => (await civil.get(`/api/v1/meal/meals?date=${today}&canteen_id=${canteen.id}&page_size=200`)).body.items.filter((m) => m.elder_id === e.id)

  const tablet = { viewport: { width: 800, height: 1280 }, isMobile: true, hasTouch: true }
  const { ctx, page } = await openAs(browser, server, 'lq_helper', tablet)
  await page.goto(server.base + '/meal/counter')
  await controlled(page)
  await page.waitForFunction(() => document.querySelector('[data-test=counter-canteen]')?.textContent.includes('龙泉街道长者食堂'))
  await page.click('[data-test=counter-meal] label:has-text("午餐")')
  await page.fill(input('counter-code'), 'OFF001')
  await page.click('[data-test=counter-scan]')
  await page.waitForSelector('[data-test=counter-diner]')

  await ctx.setOffline(true)
  await page.locator('[data-test^=counter-menu-]').first().click()
  await page.waitForSelector('[data-test=counter-pending]')
  assert.equal(await count(page), '待同步 1 条')
  await page.reload()
  await page.waitForSelector('[data-test=outbox-count]')
  assert.equal(await count(page), '待同步 1 条')
  await page.waitForSelector('[data-test=outbox-offline]')
  await page.waitForFunction(() => document.querySelector('[data-test=counter-canteen]')?.textContent.includes('龙泉街道长者食堂'))
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/offline-counter.png`, fullPage: true })
  assert.equal((await meals()).length, 0)

  await ctx.setOffline(false)
  await page.waitForSelector('[data-test=outbox]', { state: 'detached', timeout: 40000 })
  const rec = await meals()
  assert.equal(rec.length, 1, 'recorded once')
  assert.equal(rec[0].subsidy_fen, 600)
  assert.deepEqual(page.errors, [])
  await ctx.close()
})
