// The elder list and the import list exported: every row of the filtered list, in the list's
// order, read a page at a time by key (RULE-UI-008, RULE-UI-009, RULE-DB-101).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { Server, assertError, sleep } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { sqlite } from './helpers.mjs'

let s, civil
const GIVEN = '义成德明华国建秀英兰玉桂芳珍春生福贵荣志红文海金平山水云天长永安胜利军强伟光辉'
const VILLAGES = ['520327001001', '520327001003', '520327101201']
const N = 2400 // more than two export pages of 1,000 (RULE-DB-101)

before(async () => {
  // RULE-DB-113: a bounded send buffer, so that a client that stops reading leaves the export
  // waiting for it (the kernel would otherwise take the whole of this small list at once)
  s = await new Server({ env: { ANLAO_STREAM_SNDBUF_BYTES: '16384' } }).start()
  civil = await s.login('fg_civil')
  const rows = ['身份证号,姓名,区划代码,住址']
  for (let i = 0; i < N; i++) {
    const year = 1930 + (i % 35), day = String(1 + (i % 28)).padStart(2, '0')
    const name = '汪' + GIVEN[i % GIVEN.length] + GIVEN[Math.floor(i / GIVEN.length) % GIVEN.length]
    rows.push(`${idNumber('520327', `${year}03${day}`, i % 1000)},${name}${i >= GIVEN.length * GIVEN.length ? '二' : ''},${VILLAGES[i % 3]},幸福路${i}号`)
  }
  const file = join(s.dir, 'many.csv')
  writeFileSync(file, rows.join('\n') + '\n')
  s.cli('import', '--kind', 'hukou', file, '--commit')
})
after(async () => { await s.stop(); s.cleanup() })

const CSV = (r) => r.raw.toString('utf8')
// The rows of a CSV export (BOM, CRLF; our cells hold no comma, quote or line break).
function csvRows(r) {
  const text = CSV(r)
  assert.equal(text.charCodeAt(0), 0xfeff, 'UTF-8 with a BOM')
  return text.slice(1).split('\r\n').filter((l) => l).map((l) => l.split(','))
}

// Every item of a list, page by page as the page shows them.
async function listAll(client, query) {
  const out = []
  for (let page = 1; ; page++) {
    const r = await client.get(`/api/v1/elders?${query}&page=${page}&page_size=200`)
    assert.equal(r.status, 200, r.text)
    out.push(...r.body.items)
    if (out.length >= r.body.total || !r.body.items.length) return { items: out, total: r.body.total }
  }
}

// RULE-UI-008, RULE-DB-101: each list mode (browse, status, age, category, special, 1–2 and
// 3+ character searches, region) exports every row of its list, in the list's order.
test('RULE-UI-008: the elder export holds every row of the filtered list, in its order, with Chinese names', async () => {
  const filters = ['', 'status=active', 'age_min=80', 'age_min=70&age_max=85', 'category=advanced_age',
    'special=1', `q=${encodeURIComponent('汪')}`, `q=${encodeURIComponent('汪义')}`,
    `q=${encodeURIComponent('幸福路')}`, 'region=520327001', 'region=520327101&status=active']
  for (const f of filters) {
    const list = await listAll(civil, f)
    const r = await civil.get(`/api/v1/elders/export?format=csv&${f}`, { raw: true })
    assert.equal(r.status, 200, f)
    assert.match(r.headers.get('content-type'), /text\/csv/)
    assert.match(decodeURIComponent(r.headers.get('content-disposition') || ''), /老年人名单/)
    const [head, ...rows] = csvRows(r)
    assert.deepEqual(head, ['序号', '姓名', '性别', '出生日期', '身份证号（脱敏）', '联系电话（脱敏）', '区划代码', '村（社区）', '住址', '状态', '类别'])
    assert.equal(rows.length, list.total, `${f}: every row, not a page`)
    assert.deepEqual(rows.map((x) => x[1]), list.items.map((e) => e.name), `${f}: the list's rows in its order`)
    assert.deepEqual(rows.map((x) => x[0]), rows.map((_, i) => String(i + 1)))
    for (const [i, e] of list.items.entries()) {
      const x = rows[i]
      assert.equal(x[2], e.sex === 'M' ? '男' : '女')
      assert.equal(x[3], e.birth_date)
      assert.equal(x[4], e.id_number_masked)
      assert.equal(x[9], { active: '在册', moved_out: '迁出', deceased: '死亡', cancelled: '注销' }[e.status])
      assert.ok(!/[a-z_]{4,}/.test(x[10]), `categories by name: ${x[10]}`)
    }
  }
  const big = await listAll(civil, '')
  assert.ok(big.total > 2000, 'the export crossed page boundaries')
  const r = await civil.get('/api/v1/elders/export?format=csv&category=advanced_age', { raw: true })
  assert.ok(csvRows(r).slice(1).every((x) => x[10].includes('高龄')), '高龄, not advanced_age')
})

test('RULE-UI-008: XLSX holds the title, the headings and every row; a bad format is a 400 naming it', async () => {
  const list = await listAll(civil, 'region=520327001')
  const r = await civil.get('/api/v1/elders/export?format=xlsx&region=520327001', { raw: true })
  assert.equal(r.status, 200)
  assert.match(r.headers.get('content-type'), /spreadsheetml/)
  const file = join(s.dir, 'elders.xlsx')
  writeFileSync(file, r.raw)
  const sheet = spawnSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read("xl/worksheets/sheet1.xml").decode()); print(z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else "")', file], { encoding: 'utf8' })
  assert.equal(sheet.status, 0, sheet.stderr)
  assert.equal((sheet.stdout.match(/<row /g) || []).length, 2 + list.total)
  assert.ok(sheet.stdout.includes('老年人名单') && sheet.stdout.includes(list.items[0].name))
  assertError(assert, await civil.get('/api/v1/elders/export?format=pdf'), 400, 'invalid', 'format')
  assertError(assert, await civil.get('/api/v1/elders/export?category=nope'), 400, 'invalid', 'category')
})

// RULE-SCOPE-001, RULE-PII-001: a township's helper exports their township only, masked.
test('RULE-UI-008: scoped like the list; without elder.read_pii the birth year only and masked numbers', async () => {
  const helper = await s.login('lq_helper')
  const list = await listAll(helper, '')
  const r = await helper.get('/api/v1/elders/export?format=csv', { raw: true })
  assert.equal(r.status, 200, CSV(r))
  const [head, ...rows] = csvRows(r)
  assert.equal(head[3], '出生年份')
  assert.equal(rows.length, list.total)
  assert.ok(rows.every((x) => x[6].startsWith('520327001')), 'only 龙泉街道')
  assert.ok(rows.every((x) => /^\d{4}$/.test(x[3])), 'the year of birth only')
  assert.ok(!/\d{17}[\dX]/.test(CSV(r).replace(/\d{6}\*{8,11}[\dX]{0,4}/g, '')), 'no full ID number')
  const all = (await listAll(civil, '')).total
  assert.ok(list.total < all, 'fewer than the county')
  // The age filter without the birth date counts by year of birth, as the list does; the export
  // then runs in the region index's order (no index holds the year, RULE-DB-101): the same rows.
  const aged = await listAll(helper, 'age_min=80')
  const ra = csvRows(await helper.get('/api/v1/elders/export?format=csv&age_min=80', { raw: true })).slice(1)
  assert.equal(ra.length, aged.total)
  assert.deepEqual(ra.map((x) => x[4]).sort(), aged.items.map((e) => e.id_number_masked).sort())
  assert.deepEqual(ra.map((x) => x[6]), ra.map((x) => x[6]).sort(), 'by region')
})

test('RULE-UI-008: each export is audited as elder.export with its filter and row count', async () => {
  const list = await listAll(civil, 'status=active&age_min=90')
  const r = await civil.get('/api/v1/elders/export?format=xlsx&status=active&age_min=90', { raw: true })
  assert.equal(r.status, 200)
  const log = (await civil.get('/api/v1/audit?action=elder.export&page_size=1')).body
  const e = log.items[0]
  assert.equal(e.action, 'elder.export')
  assert.equal(e.username, 'fg_civil')
  assert.equal(e.detail.rows, list.total)
  assert.equal(e.detail.status, 'active')
  assert.equal(e.detail.age_min, '90')
  assert.equal(e.detail.format, 'xlsx')
})

// An upload through the API, validated and committed: its import id.
async function upload(client, name, csv) {
  const up = await client.request('POST', `/api/v1/imports?kind=hukou&filename=${encodeURIComponent(name)}`, csv, { headers: { 'Content-Type': 'application/octet-stream' } })
  assert.equal(up.status, 202, JSON.stringify(up.body))
  let job
  for (let i = 0; i < 200 && job?.status !== 'done'; i++) { job = (await client.get(`/api/v1/jobs/${up.body.job_id}`)).body; await sleep(25) }
  assert.equal(job.status, 'done', JSON.stringify(job))
  return job.result.import_id
}
async function commit(client, id) {
  const cm = await client.post(`/api/v1/imports/${id}/commit`, {})
  assert.equal(cm.status, 202, JSON.stringify(cm.body))
  let job
  for (let i = 0; i < 200 && job?.status !== 'done'; i++) { job = (await client.get(`/api/v1/jobs/${cm.body.job_id}`)).body; await sleep(25) }
  assert.equal(job.result.committed, true, JSON.stringify(job))
}

// RULE-UI-009: the import list exports every import of the caller's region, in Chinese.
test('RULE-UI-009: the import list exports every import in scope, in Chinese, audited', async () => {
  const lq = await s.login('lq_officer')
  const one = `身份证号,姓名,区划代码,住址\n${idNumber('520327', '19440404', 901)},龙泉人,520327001001,一号\n`
  const mine = await upload(lq, '龙泉.csv', one)
  await commit(lq, mine)
  const validated = await upload(civil, '全县.csv', `身份证号,姓名,区划代码,住址\n${idNumber('520327', '19440404', 903)},进化人,520327101201,二号\n`)
  const list = (await civil.get('/api/v1/imports')).body
  assert.ok(list.total >= 2)
  const r = await civil.get('/api/v1/imports/export?format=csv', { raw: true })
  assert.equal(r.status, 200, CSV(r))
  assert.match(decodeURIComponent(r.headers.get('content-disposition') || ''), /导入记录/)
  const [head, ...rows] = csvRows(r)
  assert.deepEqual(head, ['编号', '类型', '文件名', '导入人', '状态', '总行数', '通过', '未通过', '上传时间', '提交时间'])
  assert.equal(rows.length, list.total)
  assert.deepEqual(rows.map((x) => Number(x[0])), list.items.map((i) => i.id), 'newest first, as the page')
  const x = rows.find((y) => Number(y[0]) === mine)
  assert.deepEqual(x.slice(1, 8), ['户籍', '龙泉.csv', 'lq_officer', '已写入', '1', '1', '0'])
  assert.match(x[8], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
  assert.match(x[9], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
  const v = rows.find((y) => Number(y[0]) === validated)
  assert.deepEqual([v[1], v[4], v[9]], ['户籍', '已校验', ''], 'validated, not committed: no commit time')
  const e = (await civil.get('/api/v1/audit?action=import.export&page_size=1')).body.items[0]
  assert.equal(e.detail.rows, list.total)
  // RULE-SCOPE-001: the township officer's export holds their own imports only.
  const theirs = csvRows(await lq.get('/api/v1/imports/export?format=csv', { raw: true })).slice(1)
  assert.deepEqual(theirs.map((y) => Number(y[0])), (await lq.get('/api/v1/imports')).body.items.map((i) => i.id))
  assert.ok(theirs.length >= 1 && theirs.length < rows.length)
  const xlsx = await lq.get('/api/v1/imports/export', { raw: true })
  assert.equal(xlsx.raw.subarray(0, 2).toString(), 'PK', 'XLSX when no format is given')
  const helper = await s.login('lq_helper')
  assertError(assert, await helper.get('/api/v1/imports/export'), 403, 'forbidden')
})

// RULE-DB-116 (issue 10): the import list shows the newest 100, and its total is the number of
// imports in the caller's scope (the same WHERE as the list), not the number shown.
test('RULE-DB-116: the import list total counts every import in scope, not the 100 shown', async () => {
  const lq = await s.login('lq_officer')
  const countIn = (prefix) => Number(sqlite(s.db, `SELECT count(*) FROM imports WHERE region_code LIKE '${prefix}%'`))
  // 130 more imports: 90 of the county, 40 of 龙泉镇 (520327001), and 5 of another county
  const add = (n, region) => sqlite(s.db, 'INSERT INTO imports (kind, filename, file_sha256, encoding,' +
    ' region_code, status, rows, accepted, rejected, created_at) SELECT \'hukou\', \'批量.csv\', \'x\',' +
    ` 'utf-8', '${region}', 'validated', 1, 1, 0, 1767225600 FROM (SELECT 1 AS one${' UNION ALL SELECT 1'.repeat(n - 1)}) t`)
  add(90, '520327')
  add(40, '520327001')
  add(5, '520302')
  const all = (await civil.get('/api/v1/imports')).body
  assert.equal(all.items.length, 100, 'the newest 100 shown')
  assert.equal(all.total, countIn('520327'))
  assert.ok(all.total > 130)
  const town = (await lq.get('/api/v1/imports')).body
  assert.equal(town.total, countIn('520327001'))
  assert.ok(town.total >= 41 && town.total < all.total)
  assert.equal(town.items.length, Math.min(100, town.total))
})

// The export log lines of the server (RULE-DB-113).
const exportLines = () => s.log.split('\n').filter((l) => /"msg":"export \/api\/v1\/elders\/export/.test(l))

// RULE-DB-112, RULE-DB-113: a CSV longer than a page is sent as it is read, in chunks, the arena
// holding one page at a time; the bytes are those of the list (test 1 compares them row by row).
test('RULE-DB-113: a long CSV export is streamed page by page, its memory bounded by a page', async () => {
  const before = exportLines().length
  const r = await civil.get('/api/v1/elders/export?format=csv', { raw: true })
  assert.equal(r.status, 200)
  assert.equal(r.headers.get('transfer-encoding'), 'chunked', 'streamed, not one body')
  assert.equal(r.headers.get('content-length'), null)
  assert.match(r.headers.get('content-type'), /text\/csv/)
  assert.match(decodeURIComponent(r.headers.get('content-disposition') || ''), /老年人名单/)
  const total = (await civil.get('/api/v1/elders?page_size=1')).body.total
  assert.ok(total > 2000)
  assert.equal(csvRows(r).length, total + 1)
  let line
  for (let i = 0; i < 250 && !(line = exportLines().slice(before).find((l) => / sent: /.test(l))); i++) await sleep(20)
  const m = line && line.match(/sent: (\d+) rows, (\d+) pages, (\d+) bytes, at most (\d+) bytes of memory a page/)
  assert.ok(m, 'the export logged: ' + exportLines().join('\n'))
  assert.equal(Number(m[1]), total)
  assert.equal(Number(m[2]), 3)
  assert.equal(Number(m[3]), r.raw.length)
  // a page of 1,000 rows is about 120 KB of CSV: the arena held about one page, never the file
  assert.ok(Number(m[4]) < r.raw.length * 0.6, `at most ${m[4]} bytes held for ${r.raw.length}`)
  // a short list is still one body with its length
  const one = await civil.get('/api/v1/elders/export?format=csv&region=520327001&age_min=95', { raw: true })
  assert.equal(one.status, 200)
  assert.ok(one.headers.get('content-length'))
})

// RULE-DB-113: a client that goes away mid-export ends the stream: logged, everything freed (the
// ASan build reports no leak at exit), and the worker goes on serving.
test('RULE-DB-113: a client that leaves mid-export ends it with a log line; the server goes on', async () => {
  await sleep(400) // the log lines of earlier exports are written (a worker flushes every 200 ms)
  const before = exportLines().length
  const sock = connect(s.port, '127.0.0.1')
  await new Promise((res) => sock.once('connect', res))
  sock.pause() // read nothing: the server's output fills and the export waits for it
  sock.write(`GET /api/v1/elders/export?format=csv HTTP/1.1\r\nHost: x\r\nCookie: ${civil.cookie}\r\n\r\n`)
  let line
  for (let i = 0; i < 20 && !line; i++) {
    await sleep(50)
    line = exportLines().slice(before).find((l) => / sent: /.test(l))
  }
  assert.ok(!line, 'the export waits for a client that does not read')
  sock.destroy() // unread data: the peer gets a reset
  for (let i = 0; i < 250 && !(line = exportLines().slice(before).find((l) => / interrupted: /.test(l))); i++) await sleep(20)
  assert.ok(line, 'logged: ' + exportLines().slice(before).join('\n'))
  assert.match(line, /the client left after \d+ rows/)
  assert.ok(!exportLines().slice(before).some((l) => / sent: /.test(l)))
  for (let i = 0; i < 4; i++) { // both workers still answer, exports included
    const r = await civil.get('/api/v1/elders/export?format=csv&region=520327101', { raw: true })
    assert.equal(r.status, 200)
    assert.ok(csvRows(r).length > N / 3)
  }
})

// RULE-DB-113: a download that lasts longer than the HTTP timeout is not cut while the client
// reads (it sends nothing meanwhile; only a write that makes no progress for that long ends a
// stream).  A server of its own with a 2 s timeout and the same elders; the client stops reading
// up to ten times for 600 ms (a margin of 1.4 s under each timeout: 0.7 s was not enough beside
// an ASan suite on a loaded machine).
test('RULE-DB-113: a streamed export outlasting the HTTP timeout is sent whole to a slow reader', async () => {
  const t = await new Server({ env: { ANLAO_HTTP_TIMEOUT_SECONDS: '2', ANLAO_STREAM_SNDBUF_BYTES: '16384' } }).start()
  try {
    const r = t.cli('import', '--kind', 'hukou', join(s.dir, 'many.csv'), '--commit')
    assert.equal(r.status, 0, r.stderr)
    const c = await t.login('fg_civil')
    const sock = connect(t.port, '127.0.0.1')
    await new Promise((res) => sock.once('connect', res))
    const chunks = []
    const t0 = Date.now()
    let waits = 10
    sock.on('data', (d) => { // a slow reader: ten times 600 ms of nothing (each within the timeout)
      chunks.push(d)
      if (waits-- > 0) {
        sock.pause()
        setTimeout(() => sock.resume(), 600)
      }
    })
    sock.write(`GET /api/v1/elders/export?format=csv HTTP/1.1\r\nHost: x\r\nCookie: ${c.cookie}\r\nConnection: close\r\n\r\n`)
    await new Promise((res) => sock.once('close', res))
    assert.ok(Date.now() - t0 > 2200, 'the download lasted longer than the timeout')
    const text = Buffer.concat(chunks).toString('utf8')
    assert.match(text, /^HTTP\/1\.1 200/)
    assert.match(text, /transfer-encoding: chunked/i)
    assert.ok(text.endsWith('\r\n0\r\n\r\n'), 'the last chunk came: the answer is whole: ' + JSON.stringify(text.slice(-40)) + t.log.split('\n').filter((l) => /export/.test(l)).join('\n'))
    assert.ok((text.match(/汪/g) || []).length >= N, 'every row')
    await sleep(400)
    assert.ok(!/interrupted/.test(t.log), t.log.split('\n').filter((l) => /export/.test(l)).join('\n'))
  } finally {
    await t.stop()
    t.cleanup()
  }
})

// RULE-DB-131: a graceful stop waits for a download in progress.  The client reads slowly (the
// send buffer is bounded), SIGTERM comes while the file is half sent: the answer still ends with
// its last chunk and every row, and the server then exits 0.
test('RULE-DB-131: SIGTERM during a streamed export: the file is sent whole, then the server exits 0', async () => {
  const t = await new Server({ env: { ANLAO_STREAM_SNDBUF_BYTES: '16384' } }).start()
  try {
    const r = t.cli('import', '--kind', 'hukou', join(s.dir, 'many.csv'), '--commit')
    assert.equal(r.status, 0, r.stderr)
    const c = await t.login('fg_civil')
    const sock = connect(t.port, '127.0.0.1')
    await new Promise((res) => sock.once('connect', res))
    const chunks = []
    let stopped = null
    sock.on('data', (d) => {
      chunks.push(d)
      if (!stopped) { // the head and the first rows are here: stop the server, then read on slowly
        stopped = t.proc.kill('SIGTERM')
        sock.pause()
        setTimeout(() => sock.resume(), 600)
      }
    })
    sock.write(`GET /api/v1/elders/export?format=csv HTTP/1.1\r\nHost: x\r\nCookie: ${c.cookie}\r\nConnection: close\r\n\r\n`)
    await new Promise((res) => sock.once('close', res))
    const { code } = await t.exited
    assert.ok(stopped, 'SIGTERM was sent while the export was running')
    assert.equal(code, 0, t.log)
    const text = Buffer.concat(chunks).toString('utf8')
    assert.match(text, /^HTTP\/1\.1 200/)
    assert.ok(text.endsWith('\r\n0\r\n\r\n'), 'the last chunk came: ' + JSON.stringify(text.slice(-40)))
    assert.ok((text.match(/汪/g) || []).length >= N, 'every row')
  } finally {
    await t.stop()
    t.cleanup()
  }
})
