// The visit verification page 上门核验 (issue 13, RULE-SVC-191..196): the county officer sees the
// month's report with the exceptions named in Chinese, fixes a flagged visit with codes from the
// table, adds a code (a bad one is named at its field); a helper sees the page read-only. Axe-clean
// on the desktop and on a phone in 长辈模式.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { launch, openAs, fitsWidth, input, axeViolations, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 }, bypassCSP: true }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true }

let server, browser, civil, carer, flagged
const ok = (r, status = 200) => { assert.equal(r.status, status, JSON.stringify(r.body)); return r.body }
const cst = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 16)
const t0 = Math.floor((Date.now() - 30 * 60e3) / 60e3) * 60e3 // this month's windows start half an hour ago
let seq = 950
// A visit of 孙丽 in this month's window, checked in and out at device times [in, out] (ms).
async function visit(items, times) {
  const e = ok(await civil.post('/api/v1/elders', { name: '核验页老人', id_number: idNumber('520327', '19400101', seq++), region_code: '520327001001', address: '和平路 5 号', phone: '13800001234', lat: 27.965, lng: 107.72 }), 201)
  const o = ok(await civil.post('/api/v1/service/orders', { elder_id: e.id, items, window_start: cst(t0), window_end: cst(t0 + 59 * 60e3) }), 201)
  const sun = ok(await civil.get('/api/v1/service/caregivers')).items.find((c) => c.name === '孙丽')
  ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '页面测试' }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/accept`, {}))
  const at = { lat: 27.965, lng: 107.72, accuracy_m: 10 }
  const dev = (ms) => (ms ? { at: new Date(ms + 8 * 3600e3).toISOString().slice(0, 19) + '+08:00' } : {})
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, { ...at, ...dev(times?.[0]) }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { ...at, ...dev(times?.[1]) }))
  return o
}
before(async () => {
  server = await new Server().start()
  browser = await launch()
  civil = await server.login('fg_civil')
  carer = await server.login('fg_caregiver')
  // A visit checked out at once: 服务时长过短.
  flagged = await visit(['zhujie'])
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

async function evvPage(user, opts = DESKTOP, elder = false) {
  const { ctx, page } = await openAs(browser, server, user, opts, elder)
  await page.goto(server.base + '/service/evv')
  await page.waitForSelector('[data-test=evv-report]')
  return { ctx, page }
}

test('RULE-SVC-193, RULE-SVC-196: the officer fixes a flagged visit with active codes from the table', async () => {
  const { ctx, page } = await evvPage('fg_civil')
  const row = page.locator('[data-test=evv-flagged] .el-table__row', { hasText: String(flagged.id) })
  await row.waitFor()
  assert.match(await row.innerText(), /服务时长过短/)
  assert.match(await page.locator('[data-test=evv-providers]').innerText(), /服务时长过短 1/)
  assert.deepEqual(await axeViolations(page), [])
  await page.screenshot({ path: `${SHOTS}/service-evv-desktop.png`, fullPage: true })
  await page.click(`[data-test=evv-fix-${flagged.id}]`)
  await page.click('[data-test=evv-fix-submit]') // no codes: the server names the reason first
  await page.waitForSelector('.el-form-item__error:has-text("异常原因")')
  await page.click('[data-test=evv-fix-reason]')
  await page.click('.el-select-dropdown__item:has-text("护理员漏签到或签出")')
  await page.click('[data-test=evv-fix-resolution]')
  await page.click('.el-select-dropdown__item:has-text("电话回访核实")')
  await page.click('[data-test=evv-fix-submit]')
  await page.locator(`[data-test=evv-fixed-${flagged.id}]`).waitFor()
  const rep = ok(await civil.get('/api/v1/service/evv/report'))
  assert.equal(rep.flagged.find((f) => f.order_id === flagged.id).fixed, true)

  // RULE-SVC-220: the elder is then recorded as deceased before the visit: open again, fixed again.
  const e = ok(await civil.get(`/api/v1/elders/${flagged.elder_id}`))
  const gone = new Date(Date.now() - 2 * 86400e3).toISOString().slice(0, 10)
  ok(await civil.patch(`/api/v1/elders/${e.id}`, { version: e.version, status: 'deceased', status_date: gone, status_reason: '病故' }))
  await page.reload()
  await row.waitFor()
  assert.match(await row.innerText(), /服务时长过短（已处理）/)
  assert.match(await row.innerText(), /老人已去世或迁出/)
  await page.click(`[data-test=evv-fix-${flagged.id}]`)
  await page.locator('[data-test=evv-fix-again]').waitFor()
  await page.click('[data-test=evv-fix-reason]')
  await page.click('.el-select-dropdown__item:visible:has-text("其他")')
  await page.click('[data-test=evv-fix-resolution]')
  await page.click('.el-select-dropdown__item:visible:has-text("上门核实")')
  await page.click('[data-test=evv-fix-submit]')
  await page.locator(`[data-test=evv-fixed-${flagged.id}]`).waitFor()
  await ctx.close()
})

test('RULE-SVC-195: the officer adds a code; a bad code is named at its field', async () => {
  const { ctx, page } = await evvPage('fg_civil')
  await page.fill(input('evv-code-code'), 'Road Closed')
  await page.fill(input('evv-code-name'), '道路封闭')
  await page.click('[data-test=evv-code-add]')
  await page.waitForSelector('.el-form-item__error:has-text("代码只能由")')
  await page.fill(input('evv-code-code'), 'road_closed')
  await page.click('[data-test=evv-code-add]')
  await page.locator('[data-test=evv-codes-reason] .el-table__row', { hasText: '道路封闭' }).waitFor()
  assert.ok(ok(await civil.get('/api/v1/service/fix-codes')).reasons.some((c) => c.code === 'road_closed' && c.active))
  await page.click('[data-test=evv-code-toggle-road_closed]')
  await page.locator('[data-test=evv-codes-reason] .el-table__row', { hasText: '道路封闭' }).locator('text=停用').first().waitFor()
  assert.ok(ok(await civil.get('/api/v1/service/fix-codes')).reasons.some((c) => c.code === 'road_closed' && !c.active))
  await ctx.close()
})

test('RULE-SVC-203: a helper sees the report, settings and codes read-only; axe-clean on a phone in 长辈模式', async () => {
  const { ctx, page } = await evvPage('lq_helper', PHONE, true)
  await page.waitForSelector('[data-test=evv-codes-reason]')
  assert.equal(await page.locator('[data-test=evv-code-form]').count(), 0)
  assert.equal(await page.locator('[data-test=evv-limits-save]').count(), 0)
  assert.match(await page.locator('[data-test=evv-settings]').innerText(), /48/)
  assert.ok(await fitsWidth(page))
  assert.deepEqual(await axeViolations(page), [])
  await page.screenshot({ path: `${SHOTS}/service-evv-phone-elder.png`, fullPage: true })
  await ctx.close()
})

test('RULE-SVC-197, RULE-SVC-199, RULE-SVC-200: the approved month is adjusted from the statement page; the new line says its kind', async () => {
  const now = Date.now()
  const paid = await visit(['xunhu'], [now - 40 * 60e3, now - 10 * 60e3]) // 30 minutes as planned
  ok(await civil.post(`/api/v1/service/orders/${paid.id}/confirm-for-elder`, { reason: '电话回访确认' }))
  const provider = ok(await civil.get('/api/v1/service/stations')).items[0].provider_id
  const t = ok(await civil.post('/api/v1/service/settlements', { provider_id: provider, month: cst(t0).slice(0, 7) }), 201)
  ok(await civil.post(`/api/v1/service/settlements/${t.id}/approve`, {}))
  const late = await visit(['xunhu'], [now - 80 * 60e3, now - 50 * 60e3])
  ok(await civil.post(`/api/v1/service/orders/${late.id}/confirm-for-elder`, { reason: '电话回访确认' }))
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(server.base + `/service/settlements?id=${t.id}`)
  await page.click('[data-test=settle-adjust]')
  await page.waitForSelector('[data-test=settle-adjusted]')
  const row = page.locator('[data-test=settle-lines] .el-table__row', { hasText: '补充结算' })
  assert.match(await row.innerText(), new RegExp(String(late.id)))
  const st = ok(await civil.get(`/api/v1/service/settlements/${t.id}`))
  assert.equal(st.adjustments, 1)
  assert.match(await page.locator('[data-test=settle-adjusted]').innerText(), new RegExp(`实付 ${(st.paid_total_fen / 100).toFixed(2)} 元`))
  assert.deepEqual(await axeViolations(page), [])
  await ctx.close()
  // The same statement on a phone in 长辈模式.
  const phone = await openAs(browser, server, 'fg_civil', PHONE, true)
  await phone.page.goto(server.base + `/service/settlements?id=${t.id}`)
  await phone.page.waitForSelector('[data-test=settle-adjusted]')
  assert.ok(await fitsWidth(phone.page))
  assert.deepEqual(await axeViolations(phone.page), [])
  await phone.page.screenshot({ path: `${SHOTS}/service-settlement-adjusted-phone.png`, fullPage: true })
  await phone.ctx.close()
})

test('RULE-SVC-225, RULE-SVC-224, RULE-UI-047: a flagged visit opens on the board with its record — times, distance or 无定位, checklist — before the officer judges it', async () => {
  const e = ok(await civil.post('/api/v1/elders', { name: '无定位核验老人', id_number: idNumber('520327', '19400101', seq++), region_code: '520327001001', address: '和平路 7 号', phone: '13800001234', lat: 27.965, lng: 107.72 }), 201)
  const o = ok(await civil.post('/api/v1/service/orders', { elder_id: e.id, items: ['zhujie'], window_start: cst(t0), window_end: cst(t0 + 59 * 60e3) }), 201)
  const sun = ok(await civil.get('/api/v1/service/caregivers')).items.find((c) => c.name === '孙丽')
  ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '页面测试' }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/accept`, {}))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, { lat: 27.9652, lng: 107.7201, accuracy_m: 12 }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { checklist: ['情绪良好'] })) // no position

  // RULE-UI-047: an officer's browser set to another zone still reads China time.
  const { ctx, page } = await evvPage('fg_civil', { ...DESKTOP, timezoneId: 'America/Los_Angeles' })
  const row = page.locator('[data-test=evv-flagged] .el-table__row', { hasText: String(o.id) })
  await row.waitFor()
  assert.match(await row.innerText(), /六要素缺失/)
  assert.doesNotMatch(await row.innerText(), /—/, 'the provider is named')
  await page.click(`[data-test=evv-order-${o.id}]`)
  await page.waitForURL((u) => u.pathname === '/service' && u.searchParams.get('order') === String(o.id))
  const rec = page.locator('[data-test=order-visit]')
  await rec.waitFor()
  assert.match(await rec.innerText(), /孙丽/)
  assert.match(await page.locator('[data-test=order-visit-checkin]').innerText(), /距住址 \d+ 米（精度 12 米）/)
  assert.match(await page.locator('[data-test=order-visit-checkout]').innerText(), /无定位/)
  const got = ok(await civil.get(`/api/v1/service/orders/${o.id}`))
  const china = new Date(new Date(got.visit.checkin_at).getTime() + 8 * 3600e3).toISOString().slice(0, 19).replace('T', ' ')
  assert.match(await page.locator('[data-test=order-visit-checkin]').innerText(), new RegExp(china))
  assert.equal(new URL(page.url()).searchParams.get('date') ?? await page.inputValue('input[aria-label=服务日期]'), new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10), 'the board opens on China\'s today')
  assert.match(await rec.innerText(), /情绪良好/)
  assert.deepEqual(await axeViolations(page), [])
  await page.screenshot({ path: `${SHOTS}/service-visit-record.png` })
  await ctx.close()
})
