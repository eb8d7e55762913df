// Import rules, one test each, through the CLI on the server's database (RULE-IMPORT-*).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server } from '../lib/server.mjs'
import { sqlite } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s
before(async () => { s = await new Server().start() })
after(async () => { await s.stop(); s.cleanup() })

const sql = (q) => sqlite(s.db, q) // the sqlite3 shell, or psql on PostgreSQL
const file = (name, text) => { const p = join(s.dir, name); writeFileSync(p, text); return p }
const run = (kind, name, text, ...opts) => {
  const r = s.cli('import', '--kind', kind, file(name, text), ...opts)
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout.trim().split('\n').pop())
}
const errors = () => sql(`SELECT line || '|' || col || '|' || reason FROM import_errors WHERE import_id = (SELECT max(id) FROM imports) ORDER BY line`).split('\n').filter(Boolean)
const H = '身份证号,姓名,区划代码,住址'
const p1 = idNumber('520327', '19400301', 301)
const p2 = idNumber('520327', '19410402', 302)
const p3 = idNumber('520327', '19420503', 303)

test('RULE-IMPORT-004: every number normalised and validated; a repeat in the file is refused from its second row', () => {
  const lower = p1.slice(0, 17) + p1[17].toLowerCase()
  const spaced = p2.slice(0, 6) + ' ' + p2.slice(6)
  const r = run('hukou', 'ids.csv', `${H}\n${lower},甲,520327001001,一号\n${spaced},乙,520327001001,二号\n${p1},甲二,520327001001,三号\n370704198812160019,坏,520327001001,四号\n`)
  assert.deepEqual({ rows: r.rows, accepted: r.accepted, rejected: r.rejected }, { rows: 4, accepted: 2, rejected: 2 })
  const e = errors()
  assert.equal(e.length, 2)
  assert.match(e[0], /^4\|身份证号\|.*重复/, 'the second row of the same (normalised) number')
  assert.match(e[1], /^5\|身份证号\|/, 'a wrong check digit')
})

test('RULE-IMPORT-005: in household files, sex and birth date must agree with the ID number', () => {
  const male = Number(p3[16]) % 2 === 1
  const r = run('hukou', 'sex.csv', `${H},性别,出生日期\n${p3},丙,520327001001,一号,${male ? '女' : '男'},\n${p1},甲,520327001001,一号,,1999-01-01\n${p2},乙,520327001001,二号,,1941-04-02\n`)
  assert.deepEqual({ accepted: r.accepted, rejected: r.rejected }, { accepted: 1, rejected: 2 })
  const e = errors()
  assert.match(e[0], /^2\|性别\|/)
  assert.match(e[1], /^3\|出生日期\|/)
})

test('RULE-IMPORT-006: GB18030 with CRLF and quoted fields, and UTF-8 with a BOM, read alike', () => {
  const text = `${H}\r\n${p1},"张,三",520327001001,"前进""社区"""\r\n`
  const utf = run('hukou', 'bom.csv', '\ufeff' + text)
  assert.equal(utf.accepted, 1)
  const src = file('gb-src.csv', text)
  const gb = join(s.dir, 'gb.csv')
  assert.equal(spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030', '-o', gb, src]).status, 0)
  const r = s.cli('import', '--kind', 'hukou', gb)
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stderr, /GB18030/)
  assert.equal(JSON.parse(r.stdout.trim().split('\n').pop()).accepted, 1)
  assert.equal(sql('SELECT encoding FROM imports ORDER BY id DESC LIMIT 1'), 'GB18030')
})

test('RULE-IMPORT-007: nothing written unless every row is valid (or valid rows only asked); re-import changes nothing', () => {
  const before = sql('SELECT count(*) FROM elders')
  const bad = `${H}\n${p1},甲,520327001001,一号\n${p2},乙,520327001001,二号\n370704198812160019,坏,520327001001,四号\n`
  const r = run('hukou', 'all.csv', bad, '--commit')
  assert.equal(r.committed, false)
  assert.equal(sql('SELECT count(*) FROM elders'), before, 'one bad row: nothing written')
  assert.equal(errors().length, 1, 'the report is kept')
  const v = run('hukou', 'valid.csv', bad, '--commit', '--valid-only')
  assert.equal(v.committed, true)
  assert.equal(sql('SELECT count(*) FROM elders'), String(Number(before) + 2))
  const hist = sql('SELECT count(*) FROM elder_history')
  const again = run('hukou', 'valid2.csv', bad, '--commit', '--valid-only')
  assert.equal(again.committed, true)
  assert.equal(sql('SELECT count(*) FROM elders'), String(Number(before) + 2), 'the same file again creates nobody')
  assert.equal(sql('SELECT count(*) FROM elder_history'), hist, 'and changes nothing')
})

test('RULE-IMPORT-012: disability rows set the certificate type and grade', () => {
  const r = run('disability', 'dis.csv', `身份证号,姓名,残疾类别,残疾等级\n${p1},甲,肢体,二级\n${p2},乙,视力,四级\n`, '--commit')
  assert.equal(r.committed, true)
  assert.equal(sql(`SELECT disability_type || ' ' || disability_grade FROM elders WHERE name = '甲'`), '肢体 2')
  assert.equal(sql(`SELECT disability_grade FROM elders WHERE name = '乙'`), '4')
})

test('RULE-IMPORT-014: pension rows set the type and the monthly amount in fen', () => {
  const r = run('pension', 'pen.csv', `身份证号,姓名,养老保险类型,月领取金额\n${p2},乙,城乡居民养老保险,1234.56\n`, '--commit')
  assert.equal(r.committed, true)
  assert.equal(sql(`SELECT pension_type || ' ' || pension_amount_fen FROM elders WHERE name = '乙'`), '城乡居民养老保险 123456')
})

test('RULE-IMPORT-013: a death registration sets the status 死亡 with its date', () => {
  const r = run('death', 'death.csv', `身份证号,姓名,死亡日期\n${p2},乙,2026年3月4日\n`, '--commit')
  assert.equal(r.committed, true)
  assert.equal(sql(`SELECT status || ' ' || status_date FROM elders WHERE name = '乙'`), 'deceased 2026-03-04')
  assert.equal(sql(`SELECT status FROM elders WHERE name = '甲'`), 'active', 'only the person registered')
})

test('RULE-IMPORT-015: rows of other kinds whose person is not in the registry are refused', () => {
  const stranger = idNumber('520327', '19390101', 399)
  for (const [kind, text] of [
    ['roll', `身份证号,姓名,救助类别,开始日期\n${stranger},陌生,低保,2020-01-01\n`],
    ['disability', `身份证号,姓名,残疾类别,残疾等级\n${stranger},陌生,肢体,二级\n`],
    ['death', `身份证号,姓名,死亡日期\n${stranger},陌生,2026-01-01\n`],
    ['pension', `身份证号,姓名,养老保险类型,月领取金额\n${stranger},陌生,职工养老保险,100\n`],
  ]) {
    const r = run(kind, `${kind}-x.csv`, text, '--commit')
    assert.equal(r.rejected, 1, kind)
    assert.match(errors()[0], /请先导入户籍/, kind)
  }
  assert.equal(sql(`SELECT count(*) FROM elders WHERE name = '陌生'`), '0')
})
