// Issue 18, points 11, 13 and 2: what an officer hands on (exports in Chinese, audited, scoped),
// the overdue list, the audit detail, the regions page's counts, the demo county's shares, and
// given-name search.  Desktop 1440×900 and phone 390×844.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Server } from '../lib/server.mjs'
import { launch, openAs, SHOTS } from './browser.mjs'

const DESKTOP = { viewport: { width: 1440, height: 900 }, acceptDownloads: true }
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, acceptDownloads: true }

let server, browser
before(async () => {
  server = await new Server({ env: { ANLAO_DEMO_ELDERS: '2000' } }).start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.stop()
  server?.cleanup()
})

const open = (user, opts = DESKTOP, elder = false) => openAs(browser, server, user, opts, elder)

// Click `sel` and return the downloaded file: its suggested name and its text.
async function downloaded(page, sel) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(sel)])
  const path = await d.path()
  return { name: d.suggestedFilename(), text: readFileSync(path, 'utf8'), bytes: readFileSync(path) }
}

// RULE-UI-001: the identification export writes 死亡/迁出 and what the person still receives.
test('identification export: 死亡/迁出 in Chinese and the service still received (desktop, phone)', async () => {
  for (const opts of [DESKTOP, PHONE]) {
    const { ctx, page } = await open('fg_civil', opts)
    await page.goto(server.base + '/identify?list=inactive_in_service')
    await page.waitForSelector(opts === PHONE ? '[data-test=identify-cards]' : '[data-test=identify-table]')
    const { name, text } = await downloaded(page, '[data-test=export-csv]')
    assert.match(name, /死亡或迁出仍在享受服务\.csv$/)
    const rows = text.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    assert.ok(rows.length > 1, 'the demo has dead or moved elders still in service')
    assert.ok(!/deceased|moved_out/.test(text), 'no stored words in the export')
    for (const row of rows.slice(1)) {
      assert.match(row, /,(死亡|迁出),/, row)
      assert.match(row, /仍在享受：/, row)
    }
    await ctx.close()
  }
})

// The audit entries of `action` the admin sees, newest first.
async function audits(action) {
  const admin = await server.login('admin')
  return (await admin.get(`/api/v1/audit?action=${action}&page_size=50`)).body.items
}

// RULE-UI-002: the overdue list pages, filters by township and exports what it shows (audited).
test('overdue reassessments: paged, filtered by township, exported (desktop, phone)', async () => {
  const api = await server.login('fg_civil')
  const all = (await api.get('/api/v1/assessments/due?within_days=365&page_size=1')).body
  assert.ok(all.total > 20, `more than a page is due within a year (${all.total})`)
  const towns = (await api.get('/api/v1/regions?parent=520327')).body.items
  let town = null, inTown = 0
  for (const t of towns) {
    inTown = (await api.get(`/api/v1/assessments/due?within_days=365&region=${t.code}&page_size=1`)).body.total
    if (inTown > 0 && inTown < all.total) { town = t; break }
  }
  assert.ok(town, 'a township with part of the due list')
  for (const opts of [DESKTOP, PHONE]) {
    const { ctx, page } = await open('fg_civil', opts)
    await page.goto(server.base + '/assessments?within=365')
    const list = opts === PHONE ? '[data-test=due-cards]' : '[data-test=due-table]'
    await page.waitForSelector(list)
    await page.waitForSelector('[data-test=due-pager]')
    assert.match(await page.textContent('[data-test=due-pager]'), new RegExp(`共 ${all.total} 条`))
    // The township: the address keeps it, the pager counts it.
    await page.click('[data-test=due-region]')
    await page.click(`.el-select-dropdown__item:has-text("${town.name}")`)
    await page.waitForURL((u) => u.searchParams.get('region') === town.code)
    await page.waitForFunction((n) => document.querySelector('[data-test=due-pager]')?.textContent.includes(`共 ${n} 条`), inTown)
    const before = (await audits('assess.due_export')).length
    const { name, text } = await downloaded(page, '[data-test=due-export-csv]')
    assert.match(name, /^到期复评-.*\.csv$/)
    const rows = text.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    assert.equal(rows[0], '序号,类型,姓名,村（社区）,评估等级,有效期至,说明')
    assert.equal(rows.length - 1, inTown, 'every row of the filtered list, not a page')
    const after = await audits('assess.due_export')
    assert.equal(after.length, before + 1, 'the export is audited')
    assert.equal(after[0].detail.region, town.code)
    if (opts === PHONE) assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth + 1), true)
    await page.screenshot({ path: `${SHOTS}/due-${opts === PHONE ? 'phone' : 'desktop'}.png`, fullPage: true })
    await ctx.close()
  }
  // A township officer's export holds only their township (RULE-SCOPE-001).
  const lq = await server.login('lq_officer')
  const lqTotal = (await lq.get('/api/v1/assessments/due?within_days=365&page_size=1')).body.total
  const csv = await lq.get('/api/v1/assessments/due/export?format=csv&within_days=365', { raw: true })
  assert.equal(csv.raw.toString('utf8').trim().split('\n').length - 1, lqTotal)
})

// RULE-UI-003: the audit detail reads in Chinese, with region names; RULE-UI-005: the log exports.
test('audit log: the detail in Chinese with region names, and its export (desktop, phone)', async () => {
  const civil = await server.login('fg_civil')
  const e = (await civil.get('/api/v1/elders?page_size=1')).body.items[0]
  const full = (await civil.get(`/api/v1/elders/${e.id}`)).body
  const moved = await civil.patch(`/api/v1/elders/${e.id}`, { version: full.version, region_code: '520327101201' })
  assert.equal(moved.status, 200, moved.text)
  for (const opts of [DESKTOP, PHONE]) {
    const { ctx, page } = await open('admin', opts)
    await page.goto(server.base + '/audit?action=elder.update')
    await page.waitForSelector('[data-test=audit-table] .el-table__row')
    const row = page.locator('[data-test=audit-table] .el-table__row').first()
    const cells = await row.textContent()
    assert.ok(!/\b520327\d{6}\b/.test(cells), `the region column names the area, not its code: ${cells}`)
    await row.locator('.el-table__expand-icon').click()
    const detail = await page.textContent('[data-test=audit-detail]')
    assert.match(detail, /改动字段：.*居住地区划/)
    assert.ok(!/region_code|"fields"|[{}]/.test(detail), detail)
    await page.screenshot({ path: `${SHOTS}/audit-${opts === PHONE ? 'phone' : 'desktop'}.png`, fullPage: true })
    // A user created in 龙泉街道 reads with its region's name.
    await page.goto(server.base + '/audit?action=user.create')
    await page.waitForSelector('[data-test=audit-table] .el-table__row')
    await page.locator('[data-test=audit-table] .el-table__row .el-table__expand-icon').first().click()
    assert.match(await page.textContent('[data-test=audit-detail]'), /角色：.+；区划：.+（\d{2,12}）/)
    if (opts === DESKTOP) {
      const before = (await audits('audit.export')).length
      const { name, text } = await downloaded(page, '[data-test=audit-export-csv]')
      assert.equal(name, '审计日志.csv')
      const rows = text.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
      assert.equal(rows[0], '时间,用户,操作,对象,区划,结果,来源地址,详情')
      assert.ok(rows.length > 1 && rows.slice(1).every((r) => r.includes('新增用户')), 'the filter applies to the export')
      assert.ok(!text.includes('user.create'))
      assert.equal((await audits('audit.export')).length, before + 1, 'the export is audited')
    }
    await ctx.close()
  }
})

// RULE-UI-004: 行政区划 counts the elders of each area as the elder list does (scoped), each count
// opening that list; the phone hint points up (上方), where the tree is.
test('regions: elder counts per area linking to the elder list; the phone hint says 上方 (desktop, phone)', async () => {
  for (const [user, opts] of [['fg_civil', DESKTOP], ['lq_officer', PHONE]]) {
    const api = await server.login(user)
    const { ctx, page } = await open(user, opts)
    await page.goto(server.base + '/regions')
    const hint = await page.locator('[data-test=region-hint]').innerText()
    if (opts === PHONE) { assert.match(hint, /上方/); assert.ok(!hint.includes('左侧'), hint) }
    else { assert.match(hint, /左侧/); assert.ok(!hint.includes('上方'), hint) }
    // The root is the user's own area, with the elder list's total.
    await page.waitForSelector('[data-test=region-count]')
    const me = (await api.get('/api/v1/regions')).body.items[0]
    const mine = (await api.get(`/api/v1/elders?status=active&region=${me.code}&page_size=1`)).body.total
    assert.equal((await page.locator('[data-test=region-count]').first().innerText()).trim(), `${mine} 人`)
    // Its children, each with its own list's total.
    await page.locator('[data-test=region-tree] .el-tree-node__content').first().click()
    await page.waitForSelector('[data-test=region-children] a')
    const kid = (await api.get(`/api/v1/dashboard/regions?parent=${me.code}`)).body.items.find((k) => k.active > 0)
    const kidTotal = (await api.get(`/api/v1/elders?status=active&region=${kid.code}&page_size=1`)).body.total
    assert.match(await page.textContent('[data-test=region-children]'), new RegExp(`${kid.name}：${kidTotal} 人`))
    await page.screenshot({ path: `${SHOTS}/regions-${opts === PHONE ? 'phone' : 'desktop'}.png`, fullPage: true })
    await page.click(`[data-test=region-children] a:has-text("${kid.name}")`)
    await page.waitForURL((u) => u.pathname === '/elders' && u.searchParams.get('region') === kid.code)
    await page.waitForFunction((n) => document.querySelector('[data-test=elders-pager]')?.textContent.includes(`共 ${n} 条`), kidTotal)
    await ctx.close()
  }
  // Scoped: a township officer's tree starts at the township, never the county's figure.
  const lq = await server.login('lq_officer')
  const county = (await (await server.login('fg_civil')).get('/api/v1/elders?page_size=1')).body.total
  const own = (await lq.get('/api/v1/elders?page_size=1')).body.total
  assert.ok(own < county)
})

// RULE-UI-005: the lists an officer hands on export what they show (CSV and XLSX), scoped like
// the list and audited: users, assessments (the audit log, the due list and the worklists above).
test('users and assessments export as filtered, scoped and audited (desktop, phone)', async () => {
  for (const [user, opts] of [['fg_civil', DESKTOP], ['lq_officer', PHONE]]) {
    const api = await server.login(user)
    const { ctx, page } = await open(user, opts)
    await page.goto(server.base + '/users?status=active')
    await page.waitForSelector('[data-test=users-table] .el-table__row')
    const listed = (await api.get('/api/v1/users?status=active&page_size=200')).body
    const before = (await audits('user.export')).length
    const { name, text } = await downloaded(page, '[data-test=users-export-csv]')
    assert.equal(name, '用户.csv')
    const rows = text.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    assert.equal(rows[0], '用户名,姓名,联系电话,角色,所属区划,区划代码,状态')
    assert.equal(rows.length - 1, listed.total, 'every user of the filtered list')
    assert.deepEqual(rows.slice(1).map((r) => r.split(',')[0]).sort(), listed.items.map((u) => u.username).sort())
    assert.ok(rows.slice(1).every((r) => r.endsWith(',启用')))
    const mine = (await api.get('/api/v1/me')).body.user?.region_code ?? ''
    assert.ok(rows.slice(1).every((r) => r.split(',')[5].startsWith(mine)), 'scoped (RULE-SCOPE-001)')
    assert.equal((await audits('user.export')).length, before + 1)
    const xlsx = await downloaded(page, '[data-test=users-export-xlsx]')
    assert.equal(xlsx.name, '用户.xlsx')
    assert.equal(xlsx.bytes.subarray(0, 2).toString(), 'PK')
    await ctx.close()
  }
  // Assessments: the records tab exports what its filter shows.
  const api = await server.login('fg_civil')
  const { ctx, page } = await open('fg_civil')
  await page.goto(server.base + '/assessments?tab=list&status=published')
  await page.waitForSelector('[data-test=assess-table] .el-table__row')
  const total = (await api.get('/api/v1/assessments?status=published&page_size=1')).body.total
  const { name, text } = await downloaded(page, '[data-test=assess-export-csv]')
  assert.equal(name, '评估记录.csv')
  const rows = text.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  assert.equal(rows[0], '编号,姓名,评估日期,评估等级,状态,有效期至')
  assert.equal(rows.length - 1, total)
  assert.ok(rows.slice(1).every((r) => r.split(',')[4] === '已发布'))
  assert.ok((await audits('assess.export')).length >= 1)
  await ctx.close()
})

// The figure in a list's pager (共 N 条) once loaded.
async function pagerTotal(page, sel) {
  await page.waitForFunction((s) => /共 \d+ 条/.test(document.querySelector(s)?.textContent || ''), sel)
  return Number((await page.textContent(sel)).match(/共 (\d+) 条/)[1])
}

// RULE-UI-006: the demo county's shares are close to published statistics (src/gen/gen_demo.c).
test('demo county: special difficulty and its categories at plausible shares (desktop)', async () => {
  const { ctx, page } = await open('fg_civil')
  const share = async (query) => {
    await page.goto(server.base + '/elders' + query)
    return pagerTotal(page, '[data-test=elders-pager]')
  }
  const active = await share('')
  const pct = async (query) => (100 * (await share(query))) / active
  const special = await pct('?special=1')
  assert.ok(special >= 25 && special <= 45, `special difficulty ${special.toFixed(1)} % (was 54 %)`)
  const within = async (cat, lo, hi) => {
    const p = await pct(`?category=${cat}`)
    assert.ok(p >= lo && p <= hi, `${cat} ${p.toFixed(1)} % not within ${lo}–${hi} %`)
  }
  await within('advanced_age', 10, 18)
  await within('living_alone', 2, 15)
  await within('empty_nest', 5, 20)
  await within('disabled', 3, 12)
  await within('economic_difficulty', 3, 12)
  await within('left_behind', 1, 12)
  // 留守 only in rural villages (村委会: the last three digits 200–399).
  const api = await server.login('fg_civil')
  const lb = (await api.get('/api/v1/elders?category=left_behind&status=active&page_size=200')).body.items
  assert.ok(lb.length > 0 && lb.every((e) => Number(e.region_code.slice(9)) >= 200), 'left-behind elders live in villages')
  await ctx.close()
})

// RULE-UI-007: 1–2 characters of a given name find the names containing them (义成 in 王义成);
// an empty result says what was searched and how to widen the search.
test('elder search: a given name of 1–2 characters, and an empty state that says how to widen (desktop, phone)', async () => {
  const api = await server.login('fg_civil')
  // A registered elder with a three-character name: their given name is its last two.
  const someone = (await api.get('/api/v1/elders?status=active&page_size=200')).body.items.find((e) => [...e.name].length === 3)
  const given = [...someone.name].slice(1).join('')
  const whole = (await api.get(`/api/v1/elders?q=${encodeURIComponent(someone.name)}&status=active`)).body
  assert.ok(whole.total >= 1)
  for (const opts of [DESKTOP, PHONE]) {
    const { ctx, page } = await open('fg_civil', opts)
    await page.goto(server.base + '/elders')
    const list = opts === PHONE ? '[data-test=elders-cards]' : '[data-test=elders-table]'
    await page.waitForSelector(list)
    await page.fill('input[data-test=elders-q], [data-test=elders-q] input', given)
    await page.press('input[data-test=elders-q], [data-test=elders-q] input', 'Enter')
    await page.waitForURL((u) => u.searchParams.get('q') === given)
    await page.waitForFunction(([sel, name]) => document.querySelector(sel)?.textContent.includes(name), [list, someone.name])
    const names = await page.textContent(list)
    assert.ok(!/没有找到/.test(names))
    const two = (await api.get(`/api/v1/elders?q=${encodeURIComponent(given)}&status=active&page_size=200`)).body
    assert.ok(two.items.every((e) => e.name.includes(given)) && two.total >= whole.total)
    // One character too: every name containing it (not only those starting with it).
    const last = [...given][1]
    const one = (await api.get(`/api/v1/elders?q=${encodeURIComponent(last)}&status=active&page_size=200`)).body
    assert.ok(one.total >= two.total && one.items.every((e) => e.name.includes(last)))
    assert.ok(one.items.some((e) => !e.name.startsWith(last)))
    // Nothing found: the empty state names the search and the ways to widen it.
    await page.goto(server.base + '/elders?q=' + encodeURIComponent('龘龘龘') + '&category=living_alone')
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('没有找到'), list)
    const empty = await page.textContent(list)
    assert.match(empty, /没有找到在册的姓名、电话或住址含“龘龘龘”的老人/)
    assert.match(empty, /清除区划、类别/)
    assert.match(empty, /全部状态/)
    assert.match(empty, /一两个字/)
    await page.screenshot({ path: `${SHOTS}/search-empty-${opts === PHONE ? 'phone' : 'desktop'}.png`, fullPage: true })
    await ctx.close()
  }
})

// The cells of a CSV export: quoted fields may hold commas and doubled quotes.
function csvCells(text) {
  return text.replace(/^\uFEFF/, '').trim().split(/\r\n/).map((line) =>
    [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].filter((m, i, all) => i === 0 || all[i - 1][2] === ',')
      .map((m) => m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]))
}

// RULE-UI-008: the elder list exports every row of the filtered list in the address (not the
// page), in Chinese, masked for a reader without elder.read_pii, audited; RULE-UI-009: the
// imports page exports its records.
test('elder list and import records export as filtered, scoped, masked and audited (desktop, phone)', async () => {
  for (const [user, opts] of [['fg_civil', DESKTOP], ['lq_helper', PHONE]]) {
    const api = await server.login(user)
    const { ctx, page } = await open(user, opts)
    await page.goto(server.base + '/elders?category=advanced_age&status=all')
    await page.waitForSelector(opts === PHONE ? '[data-test=elders-cards]' : '[data-test=elders-table] .el-table__row')
    const total = (await api.get('/api/v1/elders?category=advanced_age&page_size=1')).body.total
    assert.ok(total > 20, 'more than a page')
    const before = (await audits('elder.export')).length
    const { name, text } = await downloaded(page, '[data-test=elders-export-csv]')
    assert.match(name, /^老年人名单-\d{4}-\d{2}-\d{2}\.csv$/)
    assert.equal(text.charCodeAt(0), 0xfeff, 'UTF-8 with a BOM')
    const rows = csvCells(text)
    assert.equal(rows[0][3], user === 'fg_civil' ? '出生日期' : '出生年份', 'RULE-PII-001')
    assert.equal(rows.length - 1, total, 'every row of the filtered list')
    for (const r of rows.slice(1)) assert.ok(r[10].includes('高龄') && /^(在册|迁出|死亡|注销)$/.test(r[9]), `names, not codes: ${r}`)
    if (user === 'lq_helper') assert.ok(rows.slice(1).every((r) => /^\d{4}$/.test(r[3]) && r[6].startsWith('520327001')))
    const e = (await audits('elder.export'))
    assert.equal(e.length, before + 1)
    assert.equal(e[0].detail.rows, total)
    assert.equal(e[0].detail.category, 'advanced_age')
    await ctx.close()
  }
  const { ctx, page } = await open('fg_civil')
  await page.goto(server.base + '/imports')
  await page.waitForSelector('[data-test=imports-export-csv]')
  const { name, text } = await downloaded(page, '[data-test=imports-export-csv]')
  assert.match(name, /^导入记录-\d{4}-\d{2}-\d{2}\.csv$/)
  assert.equal(text.replace(/^\uFEFF/, '').split(/\r?\n/)[0], '编号,类型,文件名,导入人,状态,总行数,通过,未通过,上传时间,提交时间')
  assert.ok((await audits('import.export')).length >= 1)
  await ctx.close()
})
