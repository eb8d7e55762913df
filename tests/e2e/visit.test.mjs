// Welfare visits in the browser (issue 15): on a phone at 390×844 the helper opens today's task,
// records a home visit with a finding and a need referred to a service order; the street officer
// follows the referral to closure; the rate page drills to the unvisited list. The new pages are
// axe-clean in both modes at both sizes.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { generate } from '../lib/visit.mjs'
import { launch, openAs, fitsWidth, axeViolations, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 }, bypassCSP: true }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true }

let server, browser, civil, elderId
const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
const inDays = (n) => new Date(Date.now() + 8 * 3600_000 + n * 86400_000).toISOString().slice(0, 10)

before(async () => {
  server = await new Server({ env: { ANLAO_DEMO_ELDERS: '600' } }).start()
  browser = await launch()
  civil = await server.login('fg_civil')
  // An 85-year-old living alone in 龙泉街道: high risk, lq_helper's weekly task.
  const r = await civil.post('/api/v1/elders', { name: '探访测试', id_number: idNumber('520327', '19400315', 321), region_code: '520327001001', address: '龙泉街道探访路 1 号', phone: '13800009999', living_arrangement: 'alone', lat: 27.96, lng: 107.72 })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  elderId = r.body.id
  await generate(civil, '520327001001')
  const users = (await civil.get('/api/v1/users?page_size=100')).body.items
  const a = await civil.post('/api/v1/visit-assignments', { elder_id: elderId, visitor_id: users.find((u) => u.username === 'lq_helper').id })
  assert.equal(a.status, 200, JSON.stringify(a.body))
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

// A real 1×1 PNG (RULE-VISIT-080).
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex')

test('RULE-VISIT-030 RULE-VISIT-035 RULE-VISIT-036 RULE-VISIT-080: a home visit with a need on a phone, the referral followed to closure', async () => {
  const { ctx, page } = await openAs(browser, server, 'lq_helper', PHONE, true)
  // The home's to-do figure is the total of the list it opens (RULE-SCOPE-002).
  const helperApi = await server.login('lq_helper')
  const due = (await helperApi.get('/api/v1/visit-tasks?when=due&visitor=me&page_size=1')).body.total
  await page.waitForFunction((n) => document.querySelector('[data-test=todo-visits] .value')?.textContent.trim() === n, String(due))
  await page.click('[data-test=todo-visits]')
  await page.waitForURL((u) => u.pathname === '/visits')
  const card = page.locator('[data-test=list-card]:has-text("探访测试")')
  await card.waitFor()
  assert.match(await card.innerText(), /高风险/)
  assert.match(await card.innerText(), /本周例行探访/)
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/phone-visit-tasks.png`, fullPage: true })
  await card.click()
  await page.waitForSelector('[data-test=visit-form]')
  assert.match(await page.locator('[data-test=visit-elder]').innerText(), /探访测试/)
  // Home visit (the default for a tier that allows it), a finding, a hazard, a referred need.
  await page.fill('[data-test=visit-health] textarea, textarea[data-test=visit-health]', '血压偏高，按时服药')
  await page.click('[data-test=visit-hazards] .el-checkbox:has-text("燃气")')
  await page.click('[data-test=need-add]')
  await page.fill('[data-test=need-text-0] input, input[data-test=need-text-0]', '午餐不便，需要助餐上门')
  await page.click('[data-test=need-target-0]')
  await page.click('.el-select-dropdown__item:visible:has-text("服务工单")')
  const deadline = inDays(7)
  const d = page.locator('[data-test=need-deadline-item-0] input')
  await d.fill(deadline)
  await d.press('Enter')
  // RULE-VISIT-080: a photo of the hazard, uploaded once the record is saved.
  await page.click('[data-test=visit-photo-tag]')
  await page.click('.el-select-dropdown__item:visible:has-text("安全隐患")')
  await page.setInputFiles('[data-test=visit-photo-input]', { name: '燃气灶.png', mimeType: 'image/png', buffer: PNG })
  await page.waitForSelector('[data-test=visit-photo-count]:has-text("已选 1 张")')
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/phone-visit-record.png`, fullPage: true })
  await page.click('[data-test=visit-save]')
  await page.waitForURL((u) => u.pathname === '/visits')
  // No position given: recorded all the same, flagged.
  // (an earlier success message may still be showing: look for this one)
  await page.waitForSelector('.el-message--success:has-text("未提供位置")')
  await page.waitForSelector('.el-message--success:has-text("已上传 1 张照片")')
  await page.waitForSelector('[data-test=visit-cards]')
  await page.waitForLoadState('networkidle')
  assert.equal(await page.locator('[data-test=list-card]:has-text("探访测试")').count(), 0, 'the task is done')
  assert.deepEqual(page.errors, [])
  await ctx.close()

  const visits = (await civil.get(`/api/v1/visits?elder_id=${elderId}`)).body.items
  assert.equal(visits.length, 1)
  assert.equal(visits[0].method, 'home')
  assert.equal(visits[0].position_flag, 'no_position')
  assert.deepEqual(visits[0].findings.hazards, ['gas'])
  const photos = (await civil.get(`/api/v1/visits/${visits[0].id}`)).body.attachments
  assert.deepEqual(photos.map((a) => [a.tag, a.filename, a.content_type]), [['hazard', '燃气灶.png', 'image/png']])
  const need = (await civil.get(`/api/v1/visit-needs?elder_id=${elderId}`)).body.items[0]
  assert.equal(need.status, 'referred')
  assert.equal(need.target, 'service_order')
  assert.equal(need.deadline, deadline)

  // RULE-VISIT-089: the referral opened an order on the dispatch board; the street officer on a
  // phone follows the referral to it (RULE-VISIT-088) and sees the need in its note.
  assert.match(need.target_ref, /^service_order:\d+$/)
  const orderId = Number(need.target_ref.split(':')[1])
  const o = await openAs(browser, server, 'lq_officer', PHONE, false)
  await o.page.goto(server.base + '/visits/referrals')
  await o.page.waitForSelector(`[data-test=need-target-${need.id}]:has-text("办理中：待派单")`)
  await o.page.click(`[data-test=need-target-${need.id}]`)
  await o.page.waitForSelector('[data-test=order-note]')
  assert.match(await o.page.textContent('[data-test=order-note]'), /探访转介/)
  assert.equal(new URL(o.page.url()).searchParams.get('order'), String(orderId))
  // Not closable while the order is open; the family arranges the meals and the order is cancelled.
  const early = await civil.post(`/api/v1/visit-needs/${need.id}/close`, { version: need.version, outcome: 'x' })
  assert.equal(early.status, 409)
  assert.equal((await civil.post(`/api/v1/service/orders/${orderId}/cancel`, { reason: '家属自行安排助餐' })).status, 200)
  // The street officer closes the referral on a phone.
  await o.page.goto(server.base + '/visits/referrals')
  await o.page.waitForSelector(`[data-test=need-target-${need.id}]:has-text("已终止：已取消")`)
  await o.page.waitForSelector(`[data-test=need-close-${need.id}]`)
  await o.page.click(`[data-test=need-close-${need.id}]`)
  await o.page.waitForSelector('[data-test=close-dialog] form')
  await o.page.fill('[data-test=close-outcome] textarea, textarea[data-test=close-outcome]', '已派单，助餐服务每日上门')
  await o.page.click('[data-test=close-save]')
  await o.page.waitForSelector('.el-message--success')
  const after = (await civil.get(`/api/v1/visit-needs/${need.id}`)).body
  assert.equal(after.status, 'closed')
  assert.equal(after.outcome, '已派单，助餐服务每日上门')
  await o.page.goto(server.base + '/visits/referrals?status=closed')
  await o.page.waitForSelector('[data-test=list-card]:has-text("已派单")')
  assert.ok(await fitsWidth(o.page))
  assert.deepEqual(o.page.errors, [])
  await o.ctx.close()
})

test('RULE-VISIT-040 RULE-VISIT-042: the rate page shows the county\'s rate, drills to a township and lists the unvisited', async () => {
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(server.base + '/visits/rate')
  await page.waitForSelector('[data-test=rate-table] .el-table__row')
  const rate = (await civil.get(`/api/v1/visit-measures/rate?month=${today.slice(0, 7)}`)).body
  assert.match(await page.locator('[data-test=rate-value]').innerText(), new RegExp(`${(rate.rate * 100).toFixed(1)}%`))
  await page.click('[data-test=rate-table] .el-table__row:has-text("龙泉街道") button')
  await page.waitForURL((u) => u.searchParams.get('region') === '520327001')
  await page.waitForLoadState('networkidle')
  const street = (await civil.get(`/api/v1/visit-measures/unvisited?month=${today.slice(0, 7)}&region=520327001`)).body
  assert.match(await page.locator('h2:has-text("当月未探访的老人")').innerText(), new RegExp(`（${street.total}）`))
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-VISIT-062: the officer generates this period\'s tasks from the task page; the job\'s progress shows and its result is told', async () => {
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(server.base + '/visits')
  await page.waitForSelector('[data-test=visit-generate]')
  // A fast job may be done before a locator looks: the page records that the progress showed.
  await page.evaluate(() => {
    window.__sawProgress = false
    new MutationObserver(() => { if (document.querySelector('[data-test=visit-generate-progress]')) window.__sawProgress = true })
      .observe(document.body, { childList: true, subtree: true })
  })
  await page.click('[data-test=visit-generate]')
  await page.waitForSelector('.el-message--success:has-text("已生成")')
  assert.equal(await page.evaluate(() => window.__sawProgress), true, 'the job\'s progress was shown')
  await page.waitForSelector('[data-test=visit-generate-progress]', { state: 'detached' })
  const audit = (await civil.get('/api/v1/audit?action=visit.generate')).body.items
  assert.ok(audit.some((a) => a.region_code === '520327'), 'the job wrote its audit entry')
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-VISIT-073: the officer creates a campaign on the page, generates its tasks and sees its rate and unvisited list', async () => {
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.goto(server.base + '/visits/campaigns')
  await page.waitForSelector('[data-test=campaign-table] .el-table__row:has-text("寒潮专项探访")') // the demo's
  await page.click('[data-test=campaign-new]')
  await page.waitForSelector('[data-test=campaign-dialog] form')
  await page.fill('[data-test=campaign-name] input, input[data-test=campaign-name]', '重阳节走访')
  await page.click('[data-test=campaign-dialog] label:has-text("节日")')
  // RULE-VISIT-082: the regions come from the picker: 龙泉街道 added, the county (preset) removed.
  await page.waitForSelector('[data-test=campaign-region-520327]')
  await page.click('[data-test=campaign-regions] [data-test=region-picker]')
  await page.click('.el-cascader-node:has-text("凤冈县")')
  await page.click('.el-cascader-node:has-text("龙泉街道") .el-radio')
  await page.click('[data-test=campaign-dialog] .el-dialog__title') // the list closes, the dialog stays
  await page.waitForSelector('[data-test=campaign-region-520327001]:has-text("龙泉街道")')
  await page.click('[data-test=campaign-region-520327] .el-tag__close')
  await page.waitForSelector('[data-test=campaign-region-520327]', { state: 'detached' })
  await page.click('[data-test=campaign-save]')
  await page.waitForSelector('[data-test=campaign-detail]:has-text("重阳节走访")')
  await page.click('[data-test=campaign-generate]')
  await page.waitForSelector('.el-message--success:has-text("专项探访任务")')
  const id = Number(new URL(page.url()).searchParams.get('id'))
  const c = (await civil.get(`/api/v1/visit-campaigns/${id}`)).body
  assert.ok(c.scope_tasks > 0, JSON.stringify(c))
  assert.equal(c.regions, '520327001')
  await page.waitForSelector(`[data-test=campaign-rate]:has-text("本辖区任务 ${c.scope_tasks} 条")`)
  const unv = (await civil.get(`/api/v1/visit-campaigns/${id}/unvisited`)).body.total
  assert.match(await page.locator('h3:has-text("未探访名单")').innerText(), new RegExp(`（${unv}）`))
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('the visit pages are axe-clean in both modes, on a desktop and a phone', async () => {
  const pages = {
    lq_helper: [['/visits', '[data-test=list-card], [data-test=visit-table] .el-table__row, .el-table__empty-text, .list-cards-empty'],
      [`/visits/record/${elderId}`, '[data-test=visit-form]']],
    fg_civil: [['/visits?who=all', '[data-test=visit-generate-region]'], ['/visits/rate', '[data-test=rate-summary]'], ['/visits/campaigns', '[data-test=campaign-table] .el-table__row, [data-test=list-card]'], ['/visits/referrals?status=closed', '[data-test=list-card], [data-test=needs-table] .el-table__row']],
  }
  const found = []
  for (const [size, opts] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    for (const mode of [false, true]) {
      for (const [user, list] of Object.entries(pages)) {
        const { ctx, page } = await openAs(browser, server, user, opts, mode)
        for (const [path, ready] of list) {
          await page.goto(server.base + path)
          await page.waitForSelector(ready)
          await page.waitForLoadState('networkidle')
          for (const v of await axeViolations(page)) found.push(`${size} ${mode ? '长辈' : '普通'} ${path} ${v}`)
          if (size === 'phone') assert.ok(await fitsWidth(page), `${path} fits the phone`)
        }
        assert.deepEqual(page.errors, [])
        await ctx.close()
      }
    }
  }
  assert.deepEqual(found, [])
})
