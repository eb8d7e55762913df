// Issue 18, points 11, 13 and 2: what an officer hands on (exports in Chinese, audited, scoped),
// the overdue list, the audit detail, the regions page's counts, the demo county's shares, and
// given-name search.  Desktop 1440×900 and phone 390×844.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Server } from '../lib/server.mjs'
import { launch, openAs, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 }, acceptDownloads: true }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, acceptDownloads: true }

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

const open = (user, opts = DESKTOP, elder = false) => openAs(browser, server, user, opts, elder)

// Click `sel` and return the downloaded file: its suggested name and its text.
async function downloaded(page, sel) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(sel)])
  const path = await d.path()
  return { name: d.suggestedFilename(), text: readFileSync(path, 'utf8'), bytes: readFileSync(path) }
}

// RULE-UI-001: the identification export writes 死亡/迁出 and what the person still receives.
test('identification export: 死亡/迁出 in Chinese and the service still received (desktop, phone)', async () => {
  for (const opts of [DESKTOP, PHONE]) {
    const { ctx, page } = await open('fg_civil', opts)
    await page.goto(server.base + '/identify?list=inactive_in_service')
    await page.waitForSelector(opts === PHONE ? '[data-test=identify-cards]' : '[data-test=identify-table]')
    const { name, text } = await downloaded(page, '[data-test=export-csv]')
    assert.match(name, /死亡或迁出仍在享受服务\.csv$/)
    const rows = text.replace(/^\uFEFF/, '').trim().split('\n')
    assert.ok(rows.length > 1, 'the demo has dead or moved elders still in service')
    assert.ok(!/deceased|moved_out/.test(text), 'no stored words in the export')
    for (const row of rows.slice(1)) {
      assert.match(row, /,(死亡|迁出),/, row)
      assert.match(row, /仍在享受：/, row)
    }
    await ctx.close()
  }
})
