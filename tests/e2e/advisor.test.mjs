// The care advisor and the entitlement worklists in the browser (issue 12, RULE-ENT-064,
// RULE-ENT-070): after a run, the county officer opens 待落实, follows an elder to 养老顾问, sees
// what the elder may receive and why, what is missing (with the way to an assessment), and prints
// a one-page large-print summary; on a phone at 390×844 in 长辈模式 the page fits the width.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, sleep } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { launch, openAs, fitsWidth, input, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 } }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }

let server, browser, elderId
before(async () => {
  server = await new Server().start()
  browser = await launch()
  const fg = await server.login('fg_civil')
  // 86, 低保, not assessed: 高龄津贴 (received), 养老服务补贴 (not yet); 护理补贴 waits on an assessment.
  const e = await fg.post('/api/v1/elders', { name: '顾问测试', id_number: idNumber('520327', '19400301', 21), region_code: '520327001001',
    address: '龙泉街道一号', phone: '13800001234', economic_status: 'dibao', living_arrangement: 'alone' })
  assert.equal(e.status, 201, e.text)
  elderId = e.body.id
  const b = await fg.post('/api/v1/entitle/benefits', { elder_id: elderId, item_key: 'gaoling_jintie', from_date: '2026-01-01', source: 'manual' })
  assert.equal(b.status, 201, b.text)
  const r = await fg.post('/api/v1/entitle/runs', {})
  assert.equal(r.status, 202, r.text)
  for (let i = 0; i < 400; i++) {
    const job = (await fg.get(`/api/v1/jobs/${r.body.job_id}`)).body
    if (job.status === 'done') break
    assert.notEqual(job.status, 'failed', JSON.stringify(job))
    await sleep(50)
  }
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

test('RULE-ENT-064, RULE-ENT-070: from 待落实 to the care advisor: what the elder may receive and why, what is missing, and the print view', async () => {
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.click('[data-test=menu-entitle-runs]')
  await page.waitForSelector('[data-test=entrun-list-todo]')
  await page.click('[data-test=entrun-list-todo]')
  await page.waitForURL((u) => u.searchParams.get('list') === 'todo')
  const row = page.locator('[data-test=entrun-table] .el-table__row:has-text("顾问测试")')
  await row.waitFor()
  assert.match(await row.innerText(), /养老服务补贴/)
  assert.doesNotMatch(await row.innerText(), /高龄津贴/, 'received: not on 待落实')
  await row.click()
  await page.waitForURL((u) => u.pathname === '/advisor' && u.searchParams.get('elder') === String(elderId))
  await page.waitForSelector('[data-test=advisor-who]')
  assert.match(await page.locator('[data-test=advisor-who]').innerText(), /^顾问测试，男，(86 岁|1940 年生)，/)
  const gl = page.locator('[data-test=advisor-eligible] [data-test=advisor-item-gaoling_jintie]')
  assert.match(await gl.innerText(), /已享受/)
  assert.match(await gl.innerText(), /年满 80 周岁：是（86 周岁）/)
  assert.match(await page.locator('[data-test=advisor-eligible] [data-test=advisor-item-fuwu_butie]').innerText(), /尚未享受，可申请/)
  const hl = page.locator('[data-test=advisor-missed] [data-test=advisor-item-huli_butie]')
  assert.match(await hl.innerText(), /还差：/)
  assert.match(await page.locator('[data-test=advisor-hint-huli_butie]').innerText(), /完成能力评估后可能符合护理补贴/)
  await page.screenshot({ path: `${SHOTS}/advisor.png`, fullPage: true })

  // The print view: only the summary, in large print, on one A4 page.
  await page.emulateMedia({ media: 'print' })
  const sheet = page.locator('[data-test=advisor-print-sheet]')
  assert.ok(await sheet.isVisible())
  assert.match(await sheet.innerText(), /顾问测试 可以享受的基本养老服务/)
  assert.match(await sheet.innerText(), /高龄津贴.*已享受/)
  assert.match(await sheet.innerText(), /完成能力评估后可能符合：护理补贴、/)
  const size = await sheet.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
  assert.ok(size >= 24, `large print (≥ 18 pt): ${size}px`)
  assert.equal(await page.locator('[data-test=advisor-eligible]').isVisible(), false, 'the screen page does not print')
  const pdf = await page.pdf({ format: 'A4' })
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length
  assert.equal(pages, 1, 'one page')
  await page.emulateMedia({ media: 'screen' })
  assert.equal(await sheet.isVisible(), false, 'not on screen')
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-ENT-070: the advisor finds an elder by name, and on a phone in 长辈模式 fits the width', async () => {
  const { ctx, page } = await openAs(browser, server, 'lq_helper', PHONE, true)
  await page.goto(server.base + '/advisor')
  await page.fill(input('advisor-q'), '顾问')
  await page.click('[data-test=advisor-search]')
  await page.click(`[data-test=advisor-pick-${elderId}]`)
  await page.waitForSelector('[data-test=advisor-eligible] [data-test=advisor-item-gaoling_jintie]')
  assert.ok(await fitsWidth(page), 'no sideways scrolling at 390 px')
  await page.screenshot({ path: `${SHOTS}/phone-elder-mode-advisor.png`, fullPage: true })
  // The worklists as cards on the phone.
  await page.goto(server.base + '/entitle-runs?list=todo')
  await page.waitForSelector('[data-test=entrun-cards] >> text=顾问测试')
  assert.ok(await fitsWidth(page))
  assert.deepEqual(page.errors, [])
  await ctx.close()
})
