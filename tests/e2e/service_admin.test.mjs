// Home services' network and complaint queue in the browser (issue 13): at 1440×900 the county
// officer finds a caregiver's expired certificate (RULE-SVC-105), adds a service item through the
// form dialog (RULE-SVC-106) with the record open in the address, and closes a complaint from the
// queue (RULE-SVC-122, RULE-SVC-123); at 390×844 in 长辈模式 the second provider's account sees
// only its own provider as cards (RULE-SVC-112).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { launch, openAs, fitsWidth, input, axeViolations, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 } }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
let server, browser, civil, helper, carer
before(async () => {
  server = await new Server().start()
  browser = await launch()
  civil = await server.login('fg_civil')
  helper = await server.login('lq_helper')
  carer = await server.login('fg_caregiver')
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

const ok = (r, status = 200) => { assert.equal(r.status, status, JSON.stringify(r.body)); return r.body }

// A visit by 孙丽 tomorrow, done, confirmed and rated with a complaint: in the queue.
async function complained(text) {
  const e = ok(await civil.post('/api/v1/elders', { name: '投诉老人', id_number: idNumber('520327', '19400101', 950), region_code: '520327001001', address: '龙泉街道和平路 3 号', phone: '13800001234', lat: 27.965, lng: 107.72 }), 201)
  const day = new Date(Date.now() + 86400e3 + 8 * 3600e3).toISOString().slice(0, 10)
  const o = ok(await civil.post('/api/v1/service/orders', { elder_id: e.id, items: ['zhujie'], window_start: `${day}T10:00`, window_end: `${day}T10:59` }), 201)
  const sun = ok(await civil.get('/api/v1/service/admin/caregivers?q=孙丽')).items[0]
  ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '浏览器测试' }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/accept`, {}))
  const at = { lat: 27.965, lng: 107.72, accuracy_m: 10 }
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, at))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, at))
  ok(await helper.post(`/api/v1/service/orders/${o.id}/confirm-for-elder`, { reason: '电话回访确认' }))
  ok(await helper.post(`/api/v1/service/orders/${o.id}/rate`, { rating: 1, complaint: text }))
  return o.id
}

test('RULE-SVC-105, RULE-SVC-106, RULE-SVC-122, RULE-SVC-123: the network tabs, an item added by the form, a complaint closed from the queue', async () => {
  const orderId = await complained('地面没有拖干净')
  const { ctx, page } = await openAs(browser, server, 'fg_civil', DESKTOP)
  await page.click('[data-test="menu-service/network"]')
  await page.waitForSelector('[data-test=net-table] .el-table__row')
  assert.match(await page.innerText('[data-test=net-table]'), /凤冈县康乐家政养老服务有限公司/)
  // The caregivers' tab: 李强's certificate has expired (the demo).
  await page.click('.el-tabs__item:has-text("护理员")')
  await page.waitForURL(/tab=caregivers/)
  const li = page.locator('[data-test=net-table] .el-table__row', { hasText: '李强' })
  assert.match(await li.innerText(), /已过期/)
  await li.click()
  await page.waitForSelector('[data-test=net-detail-body]')
  assert.match(page.url(), /open=\d+/)
  assert.match(await page.innerText('[data-test=net-detail]'), /已过期/)
  await page.keyboard.press('Escape')
  await page.waitForURL((u) => !/open=/.test(u.href))

  // A new item through the form dialog; the drawer shows it and a reload keeps it open.
  await page.click('.el-tabs__item:has-text("服务项目")')
  await page.waitForURL(/tab=items/)
  await page.click('[data-test=net-new]')
  await page.waitForSelector('[data-test=net-dialog] form')
  await page.fill(input('net-f-code'), 'lifa')
  await page.fill(input('net-f-name'), '上门理发')
  await page.fill(input('net-f-category'), '其他')
  await page.click('[data-test=net-save]')
  await page.waitForSelector('.el-message--success:has-text("已保存")')
  await page.waitForURL(/open=lifa/)
  await page.reload()
  await page.waitForSelector('[data-test=net-detail-body]')
  assert.match(await page.innerText('[data-test=net-detail-body]'), /上门理发/)
  assert.equal(ok(await civil.get('/api/v1/service/admin/items/lifa')).price_fen, 3000)
  await page.screenshot({ path: `${SHOTS}/service-network.png` })
  await page.keyboard.press('Escape')
  await page.waitForURL((u) => !/open=/.test(u.href))
  await page.locator('.el-drawer').first().waitFor({ state: 'hidden' })

  // The queue: the complaint, accepted, then closed with a result and what was done.
  await page.click('[data-test="menu-service/complaints"]')
  const row = page.locator('[data-test=cp-table] .el-table__row', { hasText: '地面没有拖干净' })
  await row.waitFor()
  await row.click()
  await page.waitForSelector('[data-test=cp-form]')
  assert.match(page.url(), new RegExp(`open=${orderId}`))
  await page.click('[data-test=cp-accept]')
  await page.locator('[data-test=cp-state]', { hasText: '处理中' }).waitFor()
  await page.click('[data-test=cp-close]')
  await page.waitForSelector('.el-form-item__error:has-text("处理结果")')
  await page.click('[data-test=cp-result]')
  await page.click('.el-select-dropdown__item:has-text("投诉属实，已整改")')
  await page.fill('textarea[data-test=cp-resolution], [data-test=cp-resolution] textarea', '已约谈机构，重新上门打扫')
  await page.click('[data-test=cp-close]')
  await page.locator('[data-test=cp-state]', { hasText: '已办结' }).waitFor()
  await page.screenshot({ path: `${SHOTS}/service-complaints.png` })
  const c = ok(await civil.get(`/api/v1/service/complaints/${orderId}`))
  assert.equal(c.status, 'closed')
  assert.equal(c.result_code, 'upheld')
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-SVC-112: on a phone in 长辈模式 the second provider sees only its own provider and caregivers, as cards', async () => {
  const { ctx, page } = await openAs(browser, server, 'fg_provider2', PHONE, true)
  await page.goto(server.base + '/service/network')
  await page.waitForSelector('[data-test=list-card]')
  const cards = await page.locator('[data-test=list-card]').allInnerTexts()
  assert.equal(cards.length, 1)
  assert.match(cards[0], /康乐/)
  assert.ok(await fitsWidth(page), 'the page fits 390 px')
  await page.goto(server.base + '/service/network?tab=caregivers')
  await page.waitForSelector('[data-test=list-card]')
  const names = (await page.locator('[data-test=list-card] .card-name').allInnerTexts()).sort()
  assert.deepEqual(names, ['吴军', '周霞'].sort())
  // Another provider's station, by its address: not found or not yours.
  const other = ok(await civil.get('/api/v1/service/admin/stations?q=龙泉')).items[0]
  await page.goto(server.base + `/service/network?tab=stations&open=${other.id}`)
  await page.waitForSelector('[data-test=page-state]')
  assert.match(await page.innerText('[data-test=page-state]'), /服务站不存在或无权查看/)
  await page.screenshot({ path: `${SHOTS}/service-network-phone.png` })
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('RULE-SVC-213, RULE-SVC-214: the officer binds a new provider account to a station on the 账号绑定 tab; the account then sees that station only', async () => {
  const jx = ok(await civil.get('/api/v1/service/admin/stations?q=进化')).items[0]
  const { ctx, page } = await openAs(browser, server, 'fg_civil', { ...DESKTOP, bypassCSP: true })
  // The account made on 用户管理: the form says it must be bound before it sees anything.
  await page.goto(server.base + '/users')
  await page.click('[data-test=user-new]')
  await page.fill(input('user-username'), 'e2e_station')
  await page.fill(input('user-display-name'), '进化站 站长')
  await page.click('[data-test=user-role]')
  await page.click('[data-test=role-provider_admin]')
  assert.match(await page.innerText('[data-test=user-bind-hint]'), /账号绑定.*服务机构或服务站/)
  await page.click('[data-test=region-picker]')
  await page.click('.el-cascader-node:has-text("凤冈县") .el-radio') // the officer's tree starts at the county
  await page.keyboard.press('Escape')
  await page.fill(input('user-password'), 'Anlao-E2e-2026')
  await page.click('[data-test=user-save]')
  await page.waitForSelector('.el-message--success:has-text("用户已创建")')
  await page.goto(server.base + '/service/network?tab=accounts&state=0')
  const row = page.locator('[data-test=net-table] .el-table__row', { hasText: 'e2e_station' })
  await row.waitFor()
  assert.match(await row.innerText(), /未绑定/)
  await row.click()
  await page.waitForSelector('[data-test=net-bind]')
  await page.click('[data-test=net-bind-provider]')
  await page.click(`.el-select-dropdown__item:visible:has-text("${jx.provider_name}")`)
  await page.click('[data-test=net-bind-station]')
  await page.click(`.el-select-dropdown__item:visible:has-text("${jx.name}")`)
  await page.click('[data-test=net-bind-save]')
  await page.waitForSelector('.el-message--success:has-text("已保存绑定")')
  assert.match(await page.innerText('[data-test=net-detail-body]'), new RegExp(jx.name))
  assert.deepEqual(await axeViolations(page), [])
  await page.screenshot({ path: `${SHOTS}/service-accounts.png` })
  assert.deepEqual(page.errors, [])
  await ctx.close()
  // The account, signed in: its station alone.
  const st = await server.login('e2e_station', 'Anlao-E2e-2026')
  ok(await st.post('/api/v1/me/password', { old_password: 'Anlao-E2e-2026', new_password: 'Anlao-E2e-2027' }))
  const r = await st.get('/api/v1/service/stations')
  assert.deepEqual(r.body.items.map((x) => x.id), [jx.id])
})

test('RULE-SVC-221: a caregiver account is bound to its record found by name as the officer types, on a phone in 长辈模式', async () => {
  const admin = await server.login('admin')
  const jx = ok(await civil.get('/api/v1/service/admin/stations?q=进化')).items[0]
  const rec = ok(await civil.post('/api/v1/service/admin/caregivers', { station_id: jx.id, name: '查找护理员', skills: ['general'] }), 201)
  ok(await admin.post('/api/v1/users', { username: 'e2e_carer', display_name: '查找护理员', role: 'caregiver', region_code: '520327', password: 'Anlao-E2e-2026' }), 201)
  const { ctx, page } = await openAs(browser, server, 'fg_civil', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true }, true)
  await page.goto(server.base + '/service/network?tab=accounts&state=0')
  const card = page.locator('text=e2e_carer').first()
  await card.waitFor()
  await card.click()
  await page.waitForSelector('[data-test=net-bind]')
  // Typed, the select asks the server: the record is found whatever page it is on.
  await page.click('[data-test=net-bind-caregiver]')
  await page.keyboard.type('查找')
  await page.click('.el-select-dropdown__item:visible:has-text("查找护理员")')
  await page.click('[data-test=net-bind-save]')
  await page.waitForSelector('.el-message--success:has-text("已保存绑定")')
  const acc = ok(await civil.get('/api/v1/service/admin/accounts?q=e2e_carer')).items[0]
  assert.deepEqual([acc.caregiver_id, acc.caregiver_name], [rec.id, '查找护理员'])
  assert.ok(await fitsWidth(page), 'no sideways scrolling at 390 px')
  assert.deepEqual(await axeViolations(page), [])
  await page.screenshot({ path: `${SHOTS}/service-accounts-phone.png` })
  assert.deepEqual(page.errors, [])
  await ctx.close()
})
