// Family care beds in a browser (issue 14): each step's form on the detail page, offered only in
// the state that allows it, a 409 shown with its message, a photo uploaded and shown as a
// thumbnail; the monthly compliance page with its chart; a phone at 390×844 in 长辈模式.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { launch, openAs, input, fitsWidth, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 }, bypassCSP: true }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true }
const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex')
let server, browser, civil
before(async () => {
  server = await new Server({ env: { ANLAO_DEMO_ELDERS: '50' } }).start()
  civil = await server.login('fg_civil')
  browser = await launch()
})
after(async () => { await browser?.close(); await server?.stop(); server?.cleanup() })

async function newBed(name, seq) {
  const e = await civil.post('/api/v1/elders', { name, id_number: idNumber('520327', '19400101', seq),
    region_code: '520327001001', address: '龙泉街道一号', phone: '13800001234' })
  assert.equal(e.status, 201, JSON.stringify(e.body))
  const b = await civil.post('/api/v1/beds', { elder_id: e.body.id, applicant: 'family' })
  assert.equal(b.status, 201, JSON.stringify(b.body))
  return b.body
}
const status = (page) => page.textContent('[data-test=bed-status]')
const waitStatus = (page, s) => page.waitForFunction((want) => document.querySelector('[data-test=bed-status]')?.textContent === want, s)

test('RULE-BED-002 RULE-BED-041 RULE-BED-042 RULE-BED-050: the steps from application to service through the forms, a refusal shown, a photo as a thumbnail', async () => {
  const bed = await newBed('表单老人', 301)
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(`${server.base}/beds/${bed.id}`)
  await page.waitForSelector('[data-test=bed-step]')
  assert.equal(await status(page), '申请')
  // Only the moves the state allows are offered: eligibility and closing.
  const offered = await page.$$eval('[data-test=bed-move] label', (l) => l.map((x) => x.textContent.trim()))
  assert.deepEqual(offered, ['资格审核', '结束床位'])
  // The rules say no: the 409's explanation is shown, nothing moves.
  await page.click('[data-test=bed-f-submit]')
  await page.waitForSelector('.el-message--error:has-text("不符合“家庭养老床位建设补贴”")')
  assert.equal(await status(page), '申请')
  await page.fill(input('bed-f-override'), '独居，子女在外，县民政局特批')
  await page.click('[data-test=bed-f-submit]')
  await waitStatus(page, '资格审核')
  assert.match(await page.textContent('[data-test=bed-rule]'), /不符合/)
  assert.equal(await page.textContent('[data-test=bed-override]'), '独居，子女在外，县民政局特批')
  // Home check: five rooms.
  await page.fill(input('bed-f-bedroom-hazards'), '床边无扶手')
  await page.fill(input('bed-f-bedroom-adapt'), '加装护栏、夜灯')
  await page.fill(input('bed-f-toilet-adapt'), '坐便扶手')
  await page.click('[data-test=bed-f-submit]')
  await waitStatus(page, '居家环境评估')
  assert.match(await page.textContent('[data-test=bed-rooms]'), /加装护栏、夜灯/)
  // Care plan: a missing service is the API's 400, shown.
  await page.fill(input('bed-f-goals'), '居家安全、按时服药')
  await page.click('[data-test=bed-f-submit]')
  await page.waitForSelector('.el-message--error:has-text("服务")')
  await page.fill(input('bed-f-svc-0'), '上门探访')
  await page.fill(input('bed-f-freq-0'), '每周 2 次')
  await page.click('[data-test=bed-f-submit]')
  await waitStatus(page, '照护计划')
  // Agreement.
  await page.fill(input('bed-f-provider'), '凤冈县颐康居家养老服务中心')
  await page.fill(input('bed-f-start'), '2026-12-01')
  await page.keyboard.press('Enter')
  await page.fill(input('bed-f-end'), '2027-11-30')
  await page.keyboard.press('Enter')
  await page.click('[data-test=bed-f-submit]')
  await waitStatus(page, '服务协议')
  // A photo of the adaptation: uploaded by content, shown as a thumbnail that loads.
  await page.setInputFiles('[data-test=bed-photo-input]', { name: '扶手.png', mimeType: 'image/png', buffer: png })
  await page.waitForSelector('[data-test=bed-photos] img')
  await page.waitForFunction(() => document.querySelector('[data-test=bed-photos] img')?.naturalWidth === 1)
  // A text file dressed as a photo: the API's refusal is shown.
  await page.setInputFiles('[data-test=bed-photo-input]', { name: 'fake.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a photo') })
  await page.waitForSelector('.el-message--error:has-text("JPEG")')
  assert.equal(await page.$$eval('[data-test=bed-photos] img', (i) => i.length), 1)
  // Installation (today, network on), then start.
  await page.click('[data-test=bed-f-submit]')
  await waitStatus(page, '适老化改造与设备安装')
  await page.click('[data-test=bed-move] label:has-text("开始服务")')
  await page.click('[data-test=bed-f-submit]')
  await waitStatus(page, '服务中')
  // Someone else closes the bed meanwhile: the page's next step gets the 409 and shows it.
  await page.click('[data-test=bed-move] label:has-text("定期回访")')
  await page.fill('[data-test=bed-f-review] textarea, textarea[data-test=bed-f-review]', '回访正常')
  assert.equal((await civil.post(`/api/v1/beds/${bed.id}/close`, { reason: 'moved' })).status, 200)
  await page.click('[data-test=bed-f-submit]')
  await page.waitForSelector('.el-message--error:has-text("床位当前为“已结束”")')
  await waitStatus(page, '已结束') // the page shows the bed as it is now
  assert.equal(await page.$('[data-test=bed-step]'), null, 'no step offered on a closed bed')
  await page.screenshot({ path: `${SHOTS}/bed-detail-desktop.png`, fullPage: true })
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-BED-062: the compliance page compares townships in a chart, and fits a phone in 长辈模式', async () => {
  const month = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7)
  const c = (await civil.get(`/api/v1/bed-compliance?month=${month}`)).body
  assert.ok(c.totals.in_service >= 2, 'the demo beds are in service this month')
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(`${server.base}/bed-compliance`)
  await page.waitForSelector('[data-test=bedc-chart] canvas')
  assert.match(await page.textContent('[data-test=bedc-summary]'), new RegExp(`在服务 ${c.totals.in_service} 张`))
  const rows = await page.$$eval('[data-test=bedc-table] .el-table__row', (r) => r.length)
  assert.equal(rows, c.townships.length)
  await page.screenshot({ path: `${SHOTS}/bed-compliance-desktop.png`, fullPage: true })
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=bedc-export-csv]')])
  assert.match(dl.suggestedFilename(), /家庭养老床位月度达标/)
  await ctx.close()
  const phone = await openAs(browser, server, 'fg_civil', PHONE, true)
  await phone.page.goto(`${server.base}/bed-compliance`)
  await phone.page.waitForSelector('[data-test=bedc-chart] canvas')
  await phone.page.waitForSelector('[data-test=list-card]')
  assert.ok(await fitsWidth(phone.page), 'no sideways scrolling at 390 px')
  await phone.page.screenshot({ path: `${SHOTS}/bed-compliance-phone.png`, fullPage: true })
  const bed = (await civil.get('/api/v1/beds?status=home_check')).body.items[0]
  await phone.page.goto(`${server.base}/beds/${bed.id}`)
  await phone.page.waitForSelector('[data-test=bed-step]')
  assert.ok(await fitsWidth(phone.page), 'the step form fits 390 px')
  await phone.page.locator('[data-test=bed-step]').scrollIntoViewIfNeeded()
  await phone.page.screenshot({ path: `${SHOTS}/bed-detail-phone.png` })
  assert.deepEqual(phone.page.errors, [])
  await phone.ctx.close()
})
