// The alarm console in a browser (issue 14): a demo device raises an SOS through `anlao devsim`,
// the card appears on the console without a reload (server-sent events), and the officer
// acknowledges it, records a call and closes it; the timeline shows each step.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, DEMO_PASSWORD } from '../lib/server.mjs'
import { Broker, devsim } from '../lib/mosquitto.mjs'
import { launch, openAs, input } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 }, bypassCSP: true }
let broker, server, browser
before(async () => {
  broker = await new Broker().start()
  server = await new Server({ env: { ...broker.env(), ANLAO_DEMO_ELDERS: '100' } }).start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
  await broker?.stop()
  broker?.cleanup()
})

test('RULE-ALARM-021 RULE-ALARM-023: an SOS from the simulator is handled to closure in the console', async () => {
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(server.base + '/alarms')
  await page.waitForSelector('[data-test=alarms-live].on')
  const before = await page.$$eval('[data-test=list-card]', (c) => c.length)
  // The demo device FG-SOS-0002 (its MQTT password is the demo accounts' one).
  const r = await devsim(broker, ['--serial', 'FG-SOS-0002', '--password', DEMO_PASSWORD, '--type', 'sos', '--timeout-s', '20'])
  assert.equal(r.code, 0, r.stderr + server.log)
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=list-card]').length === n + 1, before)
  const card = page.locator('[data-test=list-card]', { hasText: '待响应' }).first()
  await card.click()
  await page.waitForSelector('[data-test=alarm-detail]')
  assert.equal(await page.textContent('[data-test=alarm-status]'), '待响应')
  await page.click('[data-test=alarm-ack]')
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-status]')?.textContent === '处置中')
  await page.fill(input('call-note'), '已联系长女')
  await page.click('[data-test=call-save]')
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-timeline]')?.textContent.includes('已联系长女'))
  await page.click('[data-test=alarm-close]')
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-status]')?.textContent === '已结案')
  const timeline = await page.textContent('[data-test=alarm-timeline]')
  for (const step of ['设备发出', '平台接收', '响应', '联系', '结案']) assert.ok(timeline.includes(step), step + ' in ' + timeline)
  assert.deepEqual(page.errors, [])
  await ctx.close()
})
