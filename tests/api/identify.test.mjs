// Identification runs and their worklists (RULE-IDENT-*).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server, assertError, sleep } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { sqlite } from './helpers.mjs'

let s, c
before(async () => { s = await new Server().start(); c = await s.login('fg_civil') })
after(async () => { await s.stop(); s.cleanup() })

const file = (name, text) => { const p = join(s.dir, name); writeFileSync(p, text); return p }
const a = idNumber('520327', '19500101', 11)
const b = idNumber('520327', '19550505', 12) // 71: not 高龄, so not special at the baseline
const dupA = idNumber('520327', '19480808', 13)
const dupB = idNumber('520327', '19480808', 15)

// A run from the page is a background job: 202 with its id, then followed to its result.
async function run(client) {
  const r = await client.post('/api/v1/identify/runs')
  assert.equal(r.status, 202, r.text)
  for (let i = 0; i < 200; i++) {
    const job = (await client.get(`/api/v1/jobs/${r.body.job_id}`)).body
    if (job.status === 'done') return { status: 202, body: job.result }
    assert.notEqual(job.status, 'failed', JSON.stringify(job))
    await sleep(25)
  }
  assert.fail('the identification job did not finish')
}

// RULE-IDENT-000 (the first run is the baseline), RULE-IDENT-005 (类别变化)
test('first run is the baseline; later runs list what changed', async () => {
  s.cli('import', '--kind', 'hukou', file('h1.csv', `身份证号,姓名,区划代码,住址\n${a},甲,520327001001,一号\n${b},乙,520327101201,二号\n${dupA},丙,520327001001,三号\n${dupB},丙,520327001003,四号\n`), '--commit')
  const r1 = await run(c)
  assert.equal(r1.body.baseline, true)
  assert.equal(r1.body.scanned, 4)
  assert.equal(r1.body.counts.duplicates, 2, 'same name, sex, birth date and county')

  // 乙 joins the low-income roll; 甲 dies; a new household file misses 乙.
  s.cli('import', '--kind', 'roll', file('roll.csv', `身份证号,姓名,类别,开始日期\n${b},乙,低保,2026-01-01\n${a},甲,特困,2026-01-01\n`), '--commit')
  s.cli('import', '--kind', 'death', file('death.csv', `身份证号,姓名,死亡日期\n${a},甲,2026-10-01\n`), '--commit')
  s.cli('import', '--kind', 'hukou', file('h2.csv', `身份证号,姓名,区划代码,住址\n${a},甲,520327001001,一号\n${dupA},丙,520327001001,三号\n${dupB},丙,520327001003,四号\n`), '--commit')

  const r2 = await run(c)
  assert.equal(r2.body.baseline, false)
  const list = async (name) => (await c.get(`/api/v1/identify/runs/${r2.body.id}/lists/${name}?page_size=200`)).body
  assert.deepEqual((await list('new_special')).items.map((i) => i.name), ['乙'])
  assert.deepEqual((await list('inactive_in_service')).items.map((i) => i.name), ['甲'])
  assert.deepEqual((await list('missing_hukou')).items.map((i) => i.name), ['乙'])
  assert.equal((await list('changed')).total, 2)
  // The 说明 reads in Chinese (the stored detail stays for programs).
  // RULE-UI-001: and says what the person still receives (甲 is on the 特困 roll).
  const dead = (await list('inactive_in_service')).items[0]
  assert.equal(dead.detail_text, '死亡（2026-10-01）；仍在享受：特困人员供养、特殊困难老年人服务（经济困难）')
  assert.equal(dead.status_name, '死亡')
  assert.match((await list('missing_hukou')).items[0].detail_text, /^第 \d+ 次户籍导入中没有此人$/)
  assert.match((await list('changed')).items.find((i) => i.name === '乙').detail_text, /→ .*经济困难/)
  const item = (await list('new_special')).items[0]
  assert.match(item.id_number_masked, /^520327\*{11}[\dX]$/) // RULE-PII-001
  assert.ok(!('phone' in item))

  const r3 = await run(c)
  assert.equal(r3.body.counts.new_special, 0, 'nothing new since the last run')
  assert.equal(r3.body.counts.changed, 0)
})

// RULE-IDENT-006: read and exported within the region, masked, each export audited
test('worklists are scoped and their exports are audited', async () => {
  const runs = (await c.get('/api/v1/identify/runs')).body
  const id = runs.items[0].id
  const jx = await s.login('jx_officer')
  assert.equal((await jx.get(`/api/v1/identify/runs/${id}/lists/duplicates`)).body.total, 0, 'the duplicates live in 龙泉街道')
  const lq = await s.login('lq_officer')
  assert.equal((await lq.get(`/api/v1/identify/runs/${id}/lists/duplicates`)).body.total, 2)
  const helper = await s.login('lq_helper')
  assertError(assert, await helper.get(`/api/v1/identify/runs/${id}/lists/duplicates`), 403, 'forbidden')
  const admin = await s.login('admin')
  const csv = await c.get(`/api/v1/identify/runs/${id}/lists/duplicates/export?format=csv`, { raw: true })
  assert.equal(csv.status, 200)
  assert.match(csv.headers.get('content-type'), /text\/csv/)
  const text = csv.raw.toString('utf8')
  assert.match(text, /身份证号（脱敏）/)
  assert.match(text, /与档案 #\d+ 疑似同一人/, 'the 说明 column in Chinese')
  assert.equal(text.trim().split('\r\n').length, 3)
  const xlsx = await c.get(`/api/v1/identify/runs/${id}/lists/duplicates/export?format=xlsx`, { raw: true })
  assert.equal(xlsx.raw.subarray(0, 2).toString(), 'PK')
  // The sheet holds the title, the header and one row per item, with the same people as the list.
  const file = join(s.dir, 'dup.xlsx')
  writeFileSync(file, xlsx.raw)
  const sheet = spawnSync('python3', ['-c', 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml").decode())', file], { encoding: 'utf8' })
  assert.equal(sheet.status, 0, sheet.stderr)
  assert.equal((sheet.stdout.match(/<row /g) || []).length, 2 + 2)
  for (const item of (await c.get(`/api/v1/identify/runs/${id}/lists/duplicates`)).body.items) {
    assert.ok(sheet.stdout.includes(item.name), item.name)
    assert.ok(sheet.stdout.includes(item.id_number_masked), 'masked ID in the sheet')
  }
  assert.ok(!/\d{17}[\dX]/.test(sheet.stdout.replace(/\d{6}\*{11}[\dX]/g, '')), 'no full ID number')
  assertError(assert, await c.get(`/api/v1/identify/runs/${id}/lists/duplicates/export?format=pdf`), 400, 'invalid', 'format')
  assertError(assert, await c.get(`/api/v1/identify/runs/${id}/lists/nope`), 404, 'not_found')
  const audits = await admin.get('/api/v1/audit?action=identify.export')
  assert.equal(audits.body.total, 2)
})

// RULE-SCOPE-001, RULE-SCOPE-002: the bug of the identification page (issue 10): the cards counted
// the whole registry (31 on a card whose list held 2) and the run list named who ran it.
test('RULE-SCOPE-002: run counts, runner and registry figures are scoped like the lists', async () => {
  const lists = ['new_special', 'inactive_in_service', 'missing_hukou', 'duplicates', 'changed']
  for (const who of ['jx_officer', 'lq_officer', 'fg_civil']) {
    const u = await s.login(who)
    const runs = (await u.get('/api/v1/identify/runs')).body.items
    assert.ok(runs.length >= 3)
    for (const run of runs.slice(0, 3)) {
      for (const l of lists) {
        const total = (await u.get(`/api/v1/identify/runs/${run.id}/lists/${l}`)).body.total
        assert.equal(run.counts[l], total, `${who}: run ${run.id} card ${l} equals its list`)
      }
    }
    if (who === 'fg_civil') {
      assert.equal(runs[0].username, 'fg_civil', 'the county holds the whole registry')
      assert.equal(typeof runs[0].scanned, 'number')
    } else {
      assert.equal(runs[0].username, null, 'a county officer is not named to a township')
      assert.equal(runs[0].scanned, null, 'no registry-wide figure for a township')
      assert.equal(runs[0].recomputed, null)
      assert.equal(runs[0].duration_ms, null)
    }
  }
  // The duplicates live in 龙泉街道: 进化镇 counts none of them, the county all.
  const jx = await s.login('jx_officer')
  const mine = (await jx.get('/api/v1/identify/runs')).body.items[0]
  assert.equal(mine.counts.duplicates, 0)
  // A township's own run: it is named to itself, and its job result is as scoped as the list.
  const own = await run(jx)
  assert.equal(own.body.scanned, null)
  for (const l of lists)
    assert.equal(own.body.counts[l], (await jx.get(`/api/v1/identify/runs/${own.body.id}/lists/${l}`)).body.total, l)
  const seen = (await jx.get('/api/v1/identify/runs')).body.items[0]
  assert.equal(seen.id, own.body.id)
  assert.equal(seen.username, 'jx_officer')
  const county = (await c.get('/api/v1/identify/runs')).body.items[0]
  assert.equal(county.username, 'jx_officer', 'the county sees who ran it in its region')
  assert.equal(county.counts.duplicates, 2)
})

test('anlao identify on the command line', () => {
  const r = s.cli('identify')
  assert.equal(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout.trim())
  assert.equal(out.scanned, 4)
  assert.ok('new_special' in out && 'duplicates' in out)
})

test('RULE-IDENT-003: each elder is checked against the latest household file of their own region', async () => {
  const e = idNumber('520327', '19450303', 17) // 丁, in 进化镇
  s.cli('import', '--kind', 'hukou', file('h3.csv', `身份证号,姓名,区划代码,住址\n${b},乙,520327101201,二号\n${e},丁,520327101201,五号\n${dupA},丙,520327001001,三号\n${dupB},丙,520327001003,四号\n`), '--commit')
  const lq = await s.login('lq_officer')
  // 龙泉街道 brings in its own households (it may only: RULE-IMPORT-016), here both of its people.
  const township = async (csv) => {
    const up = await lq.request('POST', '/api/v1/imports?kind=hukou&filename=lq.csv', csv)
    assert.equal(up.status, 202, up.text)
    let job
    for (let i = 0; i < 100; i++) { job = (await lq.get(`/api/v1/jobs/${up.body.job_id}`)).body; if (job.status === 'done') break; await sleep(25) }
    const cm = await lq.post(`/api/v1/imports/${job.result.import_id}/commit`, {})
    for (let i = 0; i < 100; i++) { job = (await lq.get(`/api/v1/jobs/${cm.body.job_id}`)).body; if (job.status === 'done') break; await sleep(25) }
    assert.equal(job.result.committed, true, JSON.stringify(job))
  }
  await township(`身份证号,姓名,区划代码,住址\n${dupA},丙,520327001001,三号\n${dupB},丙,520327001003,四号\n`)
  const r1 = await run(c)
  const missing = async (r) => (await c.get(`/api/v1/identify/runs/${r.body.id}/lists/missing_hukou?page_size=200`)).body.items
  assert.deepEqual(await missing(r1), [], '进化镇 is checked against the county file, 龙泉街道 against its own')
  // The next 龙泉街道 file misses one of its people: only that one is listed.
  await township(`身份证号,姓名,区划代码,住址\n${dupA},丙,520327001001,三号\n`)
  const r2 = await run(c)
  assert.deepEqual((await missing(r2)).map((i) => i.region_code), ['520327001003'])
})

test('RULE-IDENT-003: a supplement (补录) is not the reference; the people it brings count as seen', async () => {
  const f = idNumber('520327', '19460606', 19) // 戊, a late registration in 进化镇
  const before = (await run(c)).body.counts.missing_hukou
  const sup = s.cli('import', '--kind', 'hukou', '--partial', file('sup.csv', `身份证号,姓名,区划代码,住址\n${f},戊,520327101201,六号\n`), '--commit')
  assert.equal(sup.status, 0, sup.stderr)
  const r = await run(c)
  assert.equal(r.body.counts.missing_hukou, before, 'the county is still checked against its complete file')
  assert.equal(sqlite(s.db, 'SELECT partial FROM imports ORDER BY id DESC LIMIT 1'), '1', 'recorded as a supplement')
  // Without the flag the same one-person file would be the county's reference.
  s.cli('import', '--kind', 'hukou', file('sup2.csv', `身份证号,姓名,区划代码,住址\n${f},戊,520327101201,六号\n`), '--commit')
  assert.ok((await run(c)).body.counts.missing_hukou > before)
  const bad = await c.request('POST', '/api/v1/imports?kind=hukou&filename=x.csv&partial=2', 'a')
  assert.equal(bad.status, 400)
  assert.equal(bad.body.error.field, 'partial')
})

// RULE-IDENT-000: a run recomputes every elder's categories from the settings of the day, in one
// transaction; RULE-IDENT-005: whoever's set changed is listed with old → new.
test('RULE-IDENT-000, RULE-IDENT-005: a changed setting reaches every record at the next run', async () => {
  const cats = () => sqlite(s.db, "SELECT category FROM elder_categories k JOIN elders e ON e.id = k.elder_id WHERE e.name = '乙'").split('\n')
  assert.ok(!cats().includes('advanced_age'), '乙 is 71: not 高龄 at 80')
  sqlite(s.db, "INSERT INTO settings(key, value) VALUES ('elder.advanced_age', '70') ON CONFLICT(key) DO UPDATE SET value = excluded.value")
  try {
    const r = await run(c)
    assert.ok(r.body.recomputed >= 1)
    assert.ok(cats().includes('advanced_age'), 'the record itself is recomputed, not only the lists')
    const changed = (await c.get(`/api/v1/identify/runs/${r.body.id}/lists/changed?page_size=200`)).body.items
    const b2 = changed.find((i) => i.name === '乙')
    assert.ok(b2, JSON.stringify(changed))
    const [was, now] = JSON.parse(b2.detail)
    assert.ok(!was.includes('advanced_age') && now.includes('advanced_age'), b2.detail)
    assert.match(b2.detail_text, /→.*高龄/)
  } finally {
    sqlite(s.db, "DELETE FROM settings WHERE key = 'elder.advanced_age'")
  }
})
