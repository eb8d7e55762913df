// The web shell in a real browser: sign in, create a user, see its audit entry, 长辈模式,
// and the phone viewport.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, ADMIN_PASSWORD } from '../lib/server.mjs'
import { launch, signIn, fitsWidth, input, SHOTS } from './browser.mjs'

let server, browser

before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

test('sign in, see real counts, create a user, find it in the audit log', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  await page.goto(server.base + '/login')
  await page.fill(input('login-username'), 'admin')
  await page.fill(input('login-password'), 'wrong-password1')
  await page.click('[data-test=login-submit]')
  await page.waitForSelector('[data-test=login-error]')
  assert.match(await page.textContent('[data-test=login-error]'), /用户名或密码错误/)

  await signIn(page, server.base, 'admin', ADMIN_PASSWORD)
  await page.waitForSelector('[data-test=count-users]')
  const users = Number((await page.textContent('[data-test=count-users] .value')).trim())
  assert.equal(users, 8, 'admin + 7 demo accounts, counted from the database')
  await page.screenshot({ path: `${SHOTS}/home.png`, fullPage: true })

  await page.click('[data-test=menu-users]')
  await page.waitForSelector('[data-test=users-table]')
  await page.click('[data-test=user-new]')
  await page.fill(input('user-username'), 'e2e_helper')
  await page.fill(input('user-display-name'), '端到端 助老员')
  await page.click('[data-test=user-role]')
  await page.click('[data-test=role-helper]')
  // Region: 贵州省 → 遵义市 → 凤冈县 → 龙泉街道 through the lazy cascader.
  await page.click('[data-test=region-picker]')
  for (const name of ['贵州省', '遵义市', '凤冈县']) {
    await page.click(`.el-cascader-node:has-text("${name}")`)
  }
  await page.click('.el-cascader-node:has-text("龙泉街道") .el-radio')
  await page.keyboard.press('Escape')
  await page.fill(input('user-password'), 'Helper2026x')
  await page.click('[data-test=user-save]')
  await page.waitForSelector('[data-test=users-table] >> text=e2e_helper')
  await page.screenshot({ path: `${SHOTS}/users.png`, fullPage: true })

  await page.click('[data-test=menu-audit]')
  await page.waitForSelector('[data-test=audit-table] >> text=新增用户')
  const row = await page.textContent('[data-test=audit-table] .el-table__body')
  assert.match(row, /新增用户/)
  await page.screenshot({ path: `${SHOTS}/audit.png`, fullPage: true })

  const created = await server.client()
  const c = await server.login('admin')
  const list = await c.get('/api/v1/users?q=e2e_helper')
  assert.equal(list.body.items[0].region_code, '520327001')
  assert.equal(list.body.items[0].role, 'helper')
  void created
  await page.close()
})

test('长辈模式 makes text large, and it is remembered for the user', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  await signIn(page, server.base, 'fg_civil', 'Anlao2026')
  await page.waitForSelector('[data-test=elder-mode]')
  const before = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize))
  await page.click('[data-test=elder-mode]')
  await page.waitForFunction(() => document.documentElement.classList.contains('elder-mode'))
  const size = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize))
  assert.ok(size >= 18, `body font ${size}px`)
  assert.ok(size > before)
  await page.waitForTimeout(300) // the preference is saved through the API
  await page.screenshot({ path: `${SHOTS}/elder-mode.png`, fullPage: true })

  // A fresh browser context (no local storage) still gets it from the account.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const p2 = await ctx.newPage()
  await signIn(p2, server.base, 'fg_civil', 'Anlao2026')
  await p2.waitForSelector('[data-test=elder-mode]')
  assert.ok(await p2.evaluate(() => document.documentElement.classList.contains('elder-mode')))
  const btn = await p2.evaluate(() => document.querySelector('.el-button').getBoundingClientRect().height)
  assert.ok(btn >= 44, `touch target ${btn}px`)
  await ctx.close()
  await page.close()
})

test('pages fit a 390×844 phone', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
  const page = await ctx.newPage()
  await page.goto(server.base + '/login')
  assert.ok(await fitsWidth(page), 'login fits')
  await page.screenshot({ path: `${SHOTS}/phone-login.png` })
  await signIn(page, server.base, 'admin', ADMIN_PASSWORD)
  await page.waitForSelector('[data-test=menu-toggle]')
  await page.click('[data-test=menu-toggle]')
  await page.click('[data-test=menu-users]')
  await page.waitForSelector('[data-test=users-table]')
  assert.ok(await fitsWidth(page), 'users page fits')
  await page.screenshot({ path: `${SHOTS}/phone-users.png`, fullPage: true })
  await ctx.close()
})
