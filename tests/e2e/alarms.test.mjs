// The alarm console in a browser (issue 14): a demo device raises an SOS through `anlao devsim`,
// the card appears on the console without a reload (server-sent events), and the officer
// acknowledges it, records a call and closes it; the timeline shows each step.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, DEMO_PASSWORD } from '../lib/server.mjs'
import { Broker, devsim } from '../lib/mosquitto.mjs'
import { launch, openAs, input, axeViolations, fitsWidth } from './browser.mjs'
import { cutLine } from '../lib/cutline.mjs'

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

test('RULE-ALARM-021 RULE-ALARM-023 RULE-ALARM-055 RULE-ALARM-068: an SOS from the simulator is handled to closure in the console', async () => {
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
  // RULE-ALARM-068: the elder's card: who to call first, and the elder's recent alarms (the demo's).
  await page.waitForSelector('[data-test=alarm-elder-card]')
  assert.match(await page.textContent('[data-test=alarm-elder-card]'), /紧急联系人（按拨打顺序）/)
  await page.click('[data-test=alarm-ack]')
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-status]')?.textContent === '处置中')
  // RULE-ALARM-055: 派单上门; the timeline shows the urgent order and its status.
  await page.click('[data-test=alarm-dispatch]')
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-order-status]')?.textContent === '待派单')
  assert.equal(await page.$('[data-test=alarm-dispatch]'), null)
  await page.fill(input('call-note'), '已联系长女')
  await page.click('[data-test=call-save]')
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-timeline]')?.textContent.includes('已联系长女'))
  await page.click('[data-test=alarm-close]')
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-status]')?.textContent === '已结案')
  const timeline = await page.textContent('[data-test=alarm-timeline]')
  // RULE-ALARM-069: the console told the server it showed the alarm: a step of its timeline.
  for (const step of ['设备发出', '平台接收', '值守台显示', '响应', '紧急上门服务单', '联系', '结案']) assert.ok(timeline.includes(step), step + ' in ' + timeline)
  // The device's message is named in Chinese, not by its type code.
  assert.match(timeline, /设备发出 — 紧急呼叫/)
  assert.doesNotMatch(timeline, /— sos/)
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-ALARM-031 RULE-ALARM-033: an unanswered SOS is escalated on the console: its own colour, its own tone, live', async () => {
  const api = await server.login('fg_civil')
  assert.equal((await api.put('/api/v1/alarm-settings', { escalate_seconds: 2 })).status, 200)
  try {
    // The demo's open alarms climb to their last level first (they were raised long ago).
    for (let i = 0; ; i++) {
      const open = (await api.get('/api/v1/alarms?status=open&page_size=200')).body.items
      if (open.every((a) => a.escalation_level === 2)) break
      if (i > 100) throw new Error('the demo alarms were not escalated')
      await new Promise((ok) => setTimeout(ok, 100))
    }
    const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
    await page.goto(server.base + '/alarms')
    await page.waitForSelector('[data-test=alarms-live].on')
    const r = await devsim(broker, ['--serial', 'FG-SOS-0002', '--password', DEMO_PASSWORD, '--type', 'sos', '--timeout-s', '20'])
    assert.equal(r.code, 0, r.stderr + server.log)
    const dev = (await api.get('/api/v1/devices?q=FG-SOS-0002')).body.items[0]
    const mine = (await api.get(`/api/v1/alarms?device_id=${dev.id}&status=open`)).body.items[0]
    const card = page.locator(`[data-test=list-card]:is([href$="?id=${mine.id}"], [href$="&id=${mine.id}"])`)
    // Level 1 after 2 s, level 2 after 4 s, both pushed by the stream (no reload).
    await card.locator('[data-test=alarm-escalated].level-1').waitFor({ timeout: 15000 })
    const amber = await card.locator('[data-test=alarm-escalated]').evaluate((e) => getComputedStyle(e).backgroundColor)
    await card.locator('[data-test=alarm-escalated].level-2').waitFor({ timeout: 15000 })
    const purple = await card.locator('[data-test=alarm-escalated]').evaluate((e) => getComputedStyle(e).backgroundColor)
    assert.notEqual(amber, purple)
    assert.equal(await card.locator('[data-test=alarm-escalated]').textContent(), '已升级至县级')
    const heard = Number(await page.getAttribute('[data-test=alarms-live]', 'data-escalations'))
    assert.equal(heard, 2, 'one escalation tone per level')
    await card.click()
    await page.waitForSelector('[data-test=alarm-escalation]')
    const timeline = await page.textContent('[data-test=alarm-timeline]')
    assert.ok(timeline.includes('超时升级'), timeline)
    assert.ok(timeline.includes('民政管理员（第二级）'), timeline)
    // Acknowledged: the escalation mark leaves the card.
    await page.click('[data-test=alarm-ack]')
    await page.waitForFunction(() => document.querySelector('[data-test=alarm-status]')?.textContent === '处置中')
    assert.deepEqual(page.errors, [])
    await ctx.close()
  } finally {
    await api.put('/api/v1/alarm-settings', { escalate_seconds: 60 })
  }
})

test('RULE-ALARM-062 RULE-ALARM-064: the county officer sets the inactivity thresholds on their page; mistakes are named in Chinese; a township officer only reads', async () => {
  const PHONE = { viewport: { width: 390, height: 844 }, bypassCSP: true }
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(server.base + '/alarms/inactivity')
  await page.waitForSelector('[data-test=inact-summary]')
  assert.match(await page.textContent('[data-test=inact-summary]'), /凤冈县.*尚未设置/)
  assert.deepEqual(await axeViolations(page), [])
  await page.fill(input('inact-from'), '06:00')
  await page.fill(input('inact-to'), '09:00')
  await page.click('[data-test=inact-save]')
  await page.waitForSelector('text=安静时段应跨越午夜')
  await page.fill(input('inact-from'), '21:30')
  await page.fill(input('inact-to'), '06:30')
  await page.click('[data-test=inact-save]')
  await page.waitForFunction(() => !document.querySelector('[data-test=inact-summary]')?.textContent.includes('尚未设置'))
  assert.equal(await page.inputValue(input('inact-to')), '06:30')
  assert.deepEqual(page.errors, [])
  await ctx.close()
  for (const elder of [false, true]) {
    const lq = await openAs(browser, server, 'lq_officer', PHONE, elder)
    await lq.page.goto(server.base + '/alarms/inactivity')
    await lq.page.waitForSelector('[data-test=inact-readonly]')
    assert.equal(await lq.page.inputValue(input('inact-from')), '21:30')
    assert.equal(await lq.page.$('[data-test=inact-save]'), null)
    assert.ok(await fitsWidth(lq.page))
    assert.deepEqual(await axeViolations(lq.page), [], `elder mode ${elder}`)
    await lq.ctx.close()
  }
})

test('RULE-ALARM-065: the console asks for an immediate assessment of the elder of a fall alarm, once, and shows the request', async () => {
  const api = await server.login('fg_civil')
  const fall = (await api.get('/api/v1/alarms?status=active&page_size=200')).body.items.find((a) => a.type === 'fall' && !a.assess_request_id)
  assert.ok(fall, 'the demo county has an unfinished fall alarm')
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(server.base + `/alarms?status=all&id=${fall.id}`)
  await page.waitForSelector('[data-test=alarm-assess]')
  // The request's own answer, so a failure says whether the server refused or the page lost it.
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/alarms/${fall.id}/assessment`)),
    page.click('[data-test=alarm-assess]'),
  ])
  assert.equal(resp.status(), 200, await resp.text())
  await page.waitForSelector('[data-test=alarm-assessment]', { timeout: 15000 }).catch(async () => {
    const srv = (await api.get(`/api/v1/alarms/${fall.id}`)).body
    const shown = await page.locator('[data-test=alarm-detail]').innerText().catch(() => '(no detail on the page)')
    throw new Error(`the answer had the request but the page does not show it; server: version ${srv.version}, request ${srv.assess_request_id}; page: ${shown.slice(0, 400)}; errors: ${page.errors}`)
  })
  assert.match(await page.textContent('[data-test=alarm-assessment]'), /能力评估申请 #\d+：待评估/)
  assert.equal(await page.$('[data-test=alarm-assess]'), null)
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-ALARM-070: an SOS raised while the console had lost its stream is on the list once the stream is back', async () => {
  const line = await cutLine(server.port) // the console reaches the server through a line the test cuts
  const { ctx, page } = await openAs(browser, { base: line.base }, 'fg_civil', DESKTOP)
  await page.goto(line.base + '/alarms')
  await page.waitForSelector('[data-test=alarms-live].on')
  const cards = () => page.$$eval('[data-test=list-card]', (c) => c.length)
  const before = await cards()
  line.cut()
  await page.waitForSelector('[data-test=alarms-live]:not(.on)')
  assert.match(await page.textContent('[data-test=alarms-live]'), /实时连接中断/)
  const r = await devsim(broker, ['--serial', 'FG-SOS-0002', '--password', DEMO_PASSWORD, '--type', 'sos', '--timeout-s', '20'])
  assert.equal(r.code, 0, r.stderr + server.log)
  assert.equal(await cards(), before, 'nothing reached the console while its stream was down')
  line.mend()
  await page.waitForSelector('[data-test=alarms-live].on', { timeout: 20000 })
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=list-card]').length === n + 1, before)
  assert.deepEqual(page.errors, [])
  await ctx.close()
  await line.close()
})

// A user's Chromium keeps an audio context suspended until the page is clicked; headless
// Chromium does not, so the page gets a context that behaves as the user's browser would.
function suspendedAudio() {
  window.AudioContext = class {
    constructor() { this.state = 'suspended'; this.onstatechange = null; this.currentTime = 0; this.destination = {} }
    resume() { this.state = 'running'; this.onstatechange?.(); return Promise.resolve() }
    close() { this.state = 'closed'; return Promise.resolve() }
    createOscillator() { window.tones = (window.tones || 0) + 1; return { frequency: {}, connect() {}, start() {}, stop() {} } }
  }
}

test('RULE-ALARM-071: a console nobody has clicked yet says its tone is off, and one click turns it on', async () => {
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.addInitScript(suspendedAudio)
  await page.goto(server.base + '/alarms')
  await page.waitForSelector('[data-test=alarms-live].on')
  const note = page.locator('[data-test=alarms-sound-blocked]')
  await note.waitFor()
  assert.match(await note.innerText(), /提示音尚未开启/)
  assert.deepEqual(await axeViolations(page), [])
  await page.screenshot({ path: 'build/screenshots/alarms-sound-blocked.png' })
  await page.click('[data-test=alarms-sound-unlock]')
  await note.waitFor({ state: 'detached' })
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-ALARM-072: a read of the alarm that answers late never puts an older copy over the officer\'s own step', async () => {
  const api = await server.login('fg_civil')
  const r = await devsim(broker, ['--serial', 'FG-SOS-0002', '--password', DEMO_PASSWORD, '--type', 'sos', '--timeout-s', '20'])
  assert.equal(r.code, 0, r.stderr + server.log)
  const sos = (await api.get('/api/v1/alarms?status=active&page_size=200')).body.items.find((a) => a.status === 'open' && a.type === 'sos')
  assert.ok(sos)
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(server.base + `/alarms?status=all&id=${sos.id}`)
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-status]')?.textContent === '待响应')
  await page.click('[data-test=alarm-ack]')
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-status]')?.textContent === '处置中')
  // The next read of this alarm is answered with what the server had then, but 3 s late.
  let held
  const heldSeen = new Promise((ok) => { held = ok })
  let first = true
  await page.route(`**/api/v1/alarms/${sos.id}`, async (route) => {
    if (route.request().method() !== 'GET' || !first) return route.continue()
    first = false
    const resp = await route.fetch()
    held()
    await new Promise((ok) => setTimeout(ok, 3000))
    await route.fulfill({ response: resp })
  })
  // A colleague records a call: the event makes the console read the alarm again (held) …
  assert.equal((await api.post(`/api/v1/alarms/${sos.id}/calls`, { target: 'family', outcome: 'no_answer', note: '同事拨打' })).status, 200)
  await heldSeen
  // … while the officer records a call of their own.
  await page.fill(input('call-note'), '本人已联系长女')
  await page.click('[data-test=call-save]')
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-timeline]')?.textContent.includes('本人已联系长女'))
  await page.waitForTimeout(3500) // the held read has answered by now
  assert.ok((await page.textContent('[data-test=alarm-timeline]')).includes('本人已联系长女'), 'the older copy did not replace the newer one')
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-ALARM-073: the officer\'s first click on a console with the tone still off does what it says (the note leaving does not move the button away)', async () => {
  const api = await server.login('fg_civil')
  const r = await devsim(broker, ['--serial', 'FG-SOS-0002', '--password', DEMO_PASSWORD, '--type', 'sos', '--timeout-s', '20'])
  assert.equal(r.code, 0, r.stderr + server.log)
  const sos = (await api.get('/api/v1/alarms?status=open&page_size=200')).body.items.find((a) => a.type === 'sos')
  assert.ok(sos)
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.addInitScript(suspendedAudio)
  await page.goto(server.base + `/alarms?status=all&id=${sos.id}`)
  await page.waitForSelector('[data-test=alarms-sound-blocked]')
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-status]')?.textContent === '待响应')
  // The press unlocks the tone; the note above the console leaves only after the click is done.
  await page.click('[data-test=alarm-ack]')
  await page.waitForFunction(() => document.querySelector('[data-test=alarm-status]')?.textContent === '处置中', null, { timeout: 10000 })
  await page.waitForSelector('[data-test=alarms-sound-blocked]', { state: 'detached' })
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-DEV-044: the device list names what is wrong with each device and lists only those to fix', async () => {
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(server.base + '/devices')
  await page.waitForSelector('[data-test=devices-table] .el-table__row')
  const row = (serial) => page.locator('[data-test=devices-table] .el-table__row', { hasText: serial })
  assert.match(await row('FG-GAS-0001').locator('[data-test=device-trouble]').innerText(), /电量低/) // the demo's 12 %
  assert.equal(await row('FG-PIR-0001').locator('[data-test=device-trouble]').innerText(), '从未上线')
  assert.equal(await row('FG-SOS-0001').locator('[data-test=device-trouble]').innerText(), '正常')
  await page.click('[data-test=devices-open-ticket]')
  await page.waitForURL(/open_ticket=1/)
  await row('FG-SOS-0001').waitFor({ state: 'detached' })
  assert.ok(await row('FG-GAS-0001').count())
  assert.deepEqual(await axeViolations(page), [])
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-ALARM-074: on a phone, the alarm tapped in the list comes into view', async () => {
  const PHONE = { viewport: { width: 390, height: 844 }, bypassCSP: true }
  const { ctx, page } = await openAs(browser, server, 'fg_civil', PHONE, true)
  await page.goto(server.base + '/alarms?status=all')
  await page.waitForSelector('[data-test=list-card]')
  const where = () => page.$eval('[data-test=alarm-detail]', (e) => ({ top: e.getBoundingClientRect().top, h: window.innerHeight }))
  await page.locator('[data-test=list-card]').first().click()
  await page.waitForSelector('[data-test=alarm-detail]')
  await page.waitForFunction(() => { const t = document.querySelector('[data-test=alarm-detail]').getBoundingClientRect().top; return t >= 0 && t <= window.innerHeight * 0.6 }, null, { timeout: 5000 })
    .catch(async () => { throw new Error('the detail is out of view: ' + JSON.stringify(await where())) })
  // A link to an alarm opens with the alarm in view too.
  const id = new URL(page.url()).searchParams.get('id')
  await page.goto(server.base + `/alarms?status=all&id=${id}`)
  await page.waitForSelector('[data-test=alarm-detail]')
  await page.waitForFunction(() => { const t = document.querySelector('[data-test=alarm-detail]').getBoundingClientRect().top; return t >= 0 && t <= window.innerHeight * 0.6 }, null, { timeout: 5000 })
    .catch(async () => { throw new Error('the linked alarm is out of view: ' + JSON.stringify(await where())) })
  assert.deepEqual(page.errors, [])
  await ctx.close()
})
