// The assessment pages in a real browser: an assessor fills a whole form on a tablet (saved as
// they go), two assessors sign, an officer reviews and publishes, the result page shows the
// level, the rules and the radar chart, and prints on A4 without the menus.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { Server } from '../lib/server.mjs'
import { launch, signIn, fitsWidth, SHOTS } from './browser.mjs'

let server, browser, elderId
before(async () => {
  server = await new Server().start()
  browser = await launch()
  const civil = await server.login('fg_civil')
  const r = await civil.post('/api/v1/elders', { name: '评估页面甲', id_number: '11010519491231002X', region_code: '520327001001', address: '龙泉街道前进社区 3 组', phone: '13800001234' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  elderId = r.body.id
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

// One score per item: the second-best option of each (total 64 → 中度失能 before adjustments).
async function fillAll(page) {
  const cards = await page.$$('[data-test^=item-B]')
  assert.equal(cards.length, 26)
  for (const card of cards) {
    const options = await card.$$('button.option')
    await options[Math.min(1, options.length - 1)].click()
  }
}

test('a whole form on a tablet: saved as a draft while filling, context, needs, signatures, submit', async () => {
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } })
  await signIn(page, server.base, 'fg_assessor', 'Anlao2026')
  await page.goto(`${server.base}/elders/${elderId}/assess`)
  await page.waitForSelector('[data-test=item-B\\.1\\.1]')
  // Option texts are there for the assessor, in Chinese.
  assert.match(await page.textContent('[data-test=opt-B\\.1\\.1-4]'), /独立使用餐具/)
  await page.click('[data-test=opt-B\\.1\\.1-4]')
  // The first answer creates the draft on the server.
  await page.waitForURL(/\/assessments\/\d+\/edit$/)
  const id = Number(page.url().match(/assessments\/(\d+)/)[1])
  await page.click('[data-test=risk-fall] label:nth-child(2)')
  await page.click('[data-test=assess-diseases] label:first-child') // 痴呆 F00-F03: +1 level
  await page.click('[data-test=need-daily_care]')
  await fillAll(page)
  await page.waitForFunction(() => /已填 26\/26/.test(document.body.textContent))
  await page.click('[data-test=assess-save]')
  await page.waitForFunction(() => /已保存/.test(document.querySelector('[data-test=assess-save-state]').textContent))
  assert.ok(await fitsWidth(page), 'no sideways scrolling at 1024 px')
  await page.screenshot({ path: `${SHOTS}/assess-form-tablet.png` })
  await page.click('[data-test=assess-sign]')
  await page.waitForSelector('.el-message--success')
  await page.close()

  // The second assessor signs on a phone and submits.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } })
  await signIn(phone, server.base, 'fg_assessor2', 'Anlao2026')
  await phone.goto(`${server.base}/assessments/${id}/edit`)
  await phone.waitForSelector('[data-test=assess-sign]')
  assert.ok(await fitsWidth(phone), 'no sideways scrolling at 390 px')
  await phone.screenshot({ path: `${SHOTS}/assess-form-phone.png` })
  await phone.click('[data-test=assess-sign]')
  await phone.waitForSelector('.el-message--success')
  await phone.click('[data-test=assess-submit]')
  await phone.waitForURL(new RegExp(`/assessments/${id}$`))
  await phone.waitForSelector('[data-test=result-status]')
  assert.equal((await phone.textContent('[data-test=result-status]')).trim(), '已提交')
  await phone.close()

  // The officer reviews and publishes; the result page shows the level, the rule and the radar.
  const office = await browser.newPage({ viewport: { width: 1366, height: 900 } })
  await signIn(office, server.base, 'fg_civil', 'Anlao2026')
  await office.click('[data-test=menu-assessments]')
  await office.goto(`${server.base}/assessments/${id}`)
  await office.click('[data-test=result-approve]')
  await office.waitForSelector('[data-test=result-publish]')
  await office.click('[data-test=result-publish]')
  await office.waitForFunction(() => document.querySelector('[data-test=result-status]')?.textContent.trim() === '已发布')
  const level = await office.textContent('[data-test=result-level]')
  assert.match(level, /3 级 · 重度失能/, 'total 64 → 2, dementia +1 → 3: ' + level)
  assert.match(level, /总分 64/)
  assert.match(await office.textContent('[data-test=result-rules]'), /痴呆/)
  await office.waitForSelector('[data-test=result-radar] canvas')
  const canvas = await office.$eval('[data-test=result-radar] canvas', (c) => ({ w: c.width, h: c.height }))
  assert.ok(canvas.w > 100 && canvas.h > 100, JSON.stringify(canvas))
  assert.match(await office.textContent('[data-test=result-signatures]'), /PG-520300-2024-0137[\s\S]*PG-520300-2025-0412|PG-520300-2025-0412[\s\S]*PG-520300-2024-0137/)
  await office.screenshot({ path: `${SHOTS}/assess-result.png`, fullPage: true })

  // The elder's record now shows the level and the assessment.
  await office.goto(`${server.base}/elders/${elderId}`)
  await office.waitForSelector('[data-test=elder-assessments]')
  assert.match(await office.textContent('[data-test=elder-person]'), /3 级 · 重度失能/)
  // A condition change: the officer asks for an immediate assessment from the record.
  await office.click('[data-test=elder-assess-request]')
  await office.fill('.el-message-box input', '夜间跌倒一次，行走明显变差')
  await office.click('.el-message-box__btns .el-button--primary')
  await office.waitForSelector('.el-message--success')

  // Print view (A4): the menus and buttons are hidden, the sheet and the chart stay.
  await office.goto(`${server.base}/assessments/${id}`)
  await office.waitForSelector('[data-test=result-radar] canvas')
  await office.emulateMedia({ media: 'print' })
  assert.equal(await office.$eval('.el-aside', (e) => getComputedStyle(e).display), 'none')
  assert.equal(await office.$eval('[data-test=result-actions]', (e) => getComputedStyle(e).display), 'none')
  assert.notEqual(await office.$eval('[data-test=result-sheet]', (e) => getComputedStyle(e).display), 'none')
  await office.screenshot({ path: `${SHOTS}/assess-print.png`, fullPage: true })
  const pdf = await office.pdf({ format: 'A4', printBackground: true })
  assert.ok(pdf.length > 10000 && pdf.subarray(0, 5).toString() === '%PDF-', 'an A4 PDF was printed')
  writeFileSync(`${SHOTS}/assess-result.pdf`, pdf)
  await office.close()
})

test('the provider sees the level, not the scores; the due list opens for officers', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
  await signIn(page, server.base, 'fg_provider', 'Anlao2026')
  const list = await (await server.login('fg_provider')).get(`/api/v1/elders/${elderId}/assessments`)
  const id = list.body.items[0].id
  await page.goto(`${server.base}/assessments/${id}`)
  await page.waitForSelector('[data-test=result-level]')
  assert.match(await page.textContent('[data-test=result-level]'), /重度失能/)
  assert.equal(await page.$('[data-test=result-radar]'), null, 'no domain scores for a provider')
  assert.doesNotMatch(await page.textContent('[data-test=result-sheet]'), /总分/)
  await page.close()

  const office = await browser.newPage({ viewport: { width: 1366, height: 900 } })
  await signIn(office, server.base, 'fg_civil', 'Anlao2026')
  await office.click('[data-test=menu-assessments]')
  await office.waitForSelector('[data-test=due-table] .el-table__row')
  assert.match(await office.textContent('[data-test=due-table]'), /即时评估[\s\S]*夜间跌倒一次/)
  await office.screenshot({ path: `${SHOTS}/assess-due.png` })
  await office.close()
})
