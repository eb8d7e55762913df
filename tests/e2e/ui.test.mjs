// The pages as officers, helpers and caregivers use them all day (issue 18), in a real browser at
// 1440×900 and on a 390×844 phone, in both modes: lists keep their state in the address, a
// missing record says so in the page, phone lists are cards, 长辈模式 holds on a phone, and
// axe-core finds no violation on any main page (docs/ui.md).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server } from '../lib/server.mjs'
import { launch, openAs, signIn, fitsWidth, input, axeViolations, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 }, bypassCSP: true }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true }
const categoryNames = {
  advanced_age: '高龄', living_alone: '独居', empty_nest: '空巢', left_behind: '留守', disabled: '失能',
  severe_disability: '重残', fp_special: '计生特殊家庭', economic_difficulty: '经济困难', entitled: '优抚对象',
}

let server, browser, civil
before(async () => {
  server = await new Server({ env: { ANLAO_DEMO_ELDERS: '600' } }).start()
  browser = await launch()
  civil = await server.login('fg_civil')
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

const open = (user, opts = DESKTOP, elder = false) => openAs(browser, server, user, opts, elder)
const rowsText = (page, table) => page.$$eval(`[data-test=${table}] .el-table__row`, (r) => r.map((x) => x.textContent))
const query = (page) => Object.fromEntries(new URL(page.url()).searchParams)
// The list's answer for page 3 has come and been drawn (the loading mask is gone).
async function pageThree(page) {
  await page.waitForResponse((r) => r.url().includes('/api/v1/elders?') && r.url().includes('page=3'))
  await page.waitForFunction(() => !document.querySelector('[data-test=elders-table] .el-loading-mask'))
}

test('a list keeps its filter, page and search in the address; Back from a record returns to them', async () => {
  // The category with the most elders in the registry: at least three pages of it.
  const overview = (await civil.get('/api/v1/elders/overview')).body
  const [cat, n] = Object.entries(overview.categories).sort((a, b) => b[1] - a[1])[0]
  assert.ok(n > 40, `${cat}: ${n}`)
  const { ctx, page } = await open('fg_civil')
  await page.click('[data-test=menu-elders]')
  await page.waitForSelector('[data-test=elders-table] .el-table__row')
  await page.click('[data-test=elders-category]')
  await page.click(`.el-select-dropdown__item:visible:has-text("${categoryNames[cat]}")`)
  await page.waitForURL((u) => u.searchParams.get('category') === cat)
  let answered = pageThree(page)
  await page.click('[data-test=elders-pager] .el-pager li:text-is("3")')
  await page.waitForURL((u) => u.searchParams.get('page') === '3')
  await answered
  await page.waitForFunction(() => document.querySelector('[data-test=elders-pager] .el-pager li.is-active')?.textContent.trim() === '3')
  const third = await rowsText(page, 'elders-table')
  assert.equal(third.length, Math.min(20, n - 40))
  assert.ok(third.every((t) => t.includes(categoryNames[cat])))

  // Open a record with the keyboard (Tab reaches the rows, Enter opens one), then Back.
  await page.focus('[data-test=elders-table] .el-table__row:nth-child(2)')
  await page.keyboard.press('Enter')
  await page.waitForURL(/\/elders\/\d+$/)
  await page.waitForSelector('[data-test=elder-person]')
  answered = pageThree(page)
  await page.goBack()
  await page.waitForURL((u) => u.pathname === '/elders')
  assert.deepEqual(query(page), { category: cat, page: '3' })
  await answered
  await page.waitForFunction(() => document.querySelector('[data-test=elders-pager] .el-pager li.is-active')?.textContent.trim() === '3')
  assert.deepEqual(await rowsText(page, 'elders-table'), third, 'the same page of the same filter')
  assert.match(await page.textContent('[data-test=elders-category]'), new RegExp(categoryNames[cat]))
  // The page header's 返回 goes back to the list as it was, too.
  await page.click('[data-test=elders-table] .el-table__row')
  await page.waitForSelector('[data-test=elder-person]')
  await page.click('.el-page-header__back')
  await page.waitForURL((u) => u.pathname === '/elders' && u.searchParams.get('page') === '3')

  // Search: typed, then in the address; the address alone (shared) shows the same list.
  const name = third[0].trim().slice(0, 1)
  await page.fill(input('elders-q'), name)
  await page.press(input('elders-q'), 'Enter')
  await page.waitForURL((u) => u.searchParams.get('q') === name && !u.searchParams.has('page'))
  const named = (n) => [...document.querySelectorAll('[data-test=elders-table] .el-table__row td:first-child')]
    .every((td) => td.textContent.trim().startsWith(n))
  await page.waitForFunction(named, name)
  const searched = await rowsText(page, 'elders-table')
  const shared = await ctx.newPage()
  await shared.goto(page.url())
  await shared.waitForSelector('[data-test=elders-table] .el-table__row')
  await shared.waitForFunction(named, name)
  assert.deepEqual(await rowsText(shared, 'elders-table'), searched)
  assert.equal(await shared.inputValue(input('elders-q')), name)
  await ctx.close()
})

test('the elder list opens on 在册; 全部状态 is one choice away; the age boxes stay labelled', async () => {
  const active = (await civil.get('/api/v1/elders?status=active&page_size=1')).body.total
  const all = (await civil.get('/api/v1/elders?page_size=1')).body.total
  assert.ok(all > active, 'the demo county has moved and deceased elders')
  const { ctx, page } = await open('fg_civil')
  await page.goto(server.base + '/elders')
  await page.waitForSelector('[data-test=elders-table] .el-table__row')
  assert.match(await page.textContent('[data-test=elders-pager]'), new RegExp(`共 ${active} 条`))
  assert.ok((await rowsText(page, 'elders-table')).every((t) => t.endsWith('在册')))
  await page.click('[data-test=elders-status]')
  await page.click('.el-select-dropdown__item:visible:has-text("全部状态")')
  await page.waitForURL((u) => u.searchParams.get('status') === 'all')
  await page.waitForFunction((t) => document.querySelector('[data-test=elders-pager]').textContent.includes(`共 ${t} 条`), all)

  await page.fill(input('elders-age-min'), '80')
  await page.press(input('elders-age-min'), 'Enter')
  await page.waitForURL((u) => u.searchParams.get('age_min') === '80')
  const label = await page.evaluate(() => {
    const i = document.querySelector('[data-test=elders-age-min] input')
    const l = i.closest('label')
    return { text: l?.querySelector('span')?.textContent, visible: !!l?.querySelector('span')?.offsetWidth, aria: i.getAttribute('aria-label'), value: i.value }
  })
  assert.deepEqual(label, { text: '最小年龄', visible: true, aria: '最小年龄', value: '80' })
  await ctx.close()
})

test('every list page keeps its state in the address (assessments, due list, audit, users, worklists)', async () => {
  // 评估记录: searched by name; Back from a result returns to the search.
  const records = (await civil.get('/api/v1/assessments?page_size=200')).body.items
  assert.ok(records.length > 0)
  const who = records[0].elder_name
  let { ctx, page } = await open('fg_civil')
  await page.goto(server.base + '/assessments')
  await page.click('.el-tabs__item:has-text("评估记录")')
  await page.waitForURL((u) => u.searchParams.get('tab') === 'list')
  await page.fill(input('assess-q'), who)
  await page.press(input('assess-q'), 'Enter')
  await page.waitForURL((u) => u.searchParams.get('q') === who)
  await page.waitForFunction((n) => {
    const rows = [...document.querySelectorAll('[data-test=assess-table] .el-table__row')]
    return rows.length > 0 && rows.every((r) => r.textContent.includes(n))
  }, who)
  const expected = records.filter((r) => r.elder_name.includes(who)).length
  assert.equal((await rowsText(page, 'assess-table')).length, Math.min(20, expected))
  await page.click('[data-test=assess-table] .el-table__row')
  await page.waitForURL(/\/assessments\/\d+$/)
  await page.goBack()
  await page.waitForURL((u) => u.searchParams.get('q') === who && u.searchParams.get('tab') === 'list')
  assert.equal(await page.inputValue(input('assess-q')), who)
  // The due list's window.
  await page.click('.el-tabs__item:has-text("到期复评")')
  await page.fill(input('due-days'), '200')
  await page.press(input('due-days'), 'Enter')
  await page.waitForURL((u) => u.searchParams.get('within') === '200' && !u.searchParams.has('tab'))
  await page.reload()
  assert.equal(await page.inputValue(input('due-days')), '200')

  // 精准识别: the open worklist and its page.
  const { job_id: job } = (await civil.post('/api/v1/identify/runs')).body
  for (let s = ''; s !== 'done';) {
    s = (await civil.get(`/api/v1/jobs/${job}`)).body.status
    assert.notEqual(s, 'failed')
    await new Promise((r) => setTimeout(r, 200))
  }
  await page.goto(server.base + '/identify')
  await page.click('[data-test=list-new_special]')
  await page.waitForURL((u) => u.searchParams.get('list') === 'new_special')
  await page.waitForSelector('[data-test=identify-table]')
  await page.goto(server.base + '/')
  await page.goBack()
  await page.waitForSelector('[data-test=identify-table]')
  assert.equal(await page.getAttribute('[data-test=list-new_special]', 'aria-pressed'), 'true')
  await ctx.close()

  // 审计日志 and 用户管理 (admin): a filter and a page survive leaving and coming back.
  for (let i = 0; i < 21; i++) await server.login('lq_helper') // two pages of successful entries
  ;({ ctx, page } = await open('admin'))
  await page.goto(server.base + '/audit')
  await page.click('[data-test=audit-outcome]')
  await page.click('.el-select-dropdown__item:visible:has-text("成功")')
  await page.waitForURL((u) => u.searchParams.get('outcome') === 'success')
  await page.click('[data-test=audit-pager] .btn-next')
  await page.waitForURL((u) => u.searchParams.get('page') === '2')
  await page.goto(server.base + '/users')
  await page.fill(input('users-q'), 'lq_')
  await page.press(input('users-q'), 'Enter')
  await page.waitForURL((u) => u.searchParams.get('q') === 'lq_')
  await page.waitForFunction(() => [...document.querySelectorAll('[data-test=users-table] .el-table__row')].every((r) => r.textContent.includes('lq_')))
  // A search replaces its history entry (no entry per search): one Back leaves the page.
  await page.goBack()
  await page.waitForURL((u) => u.pathname === '/audit' && u.searchParams.get('page') === '2' && u.searchParams.get('outcome') === 'success')
  await page.waitForFunction(() => document.querySelector('[data-test=audit-pager] .el-pager li.is-active')?.textContent.trim() === '2')
  assert.match(await page.textContent('[data-test=audit-outcome]'), /成功/)
  await ctx.close()
})

test('a missing or out-of-scope record says so in the page, with a way back to the list', async () => {
  const other = (await civil.get('/api/v1/elders?region=520327101&page_size=1')).body.items[0]
  assert.ok(other, 'an elder outside 龙泉街道')
  for (const [opts, elder] of [[DESKTOP, false], [PHONE, true]]) {
    const { ctx, page } = await open('lq_helper', opts, elder)
    for (const [path, title, back] of [
      ['/elders/99999999', '档案不存在或无权查看', '/elders'],
      [`/elders/${other.id}`, '档案不存在或无权查看', '/elders'],
      ['/elders/abc', '档案不存在或无权查看', '/elders'],
    ]) {
      await page.goto(server.base + path)
      await page.waitForSelector('[data-test=page-state]', { timeout: 5000 })
      assert.equal((await page.textContent('[data-test=page-state-title]')).trim(), title, path)
      assert.equal(await page.$('.el-skeleton'), null, 'no endless placeholder')
      await page.click('[data-test=page-state-back]')
      await page.waitForURL((u) => u.pathname === back)
    }
    await page.goto(server.base + '/elders/99999999')
    await page.waitForSelector('[data-test=page-state]')
    await page.screenshot({ path: `${SHOTS}/${elder ? 'phone-elder-' : ''}elder-missing.png`, fullPage: true })
    await ctx.close()
  }
  const { ctx, page } = await open('fg_assessor')
  for (const path of ['/assessments/99999999', '/assessments/99999999/edit']) {
    await page.goto(server.base + path)
    await page.waitForSelector('[data-test=page-state]', { timeout: 5000 })
    assert.match(await page.textContent('[data-test=page-state-title]'), /不存在或无权查看/, path)
  }
  await page.goto(server.base + '/elders/99999999/assess')
  await page.waitForSelector('[data-test=page-state]', { timeout: 5000 })
  assert.equal((await page.textContent('[data-test=page-state-title]')).trim(), '档案不存在或无权查看')
  await ctx.close()
})

test('on a phone, lists are cards: name, sex and age, village, categories, and the status when not 在册', async () => {
  const { ctx, page } = await open('fg_civil', PHONE)
  const first = (await civil.get('/api/v1/elders?status=active&page_size=20')).body.items
  await page.goto(server.base + '/elders')
  await page.waitForSelector('[data-test=elders-cards] [data-test=list-card]')
  assert.equal(await page.$('[data-test=elders-table]'), null)
  const cards = await page.$$eval('[data-test=elders-cards] [data-test=list-card]', (c) => c.map((x) => x.textContent))
  assert.equal(cards.length, first.length)
  for (const [i, e] of first.entries()) {
    assert.ok(cards[i].includes(e.name) && cards[i].includes(`${e.age} 岁`) && cards[i].includes(e.region_name), cards[i])
    for (const c of e.categories) assert.ok(cards[i].includes(categoryNames[c]), `${e.name}: ${c}`)
    assert.ok(!cards[i].includes('在册'), 'the usual status is not repeated')
  }
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/phone-elders-cards.png`, fullPage: true })
  // The dead are one choice away, and their card says so.
  await page.goto(server.base + '/elders?status=deceased')
  await page.waitForSelector('[data-test=card-status]')
  const statuses = await page.$$eval('[data-test=elders-cards] [data-test=list-card]', (c) => c.map((x) => x.querySelector('[data-test=card-status]')?.textContent))
  assert.ok(statuses.length > 0 && statuses.every((s) => s === '死亡'), statuses.join())
  // A card opens its record; Back returns to the same list.
  await page.click('[data-test=elders-cards] [data-test=list-card]')
  await page.waitForURL(/\/elders\/\d+$/)
  await page.goBack()
  await page.waitForURL((u) => u.searchParams.get('status') === 'deceased')
  await page.waitForSelector('[data-test=card-status]')
  // The due list too.
  // RULE-UI-002: the first page of the due list (20)
  const due = (await civil.get('/api/v1/assessments/due?within_days=365&page_size=20')).body.items
  assert.ok(due.length > 0, 'the demo county has results due within a year')
  await page.goto(server.base + '/assessments?within=365')
  await page.waitForSelector('[data-test=due-cards] [data-test=list-card]')
  const dueCards = await page.$$eval('[data-test=due-cards] [data-test=list-card]', (c) => c.map((x) => x.textContent))
  assert.equal(dueCards.length, due.length)
  assert.ok(dueCards[0].includes(due[0].elder_name) && dueCards[0].includes(due[0].region_name), dueCards[0])
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/phone-due-cards.png`, fullPage: true })
  await ctx.close()
})

test('长辈模式 on a phone: labels and dates stay whole, every control is large and dark', async () => {
  const { ctx, page } = await open('fg_civil', PHONE, true)
  const elder = (await civil.get('/api/v1/elders?page_size=1')).body.items[0]
  await page.goto(`${server.base}/elders/${elder.id}`)
  await page.waitForSelector('[data-test=elder-person] .el-descriptions__label')
  const broken = (cells) => page.evaluate((sel) => {
    const lines = (node, from = 0, to = node.textContent.length) => {
      const r = document.createRange()
      r.setStart(node, from)
      r.setEnd(node, to)
      return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size
    }
    const out = []
    for (const el of document.querySelectorAll(sel)) {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        if ((el.matches('.el-descriptions__label, th')) && lines(t) > 1) out.push(`label ${t.textContent}`)
        for (const m of t.textContent.matchAll(/\d{4}-\d\d-\d\d/g)) if (lines(t, m.index, m.index + 10) > 1) out.push(`date ${m[0]}`)
      }
    }
    return out
  }, cells)
  assert.deepEqual(await broken('[data-test=elder-person] .el-descriptions__cell'), [], 'one line each')
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/phone-elder-mode-detail.png`, fullPage: true })

  await page.goto(server.base + '/elders')
  await page.click('[data-test=elders-more]')
  await page.waitForSelector('[data-test=elders-category]')
  const m = await page.evaluate(() => {
    const h = (sel) => [...document.querySelectorAll(sel)].map((e) => Math.round(e.getBoundingClientRect().height))
    const lum = (c) => {
      const [r, g, b] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 })
      return 0.2126 * r + 0.7152 * g + 0.0722 * b
    }
    const contrast = (el, pseudo) => 1.05 / (lum(getComputedStyle(el, pseudo).color) + 0.05)
    const q = document.querySelector('[data-test=elders-q] input') || document.querySelector('input[data-test=elders-q]')
    const ctx2 = document.createElement('canvas').getContext('2d')
    const cs = getComputedStyle(q)
    ctx2.font = `${cs.fontSize} ${cs.fontFamily}`
    return {
      controls: h('.toolbar .el-input__wrapper, .toolbar .el-select__wrapper, .toolbar .el-checkbox, .toolbar .el-button'),
      box: Math.round(document.querySelector('[data-test=elders-special] .el-checkbox__inner').getBoundingClientRect().height),
      placeholder: contrast(document.querySelector('[data-test=elders-category] .el-select__placeholder')),
      searchPlaceholder: contrast(q, '::placeholder'),
      searchFits: ctx2.measureText(q.placeholder).width <= q.clientWidth,
    }
  })
  assert.ok(m.controls.every((x) => x >= 44), `controls ${m.controls}`)
  assert.ok(m.box >= 20, `checkbox ${m.box}px`)
  assert.ok(m.placeholder >= 7 && m.searchPlaceholder >= 7, `placeholders ${m.placeholder.toFixed(1)}:1, ${m.searchPlaceholder.toFixed(1)}:1`)
  assert.ok(m.searchFits, 'the search placeholder is not cut')
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/phone-elder-mode-filters.png`, fullPage: true })

  // The radar chart's labels are drawn large too.
  const a = (await civil.get('/api/v1/assessments?status=published&page_size=1')).body.items[0]
  await page.goto(`${server.base}/assessments/${a.id}`)
  await page.waitForSelector('[data-test=result-radar][data-label-size]')
  assert.equal(await page.getAttribute('[data-test=result-radar]', 'data-label-size'), '18')
  assert.deepEqual(await broken('[data-test=result-sheet] .facts th, [data-test=result-sheet] .facts td'), [], 'the result sheet too')
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/phone-elder-mode-result.png`, fullPage: true })
  await page.locator('[data-test=result-radar]').screenshot({ path: `${SHOTS}/phone-elder-mode-radar.png` })
  await ctx.close()
})

// Every main page, in both modes, at both sizes: no axe-core violation. A new page joins here.
test('axe-core finds no violation on any main page, in both modes, on a desktop and a phone', async () => {
  const elder = (await civil.get('/api/v1/elders?page_size=1')).body.items[0]
  const a = (await civil.get('/api/v1/assessments?status=published&page_size=1')).body.items[0]
  // The service list (issue 12): a county change raising 高龄津贴, submitted to the city.
  let ch = (await civil.post('/api/v1/entitle/changes', { effective_from: '2026-01-01', note: '无障碍检查' })).body
  ch = (await civil.put(`/api/v1/entitle/changes/${ch.id}/items/gaoling_jintie`, { standard_kind: 'amount', amount_fen: 15000, period: 'month' })).body
  const open2 = (await civil.post('/api/v1/entitle/changes', { effective_from: '2026-01-01', note: '草稿' })).body
  ch = (await civil.post(`/api/v1/entitle/changes/${ch.id}/submit`, { version: ch.version })).body
  assert.equal(ch.status, 'submitted')
  const canteen = (await civil.get('/api/v1/meal/canteens?page_size=1')).body.items[0] // the meal demo (issue 17)
  // A family account with consent for the elder (issue 17: ordering meals, RULE-MEAL-060).
  const adminC = await server.login('admin')
  const fam = (await adminC.post('/api/v1/users', { username: 'ui_family', display_name: '家属', role: 'family', region_code: '520327001', password: 'Family2026x' })).body
  const famC = await server.login('ui_family', 'Family2026x')
  await famC.post('/api/v1/me/password', { old_password: 'Family2026x', new_password: 'Anlao2026' })
  await civil.post(`/api/v1/elders/${elder.id}/consents`, { user_id: fam.id, relation: '女儿', granted_by: '本人', scope: ['basic'] })
  const job = (await civil.post('/api/v1/entitle/runs', {})).body.job_id
  for (let i = 0; i < 600 && !['done', 'failed'].includes((await civil.get(`/api/v1/jobs/${job}`)).body.status); i++) await new Promise((r) => setTimeout(r, 100))
  const pages = {
    fg_civil: [['/', '[data-test=home-registry]'], ['/', '[data-test=home-chart] canvas'], ['/elders', '[data-test=list-card], [data-test=elders-table] .el-table__row'],
      [`/elders/${elder.id}`, '[data-test=elder-person]'], ['/assessments', '.el-tabs'],
      ['/assessments?tab=list', '[data-test=list-card], [data-test=assess-table] .el-table__row'],
      [`/assessments/${a.id}`, '[data-test=result-sheet]'], ['/imports', '[data-test=import-kind]'],
      ['/identify', '[data-test=identify-run]'], ['/elders/99999999', '[data-test=page-state]'], ['/password', 'form'],
      // Entitlement runs and the care advisor (issue 12, RULE-ENT-070).
      ['/entitle-runs?list=todo', '[data-test=entrun-runs]'], [`/advisor?elder=${elder.id}`, '[data-test=advisor-eligible]'],
      // Devices and the alarm console (issue 14): the demo's alarms, one opened.
      ['/devices', '[data-test=list-card], [data-test=devices-table] .el-table__row'],
      // Family care beds (issue 14): the demo's beds, one with an open rectification task.
      ['/beds', '[data-test=list-card], [data-test=beds-table] .el-table__row'], ['/beds/2', '[data-test=bed-rects] .el-table__row'],
      ['/beds/3', '[data-test=bed-step] form'], ['/bed-compliance', '[data-test=bedc-chart] canvas'],
      ['/alarms?status=all', '[data-test=list-card]'], ['/alarms?status=all&id=2', '[data-test=alarm-timeline] li'],
      ['/alarms/report', '[data-test=answer-summary]'], ['/alarms/report?region=520327001', '[data-test=answer-summary]'],
      // The elder page's correction dialogs (issue 18): opened by their buttons.
      ...['edit', 'status', 'contact', 'consent'].map((d) => [`/elders/${elder.id}`, '[data-test=elder-person]',
        async (page) => {
          await page.click(`[data-test=${d === 'edit' || d === 'status' ? 'elder-' + d : d + '-add'}]`)
          await page.waitForSelector(`[data-test=${d}-dialog] form`)
          await page.waitForTimeout(400) // the dialog's opening transition
        }]),
      ['/entitle', '[data-test=list-card], [data-test=entitle-table] .el-table__row'],
      ['/entitle?tab=versions', '[data-test=changes-table] .el-table__row'],
      ['/entitle?tab=params', '[data-test=params-table] .el-table__row'],
      ['/entitle?tab=exclusions', '[data-test=exclusions-table] .el-table__row'],
      ['/entitle/items/gaoling_jintie', '[data-test=item-history] .el-table__row'],
      [`/entitle/changes/${ch.id}`, '[data-test=change-items] .el-table__row'],
      [`/entitle/changes/${open2.id}`, '[data-test=change-add]', async (page) => {
        await page.click('[data-test=change-add]')
        await page.waitForSelector('[data-test=item-dialog] form')
        await page.waitForTimeout(400) // the dialog's opening transition
      }],
      // The time bank (issue 16): needs, volunteers, schemes with measures, the paper statement.
      ['/timebank', '[data-test=list-card], [data-test=tb-needs-table] .el-table__row'],
      ['/timebank?tab=members', '[data-test=list-card], [data-test=tb-members-table] .el-table__row'],
      ['/timebank?tab=schemes', '[data-test=tb-alliances-table] .el-table__row'],
      ['/timebank', '[data-test=tb-need-new]', async (page) => {
        await page.click('[data-test=tb-need-new]')
        await page.waitForSelector('[data-test=tb-need-dialog] form')
        await page.waitForTimeout(400) // the dialog's opening transition
      }],
      ['/timebank/members/1/statement', '[data-test=tb-paper]'],
      ['/meal', '[data-test=list-card], [data-test=meal-table] .el-table__row'],
      [`/meal/canteens/${canteen.id}/statement`, '[data-test=statement-lines]'],
      // Home services' monthly settlement (issue 13, RULE-SVC-080).
      ['/service/settlements', '[data-test=settle-form]'],
      // The visit verification page (issue 13, RULE-SVC-193..196).
      ['/service/evv', '[data-test=evv-codes-reason] .el-table__row'],
      // The service network and the complaint queue (issue 13, RULE-SVC-100, RULE-SVC-125).
      ['/service/network', '[data-test=list-card], [data-test=net-table] .el-table__row'],
      ['/service/network?tab=caregivers', '[data-test=list-card], [data-test=net-table] .el-table__row'],
      ['/service/network?tab=certificates', '[data-test=list-card], [data-test=net-table] .el-table__row'],
      ['/service/network?tab=stations&open=1', '[data-test=net-detail-body]'],
      ['/service/network?tab=providers&open=99999', '[data-test=page-state]'],
      ['/service/complaints?status=all', '[data-test=list-card], [data-test=cp-table] .el-table__row, .list-cards-empty, .el-table__empty-text']],
    // Welfare visits (issue 15): the rate with its drill-down, the needs and referrals.
    lq_officer: [['/visits/rate', '[data-test=rate-summary]'],
      ['/visits/referrals', '[data-test=list-card], [data-test=needs-table] .el-table__row, .list-cards-empty, .el-table__empty-text'],
      ['/visits/campaigns', '[data-test=list-card], [data-test=campaign-table] .el-table__row, .list-cards-empty, .el-table__empty-text']],
    lq_volunteer: [['/volunteer', '[data-test=list-card]'], ['/volunteer?tab=statement', '[data-test=list-card]'],
      ['/volunteer?tab=mine', '[data-test=vol-balance]']],
    // Home services (issue 13): the dispatch board.
    fg_provider: [['/service', '[data-test=list-card], [data-test=board-table] .el-table__row'],
      // Issue 17: the canteen's delivery list; the family's meal order page.
      ['/meal/deliveries', '[data-test=list-card], [data-test=md-table] .el-table__row, .list-cards-empty, .el-table__empty-text']],
    ui_family: [['/my/meal', '[data-test^=mf-canteen-], [data-test=mf-empty], [data-test=mf-unlocated]']],
    zy_civil: [['/entitle/approvals', '[data-test=list-card], [data-test=queue-table] .el-table__row']],
    admin: [['/', '[data-test=home-counts]'], ['/users', '[data-test=users-table] .el-table__row'], ['/regions', '[data-test=region-tree]'],
      ['/audit', '[data-test=audit-table] .el-table__row']],
    fg_assessor: [[`/elders/${elder.id}/assess`, '[data-test=assess-context]'],
      ['/assessments?within=365', '[data-test=list-card], [data-test=due-table] .el-table__row'],
      ['/', '[data-test=todo-drafts]']],
    // Each role's home (issue 18).
    lq_helper: [['/', '[data-test=todo-special]'], ['/meal/counter', '[data-test=counter-code]'],
      ['/visits', '[data-test=list-card], [data-test=visit-table] .el-table__row, .list-cards-empty, .el-table__empty-text']],
    fg_caregiver: [['/', '[data-test=todo-svc_todo]'], ['/service/my', '[data-test=visits]']],
    // The family's page (issue 13, RULE-SVC-152..156).
    fg_family: [['/service/family', '[data-test=family-coming], [data-test=family-coming-empty], [data-test=family-none]']],
  }
  const csv = join(server.dir, '户籍校验.csv')
  writeFileSync(csv, '身份证号,姓名,区划代码,住址\n37070419881216001X,校验乙,520327001001,龙泉街道二号\n')
  const found = []
  for (const [size, opts] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    for (const mode of [false, true]) {
      // The sign-in page first (before anyone is signed in).
      const ctx = await browser.newContext(opts)
      const login = await ctx.newPage()
      if (mode) await login.addInitScript(() => localStorage.setItem('anlao.elderMode', '1'))
      await login.goto(server.base + '/login')
      await login.waitForSelector('[data-test=login-submit]')
      for (const v of await axeViolations(login)) found.push(`${size} ${mode ? '长辈' : '普通'} /login ${v}`)
      await ctx.close()
      for (const [user, list] of Object.entries(pages)) {
        const { ctx: c, page } = await open(user, opts, mode)
        for (const [path, ready, act] of list) {
          await page.goto(server.base + path)
          await page.waitForSelector(ready)
          await page.waitForLoadState('networkidle')
          if (act) await act(page)
          for (const v of await axeViolations(page)) found.push(`${size} ${mode ? '长辈' : '普通'} ${path} ${v}`)
        }
        if (user === 'fg_civil') {
          // The import page's report, with its scrolled list of rejected rows.
          await page.goto(server.base + '/imports')
          await page.setInputFiles('[data-test=import-file]', csv)
          await page.click('[data-test=import-upload]')
          await page.waitForSelector('[data-test=import-errors]')
          for (const v of await axeViolations(page)) found.push(`${size} ${mode ? '长辈' : '普通'} /imports (report) ${v}`)
        }
        assert.deepEqual(page.errors, [])
        await c.close()
      }
    }
  }
  assert.deepEqual(found, [])
})
