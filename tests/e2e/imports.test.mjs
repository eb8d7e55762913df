// The import page as officers use it (issue 18, point 4): a failed upload can be followed by a
// corrected one without reloading (RULE-IMPORT-022), and the templates are offered per kind
// (RULE-IMPORT-023).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server } from '../lib/server.mjs'
import { launch, signIn, SHOTS } from './browser.mjs'

let server, browser
before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

test('RULE-IMPORT-022: after a failed upload a corrected file is uploaded without reloading', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
  await signIn(page, server.base, 'fg_civil', 'Anlao2026')
  await page.click('[data-test=menu-imports]')
  // Same name both times: the officer fixes the file and chooses it again.
  const bad = join(server.dir, 'bad', '户籍.csv')
  const good = join(server.dir, 'good', '户籍.csv')
  const { mkdirSync } = await import('node:fs')
  mkdirSync(join(server.dir, 'bad')); mkdirSync(join(server.dir, 'good'))
  writeFileSync(bad, '身份证号,姓名,住址\n11010519491231002X,补录甲,龙泉街道一号\n')
  writeFileSync(good, '身份证号,姓名,区划代码,住址\n11010519491231002X,补录甲,520327001001,龙泉街道一号\n')

  await page.setInputFiles('[data-test=import-file]', bad)
  await page.click('[data-test=import-upload]')
  await page.waitForSelector('[data-test=import-progress] .el-alert')
  assert.match(await page.textContent('[data-test=import-progress]'), /缺少“区划代码”列/)
  assert.equal(await page.isEnabled('[data-test=import-upload]'), true, '上传并校验 is usable again after a failure')

  await page.setInputFiles('[data-test=import-file]', good)
  await page.click('[data-test=import-upload]')
  await page.waitForSelector('[data-test=import-result]')
  assert.equal((await page.textContent('[data-test=import-rejected]')).trim(), '0')
  assert.equal(await page.locator('[data-test=import-progress]').count(), 0, 'the old error is gone')
  await page.screenshot({ path: `${SHOTS}/import-retry.png`, fullPage: true })
  await page.close()
})

test('RULE-IMPORT-023: the page links the chosen kind\'s templates; the download is the XLSX template', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true })
  const page = await ctx.newPage()
  await signIn(page, server.base, 'fg_civil', 'Anlao2026')
  await page.click('[data-test=menu-imports]')
  assert.equal(await page.getAttribute('[data-test=import-template-xlsx]', 'href'), '/api/v1/imports/templates/hukou?format=xlsx')
  await page.click('[data-test=import-kind]')
  await page.click('.el-select-dropdown__item:has-text("死亡登记")')
  assert.equal(await page.getAttribute('[data-test=import-template-csv]', 'href'), '/api/v1/imports/templates/death?format=csv')
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=import-template-xlsx]')])
  assert.equal(dl.suggestedFilename(), '导入模板-死亡登记.xlsx')
  const { readFileSync } = await import('node:fs')
  assert.equal(readFileSync(await dl.path()).subarray(0, 2).toString(), 'PK')
  await ctx.close()
})
