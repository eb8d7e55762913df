// Issue 18, point 6: a record can be corrected in the web app. The elder page edits the editable
// fields (PATCH with the version; a 409 says 档案已被他人修改 and offers a reload; a field error
// shows on its field), changes the status (死亡/迁出/注销 with date and reason, both required),
// adds and removes contacts, grants and revokes consents. Buttons only with the permission.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, DEMO_PASSWORD } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { launch, signIn, fitsWidth, input, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 } }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }

let server, browser, civil, elder, family
before(async () => {
  server = await new Server().start()
  browser = await launch()
  civil = await server.login('fg_civil')
  const r = await civil.post('/api/v1/elders', { name: '改档甲', id_number: idNumber('520327', '19400305', 731),
    region_code: '520327001001', address: '龙泉街道一号', phone: '13800001234', economic_status: 'general' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  elder = r.body
  const admin = await server.login('admin')
  const u = await admin.post('/api/v1/users', { username: 'fam_gai', display_name: '改档家属', role: 'family',
    region_code: '520327001001', password: 'Abcdefg123', phone: '13800002222' })
  assert.equal(u.status, 201, JSON.stringify(u.body))
  family = u.body
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

async function open(user, opts = DESKTOP, elderMode = false) {
  const ctx = await browser.newContext(opts)
  const page = await ctx.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.errors = errors
  await signIn(page, server.base, user, DEMO_PASSWORD)
  await page.waitForSelector('[data-test=elder-mode]')
  const on = () => page.evaluate(() => document.documentElement.classList.contains('elder-mode'))
  if ((await on()) !== elderMode) {
    await page.click('[data-test=elder-mode]')
    await page.waitForFunction((want) => document.documentElement.classList.contains('elder-mode') === want, elderMode)
  }
  await page.goto(`${server.base}/elders/${elder.id}`)
  await page.waitForSelector('[data-test=elder-person]')
  return { ctx, page }
}
const record = async () => (await civil.get(`/api/v1/elders/${elder.id}`)).body
// The error text under the form item holding `sel`.
const fieldError = (page, sel) => page.locator(`.el-form-item:has(${sel}) .el-form-item__error`)

test('edit: the changed fields go with the version; a field error shows on its field; a 409 offers a reload (desktop)', async () => {
  const { ctx, page } = await open('fg_civil')
  const before = await record()
  await page.click('[data-test=elder-edit]')
  await page.waitForSelector('[data-test=edit-dialog] form')
  await page.screenshot({ path: `${SHOTS}/elder-edit-desktop.png` })
  // A bad phone: the server's message on the phone field, nothing saved.
  await page.fill(input('edit-phone'), '12345')
  await page.click('[data-test=edit-save]')
  await fieldError(page, '[data-test=edit-phone]').waitFor()
  assert.match(await fieldError(page, '[data-test=edit-phone]').textContent(), /电话|手机/)
  assert.equal((await record()).version, before.version)
  // A good change: saved, shown, the version moves on.
  await page.fill(input('edit-phone'), '13800001234')
  await page.fill(input('edit-address'), '龙泉街道二号院')
  await page.click('[data-test=edit-save]')
  await page.waitForSelector('[data-test=edit-dialog]', { state: 'hidden' })
  const after1 = await record()
  assert.equal(after1.address, '龙泉街道二号院')
  assert.equal(after1.version, before.version + 1)
  assert.match(await page.textContent('[data-test=elder-person]'), /龙泉街道二号院/)
  // Someone else saves meanwhile: 409 → 档案已被他人修改, 重新加载 shows their change.
  await page.click('[data-test=elder-edit]')
  await page.waitForSelector('[data-test=edit-dialog] form')
  const other = await civil.patch(`/api/v1/elders/${elder.id}`, { version: after1.version, address: '他人改的住址' })
  assert.equal(other.status, 200)
  await page.fill(input('edit-name'), '改档乙')
  await page.click('[data-test=edit-save]')
  await page.waitForSelector('.el-message-box:has-text("档案已被他人修改")')
  await page.screenshot({ path: `${SHOTS}/elder-edit-conflict.png` })
  await page.click('.el-message-box button:has-text("重新加载")')
  await page.waitForFunction(() => document.querySelector('[data-test=elder-person]')?.textContent.includes('他人改的住址'))
  assert.equal((await record()).name, '改档甲', 'the stale edit was not saved')
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('status, contacts and consents on a phone in 长辈模式 (helper of the village)', async () => {
  const { ctx, page } = await open('lq_helper', PHONE, true)
  // Contact: add, shown, remove.
  await page.click('[data-test=contact-add]')
  await page.waitForSelector('[data-test=contact-dialog] form')
  await page.fill(input('contact-relation'), '儿子')
  await page.fill(input('contact-name'), '改档丙')
  await page.fill(input('contact-phone'), '13900001111')
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/elder-contact-phone-elder.png` })
  await page.click('[data-test=contact-save]')
  await page.waitForFunction(() => document.querySelector('[data-test=elder-contacts]')?.textContent.includes('改档丙'))
  const c = (await record()).contacts.find((x) => x.name === '改档丙')
  assert.ok(c)
  await page.click(`[data-test=contact-remove-${c.id}]`)
  await page.click('.el-message-box button:has-text("删除")')
  await page.waitForFunction(() => !document.querySelector('[data-test=elder-contacts]')?.textContent.includes('改档丙'))
  assert.equal((await record()).contacts.length, 0)
  // Consent: the helper has no user list, so the account number; grant, then revoke.
  await page.click('[data-test=consent-add]')
  await page.waitForSelector('[data-test=consent-dialog] form')
  await page.fill(input('consent-user-id'), String(family.id))
  await page.fill(input('consent-relation'), '女儿')
  await page.click('[data-test=consent-save]')
  await page.waitForFunction(() => document.querySelector('[data-test=elder-consents]')?.textContent.includes('改档家属'))
  const k = (await record()).consents.find((x) => x.user_id === family.id)
  assert.ok(k && !k.revoked_at)
  await page.click(`[data-test=consent-revoke-${k.id}]`)
  await page.click('.el-message-box button:has-text("撤销")')
  await page.waitForFunction(() => document.querySelector('[data-test=elder-consents]')?.textContent.includes('已撤销'))
  // Status: 死亡 needs the date and the reason; then the record says 死亡.
  await page.click('[data-test=elder-status]')
  await page.waitForSelector('[data-test=status-dialog] form')
  await page.click('[data-test=status-save]')
  await page.locator('[data-test=status-date-item] .el-form-item__error').waitFor()
  assert.equal((await record()).status, 'active')
  await page.fill('[data-test=status-date-item] input', '2026-11-30')
  await page.keyboard.press('Enter')
  await page.fill(input('status-reason'), '病故')
  assert.ok(await fitsWidth(page))
  await page.screenshot({ path: `${SHOTS}/elder-status-phone-elder.png` })
  await page.click('[data-test=status-save]')
  await page.waitForSelector('[data-test=elder-status-tag]')
  const r = await record()
  assert.equal(r.status, 'deceased')
  assert.equal(r.status_date, '2026-11-30')
  assert.equal(r.status_reason, '病故')
  assert.deepEqual(page.errors, [])
  await ctx.close()
})

test('no write buttons without elder.write (an assessor reads the same record)', async () => {
  const { ctx, page } = await open('fg_assessor', PHONE)
  for (const b of ['elder-edit', 'elder-status', 'contact-add', 'consent-add'])
    assert.equal(await page.$(`[data-test=${b}]`), null, b)
  await ctx.close()
})
