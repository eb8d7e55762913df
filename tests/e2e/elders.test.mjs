// The registry pages in a real browser: list with filters and search, detail with
// masked numbers and the audited full view, the import page with its report.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server } from '../lib/server.mjs'
import { launch, signIn, fitsWidth, input, SHOTS } from './browser.mjs'

let server, browser
before(async () => {
  server = await new Server({ env: { ANLAO_DEMO_ELDERS: '400' } }).start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

test('list, search by name, open the detail, reveal the full ID number (audited)', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
  await signIn(page, server.base, 'fg_civil', 'Anlao2026')
  await page.click('[data-test=menu-elders]')
  await page.waitForSelector('[data-test=elders-table] .el-table__row')
  const rows = await page.$$eval('[data-test=elders-table] .el-table__row', (r) => r.length)
  assert.equal(rows, 20, 'a full first page of the demo county')
  const firstId = await page.textContent('[data-test=elders-table] .el-table__row td:nth-child(4)')
  assert.match(firstId.trim(), /^\d{6}\*{11}[\dX]$/, 'masked in the list (RULE-PII-001)')
  await page.screenshot({ path: `${SHOTS}/elders.png`, fullPage: true })

  const name = (await page.textContent('[data-test=elders-table] .el-table__row td:nth-child(1)')).trim()
  await page.fill(input('elders-q'), name)
  await page.press(input('elders-q'), 'Enter')
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-test=elders-table] .el-table__row td:first-child')]
    .every((td) => td.textContent.trim().startsWith(n)), name)
  await page.click('[data-test=elders-table] .el-table__row')
  await page.waitForSelector('[data-test=elder-person]')
  assert.match(await page.textContent('[data-test=elder-idnumber]'), /\*{8}/)
  await page.screenshot({ path: `${SHOTS}/elder-detail.png`, fullPage: true })
  await page.click('[data-test=elder-reveal]')
  await page.waitForFunction(() => /^\d{17}[\dX]$/.test(document.querySelector('[data-test=elder-idnumber]').textContent.trim()))
  const admin = await server.login('admin')
  const audit = await admin.get('/api/v1/audit?action=elder.read_pii&user=fg_civil')
  assert.equal(audit.body.total, 1)
  // The history starts with the import that created the record (named, not a copy of it).
  await page.waitForSelector('[data-test=elder-history]')
  assert.match(await page.textContent('[data-test=elder-history]'), /由导入建档：\s*来源：第 \d+ 次导入/)

  // A deceased elder: the status instead of the tag, no assessment buttons, no empty card.
  const dead = (await admin.get('/api/v1/elders?status=deceased&page_size=1')).body.items[0]
  assert.ok(dead, 'the demo county has deceased elders')
  const deadHasResults = (await admin.get(`/api/v1/elders/${dead.id}/assessments`)).body.items.length > 0
  await page.goto(`${server.base}/elders/${dead.id}`)
  await page.waitForSelector('[data-test=elder-status-tag]')
  assert.equal((await page.textContent('[data-test=elder-status-tag]')).trim(), '死亡')
  assert.equal(await page.$('[data-test=elder-assess-new]'), null)
  assert.equal(await page.$('[data-test=elder-assess-request]'), null)
  assert.equal(await page.$('[data-test=elder-assessments]') !== null, deadHasResults)
  await page.screenshot({ path: `${SHOTS}/elder-detail-deceased.png`, fullPage: true })
  await page.close()
})

test('the import page validates, reports rejected rows and commits the valid ones', async () => {
  const csv = join(server.dir, '户籍补录.csv')
  writeFileSync(csv, '身份证号,姓名,区划代码,住址\n11010519491231002X,补录甲,520327001001,龙泉街道一号\n37070419881216001X,补录乙,520327001001,龙泉街道二号\n')
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
  await signIn(page, server.base, 'fg_civil', 'Anlao2026')
  await page.click('[data-test=menu-imports]')
  await page.setInputFiles('[data-test=import-file]', csv)
  await page.click('[data-test=import-partial]') // two late registrations, not the county's roll
  await page.click('[data-test=import-upload]')
  await page.waitForSelector('[data-test=import-result]')
  assert.equal((await page.textContent('[data-test=import-rejected]')).trim(), '1')
  assert.match(await page.textContent('[data-test=import-errors]'), /校验位/)
  await page.screenshot({ path: `${SHOTS}/import-report.png`, fullPage: true })
  await page.click('[data-test=import-valid-only]')
  await page.click('[data-test=import-commit]')
  await page.waitForSelector('text=已写入档案')
  const c = await server.login('fg_civil')
  assert.equal((await c.get('/api/v1/elders?q=补录甲')).body.total, 1)
  await page.waitForSelector('text=户籍数据（补录）')
  await page.close()
})

test('without elder.read_pii the list and the record show the year of birth, not the date (RULE-PII-001)', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  await signIn(page, server.base, 'lq_helper', 'Anlao2026')
  await page.click('[data-test=menu-elders]')
  await page.waitForSelector('[data-test=elders-table] .el-table__row')
  assert.match(await page.textContent('[data-test=elders-table] .el-table__row td:nth-child(3)'), /^\s*19\d\d\s*$/)
  assert.match(await page.textContent('[data-test=elders-table] thead th:nth-child(3)'), /出生年份/)
  await page.screenshot({ path: `${SHOTS}/elders-helper.png`, fullPage: true })
  await page.click('[data-test=elders-table] .el-table__row')
  await page.waitForSelector('[data-test=elder-person]')
  const text = await page.textContent('[data-test=elder-person]')
  assert.match(text, /出生年份\s*\d{4} 年（今年满 \d+ 岁）/)
  assert.ok(!/出生日期|19\d\d-\d\d-\d\d/.test(text), text) // a birth date; a status date may show
  assert.equal(await page.$('[data-test=elder-reveal]'), null)
  await page.screenshot({ path: `${SHOTS}/elder-detail-helper.png`, fullPage: true })
  await page.close()
})

test('the elder list on a phone', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
  const page = await ctx.newPage()
  await signIn(page, server.base, 'lq_helper', 'Anlao2026')
  await page.click('[data-test=menu-toggle]')
  await page.click('[data-test=menu-elders]')
  // Cards, not a table scrolled sideways (docs/ui.md).
  await page.waitForSelector('[data-test=elders-cards] [data-test=list-card]')
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/phone-elders.png`, fullPage: true })
  // The filters beyond the search fold away on a phone, one tap brings them.
  assert.equal(await page.$('[data-test=elders-category]'), null)
  await page.click('[data-test=elders-more]')
  await page.waitForSelector('[data-test=elders-category]')
  await page.click('[data-test=elders-special]')
  await page.waitForURL((u) => u.searchParams.get('special') === '1')
  await page.waitForSelector('[data-test=elders-cards] [data-test=list-card]')
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/phone-elders-filters.png`, fullPage: true })
  await ctx.close()
})

test('the home page shows the registry of the officer\'s region; a category figure opens its list', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
  await signIn(page, server.base, 'lq_officer', 'Anlao2026')
  await page.waitForSelector('[data-test=home-registry]')
  const figure = async (k) => Number((await page.textContent(`[data-test=registry-${k}] .value`)).trim())
  const lq = await server.login('lq_officer')
  const overview = (await lq.get('/api/v1/elders/overview')).body
  assert.equal(await figure('active'), overview.active)
  assert.equal(await figure('special_difficulty'), overview.special_difficulty)
  const aged = await figure('advanced_age')
  assert.ok(aged > 0)
  await page.screenshot({ path: `${SHOTS}/home-registry.png`, fullPage: true })
  await page.click('[data-test=registry-advanced_age]')
  await page.waitForURL(/\/elders\?/)
  await page.waitForSelector('[data-test=elders-table] .el-table__row')
  assert.match(await page.textContent('[data-test=elders-pager]'), new RegExp(`共 ${aged} 条`))
  assert.ok((await page.$$eval('[data-test=elders-table] .el-table__row', (r) => r.map((x) => x.textContent)))
    .every((t) => t.includes('高龄')), 'every row holds the category')
  // The special-difficulty figure opens its list, with the filter shown as ticked.
  await page.goBack()
  await page.waitForSelector('[data-test=home-registry]')
  const special = await figure('special_difficulty')
  await page.click('[data-test=registry-special_difficulty]')
  await page.waitForURL(/special=1/)
  await page.waitForSelector('[data-test=elders-table] .el-table__row')
  assert.match(await page.textContent('[data-test=elders-pager]'), new RegExp(`共 ${special} 条`))
  assert.match(await page.getAttribute('[data-test=elders-special]', 'class'), /is-checked/)
  await page.screenshot({ path: `${SHOTS}/elders-special.png`, fullPage: true })
  await page.close()
})

test('identification from the page runs in the background and adds a run with its worklists', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
  await signIn(page, server.base, 'fg_civil', 'Anlao2026')
  await page.click('[data-test=menu-identify]')
  await page.waitForSelector('[data-test=identify-run]')
  const runsBefore = (await (await server.login('fg_civil')).get('/api/v1/identify/runs')).body.total
  await page.click('[data-test=identify-run]')
  await page.waitForSelector('text=精准识别已完成')
  const runs = (await (await server.login('fg_civil')).get('/api/v1/identify/runs')).body
  assert.equal(runs.total, runsBefore + 1)
  assert.equal(runs.items[0].username, 'fg_civil')
  // The figures are the newest run's; a worklist opens below them.
  assert.equal(Number((await page.textContent('[data-test=list-new_special] .value')).trim()), runs.items[0].counts.new_special)
  await page.click('[data-test=list-missing_hukou]')
  await page.waitForSelector(`text=（第 ${runs.items[0].id} 次运行）`)
  assert.equal(runs.items[0].counts.missing_hukou, 0, 'the supplement imported above is not the reference')
  await page.screenshot({ path: `${SHOTS}/identify.png`, fullPage: true })
  await page.close()
})
