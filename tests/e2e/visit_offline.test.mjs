// The visitor's record form offline (issue 15; RULE-VISIT-060, RULE-VISIT-061, RULE-UI-040..043):
// on a phone at 390×844 the helper opens the task list online in the morning, loses the network,
// opens an elder's record form from the list, saves a visit, sees the elder as 已探访（待同步）,
// reloads without a network and still sees it; when the network returns the queue sends the
// visit and the server has it exactly once, on the day and hour it was made, with the photo taken
// offline after it (RULE-UI-044).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { generate } from '../lib/visit.mjs'
import { launch, openAs, fitsWidth, SHOTS } from './browser.mjs'

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
let server, browser, civil, elderId

before(async () => {
  server = await new Server({ env: { ANLAO_DEMO_ELDERS: '200' } }).start()
  browser = await launch()
  civil = await server.login('fg_civil')
  // An 82-year-old living alone in 龙泉街道: high risk, lq_helper's weekly task.
  const r = await civil.post('/api/v1/elders', { name: '离线探访', id_number: idNumber('520327', '19440301', 615), region_code: '520327001001', address: '龙泉街道离线路 2 号', phone: '13800007777', living_arrangement: 'alone' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  elderId = r.body.id
  await generate(civil, '520327001001')
  const users = (await civil.get('/api/v1/users?page_size=100')).body.items
  const a = await civil.post('/api/v1/visit-assignments', { elder_id: elderId, visitor_id: users.find((u) => u.username === 'lq_helper').id })
  assert.equal(a.status, 200, JSON.stringify(a.body))
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

async function controlled(page) {
  await page.evaluate(() => navigator.serviceWorker.ready)
  await page.waitForFunction(() => !!navigator.serviceWorker.controller)
  await page.reload()
}
const count = (page) => page.locator('[data-test=outbox-count]').innerText()
const visits = async () => (await civil.get(`/api/v1/visits?elder_id=${elderId}&page_size=200`)).body.items

// A real 1×1 PNG.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex')

test('RULE-VISIT-060 RULE-VISIT-061 RULE-UI-041 RULE-UI-043 RULE-UI-044 RULE-ATT-011: a visit recorded offline with a photo shows as done (待同步), survives a reload, and reaches the server once', async () => {
  const { ctx, page } = await openAs(browser, server, 'lq_helper', PHONE, true)
  await page.goto(server.base + '/visits')
  await controlled(page)
  const card = page.locator('[data-test=list-card]:has-text("离线探访")')
  await card.waitFor()
  // The listed elders' forms are fetched once, online, and kept by the service worker.
  await page.waitForFunction(async (id) => !!(await caches.match(`/api/v1/visit-targets/${id}`)), elderId)

  await ctx.setOffline(true)
  const offlineAt = Math.floor(Date.now() / 1000)
  await card.click()
  await page.waitForSelector('[data-test=visit-form]')
  assert.match(await page.locator('[data-test=visit-elder]').innerText(), /离线探访/)
  await page.waitForSelector('[data-test=visit-stale]')
  await page.click('[data-test=visit-method] label:has-text("电话")')
  await page.fill('[data-test=visit-health] textarea, textarea[data-test=visit-health]', '身体尚好，离线登记')
  await page.setInputFiles('[data-test=visit-photo-input]', { name: '离线照片.png', mimeType: 'image/png', buffer: PNG })
  await page.click('[data-test=visit-save]')
  await page.waitForSelector('.el-message--warning:has-text("和 1 张照片已保存在本机")')
  await page.waitForURL((u) => u.pathname === '/visits')
  await page.waitForFunction(() => document.querySelector('[data-test=outbox-count]')?.textContent === '待同步 2 条')
  await card.locator('[data-test=visit-queued]').waitFor()
  assert.match(await card.innerText(), /已探访（待同步）/)

  // A reload without network: the shell and the list from the service worker, the queue from IndexedDB.
  await page.reload()
  await card.locator('[data-test=visit-queued]').waitFor()
  assert.equal(await count(page), '待同步 2 条')
  await page.waitForSelector('[data-test=outbox-offline]')
  await page.waitForSelector('[data-test=visit-tasks-stale]')
  assert.ok(await fitsWidth(page), 'the phone page fits 390 px')
  await page.screenshot({ path: `${SHOTS}/offline-visit.png`, fullPage: true })
  assert.equal((await visits()).length, 0, 'nothing reached the server')

  // The network returns: sent once; the task is done and leaves the list.
  await ctx.setOffline(false)
  await page.waitForSelector('[data-test=outbox]', { state: 'detached', timeout: 40000 })
  await card.waitFor({ state: 'detached', timeout: 10000 })
  const v = await visits()
  assert.equal(v.length, 1, 'recorded once')
  assert.equal(v[0].method, 'phone')
  // The photo went up after its record, to it, once.
  const full = (await civil.get(`/api/v1/visits/${v[0].id}`)).body
  assert.deepEqual(full.attachments.map((a) => [a.tag, a.filename, a.content_type, a.size_bytes]), [['visit', '离线照片.png', 'image/png', PNG.length]])
  const at = Date.parse(v[0].visited_at) / 1000
  assert.ok(at >= offlineAt - 5 && at < offlineAt + 120, `the time of the visit is the device's: ${v[0].visited_at}`)
  const sent = await page.evaluate(async () => (await new Promise((ok) => {
    const r = indexedDB.open('anlao-offline'); r.onsuccess = () => { const q = r.result.transaction('outbox').objectStore('outbox').count(); q.onsuccess = () => ok(q.result) }
  })))
  assert.equal(sent, 0, 'nothing left to send')
  assert.deepEqual(page.errors, [])
  await ctx.close()
})
