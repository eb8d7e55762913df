// Issue 18, point 5: each role's home shows its own work first — an officer's to-dos with counts
// that open their lists and the registry by township as a bar chart that drills down; an
// assessor's due list and drafts; a helper's special-difficulty elders and open requests; a
// provider's or caregiver's clear empty state. The 系统 figures are for administrators only.
// RULE-SCOPE-002: each figure equals the total of the list it opens, for the same user.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { launch, openAs, signIn, fitsWidth, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 } }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }

let server, browser
before(async () => {
  server = await new Server({ env: { ANLAO_DEMO_ELDERS: '300' } }).start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

const open = (user, opts = DESKTOP, elder = false) => openAs(browser, server, user, opts, elder)
// The figure on a to-do card once it has come.
async function figure(page, key) {
  const sel = `[data-test=todo-${key}] .value`
  await page.waitForFunction((s) => { const t = document.querySelector(s)?.textContent; return t && t !== '…' }, sel)
  return (await page.textContent(sel)).trim()
}

test('an officer: to-dos with counts that open their lists, the registry by township drilling down to villages (desktop)', async () => {
  const api = await server.login('fg_civil')
  const { ctx, page } = await open('fg_civil')
  await page.waitForSelector('[data-test=home-todos]')
  assert.equal(await page.$('[data-test=home-counts]'), null, 'no 系统 block for an officer')
  assert.ok(!(await page.textContent('main, body')).includes('今日登录失败'))
  // Overdue reassessments: the figure is the due list's total, and the card opens it.
  const overdue = (await api.get('/api/v1/assessments/due?within_days=0')).body.total
  assert.equal(await figure(page, 'overdue'), String(overdue))
  for (const k of ['inactive', 'duplicates', 'imports']) await figure(page, k)
  await page.click('[data-test=todo-overdue]')
  await page.waitForURL((u) => u.pathname === '/assessments' && u.searchParams.get('within') === '0')
  await page.goBack()
  // The chart: one bar per township, the figures those of the elder list by region.
  await page.waitForSelector('[data-test=home-chart] canvas')
  const regions = (await api.get('/api/v1/dashboard/regions')).body.items
  const town = regions.find((r) => r.active > 0)
  assert.ok(town, 'a township with elders')
  const listTotal = (await api.get(`/api/v1/elders?status=active&region=${town.code}&page_size=1`)).body.total
  assert.equal(town.active, listTotal)
  assert.match(await page.getAttribute('[data-test=home-chart]', 'aria-label'), new RegExp(`${town.name} ${town.active} 人`))
  await page.screenshot({ path: `${SHOTS}/home-officer-desktop.png`, fullPage: true })
  // Click the township's bar in the canvas: its villages.
  const idx = regions.indexOf(town)
  const box = await page.locator('[data-test=home-chart]').boundingBox()
  const h = await page.evaluate(() => document.querySelector('[data-test=home-chart]').clientHeight)
  const band = (h - 16) / regions.length
  // The bar starts right of the name labels: click a little into it (bars are long enough to be hit
  // near their left end whenever the township has any elder). Fall back on the accessible button.
  await page.mouse.click(box.x + 150 + 12, box.y + 8 + band * idx + band / 2)
  const drilled = await page.waitForFunction((n) => document.querySelectorAll('[data-test=chart-path] .el-breadcrumb__item').length === 2, null, { timeout: 3000 })
    .then(() => true, () => false)
  if (!drilled) await page.click(`[data-test=region-${town.code}]`)
  await page.waitForFunction((n) => document.querySelector('[data-test=chart-path]')?.textContent.includes(n), town.name)
  const villages = (await api.get(`/api/v1/dashboard/regions?parent=${town.code}`)).body.items
  await page.waitForSelector(`[data-test=region-${villages[0].code}]`)
  await page.screenshot({ path: `${SHOTS}/home-officer-villages.png`, fullPage: true })
  // A village opens the elder list of that village; 查看名单 that of the township.
  const village = villages.find((v) => v.active > 0)
  await page.click(`[data-test=region-${village.code}]`)
  await page.waitForURL((u) => u.pathname === '/elders' && u.searchParams.get('region') === village.code)
  await page.goBack()
  await page.waitForSelector('[data-test=chart-list]')
  assert.ok(page.errors.length === 0, page.errors.join('\n'))
  await ctx.close()
})

test('a township officer on a phone in 长辈模式: figures scoped to the township, large chart labels, nothing sideways', async () => {
  const api = await server.login('lq_officer')
  const { ctx, page } = await open('lq_officer', PHONE, true)
  await page.waitForSelector('[data-test=home-chart][data-label-size]')
  assert.equal(await page.getAttribute('[data-test=home-chart]', 'data-label-size'), '18')
  const overdue = (await api.get('/api/v1/assessments/due?within_days=0')).body.total
  assert.equal(await figure(page, 'overdue'), String(overdue))
  // The bars are 龙泉街道's villages (the officer's region), not the county's townships.
  const villages = (await api.get('/api/v1/dashboard/regions')).body.items
  assert.ok(villages.every((v) => v.code.startsWith('520327001')))
  assert.ok(await page.$(`[data-test=region-${villages[0].code}]`))
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/home-township-phone-elder.png`, fullPage: true })
  await ctx.close()
})

test('an assessor, a helper, a caregiver and the administrator each see their own home', async () => {
  // Assessor: due list and drafts, the figures those of the lists they open.
  let { ctx, page } = await open('fg_assessor', PHONE)
  const as = await server.login('fg_assessor')
  assert.equal(await figure(page, 'due'), String((await as.get('/api/v1/assessments/due')).body.total))
  assert.equal(await figure(page, 'drafts'), String((await as.get('/api/v1/assessments?status=draft&page_size=1')).body.total))
  assert.equal(await page.$('[data-test=home-counts]'), null)
  assert.equal(await page.$('[data-test=todo-overdue]'), null, 'no officer to-dos')
  await page.screenshot({ path: `${SHOTS}/home-assessor-phone.png`, fullPage: true })
  await page.click('[data-test=todo-drafts]')
  await page.waitForURL((u) => u.pathname === '/assessments' && u.searchParams.get('status') === 'draft')
  await ctx.close();

  // Helper: the special-difficulty elders of their area, the open requests.
  ({ ctx, page } = await open('lq_helper'))
  const h = await server.login('lq_helper')
  assert.equal(await figure(page, 'special'), String((await h.get('/api/v1/elders?special=1&status=active&page_size=1')).body.total))
  assert.equal(await figure(page, 'requests'), String((await h.get('/api/v1/assessment-requests?status=open')).body.total))
  assert.equal(await page.$('[data-test=home-counts]'), null, 'no 用户总数 for a helper')
  await page.screenshot({ path: `${SHOTS}/home-helper-desktop.png`, fullPage: true })
  await ctx.close();

  // Caregiver: the day's visits with something to do (RULE-SVC-187, RULE-SVC-189), as the list counts them.
  ({ ctx, page } = await open('fg_caregiver', PHONE, true))
  const cg = await server.login('fg_caregiver')
  assert.equal(await figure(page, 'svc_todo'), String((await cg.get('/api/v1/service/my/visits?todo=1&page_size=1')).body.total))
  assert.equal(await page.$('[data-test=home-counts]'), null)
  await page.screenshot({ path: `${SHOTS}/home-caregiver-phone-elder.png`, fullPage: true })
  await ctx.close();

  // Administrator: the 系统 block.
  ({ ctx, page } = await open('admin'))
  await page.waitForSelector('[data-test=home-counts] [data-test=count-login_failures_today]')
  await ctx.close()
})
