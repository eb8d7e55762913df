// Spreadsheets as bureaus really send them (issue 19, RULE-IMPORT-017..021): legacy .xls,
// title rows above the header and headers over two rows, several sheets, numbers typed as
// numbers, formatted empty rows; and files that are not spreadsheets.  Every workbook is
// written by real office-format writers (xlwt, openpyxl) through tests/fixtures/office_files.py
// into this run's directory.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server, sleep } from '../lib/server.mjs'
import { sqlite } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, fx, made
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3' // Debian's, with xlwt
before(async () => {
  s = await new Server().start()
  fx = join(s.dir, 'office')
  const r = spawnSync(PY, ['tests/fixtures/office_files.py', fx], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  made = JSON.parse(r.stdout)
})
after(async () => { await s.stop(); s.cleanup() })

const sql = (q) => sqlite(s.db, q) // the sqlite3 shell, or psql on PostgreSQL
const lastJson = (out) => JSON.parse(out.trim().split('\n').pop())
const lastImport = () => sql('SELECT max(id) FROM imports')
const errorsOf = (id) => sql(`SELECT line || '|' || col || '|' || reason FROM import_errors WHERE import_id = ${id} ORDER BY line`)
const OCTET = { headers: { 'Content-Type': 'application/octet-stream' } }

async function upload(c, name, body, query = '') {
  const r = await c.request('POST', `/api/v1/imports?kind=hukou&filename=${encodeURIComponent(name)}${query}`, body, OCTET)
  assert.equal(r.status, 202, JSON.stringify(r.body))
  for (let i = 0; i < 200; i++) {
    const j = (await c.get(`/api/v1/jobs/${r.body.job_id}`)).body
    if (j.status === 'done' || j.status === 'failed') return j
    await sleep(50)
  }
  throw new Error('job did not finish')
}

test('RULE-IMPORT-017: a legacy .xls is read like an XLSX — sheet, header row, dates, numbers, row numbers', () => {
  // Before: "文件编码既不是 UTF-8 也不是 GB18030（约第 5 字节处）".
  const r = s.cli('import', '--kind', 'hukou', join(fx, 'hukou.xls'), '--commit')
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(lastJson(r.stdout), { rows: 3, accepted: 3, rejected: 0, committed: true }, r.stderr)
  assert.match(r.stderr, /读取工作表“花名册”（共 2 个工作表），表头在第 3 行/)
  assert.match(r.stderr, /导入 #\d+（XLS）：共 3 行，有效 3，被拒 0，空行跳过 4/)
  const id = lastImport()
  assert.equal(sql(`SELECT encoding || '|' || sheet || '|' || header_row || '|' || blank_rows FROM imports WHERE id = ${id}`), 'XLS|花名册|3|4')
  // Birth dates typed as dates agree with the numbers; region codes typed as numbers kept exactly.
  assert.equal(sql(`SELECT count(*) FROM elders WHERE region_code = '${made.region}' AND name IN ('王秀英', '李桂兰', '张德明')`), '3')
})

test('RULE-IMPORT-017: an .xls uploaded from the page (kept encrypted, read from its decrypted copy)', async () => {
  const c = await s.login('fg_civil')
  const j = await upload(c, '花名册.xls', readFileSync(join(fx, 'hukou.xls')))
  assert.equal(j.status, 'done', JSON.stringify(j))
  assert.deepEqual([j.result.encoding, j.result.sheet, j.result.header_row, j.result.blank_rows, j.result.rows, j.result.rejected],
    ['XLS', '花名册', 3, 4, 3, 0])
  assert.deepEqual(j.result.sheet_candidates, ['花名册'])
})

test('RULE-IMPORT-018: other files are named, with the formats accepted', async () => {
  const what = {
    'letter.doc': /上传的文件是 Word 文档（\.doc），不是可导入的表格。可导入的格式：CSV（UTF-8 或 GB18030\/GBK）、XLSX、XLS/,
    'letter.docx': /上传的文件是 Word 文档（\.docx）/,
    'table.ods': /上传的文件是 OpenDocument 表格（\.ods）/,
    'scan.pdf': /上传的文件是 PDF 文件/,
    'photo.png': /上传的文件是 PNG 图片/,
  }
  for (const [name, re] of Object.entries(what)) {
    const r = s.cli('import', '--kind', 'hukou', join(fx, name))
    assert.equal(r.status, 1, name)
    assert.match(r.stderr, re, name)
  }
  const c = await s.login('fg_civil')
  const j = await upload(c, '花名册.pdf', readFileSync(join(fx, 'scan.pdf')))
  assert.equal(j.status, 'failed')
  assert.match(j.error, /上传的文件是 PDF 文件，不是可导入的表格/)
  const html = await upload(c, '花名册.xls', Buffer.from('<html><body><table><tr><td>身份证号</td></tr></table></body></html>'))
  assert.match(html.error, /网页（HTML）格式的表格/)
})

test('RULE-IMPORT-019/020: a title row, a header over two rows, a cover sheet; an ID typed as a number', () => {
  // Before: "文件缺少“身份证号”列（第 1 行应为表头）" (the cover sheet, then the title row).
  const r = s.cli('import', '--kind', 'hukou', join(fx, 'hukou-two-row-header.xlsx'))
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(lastJson(r.stdout), { rows: 3, accepted: 2, rejected: 1, committed: false }, r.stderr)
  assert.match(r.stderr, /读取工作表“花名册”（共 2 个工作表），表头在第 2 行/)
  assert.match(r.stderr, /空行跳过 5/)
  const id = lastImport()
  // The spreadsheet's own row number; what happened and what to do.
  assert.equal(errorsOf(id), '6|身份证号|身份证号被存成了数字，后几位已丢失，请把该列设置为文本后重新导出')
  assert.equal(sql(`SELECT sheet || '|' || header_row || '|' || sheet_candidates FROM imports WHERE id = ${id}`), '花名册|2|["花名册"]')
  assert.match(sql(`SELECT unknown_columns FROM imports WHERE id = ${id}`), /联系电话/)
})

test('RULE-IMPORT-020: a whole ID column typed as numbers; region codes typed as numbers read exactly', () => {
  const r = s.cli('import', '--kind', 'hukou', join(fx, 'numeric-ids.xls'))
  assert.deepEqual(lastJson(r.stdout), { rows: 3, accepted: 0, rejected: 3, committed: false }, r.stderr)
  const errs = errorsOf(lastImport()).split('\n')
  assert.deepEqual(errs, [2, 3, 4].map((l) => `${l}|身份证号|身份证号被存成了数字，后几位已丢失，请把该列设置为文本后重新导出`))
})

test('RULE-IMPORT-019: several sheets fit — the upload names them, the page chooses, the commit reads that one', async () => {
  const c = await s.login('fg_civil')
  const body = readFileSync(join(fx, 'two-sheets.xlsx'))
  const first = await upload(c, '两个月.xlsx', body)
  assert.equal(first.status, 'done', JSON.stringify(first))
  assert.equal(first.result.sheet, '一月')
  assert.equal(first.result.header_row, 1)
  assert.deepEqual(first.result.sheet_candidates, ['一月', '二月'])
  const second = await upload(c, '两个月.xlsx', body, '&sheet=' + encodeURIComponent('二月'))
  assert.equal(second.result.sheet, '二月')
  const none = await upload(c, '两个月.xlsx', body, '&sheet=' + encodeURIComponent('三月'))
  assert.equal(none.status, 'failed')
  assert.match(none.error, /工作簿中没有名为“三月”的工作表/)
  const list = (await c.get('/api/v1/imports')).body.items
  const mine = list.find((x) => x.id === second.result.import_id)
  assert.equal(mine.sheet, '二月')
  assert.equal(mine.header_row, 1)
  assert.deepEqual(mine.sheet_candidates, ['一月', '二月'])
  const cm = await c.post(`/api/v1/imports/${second.result.import_id}/commit`, {})
  assert.equal(cm.status, 202)
  let job
  for (let i = 0; i < 100; i++) { job = (await c.get(`/api/v1/jobs/${cm.body.job_id}`)).body; if (job.status !== 'queued' && job.status !== 'running') break; await sleep(50) }
  assert.equal(job.status, 'done', JSON.stringify(job))
  assert.equal(job.result.sheet, '二月')
  assert.equal(sql(`SELECT address FROM elders WHERE name = '李桂兰'`), '二月住址')
})

test('RULE-UPLOAD-001, RULE-IMPORT-021: rows of commas only and formatted empty rows are skipped, counted, and do not block the commit', async () => {
  const ids = [idNumber('520327', '19410101', 11), idNumber('520327', '19420202', 22)]
  const csv = `标题：凤冈县户籍老人名单,,,\r\n身份证号,姓名,区划代码,住址\r\n${ids[0]},赵一,520327001001,某地1\r\n,,,\r\n${ids[1]},钱二,520327001001,某地2\r\n,,,\r\n,,,\r\n`
  const p = join(s.dir, 'commas.csv')
  writeFileSync(p, csv)
  const r = s.cli('import', '--kind', 'hukou', p, '--commit')
  assert.deepEqual(lastJson(r.stdout), { rows: 2, accepted: 2, rejected: 0, committed: true }, r.stderr)
  assert.match(r.stderr, /表头在第 2 行/)
  assert.match(r.stderr, /空行跳过 3/)
  const c = await s.login('fg_civil')
  const j = await upload(c, 'commas.csv', Buffer.from(csv))
  assert.equal(j.result.blank_rows, 3)
  assert.equal(j.result.header_row, 2)
  assert.equal(j.result.sheet, null)
  assert.equal(j.result.rejected, 0)
})
