// Downloadable import templates per kind (RULE-IMPORT-023): the accepted header names from the
// import profiles and an example row, as CSV and as XLSX with the ID column formatted as text.
// Each template is read back by the import itself: its header is found and its example row is
// valid, so a template cannot drift from the profiles.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { Server, serverTest, assertError } from './helpers.mjs'

let srv, civil
const test = serverTest(() => [srv])
const KINDS = ['hukou', 'roll', 'disability', 'death', 'pension', 'legacy_assessment', 'benefit']

before(async () => {
  srv = await Server.start()
  civil = await srv.login('fg_civil')
})
after(async () => { await srv?.dispose() })

const lastJson = (out) => JSON.parse(out.trim().split('\n').pop())

// A file of a zip archive (python3's zipfile; the fixtures use python3 too).
function unzip(path, member) {
  const r = spawnSync('python3', ['-c', 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())', path, member], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}

test('RULE-IMPORT-023: the CSV template has the profile headers and an example row the import accepts', async () => {
  const r = await civil.request('GET', '/api/v1/imports/templates/hukou?format=csv', undefined, { check: false })
  assert.equal(r.status, 200)
  assert.match(r.headers.get('content-type'), /^text\/csv/)
  assert.match(decodeURIComponent(r.headers.get('content-disposition')), /导入模板-户籍\.csv/)
  const text = r.raw.toString('utf8')
  assert.ok(text.startsWith('\ufeff'), 'a BOM: Excel opens it as UTF-8')
  const [head, row] = text.slice(1).split('\r\n')
  assert.equal(head, '身份证号,姓名,区划代码,住址,户号,户内人数,性别,出生日期')
  assert.equal(row.split(',')[0], '520327195001010018')
  for (const kind of KINDS) {
    const t = await civil.request('GET', `/api/v1/imports/templates/${kind}?format=csv`, undefined, { check: false })
    assert.equal(t.status, 200, kind)
    const p = join(srv.dir, `template-${kind}.csv`)
    writeFileSync(p, t.raw)
    const v = srv.cli(['import', '--kind', kind, p])
    assert.equal(v.status, 0, `${kind}: ${v.stderr}`)
    const out = lastJson(v.stdout)
    assert.equal(out.rows, 1, kind)
    if (kind === 'hukou') assert.deepEqual(out, { rows: 1, accepted: 1, rejected: 0, committed: false })
  }
})

test('RULE-IMPORT-023: the XLSX template: ID column formatted as text, a 说明 sheet, read back by the import', async () => {
  for (const kind of KINDS) {
    const r = await civil.request('GET', `/api/v1/imports/templates/${kind}`, undefined, { check: false }) // xlsx by default
    assert.equal(r.status, 200, kind)
    assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    assert.equal(r.raw.subarray(0, 2).toString(), 'PK')
    const p = join(srv.dir, `template-${kind}.xlsx`)
    writeFileSync(p, r.raw)
    const book = unzip(p, 'xl/workbook.xml')
    assert.match(book, /name="导入模板"/)
    assert.match(book, /name="说明"/)
    // Column A (身份证号) carries a style whose number format is text (@, built-in 49).
    const sheet = unzip(p, 'xl/worksheets/sheet1.xml')
    const col = /<col min="1" max="1"[^>]*style="(\d+)"/.exec(sheet)
    assert.ok(col, `${kind}: column A has a style: ${sheet.slice(0, 600)}`)
    const styles = unzip(p, 'xl/styles.xml')
    const xfs = [...(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)[1]).matchAll(/<xf [^>]*numFmtId="(\d+)"/g)].map((m) => m[1])
    const fmt = xfs[Number(col[1])]
    const custom = new RegExp(`<numFmt numFmtId="${fmt}" formatCode="@"`).test(styles)
    assert.ok(fmt === '49' || custom, `${kind}: column A is text (numFmt ${fmt})`)
    const v = srv.cli(['import', '--kind', kind, p])
    assert.equal(v.status, 0, `${kind}: ${v.stderr}`)
    assert.equal(lastJson(v.stdout).rows, 1, kind)
    assert.match(v.stderr, /导入模板/, `${kind}: the template sheet is the one read`)
    if (kind === 'hukou') assert.equal(lastJson(v.stdout).rejected, 0)
  }
  const help = unzip(join(srv.dir, 'template-hukou.xlsx'), 'xl/sharedStrings.xml')
  for (const s of ['必填', '选填', '公民身份号码', '行政区划代码']) assert.match(help, new RegExp(s))
})

test('RULE-IMPORT-023: unknown kind 404, bad format 400, no elder.import 403', async () => {
  assertError(await civil.request('GET', '/api/v1/imports/templates/nosuch'), 404, 'not_found')
  assertError(await civil.request('GET', '/api/v1/imports/templates/hukou?format=pdf'), 400, 'invalid', 'format')
  const caregiver = await srv.login('fg_caregiver')
  assertError(await caregiver.request('GET', '/api/v1/imports/templates/hukou?format=csv'), 403, 'forbidden')
})
