// The time bank's second part in the browser (issue 16): the helper assigns a need and posts
// hours through pickers (no typed names); the volunteer, on a phone in 长辈模式, sees nearby needs
// with their distance, takes one and raises a dispute; the member's page says what expires.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Server } from '../lib/server.mjs'
import { launch, openAs, fitsWidth, axeViolations, input, SHOTS } from './browser.mjs'
import { idNumber } from '../lib/ids.mjs'

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true }
const DESKTOP = { viewport: { width: 1440, height: 900 }, bypassCSP: true }
const soon = (h) => new Date(Date.now() + 8 * 3600e3 + h * 3600e3).toISOString().slice(0, 16).replace('T', ' ')

let server, browser, fg, LQ, elder
const pageAxe = axeViolations // the whole page, side menu included
const ok = (r, status = 200) => { assert.equal(r.status, status, JSON.stringify(r.body)); return r.body }
before(async () => {
  server = await new Server().start()
  browser = await launch()
  fg = await server.login('fg_civil')
  LQ = ok(await fg.get('/api/v1/timebank/schemes')).items.find((x) => x.name === '龙泉街道时间银行').id
  elder = ok(await fg.post('/api/v1/elders', { name: '距离老人', id_number: idNumber('520327', '19470707', 961), region_code: '520327001001', address: '龙泉社区 7 号', phone: '13600009611', lat: 27.958, lng: 107.72 }), 201).id
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

test('RULE-TB-068: the helper assigns a need and posts hours by picking the volunteer from a search', async () => {
  const n = ok(await fg.post('/api/v1/timebank/needs', { scheme_id: LQ, elder_id: elder, category: '打扫卫生', starts_at: soon(30), duration_min: 60, place: '老人家中' }), 201)
  const h = await openAs(browser, server, 'lq_helper', DESKTOP)
  await h.page.goto(server.base + '/timebank')
  await h.page.click(`[data-test=tb-need-assign-${n.id}]`)
  await h.page.waitForSelector('[data-test=tb-assign-dialog] form')
  await h.page.click('[data-test=tb-assign-member]')
  await h.page.keyboard.type('陈建')
  await h.page.click('.el-select-dropdown__item:has-text("陈建国")')
  // The picker's list closes with a transition: axe looks once it is gone (it is outside the
  // page's landmarks while it shows).
  await h.page.waitForFunction(() => [...document.querySelectorAll('.el-select-dropdown')]
    .every((d) => getComputedStyle(d.closest('.el-popper') || d).display === 'none'))
  for (const v of await pageAxe(h.page)) assert.fail(`axe: ${v}`)
  await h.page.click('[data-test=tb-assign-save]')
  await h.page.waitForSelector('.el-message:has-text("已指派")')
  assert.equal(ok(await fg.get(`/api/v1/timebank/needs/${n.id}`)).status, 'taken')
  // 补录: pick 陈建国 and his taken need; the helper reports and confirms in one step.
  await h.page.goto(server.base + '/timebank?tab=members')
  await h.page.click('[data-test=tb-hours-new]')
  await h.page.waitForSelector('[data-test=tb-hours-dialog] form')
  await h.page.click('[data-test=tb-hours-member]')
  await h.page.keyboard.type('陈建')
  await h.page.click('.el-select-dropdown__item:has-text("陈建国")')
  await h.page.click('[data-test=tb-hours-need]')
  await h.page.click('.el-select-dropdown__item:has-text("打扫卫生")')
  await h.page.fill(input('tb-hours-minutes'), '45')
  await h.page.click('[data-test=tb-hours-save]')
  await h.page.waitForSelector('.el-message:has-text("已记入")')
  const done = ok(await fg.get(`/api/v1/timebank/needs/${n.id}`))
  assert.deepEqual([done.status, done.served_min], ['done', 45])
  assert.deepEqual(h.page.errors, [])
  await h.ctx.close()
})

test('RULE-TB-066, RULE-TB-068, RULE-TB-062: the volunteer sees nearby needs with their distance, takes one and raises a dispute on the phone in 长辈模式', async () => {
  const n = ok(await fg.post('/api/v1/timebank/needs', { scheme_id: LQ, elder_id: elder, category: '陪伴聊天', starts_at: soon(26), duration_min: 60, place: '龙泉社区 7 号' }), 201)
  const v = await openAs(browser, server, 'lq_volunteer', PHONE, true)
  await v.page.goto(server.base + '/volunteer')
  await v.page.waitForSelector('[data-test=vol-expiry]')
  assert.match(await v.page.locator('[data-test=vol-expiry]').innerText(), /时间长期有效/)
  const card = v.page.locator('.list-cards-li').filter({ hasText: '龙泉社区 7 号' })
  await card.waitFor()
  const me = ok(await (await server.login('lq_volunteer')).get('/api/v1/timebank/me/needs'))
  if (me.by_distance) assert.match(await card.innerText(), /(米|公里)/)
  await card.locator(`[data-test=vol-take-${n.id}]`).click()
  await v.page.waitForURL((u) => u.searchParams.get('tab') === 'mine')
  const mine = v.page.locator('.list-cards-li').filter({ hasText: '龙泉社区 7 号' })
  await mine.locator(`[data-test=vol-dispute-${n.id}]`).click()
  await v.page.waitForSelector('[data-test=vol-dispute-dialog] form')
  await v.page.fill('[data-test=vol-dispute-reason] textarea, textarea[data-test=vol-dispute-reason]', '老人临时外出，未能服务')
  for (const x of await pageAxe(v.page)) assert.fail(`axe: ${x}`)
  await v.page.click('[data-test=vol-dispute-save]')
  await v.page.waitForSelector('.el-message:has-text("已提交争议")')
  await v.page.waitForSelector('[data-test=vol-dispute-text]')
  assert.match(await v.page.locator('[data-test=vol-dispute-text]').first().innerText(), /老人临时外出/)
  assert.ok(await fitsWidth(v.page), 'fits the phone in 长辈模式')
  await v.page.screenshot({ path: `${SHOTS}/phone-elder-volunteer-dispute.png`, fullPage: true })
  assert.equal(ok(await fg.get(`/api/v1/timebank/needs/${n.id}`)).status, 'disputed')
  assert.deepEqual(v.page.errors, [])
  await v.ctx.close()
})

test('RULE-TB-070, RULE-TB-071: the helper links a citizen card from the member list; the officer exports the exchange file', async () => {
  const m = ok(await fg.get('/api/v1/timebank/members?q=刘婷')).items[0]
  const h = await openAs(browser, server, 'lq_helper', DESKTOP)
  await h.page.goto(server.base + '/timebank?tab=members&q=刘婷')
  await h.page.click(`[data-test=tb-card-${m.id}]`)
  await h.page.waitForSelector('[data-test=tb-card-dialog] form')
  await h.page.fill(input('tb-card-number'), '52ab')
  await h.page.click('[data-test=tb-card-save]')
  await h.page.waitForSelector('[data-test=tb-card-dialog] .el-form-item__error')
  await h.page.fill(input('tb-card-number'), '5203zj00012345')
  for (const v of await pageAxe(h.page)) assert.fail(`axe: ${v}`)
  await h.page.click('[data-test=tb-card-save]')
  await h.page.waitForSelector('.el-message:has-text("5203******2345")')
  assert.equal(ok(await fg.get(`/api/v1/timebank/members/${m.id}`)).card_masked, '5203******2345')
  assert.deepEqual(h.page.errors, [])
  await h.ctx.close()
  const o = await openAs(browser, server, 'lq_officer', DESKTOP)
  await o.page.goto(server.base + '/timebank?tab=schemes')
  await o.page.waitForSelector('[data-test=tb-card-export]')
  const day = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
  const ends = o.page.locator('[data-test=tb-card-export] .el-range-input')
  await ends.nth(0).click()
  await ends.nth(0).fill(day.slice(0, 8) + '01')
  await ends.nth(1).fill(day)
  await o.page.keyboard.press('Enter')
  await o.page.waitForSelector('[data-test=tb-card-export-csv]:not([disabled])')
  const [dl] = await Promise.all([o.page.waitForEvent('download'), o.page.click('[data-test=tb-card-export-csv]')])
  const text = readFileSync(await dl.path(), 'utf8')
  assert.match(text, /5203ZJ00012345,\d+,刘婷,龙泉街道时间银行/)
  assert.deepEqual(o.page.errors, [])
  await o.ctx.close()
})

test('RULE-TB-082: a son posts a need for his mother on a phone in 长辈模式 and sees the confirmation code; the helper sees the need', async () => {
  const admin = await server.login('admin')
  const u = ok(await admin.post('/api/v1/users', { username: 'tf_son', display_name: '互助家属', role: 'family', region_code: '520327001', password: 'Family2026x' }), 201)
  const fam = await server.login('tf_son', 'Family2026x')
  ok(await fam.post('/api/v1/me/password', { old_password: 'Family2026x', new_password: 'Anlao2026' }))
  ok(await fg.post(`/api/v1/elders/${elder}/consents`, { user_id: u.id, relation: '儿子', granted_by: '本人', scope: ['basic'] }), 201)
  const f = await openAs(browser, server, 'tf_son', PHONE, true)
  await f.page.goto(server.base + '/my/timebank')
  await f.page.waitForSelector('[data-test=tf-scheme]')
  assert.match(await f.page.locator('[data-test=tf-scheme]').innerText(), /龙泉街道时间银行/)
  await f.page.fill(input('tf-place'), '龙泉社区 7 号（老人家中）')
  for (const x of await pageAxe(f.page)) assert.fail(`axe: ${x}`)
  await f.page.click('[data-test=tf-submit]')
  await f.page.waitForSelector('[data-test^=tf-code-]')
  const code = (await f.page.locator('[data-test^=tf-code-] strong').innerText()).trim()
  assert.match(code, /^\d{4}$/)
  assert.ok(await fitsWidth(f.page), 'fits the phone in 长辈模式')
  await f.page.screenshot({ path: `${SHOTS}/phone-elder-family-timebank-need.png`, fullPage: true })
  const needs = ok(await (await server.login('lq_helper')).get('/api/v1/timebank/needs?status=open')).items
  const n = needs.find((x) => x.place === '龙泉社区 7 号（老人家中）')
  assert.ok(n, 'the helper sees the need')
  assert.equal(n.elder_id, elder)
  assert.deepEqual(f.page.errors, [])
  await f.ctx.close()
  // The same page on a desktop, 普通模式: the list with the need, axe clean.
  const d = await openAs(browser, server, 'tf_son', DESKTOP)
  await d.page.goto(server.base + '/my/timebank')
  await d.page.waitForSelector('.list-cards-li, [data-test=list-card]')
  for (const x of await pageAxe(d.page)) assert.fail(`axe (desktop): ${x}`)
  assert.deepEqual(d.page.errors, [])
  await d.ctx.close()
})
