// First load of the login page on a village connection (issue 18, point 10): what the browser
// downloads before the form can be used, the precompressed answers (RULE-HTTP-006) and the lazy
// chunks (no ECharts on the login page). Needs `make web` (the build writes the .br/.gz files).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { launch, input } from './browser.mjs'

let server, browser
const LIMIT = 400 * 1024

before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

test('RULE-HTTP-006: the login page is usable after at most 400 KiB transferred, without ECharts', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await ctx.newPage()
  const answers = []
  page.on('response', (r) => { if (r.url().startsWith(server.base)) answers.push(r) })
  await page.goto(server.base + '/login')
  await page.waitForSelector(input('login-username'))
  await page.waitForSelector('[data-test=login-submit]')
  await page.waitForLoadState('networkidle')

  const entries = await page.evaluate(() => [
    ...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource'),
  ].map((e) => ({ name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize })))
  const sum = (k) => entries.reduce((n, e) => n + e[k], 0)
  const kib = (n) => (n / 1024).toFixed(1) + ' KiB'
  for (const e of entries) console.log(`  ${e.name.replace(server.base, '')}  ${kib(e.encoded)} of ${kib(e.decoded)}`)
  console.log(`login page: ${entries.length} files, transferred ${kib(sum('transfer'))} (bodies ${kib(sum('encoded'))}), ${kib(sum('decoded'))} uncompressed`)

  assert.ok(sum('transfer') <= LIMIT, `transferred ${kib(sum('transfer'))} > 400 KiB`)
  assert.ok(!entries.some((e) => /\/assets\/echarts-/.test(e.name)), 'the login page does not load ECharts')
  // Chromium takes brotli: every large file came as br
  for (const r of answers) {
    const h = await r.allHeaders()
    const big = Number(h['content-length'] || 0) > 0 && /\.(js|css)$|\/login$/.test(new URL(r.url()).pathname)
    if (big && entries.find((e) => e.name === r.url() && e.decoded >= 1024)) {
      assert.equal(h['content-encoding'], 'br', r.url())
      assert.equal(h.vary, 'Accept-Encoding', r.url())
    }
  }
  await ctx.close()
})
