// The time bank in the browser (issue 16), on a phone at 390×844: the helper posts a need of an
// elder who banked hours in 龙泉 and gets the elder's code; 进化镇's volunteer (an allied
// scheme) sees it among the needs near them, takes it, reports the minutes with the elder's
// code, and sees the hours in their balance and statement — spent from the elder's 龙泉 account
// in another scheme, through the clearing accounts; the ledger verifies afterwards.  Then the
// officer's page shows the alliance and the measures, and the paper statement prints large.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { launch, openAs, fitsWidth, input, SHOTS } from './browser.mjs'
import { idNumber } from '../lib/ids.mjs'

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
const DESKTOP = { viewport: { width: 1440, height: 900 } }

let server, browser, fg, elderMember
before(async () => {
  server = await new Server().start()
  browser = await launch()
  fg = await server.login('fg_civil')
  const schemes = (await fg.get('/api/v1/timebank/schemes')).body.items
  const lq = schemes.find((x) => x.name === '龙泉街道时间银行').id
  const e = await fg.post('/api/v1/elders', { name: '时间老人', id_number: idNumber('520327', '19480808', 901), region_code: '520327001001', address: '前进社区 9 号', phone: '13600009001' })
  assert.equal(e.status, 201, JSON.stringify(e.body))
  const m = await fg.post('/api/v1/timebank/members', { scheme_id: lq, kind: 'individual', elder_id: e.body.id })
  elderMember = m.body.id
  await fg.post(`/api/v1/timebank/members/${elderMember}/verify`, { version: 1 })
  const t = await fg.post('/api/v1/timebank/transfers', { category: 'service', to_member_id: elderMember, minutes: 600, note: '早年存入' })
  assert.equal(t.status, 201, JSON.stringify(t.body))
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

const balanceOf = async (id) => (await fg.get(`/api/v1/timebank/members/${id}`)).body.balance_min

test('RULE-TB-040, RULE-TB-041, RULE-TB-043, RULE-TB-044, RULE-TB-031: post a need, take it, confirm the hours, see the balance, spend in another scheme — on a phone', async () => {
  // The helper posts the need, paid from the elder's own hours.
  const h = await openAs(browser, server, 'lq_helper', PHONE)
  await h.page.goto(server.base + '/timebank')
  await h.page.click('[data-test=tb-need-new]')
  await h.page.waitForSelector('[data-test=tb-need-dialog] form')
  await h.page.click('[data-test=tb-need-elder]')
  await h.page.keyboard.type('时间老人')
  await h.page.click('.el-select-dropdown__item:has-text("时间老人")')
  await h.page.click('[data-test=tb-need-category]')
  await h.page.click('.el-select-dropdown__item:has-text("陪同就医")')
  await h.page.fill('[data-test=tb-need-dialog] .el-date-editor input', '2026-12-30 09:00')
  await h.page.keyboard.press('Enter')
  await h.page.fill(input('tb-need-place'), '凤冈县人民医院')
  await h.page.click('[data-test=tb-need-pay]')
  await h.page.click('.el-select-dropdown__item:has-text("老人自己存的时间")')
  await h.page.click('[data-test=tb-need-save]')
  const code = (await h.page.locator('[data-test=tb-need-code]').innerText()).trim()
  assert.match(code, /^\d{4}$/)
  await h.page.screenshot({ path: `${SHOTS}/phone-timebank-code.png` })
  await h.page.click('.el-message-box__btns .el-button--primary')
  await h.page.waitForSelector('[data-test=list-card]:has-text("时间老人")')
  assert.ok(await fitsWidth(h.page), 'the helper\'s list fits the phone')
  await h.ctx.close()

  // 进化镇's volunteer, on their phone, in 长辈模式.
  const v = await openAs(browser, server, 'jx_volunteer', PHONE, true)
  await v.page.goto(server.base + '/volunteer')
  const before = (await v.page.locator('[data-test=vol-balance]').innerText())
  const card = v.page.locator('.list-cards-li:has-text("陪同就医")').filter({ hasText: '凤冈县人民医院' })
  await card.waitFor()
  assert.match(await card.innerText(), /龙泉街道时间银行/)
  assert.doesNotMatch(await card.innerText(), /时间老人/, 'the volunteer sees the surname only')
  await card.locator('[data-test^=vol-take-]').click()
  await v.page.waitForURL((u) => u.searchParams.get('tab') === 'mine')
  const mine = v.page.locator('.list-cards-li:has-text("陪同就医")')
  await mine.locator('[data-test^=vol-done-]').click()
  await v.page.waitForSelector('[data-test=vol-done-dialog] form')
  await v.page.fill(input('vol-minutes'), '90')
  await v.page.fill(input('vol-code'), code)
  await v.page.click('[data-test=vol-done-save]')
  await v.page.waitForSelector('.el-message:has-text("时间已存入")')
  await v.page.waitForFunction((b) => document.querySelector('[data-test=vol-balance]').innerText !== b, before)
  assert.match(await v.page.locator('[data-test=vol-balance]').innerText(), /10 小时 30 分钟/) // the demo's 540 + 90 minutes
  await v.page.click('.el-tabs__item:has-text("我的明细")')
  const first = v.page.locator('.list-cards-li').first()
  await first.waitFor()
  assert.match(await first.innerText(), /兑换服务/)
  assert.match(await first.innerText(), /\+1\.5 小时/)
  assert.match(await first.innerText(), /通存通兑/)
  assert.ok(await fitsWidth(v.page), 'the volunteer\'s page fits the phone in 长辈模式')
  await v.page.screenshot({ path: `${SHOTS}/phone-elder-volunteer-statement.png`, fullPage: true })
  assert.deepEqual(v.page.errors, [])
  await v.ctx.close()

  // The hours left the elder's account in 龙泉: spent in another scheme, and the ledger holds.
  assert.equal(await balanceOf(elderMember), 600 - 90)
  const check = server.cli('timebank', 'verify')
  assert.equal(check.status, 0, check.stderr)
})

test('RULE-TB-050: the officer\'s page shows the schemes, the alliance and the measures; the paper statement prints large', async () => {
  const o = await openAs(browser, server, 'fg_civil', DESKTOP)
  await o.page.click('[data-test=menu-timebank]')
  await o.page.click('.el-tabs__item:has-text("时间银行与指标")')
  await o.page.waitForSelector('[data-test=tb-alliances-table] .el-table__row')
  assert.match(await o.page.locator('[data-test=tb-alliances-table]').innerText(), /龙泉街道时间银行 ⇄ 进化镇时间银行/)
  assert.match(await o.page.locator('[data-test=tb-alliances-table]').innerText(), /生效/)
  assert.match(await o.page.locator('[data-test=tb-measures]').innerText(), /老年志愿者占比/)
  await o.page.goto(server.base + `/timebank/members/${elderMember}/statement`)
  await o.page.waitForSelector('[data-test=tb-paper]')
  assert.match(await o.page.locator('[data-test=tb-paper-balance]').innerText(), /8 小时 30 分钟/)
  const size = await o.page.locator('.tb-paper-table td').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
  assert.ok(size >= 18, `large print (${size}px)`)
  assert.deepEqual(o.page.errors, [])
  await o.ctx.close()
})
