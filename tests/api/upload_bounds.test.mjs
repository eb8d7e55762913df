// What an upload may cost (RULE-UPLOAD-001..008): lines per file, reasons kept per import, time,
// XLSX memory; uploaded files encrypted at rest and removed after commit, refusal or expiry; jobs
// interrupted by a restart; household rows of people registered elsewhere.  The hostile files are
// built here (python3's zipfile); the bounds are made small through the environment, except in
// the test of the defaults on a compact bomb.
import { after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server, serverTest, sqlite, sleep, PG } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

const servers = []
const test = serverTest(() => servers)
after(async () => { for (const s of servers) await s.dispose() })

async function start(env = {}) {
  const s = await Server.start({ env })
  servers.push(s)
  return s
}

const HEADER = '身份证号,姓名,区划代码,住址\r\n'
const OCTET = { headers: { 'Content-Type': 'application/octet-stream' } }

async function upload(c, name, body, kind = 'hukou') {
  const r = await c.post(`/api/v1/imports?kind=${kind}&filename=${encodeURIComponent(name)}`, body, OCTET)
  assert.equal(r.status, 202, r.text)
  return r.body.job_id
}

async function finished(c, jobId, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const j = (await c.get(`/api/v1/jobs/${jobId}`)).body
    if (j.status === 'done' || j.status === 'failed') return j
    if (Date.now() > until) throw new Error('job still ' + JSON.stringify(j))
    await sleep(50)
  }
}

// A roll file of `n` valid, distinct numbers nobody registered: every row looks its person up
// (about 3 µs a row), so a million rows keep the job thread busy for seconds.
function rollFile(n) {
  const rows = ['身份证号,姓名,救助类别,开始日期']
  const d0 = Date.UTC(1930, 0, 1)
  for (let i = 0; i < n; i++) {
    const day = new Date(d0 + 86400e3 * Math.floor(i / 1000)).toISOString().slice(0, 10).replace(/-/g, '')
    rows.push(idNumber('520327', day, i % 1000) + ',某,低保,2020-01-01')
  }
  return Buffer.from(rows.join('\n') + '\n')
}

// The size of the server's database: its file on SQLite, pg_database_size on PostgreSQL.
const dbBytes = (s) => (PG ? Number(sqlite(s.db, 'SELECT pg_database_size(current_database())')) : statSync(s.db).size)

const uploads = (s) => (existsSync(join(s.dir, 'uploads')) ? readdirSync(join(s.dir, 'uploads')) : [])

// A workbook: the header row, then `rows` copies of `row` (sheet XML), and optional shared strings.
const PY = String.raw`
import sys, zipfile
path, rows, sst, sst_n, big = sys.argv[1], int(sys.argv[2]), sys.argv[4].encode(), int(sys.argv[5]), int(sys.argv[6])
row = sys.argv[3].encode().replace(b'@BIG@', b'A' * big)  # a long cell without a long argument
CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
WB = '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
RELS = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
HDR = ''.join('<c t="inlineStr"><is><t>%s</t></is></c>' % h for h in ['身份证号', '姓名', '区划代码', '住址'])
with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr('[Content_Types].xml', CT); z.writestr('xl/workbook.xml', WB); z.writestr('xl/_rels/workbook.xml.rels', RELS)
    with z.open('xl/worksheets/sheet1.xml', 'w', force_zip64=True) as f:
        f.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row>' + HDR.encode() + b'</row>')
        block = row * 10000 if rows >= 10000 else b''
        for _ in range(rows // 10000): f.write(block)
        for _ in range(rows % 10000): f.write(row)
        f.write(b'</sheetData></worksheet>')
    if sst_n:
        with z.open('xl/sharedStrings.xml', 'w', force_zip64=True) as f:
            f.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            block = sst * 10000
            for _ in range(sst_n // 10000): f.write(block)
            f.write(sst * (sst_n % 10000))
            f.write(b'</sst>')
`
// '@BIG@' in `row` stands for `big` letters A.
function workbook(path, rows, row, sst = '', sstCount = 0, big = 0) {
  const r = spawnSync('python3', ['-c', PY, path, String(rows), row, sst, String(sstCount), String(big)], { encoding: 'utf8' })
  assert.equal(r.status, 0, 'python3 (a bench dependency) builds the workbook: ' + r.stderr)
  return readFileSync(path)
}

test('python3 is there to build the hostile workbooks', () => {
  assert.equal(spawnSync('python3', ['--version']).status, 0)
})

test('RULE-UPLOAD-001: a file past the bound on lines is refused with the bound named; nothing recorded, file removed', async () => {
  const s = await start({ ANLAO_IMPORT_MAX_ROWS: '50' })
  const c = await s.login('fg_civil')
  const ok = HEADER + Array.from({ length: 50 }, (_, i) => `x${i},某,520327001001,某地`).join('\r\n') + '\r\n'
  let job = await finished(c, await upload(c, 'ok.csv', ok))
  assert.equal(job.status, 'done', JSON.stringify(job))
  assert.equal(job.result.rows, 50)
  // One more line, even a blank one: refused.  Blank rows count towards the bound.
  const over = ok + ',,,\r\n'
  job = await finished(c, await upload(c, 'over.csv', over))
  assert.equal(job.status, 'failed')
  assert.match(job.error, /文件超过 50 行的上限.*请把文件拆分后分批导入/)
  assert.equal(sqlite(s.db, 'SELECT count(*) FROM imports'), '1', 'the refused file left no import')
  assert.equal(uploads(s).length, 1, 'only the validated upload is kept (awaiting commit): ' + uploads(s))
  // The CLI holds the same bound.
  writeFileSync(join(s.dir, 'over.csv'), over)
  const r = s.cli(['import', '--kind', 'hukou', join(s.dir, 'over.csv')], { ANLAO_IMPORT_MAX_ROWS: '50' })
  assert.equal(r.status, 1)
  assert.match(r.stderr, /文件超过 50 行的上限/)
})

test('RULE-UPLOAD-001: rows of empty cells are skipped and counted apart, not rejected', async () => {
  const s = await start()
  const c = await s.login('fg_civil')
  const id = idNumber('520327', '19400101', 11)
  const csv = HEADER + ',,,\r\n\r\n"","",,\r\n' + `${id},张三,520327001001,龙泉街道一号\r\n` + ',,,\r\n'
  const job = await finished(c, await upload(c, 'blank.csv', csv))
  assert.equal(job.status, 'done', JSON.stringify(job))
  assert.deepEqual([job.result.rows, job.result.accepted, job.result.rejected, job.result.blank_rows], [1, 1, 0, 4])
})

test('RULE-UPLOAD-002: the first N reasons are kept with their lines, then counts per reason; CSV report says so', async () => {
  const s = await start({ ANLAO_IMPORT_MAX_ERROR_ROWS: '20' })
  const c = await s.login('fg_civil')
  const csv = HEADER + Array.from({ length: 100 }, () => 'x,x,,').join('\r\n') + '\r\n'
  const job = await finished(c, await upload(c, 'junk.csv', csv))
  assert.equal(job.status, 'done', JSON.stringify(job))
  assert.equal(job.result.rejected, 100)
  const id = job.result.import_id
  assert.equal(sqlite(s.db, `SELECT count(*) FROM import_errors WHERE import_id = ${id}`), '20')
  const rep = (await c.get(`/api/v1/imports/${id}/errors`)).body
  assert.equal(rep.items.length, 20)
  assert.deepEqual(rep.items.slice(0, 3).map((e) => e.line), [2, 2, 2], 'the first rows, with their lines')
  assert.equal(rep.omitted, 300 - 20, 'three reasons a row')
  assert.deepEqual(rep.reasons.map((x) => [x.column, x.count]).sort(),
    [['住址', 100], ['区划代码', 100], ['身份证号', 100]])
  const text = (await c.get(`/api/v1/imports/${id}/errors?format=csv`, { check: false })).raw.toString('utf8')
  assert.match(text, /另有 280 处原因未逐行列出（只保留前 20 处）/)
  assert.match(text, /合计,住址,住址不能为空（100 处）/)
})

test('RULE-UPLOAD-003: an import past its time bound stops with the bound named, nothing recorded', async () => {
  const s = await start({ ANLAO_IMPORT_MAX_SECONDS: '1' })
  const c = await s.login('fg_civil')
  const t0 = Date.now()
  const job = await finished(c, await upload(c, 'slow.csv', rollFile(1_000_000), 'roll'))
  assert.equal(job.status, 'failed', JSON.stringify(job))
  assert.match(job.error, /导入用时超过 1 秒的上限，已停止/)
  assert.ok(Date.now() - t0 < 60_000)
  assert.equal(sqlite(s.db, 'SELECT count(*) FROM imports'), '0')
  assert.equal(sqlite(s.db, 'SELECT count(*) FROM import_errors'), '0')
  assert.deepEqual(uploads(s), [], 'the refused upload is removed')
})

test('RULE-UPLOAD-004: XLSX memory is bounded — a long cell, a shared-strings bomb, a small budget', async () => {
  const s = await start({ ANLAO_XLSX_MAX_MEMORY_BYTES: String(4 << 20) })
  const c = await s.login('fg_civil')
  // One cell of 40,000 characters (past Excel's 32,767).
  const long = workbook(join(s.dir, 'long.xlsx'), 1, '<row><c t="inlineStr"><is><t>@BIG@</t></is></c></row>', '', 0, 40000)
  let job = await finished(c, await upload(c, 'long.xlsx', long))
  assert.equal(job.status, 'failed')
  assert.match(job.error, /单元格超过 32767 个字符/)
  // 2 million tiny shared strings: their index alone is past a 4 MiB budget.
  const sst = workbook(join(s.dir, 'sst.xlsx'), 1, '<row><c t="s"><v>0</v></c></row>', '<si><t>a</t></si>', 2_000_000)
  job = await finished(c, await upload(c, 'sst.xlsx', sst))
  assert.equal(job.status, 'failed')
  assert.match(job.error, /XLSX 文件解析所需内存超过上限/)
  // A real workbook with shared strings still reads within the budget.
  const id = idNumber('520327', '19400101', 21)
  const good = workbook(join(s.dir, 'good.xlsx'), 3, '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="s"><v>3</v></c></row>',
    `<si><t>${id}</t></si><si><t>王五</t></si><si><t>520327001001</t></si><si><r><t>龙泉</t></r><r><t>街道</t></r></si>`, 1)
  job = await finished(c, await upload(c, 'good.xlsx', good))
  assert.equal(job.status, 'done', JSON.stringify(job))
  assert.deepEqual([job.result.rows, job.result.accepted, job.result.rejected], [3, 1, 2], 'one person, the same number twice more')
  assert.deepEqual(uploads(s).length, 1, 'the refused uploads are removed, the validated one kept')
})

test('RULE-UPLOAD-004: the default bounds hold on compact bombs: 1.2 M empty rows, one 64 MB cell, each under 200 KB', async () => {
  const s = await start()
  const c = await s.login('fg_civil')
  const size0 = PG ? dbBytes(s) : 0 // a fresh PostgreSQL database is itself some 8 MB
  const rows = workbook(join(s.dir, 'rows.xlsx'), 1_200_000, '<row><c/><c/><c/></row>')
  assert.ok(rows.length < 200_000, `compact: ${rows.length} bytes`)
  const t0 = Date.now()
  let job = await finished(c, await upload(c, 'rows.xlsx', rows))
  assert.equal(job.status, 'failed')
  assert.match(job.error, /XLSX 表格超过 1048576 行（Excel 的上限）/)
  const cell = workbook(join(s.dir, 'cell.xlsx'), 1, '<row><c t="inlineStr"><is><t>@BIG@</t></is></c></row>', '', 0, 64 << 20)
  assert.ok(cell.length < 200_000, `compact: ${cell.length} bytes`)
  job = await finished(c, await upload(c, 'cell.xlsx', cell))
  assert.equal(job.status, 'failed')
  assert.match(job.error, /单元格超过 32767 个字符/)
  assert.ok(Date.now() - t0 < 60_000, 'refused quickly')
  assert.equal(sqlite(s.db, 'SELECT count(*) FROM imports'), '0')
  assert.ok(dbBytes(s) - size0 < 8 << 20, 'the database did not grow')
  assert.deepEqual(uploads(s), [])
})

test('RULE-UPLOAD-005: uploads are encrypted at rest and removed after commit; orphans and plaintext removed at start', async () => {
  const s = await start()
  const c = await s.login('fg_civil')
  const id = idNumber('520327', '19400303', 31)
  const csv = HEADER + `${id},赵六,520327001001,龙泉街道三号\r\n`
  let job = await finished(c, await upload(c, 'one.csv', csv))
  assert.equal(job.status, 'done', JSON.stringify(job))
  const [name] = uploads(s)
  assert.match(name, /^import-[0-9a-f]{16}\.enc$/)
  const stored = readFileSync(join(s.dir, 'uploads', name))
  assert.equal(stored.indexOf(id), -1, 'the ID number is not on disk in plaintext')
  assert.equal(stored.indexOf(Buffer.from('赵六')), -1)
  assert.equal(statSync(join(s.dir, 'uploads', name)).mode & 0o777, 0o600)
  const cm = await c.post(`/api/v1/imports/${job.result.import_id}/commit`, {})
  job = await finished(c, cm.body.job_id)
  assert.equal(job.result.committed, true, JSON.stringify(job))
  assert.deepEqual(uploads(s), [], 'removed with the commit')
  assert.equal(sqlite(s.db, `SELECT count(*) FROM imports WHERE stored_path IS NULL AND id = ${job.result.import_id}`), '1')

  // A file altered on disk is refused at commit.
  job = await finished(c, await upload(c, 'two.csv', HEADER + `${idNumber('520327', '19400303', 33)},钱七,520327001001,某地\r\n`))
  const [two] = uploads(s)
  const buf = readFileSync(join(s.dir, 'uploads', two))
  buf[buf.length - 5] ^= 1
  writeFileSync(join(s.dir, 'uploads', two), buf)
  const cm2 = await c.post(`/api/v1/imports/${job.result.import_id}/commit`, {})
  const failed = await finished(c, cm2.body.job_id)
  assert.equal(failed.status, 'failed')
  assert.match(failed.error, /上传的文件已损坏或被改动/)

  // Left behind: an orphan (an interrupted validation), a plaintext file of an older version.
  await s.stop()
  writeFileSync(join(s.dir, 'uploads', 'import-00000000000000aa.enc'), 'orphan')
  writeFileSync(join(s.dir, 'uploads', 'import-00000000000000bb.dat'), `${id},赵六`)
  sqlite(s.db, `UPDATE imports SET stored_path = '${join(s.dir, 'uploads', 'import-00000000000000bb.dat')}' WHERE id = ${job.result.import_id}`)
  await s.start()
  assert.deepEqual(uploads(s), [], 'orphan and plaintext removed at start: ' + uploads(s))
  assert.equal(sqlite(s.db, 'SELECT count(*) FROM imports WHERE stored_path IS NOT NULL'), '0')
})

test('RULE-UPLOAD-005: a validated upload not committed in time is removed; its commit asks for the file again', async () => {
  const s = await start({ ANLAO_UPLOAD_KEEP_SECONDS: '1' })
  const c = await s.login('fg_civil')
  const first = await finished(c, await upload(c, 'a.csv', HEADER + `${idNumber('520327', '19400404', 41)},孙八,520327001001,某地\r\n`))
  assert.equal(uploads(s).length, 1)
  await sleep(2100)
  // The next job sweeps the expired file.
  await finished(c, await upload(c, 'b.csv', HEADER + `${idNumber('520327', '19400404', 43)},周九,520327001001,某地\r\n`))
  assert.equal(sqlite(s.db, `SELECT count(*) FROM imports WHERE stored_path IS NULL AND id = ${first.result.import_id}`), '1')
  assert.equal(uploads(s).length, 1, 'only the newer upload')
  const cm = await c.post(`/api/v1/imports/${first.result.import_id}/commit`, {})
  const job = await finished(c, cm.body.job_id)
  assert.equal(job.status, 'failed')
  assert.match(job.error, /文件未保留，请重新上传/)
})

test('RULE-UPLOAD-006: a job interrupted by SIGKILL is failed at restart with a reason; the page stops polling', async () => {
  // The restarted server is the same server (a new port would otherwise name another one, whose
  // running job waits for its lease to pass on PostgreSQL: RULE-JOB-004).
  const s = await start({ ANLAO_SERVER_ID: 'upload-node' })
  const c = await s.login('fg_civil')
  const jobId = await upload(c, 'long.csv', rollFile(1_000_000), 'roll')
  for (let i = 0; ; i++) {
    const j = (await c.get(`/api/v1/jobs/${jobId}`)).body
    if (j.status === 'running') break
    assert.ok(j.status === 'queued' && i < 400, 'the job runs: ' + JSON.stringify(j))
    await sleep(25)
  }
  await s.kill9()
  assert.equal(sqlite(s.db, `SELECT status FROM jobs WHERE id = ${jobId}`), 'running', 'left running by the killed process')
  await s.start()
  const c2 = await s.login('fg_civil')
  const j = (await c2.get(`/api/v1/jobs/${jobId}`)).body
  assert.equal(j.status, 'failed')
  assert.equal(j.error, '服务重启，任务已中断，请重新提交')
  assert.deepEqual(uploads(s), [], 'the interrupted validation\'s file is removed')
})

test('RULE-UPLOAD-007: a household row of someone registered outside the uploader\'s region is reported at validation, naming the region', async () => {
  const s = await start()
  const elsewhere = idNumber('520327', '19400505', 51)
  writeFileSync(join(s.dir, 'jx.csv'), HEADER + `${elsewhere},吴十,520327101201,进化镇某村\r\n`)
  const r = s.cli(['import', '--kind', 'hukou', join(s.dir, 'jx.csv'), '--commit'])
  assert.equal(r.status, 0, r.stderr)
  const lq = await s.login('lq_officer')
  const mine = idNumber('520327', '19400505', 53)
  const csv = HEADER + `${mine},郑一,520327001001,龙泉街道五号\r\n${elsewhere},吴十,520327001001,龙泉街道六号\r\n`
  const job = await finished(lq, await upload(lq, 'lq.csv', csv))
  assert.equal(job.status, 'done', JSON.stringify(job))
  assert.deepEqual([job.result.accepted, job.result.rejected], [1, 1])
  const errs = (await lq.get(`/api/v1/imports/${job.result.import_id}/errors`)).body.items
  assert.equal(errs.length, 1)
  assert.equal(errs[0].line, 3)
  assert.match(errs[0].reason, /此人已在本辖区以外登记，不能由本辖区导入/)
  assert.doesNotMatch(errs[0].reason, /5203271|龙泉|进化/, 'RULE-PII-004: the other region is not named')
  const cm = await lq.post(`/api/v1/imports/${job.result.import_id}/commit`, { valid_only: true })
  const done = await finished(lq, cm.body.job_id)
  assert.equal(done.result.committed, true, JSON.stringify(done))
  assert.equal(sqlite(s.db, `SELECT region_code FROM elders WHERE name = '吴十'`), '520327101201', 'untouched')
})
