// The web shell in a real browser: sign in (and the Chinese errors of a failed sign-in),
// real home counts, create a user through the form with a generated password, find it in the
// list and the audit log, the forced password change of that user, permission-built menus,
// the region tree, 长辈模式 remembered per user, and the 390×844 phone viewport.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, ADMIN_PASSWORD } from '../lib/server.mjs'
import { launch, signIn, fitsWidth, input, SHOTS } from './browser.mjs'

let server, browser
let generated = '' // the password the server generated for the user created in the form
const cspViolations = []

before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
  assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violations and no script errors')
})

// Every page we open reports CSP violations and uncaught script errors.
function watch(page) {
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text())
  })
  page.on('pageerror', (e) => cspViolations.push(String(e)))
  return page
}
async function newPage(opts = { viewport: { width: 1280, height: 800 } }) {
  const ctx = await browser.newContext(opts)
  const page = watch(await ctx.newPage())
  return { ctx, page }
}
const bodyFont = (page) => page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize))
// Element Plus animates dialogs, drawers and tree nodes; let them finish before a screenshot.
const settle = (page) => page.waitForTimeout(400)
const isElder = (page) => page.evaluate(() => document.documentElement.classList.contains('elder-mode'))

test('sign in, see real counts, create a user, find it in the list and the audit log', async () => {
  const { ctx, page } = await newPage()
  await page.goto(server.base + '/login')
  await page.fill(input('login-username'), 'admin')
  await page.fill(input('login-password'), 'wrong-password1')
  await page.click('[data-test=login-submit]')
  await page.waitForSelector('[data-test=login-error]')
  assert.match(await page.textContent('[data-test=login-error]'), /用户名或密码错误/)

  await signIn(page, server.base, 'admin', ADMIN_PASSWORD)
  await page.waitForSelector('[data-test=count-users]')
  const count = async (k) => Number((await page.textContent(`[data-test=count-${k}] .value`)).trim())
  assert.equal(await count('users'), 17, 'admin + 9 demo accounts of the county + the two volunteers of the time bank (issue 16) + the province and city officers who approve list changes (issue 12) + the second provider\'s account (issue 13, RULE-SVC-110) + the family account (RULE-SVC-157) + the 龙泉 station\'s account (RULE-SVC-207), counted from the database')
  assert.equal(await count('users_active'), 17)
  assert.equal(await count('login_failures_today'), 1, 'the failed attempt above')
  assert.ok(await count('logins_today') >= 1)
  assert.ok(await count('townships') > 0 && await count('villages') > 0)
  const labels = await page.textContent('[data-test=home-counts]')
  for (const l of ['用户总数', '启用用户', '乡镇/街道', '村/社区', '今日操作记录', '今日登录', '今日登录失败']) {
    assert.ok(labels.includes(l), l)
  }
  const header = await page.textContent('.el-header')
  assert.match(header, /安老 · 居家和社区养老服务平台/)
  assert.match(header, /系统管理员/)
  await page.screenshot({ path: `${SHOTS}/home.png`, fullPage: true })

  await page.click('[data-test=menu-users]')
  await page.waitForSelector('[data-test=users-table] .el-table__row')
  await page.click('[data-test=user-new]')
  await page.fill(input('user-username'), 'e2e_xj')
  await page.fill(input('user-display-name'), '新建镇 测试管理员')
  await page.fill(input('user-phone'), '13800000000')
  await page.click('[data-test=user-role]')
  await page.click('[data-test=role-township_officer]')
  // Region 贵州省 → 遵义市 → 凤冈县 → 新建镇 (520327112) through the lazy cascader.
  await page.click('[data-test=region-picker]')
  for (const name of ['贵州省', '遵义市', '凤冈县']) {
    await page.click(`.el-cascader-node:has-text("${name}")`)
  }
  await page.click('.el-cascader-node:has-text("新建镇") .el-radio')
  await page.keyboard.press('Escape')
  // No password: the server generates one and it is shown once.
  await page.click('[data-test=user-save]')
  await page.waitForSelector('[data-test=generated-password]')
  generated = (await page.textContent('[data-test=generated-password]')).trim()
  assert.match(generated, /^\S{8,}$/)
  await settle(page)
  await page.screenshot({ path: `${SHOTS}/user-generated-password.png` })
  await page.click('.el-message-box__btns .el-button--primary')
  await page.waitForSelector('[data-test=users-table] >> text=e2e_xj')
  const row = await page.textContent('[data-test=users-table] .el-table__row:has-text("e2e_xj")')
  assert.match(row, /新建镇 测试管理员/)
  assert.match(row, /乡镇\/街道管理员/)
  assert.match(row, /新建镇/)
  await page.waitForSelector('.el-overlay', { state: 'hidden' })
  await page.screenshot({ path: `${SHOTS}/users.png`, fullPage: true })

  // A field error from the API lands on its form field: the same username again.
  await page.click('[data-test=user-new]')
  await page.fill(input('user-username'), 'e2e_xj')
  await page.fill(input('user-display-name'), '重复')
  await page.click('[data-test=user-role]')
  await page.click('[data-test=role-helper]')
  await page.click('[data-test=user-save]')
  await page.waitForSelector('.el-dialog .el-form-item__error:has-text("已存在")')
  await page.click('.el-dialog__headerbtn')

  // Someone else changes the user while the edit dialog is open: 409, told in Chinese, reloaded.
  const api = await server.login('admin')
  await page.click('[data-test=user-edit-e2e_xj]')
  await page.waitForSelector('.el-dialog:visible')
  const cur = (await api.get('/api/v1/users?q=e2e_xj')).body.items[0]
  const other = await api.patch(`/api/v1/users/${cur.id}`, { version: cur.version, display_name: '新建镇 他人改过' })
  assert.equal(other.status, 200, JSON.stringify(other.body))
  await page.fill(input('user-phone'), '13900000000')
  await page.click('[data-test=user-save]')
  await page.waitForSelector('.el-message--warning:has-text("已被他人修改")')
  await page.waitForSelector('[data-test=users-table] .el-table__row:has-text("新建镇 他人改过")')

  await page.click('[data-test=menu-audit]')
  await page.waitForSelector('[data-test=audit-table] >> text=新增用户')
  const first = await page.textContent('[data-test=audit-table] .el-table__row:has-text("新增用户")')
  assert.match(first, /admin/)
  assert.match(first, /新增用户/)
  assert.match(first, /新建镇/, 'RULE-UI-003: the region by its name')
  assert.match(first, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/, 'local time as YYYY-MM-DD HH:mm:ss')
  await page.click('[data-test=audit-table] .el-table__row:has-text("新增用户") .el-table__expand-icon')
  await page.waitForSelector('[data-test=audit-detail]')
  assert.match(await page.textContent('[data-test=audit-detail]'), /用户名：.+；角色：.+；区划：新建镇（520327112）/)
  await page.screenshot({ path: `${SHOTS}/audit.png`, fullPage: true })

  // The region tree and its detail panel.
  await page.click('[data-test=menu-regions]')
  await page.click('[data-test=region-tree] .el-tree-node__content:has-text("贵州省") .el-tree-node__expand-icon')
  await page.click('[data-test=region-tree] .el-tree-node__content:has-text("遵义市") .el-tree-node__expand-icon')
  await page.click('[data-test=region-tree] .el-tree-node__content:has-text("凤冈县")')
  await page.waitForSelector('[data-test=region-detail] >> text=520327')
  const detail = await page.textContent('[data-test=region-detail]')
  assert.match(detail, /贵州省/)
  assert.match(detail, /遵义市/)
  assert.match(detail, /级别\s*县/)
  await settle(page)
  await page.screenshot({ path: `${SHOTS}/regions.png`, fullPage: true })

  const list = await api.get('/api/v1/users?q=e2e_xj')
  assert.equal(list.body.items[0].region_code, '520327112')
  assert.equal(list.body.items[0].role, 'township_officer')
  assert.equal(list.body.items[0].must_change_password, true)
  await ctx.close()
})

test('the new user must change the generated password first; the menu follows permissions', async () => {
  assert.ok(generated, 'created in the previous test')
  const { ctx, page } = await newPage()
  await signIn(page, server.base, 'e2e_xj', generated)
  await page.waitForURL((u) => u.pathname === '/password')
  // Other pages stay closed until the password is changed.
  await page.goto(server.base + '/users')
  await page.waitForURL((u) => u.pathname === '/password')
  await page.fill(input('pw-old'), generated)
  await page.fill(input('pw-new'), 'short')
  await page.fill(input('pw-confirm'), 'short')
  await page.click('[data-test=pw-submit]')
  await page.waitForSelector('.el-form-item__error')
  await page.fill(input('pw-new'), 'Xinjian2026')
  await page.fill(input('pw-confirm'), 'Xinjian2026')
  await page.click('[data-test=pw-submit]')
  await page.waitForSelector('[data-test=home-todos]')
  assert.equal(await page.$('[data-test=home-counts]'), null, 'the 系统 block is for administrators only (issue 18)')
  const header = await page.textContent('.el-header')
  assert.match(header, /新建镇 他人改过/)
  assert.match(header, /乡镇\/街道管理员/)
  // A township officer has user.read and region.read but not audit.read.
  assert.ok(await page.$('[data-test=menu-users]'))
  assert.ok(await page.$('[data-test=menu-regions]'))
  assert.equal(await page.$('[data-test=menu-audit]'), null)
  await page.goto(server.base + '/audit')
  await page.waitForURL((u) => u.pathname === '/')
  await ctx.close()
})

test('too many wrong passwords: the server\'s 429 message is shown', async () => {
  const c = await server.login('admin')
  const r = await c.post('/api/v1/users', { username: 'e2e_lock', password: 'Locked2026', display_name: '锁定测试',
    role: 'helper', region_code: '520327001' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const { ctx, page } = await newPage()
  await page.goto(server.base + '/login')
  await page.fill(input('login-username'), 'e2e_lock')
  let text = ''
  for (let i = 0; i < 8 && !/锁定/.test(text); i++) {
    await page.fill(input('login-password'), `wrong-pass${i}`)
    const answered = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/login'))
    await page.click('[data-test=login-submit]')
    const res = await answered
    if (res.status() === 429) await page.waitForSelector('[data-test=login-error]:has-text("锁定")')
    else await page.waitForSelector('[data-test=login-error]:has-text("用户名或密码错误")')
    text = await page.textContent('[data-test=login-error]')
  }
  assert.match(text, /锁定/)
  assert.match(text, /分钟/)
  await page.screenshot({ path: `${SHOTS}/login-locked.png` })
  await ctx.close()
})

test('长辈模式 makes text and targets large, and it is remembered for the user', async () => {
  const { ctx, page } = await newPage()
  await signIn(page, server.base, 'fg_civil', 'Anlao2026')
  await page.waitForSelector('[data-test=elder-mode]')
  assert.equal(await isElder(page), false)
  const before = await bodyFont(page)
  const savedOn = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH')
  await page.click('[data-test=elder-mode]')
  await page.waitForFunction(() => document.documentElement.classList.contains('elder-mode'))
  const size = await bodyFont(page)
  assert.ok(size >= 18, `body font ${size}px`)
  assert.ok(size > before)
  // Element Plus components scale too.
  const elBase = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).getPropertyValue('--el-font-size-base')))
  assert.ok(elBase >= 18, `--el-font-size-base ${elBase}`)
  assert.equal((await savedOn).status(), 200)
  await page.screenshot({ path: `${SHOTS}/elder-mode.png`, fullPage: true })

  // Reload: still on, from the account.
  await page.evaluate(() => localStorage.clear())
  await page.reload()
  await page.waitForSelector('[data-test=home-todos]')
  assert.ok(await isElder(page), 'persisted across a reload')
  assert.ok(await bodyFont(page) >= 18)

  await page.click('[data-test=menu-users]')
  await page.waitForSelector('[data-test=users-table] .el-table__row')
  const heights = await page.evaluate(() => ({
    button: document.querySelector('[data-test=user-new]').getBoundingClientRect().height,
    input: document.querySelector('[data-test=users-q]').closest('.el-input').getBoundingClientRect().height,
    sw: document.querySelector('[data-test=elder-mode]').getBoundingClientRect().height,
    menu: document.querySelector('[data-test=menu-users]').getBoundingClientRect().height,
    cell: parseFloat(getComputedStyle(document.querySelector('.el-table .cell')).fontSize),
  }))
  for (const k of ['button', 'input', 'sw', 'menu']) assert.ok(heights[k] >= 44, `${k} target ${heights[k]}px`)
  assert.ok(heights.cell >= 18, `table text ${heights.cell}px`)
  await settle(page)
  await page.screenshot({ path: `${SHOTS}/elder-mode-users.png`, fullPage: true })

  // A fresh browser (no local storage) still gets it from the account.
  const second = await newPage()
  await signIn(second.page, server.base, 'fg_civil', 'Anlao2026')
  await second.page.waitForSelector('[data-test=elder-mode]')
  assert.ok(await isElder(second.page))
  await second.ctx.close()

  // Switching it off is remembered as well.
  const savedOff = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH')
  await page.click('[data-test=elder-mode]')
  assert.equal((await savedOff).status(), 200)
  await page.reload()
  await page.waitForSelector('[data-test=users-table]')
  assert.equal(await isElder(page), false)
  await ctx.close()
})

test('pages fit a 390×844 phone', async () => {
  const { ctx, page } = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
  await page.goto(server.base + '/login')
  assert.ok(await fitsWidth(page), 'login fits')
  await page.screenshot({ path: `${SHOTS}/phone-login.png` })
  await signIn(page, server.base, 'admin', ADMIN_PASSWORD)
  await page.waitForSelector('[data-test=menu-toggle]')
  assert.ok(await fitsWidth(page), 'home fits')
  await page.click('[data-test=menu-toggle]')
  await page.waitForSelector('[data-test=drawer-who]')
  assert.match(await page.textContent('[data-test=drawer-who]'), /系统管理员/)
  await settle(page)
  await page.screenshot({ path: `${SHOTS}/phone-menu.png` })
  await page.click('[data-test=menu-users]')
  await page.waitForSelector('[data-test=users-table] .el-table__row')
  await page.waitForSelector('.el-drawer', { state: 'hidden' })
  assert.ok(await fitsWidth(page), 'users page fits')
  await page.screenshot({ path: `${SHOTS}/phone-users.png`, fullPage: true })

  await page.click('[data-test=user-new]')
  await page.waitForSelector('.el-dialog')
  const dlg = await page.evaluate(() => document.querySelector('.el-dialog').getBoundingClientRect().width)
  assert.ok(dlg >= 370 && dlg <= 390, `dialog ${dlg}px wide`)
  assert.ok(await fitsWidth(page), 'dialog fits')
  await settle(page)
  await page.screenshot({ path: `${SHOTS}/phone-user-dialog.png` })
  await page.click('.el-dialog__headerbtn')

  for (const path of ['/audit', '/regions']) {
    await page.goto(server.base + path)
    await page.waitForSelector('.page-title')
    await page.waitForLoadState('networkidle')
    await settle(page)
    assert.ok(await fitsWidth(page), `${path} fits`)
    await page.screenshot({ path: `${SHOTS}/phone${path.replace('/', '-')}.png`, fullPage: true })
  }

  // 长辈模式 on a phone still fits.
  await page.goto(server.base + '/users')
  await page.waitForSelector('[data-test=users-table] .el-table__row')
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH')
  await page.click('[data-test=elder-mode]')
  await saved
  assert.ok(await isElder(page))
  assert.ok(await bodyFont(page) >= 18)
  await settle(page)
  assert.ok(await fitsWidth(page), 'users page fits in 长辈模式')
  await page.screenshot({ path: `${SHOTS}/phone-elder-users.png`, fullPage: true })
  await page.click('[data-test=elder-mode]')
  await ctx.close()
})
