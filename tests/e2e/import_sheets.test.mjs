// The import page with a workbook of several sheets (RULE-IMPORT-019): it says which sheet and
// header row were read, and offers the other sheets whose header fits.  The workbook is written
// by openpyxl (tests/fixtures/office_files.py).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Server } from '../lib/server.mjs'
import { launch, signIn, SHOTS } from './browser.mjs'

let server, browser, fx
before(async () => {
  server = await new Server().start()
  browser = await launch()
  fx = join(server.dir, 'office')
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'
  const r = spawnSync(py, ['tests/fixtures/office_files.py', fx], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

test('RULE-IMPORT-019: the report names the sheet and header row; another fitting sheet can be chosen', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
  await signIn(page, server.base, 'fg_civil', 'Anlao2026')
  await page.click('[data-test=menu-imports]')
  await page.setInputFiles('[data-test=import-file]', join(fx, 'two-sheets.xlsx'))
  await page.click('[data-test=import-upload]')
  await page.waitForSelector('[data-test=import-result]')
  assert.equal((await page.textContent('[data-test=import-sheet]')).trim(), '一月')
  assert.equal((await page.textContent('[data-test=import-header-row]')).trim(), '第 1 行')
  assert.match(await page.textContent('[data-test=import-sheets]'), /有 2 个工作表的表头都相符/)
  await page.click('[data-test=import-sheet-choice]')
  await page.click('.el-select-dropdown__item:has-text("二月")')
  await page.click('[data-test=import-sheet-reload]')
  await page.waitForFunction(() => document.querySelector('[data-test=import-sheet]')?.textContent.trim() === '二月')
  await page.screenshot({ path: `${SHOTS}/import-sheets.png`, fullPage: true })
  await page.close()
})
