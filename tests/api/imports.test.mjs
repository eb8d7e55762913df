// Imports of other departments' data: profiles, encodings, report, all-or-nothing,
// idempotence, crash safety, the web upload flow.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server, BIN, assertError, sleep } from '../lib/server.mjs'
import { sqlite, PG } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s
before(async () => { s = await new Server().start() })
after(async () => { await s.stop(); s.cleanup() })

const sql = (q) => sqlite(s.db, q) // the sqlite3 shell, or psql on PostgreSQL
const file = (name, text) => { const p = join(s.dir, name); writeFileSync(p, text); return p }
// RULE-DB-060: the secondary indexes of elders (a SQLite import drops them and builds them again; PostgreSQL
// writes through them, so they stay).
const INDEXES = PG
  ? "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'elders'" +
    " AND indexdef NOT LIKE 'CREATE UNIQUE%' AND indexname NOT LIKE '%_trgm'"
  : "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index'" +
    " AND tbl_name = 'elders' AND sql IS NOT NULL ORDER BY name)"
const lastJson = (out) => JSON.parse(out.trim().split('\n').pop())
// The secondary indexes of elders (PostgreSQL also has the list count's index, RULE-DB-142).
const ELDER_INDEXES = PG ? 'elders_birth,elders_name,elders_region,elders_region_birth,elders_status'
  : 'elders_birth,elders_name,elders_region,elders_status'

const ids = Array.from({ length: 6 }, (_, i) => idNumber('520327', `19${40 + i}0${1 + (i % 9)}15`, 100 + i))
const hukou = '\ufeff证件号码,姓名,住址,区划代码,户号,性别,出生日期,备注\r\n' + ids.map((id, i) =>
  `${id},老人${i},"龙泉街道,前进社区${i}号",520327001001,H${i},${Number(id[16]) % 2 ? '男' : '女'},${id.slice(6, 10)}年${id.slice(10, 12)}月${id.slice(12, 14)}日,x`).join('\r\n') + '\r\n'

test('validation only: every bad row reported with line, column and reason; nothing written', () => {
  const bad = hukou + `${ids[0]},重复,某地,520327001001,H9,,,\r\n` + '37070419881216001X,坏号,某地,520327001001,H9,,,\r\n' +
    `${idNumber('520327', '19500101', 1)},,某地,520327001001,,,,\r\n` + `${idNumber('520327', '19500101', 3)},张三,某地,520399001001,,,,\r\n` +
    `${idNumber('520327', '19500101', 5)},李四,某地,520327001001,,女,,\r\n`
  const r = s.cli('import', '--kind', 'hukou', file('bad.csv', bad), '--commit')
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(lastJson(r.stdout), { rows: 11, accepted: 6, rejected: 5, committed: false })
  const errs = sql(`SELECT line || '|' || col FROM import_errors ORDER BY line`).split('\n')
  assert.deepEqual(errs, ['8|身份证号', '9|身份证号', '10|姓名', '11|区划代码', '12|性别'])
  assert.equal(sql('SELECT count(*) FROM elders'), '0', 'all-or-nothing by default')
  assert.match(sql('SELECT unknown_columns FROM imports ORDER BY id DESC LIMIT 1'), /备注/)
})

test('commit, then the same file again changes nothing', () => {
  const p = file('hukou.csv', hukou)
  const r = s.cli('import', '--kind', 'hukou', p, '--commit')
  assert.deepEqual(lastJson(r.stdout), { rows: 6, accepted: 6, rejected: 0, committed: true })
  assert.equal(sql('SELECT count(*) FROM elders'), '6')
  // A record the import created: one history entry naming the import, not a copy of the record.
  const imp = sql('SELECT max(id) FROM imports')
  assert.equal(sql(`SELECT DISTINCT action || '|' || changes FROM elder_history`), `import_create|{"source":"import:${imp}"}`)
  const hist = sql('SELECT count(*) FROM elder_history')
  const again = s.cli('import', '--kind', 'hukou', p, '--commit')
  assert.deepEqual(lastJson(again.stdout), { rows: 6, accepted: 6, rejected: 0, committed: true })
  assert.match(again.stderr, /新增 0，变更 0，未变 6/)
  assert.equal(sql('SELECT count(*) FROM elder_history'), hist, 'no change recorded')
})

test('GB18030 files, other kinds, dates in every usual form, evidence from the import', () => {
  const roll = `身份证号,姓名,救助类别,开始日期\n${ids[0]},老人0,低保,2020/3/1\n${ids[1]},老人1,特困,20190101\n${ids[2]},老人2,低收入,43831\n`
  const gbk = join(s.dir, 'roll-gbk.csv')
  writeFileSync(join(s.dir, 'roll-utf8.csv'), roll)
  assert.equal(spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030', '-o', gbk, join(s.dir, 'roll-utf8.csv')]).status, 0)
  const r = s.cli('import', '--kind', 'roll', gbk, '--commit')
  assert.deepEqual(lastJson(r.stdout), { rows: 3, accepted: 3, rejected: 0, committed: true }, r.stderr)
  assert.match(r.stderr, /GB18030/)
  assert.equal(sql(`SELECT economic_status FROM elders WHERE name = '老人1'`), 'tekun')
  assert.equal(sql(`SELECT source || ' ' || evidence_date FROM elder_categories c JOIN elders e ON e.id = c.elder_id WHERE e.name = '老人2' AND category = 'economic_difficulty'`), 'import:roll 2020-01-01')
  const dis = s.cli('import', '--kind', 'disability', file('dis.csv', `公民身份号码,姓名,残疾类别,残疾等级\n${ids[3]},老人3,肢体,二级\n${ids[4]},老人4,视力,5\n`), '--commit', '--valid-only')
  assert.deepEqual(lastJson(dis.stdout), { rows: 2, accepted: 1, rejected: 1, committed: true })
  assert.match(sql(`SELECT category FROM elder_categories c JOIN elders e ON e.id = c.elder_id WHERE e.name = '老人3'`), /severe_disability/)
  const death = s.cli('import', '--kind', 'death', file('death.csv', `身份证号码,姓名,死亡日期\n${ids[5]},老人5,2025年1月2日\n${idNumber('520327', '19400101', 77)},不在册,2025-01-01\n`), '--commit', '--valid-only')
  assert.deepEqual(lastJson(death.stdout), { rows: 2, accepted: 1, rejected: 1, committed: true })
  assert.equal(sql(`SELECT status || ' ' || status_date FROM elders WHERE name = '老人5'`), 'deceased 2025-01-02')
  const pension = s.cli('import', '--kind', 'pension', file('p.csv', `身份证号,姓名,养老保险类型,月领取金额\n${ids[0]},老人0,城乡居民养老保险,213.5\n`), '--commit')
  assert.equal(lastJson(pension.stdout).committed, true)
  assert.equal(sql(`SELECT pension_amount_fen FROM elders WHERE name = '老人0'`), '21350')
})

test('XLSX: first sheet, shared strings, Excel date serials, row numbers kept', () => {
  const r = s.cli('import', '--kind', 'hukou', 'tests/fixtures/hukou-gap.xlsx')
  assert.deepEqual(lastJson(r.stdout), { rows: 2, accepted: 1, rejected: 1, committed: false }, r.stderr)
  assert.match(r.stderr, /XLSX/)
  assert.equal(sql(`SELECT line || ' ' || col FROM import_errors WHERE import_id = (SELECT max(id) FROM imports)`), '4 出生日期')
})

test('a missing column or an unknown kind is refused with a Chinese reason', () => {
  const r = s.cli('import', '--kind', 'hukou', file('nocol.csv', '姓名,住址\n张三,某地\n'))
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /缺少“身份证号”列/)
  assert.notEqual(s.cli('import', '--kind', 'tax', file('x.csv', 'a\n')).status, 0)
  // A mistyped option is refused before anything runs (it used to pass silently: no commit).
  const typo = s.cli('import', '--kind', 'hukou', file('typo.csv', hukou), '--comit')
  assert.equal(typo.status, 2)
  assert.match(typo.stderr, /不认识选项 --comit/)
  const gen = s.cli('gen', '--elders', '10', '--out', join(s.dir, 'g'), '--bad-pct', '5')
  assert.equal(gen.status, 2)
  assert.match(gen.stderr, /不认识选项 --bad-pct/)
  assert.match(s.cli('import', '--kind').stderr, /选项 --kind 需要一个值/)
})

test('kill -9 during a commit leaves no partial rows', async () => {
  const n = 30000
  const rows = ['身份证号,姓名,区划代码,住址']
  for (let i = 0; i < n; i++) {
    const area = `5203${String(10 + Math.floor(i / 1000)).padStart(2, '0')}`
    rows.push(`${idNumber(area, `19${30 + (i % 30)}0101`, i % 1000)},人${i},520327001002,地址${i}`)
  }
  const big = file('big.csv', rows.join('\n') + '\n')
  const before = sql('SELECT count(*) FROM elders')
  const child = spawn(BIN, ['import', '--kind', 'hukou', big, '--commit', '--db', s.db], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...s.env } })
  let err = ''
  child.stderr.on('data', (d) => { err += d })
  const deadline = Date.now() + 60000
  // Past 20 % (6,000 new records) the import has deferred the search index and dropped the
  // secondary indexes inside its transaction: the kill comes after that.
  while (!/写入中 [2-9]\d%/.test(err) && Date.now() < deadline && child.exitCode === null) await sleep(5)
  assert.match(err, /写入中 [2-9]\d%/, 'the commit was well under way')
  child.kill('SIGKILL')
  await new Promise((r) => child.on('exit', r))
  assert.equal(sql('SELECT count(*) FROM elders'), before, 'nothing of the killed commit remains')
  assert.equal(sql(INDEXES), ELDER_INDEXES,
  'the dropped indexes came back with the rollback')
  assert.equal(sql('SELECT count(*) FROM search_deferred'), '0')
  assert.equal(sql("SELECT status FROM imports ORDER BY id DESC LIMIT 1"), 'validated')
  assert.equal(s.cli('audit', 'verify').status, 0)
})

test('web flow: upload → validation job with progress → report → commit job', async () => {
  const c = await s.login('fg_civil')
  const csv = readFileSync(join(s.dir, 'bad.csv'))
  const up = await c.request('POST', '/api/v1/imports?kind=hukou&filename=' + encodeURIComponent('户籍.csv'), csv, { headers: { 'Content-Type': 'application/octet-stream' } })
  assert.equal(up.status, 202, JSON.stringify(up.body))
  let job
  for (let i = 0; i < 100; i++) { job = (await c.get(`/api/v1/jobs/${up.body.job_id}`)).body; if (job.status === 'done' || job.status === 'failed') break; await sleep(50) }
  assert.equal(job.status, 'done', JSON.stringify(job))
  assert.equal(job.result.rejected, 5)
  const report = await c.get(`/api/v1/imports/${job.result.import_id}/errors?format=csv`, { raw: true })
  assert.match(report.headers.get('content-disposition'), /attachment/)
  const text = report.raw.toString('utf8')
  assert.match(text, /^\ufeff行号,列,原因\r\n8,身份证号,/)
  assertError(assert, await c.post(`/api/v1/imports/${job.result.import_id}/commit`, {}), 409, 'conflict', 'valid_only')
  const cm = await c.post(`/api/v1/imports/${job.result.import_id}/commit`, { valid_only: true })
  assert.equal(cm.status, 202)
  for (let i = 0; i < 100; i++) { job = (await c.get(`/api/v1/jobs/${cm.body.job_id}`)).body; if (job.status === 'done') break; await sleep(50) }
  assert.equal(job.result.committed, true)
  assertError(assert, await c.post(`/api/v1/imports/${job.result.import_id}/commit`, { valid_only: true }), 409, 'conflict')
  const other = await s.login('lq_officer')
  assertError(assert, await other.get(`/api/v1/jobs/${cm.body.job_id}`), 404, 'not_found')
  const helper = await s.login('lq_helper')
  assertError(assert, await helper.request('POST', '/api/v1/imports?kind=hukou&filename=a.csv', csv), 403, 'forbidden')
})

test('imports are scoped: a township officer brings in only their own people and sees only their imports (RULE-IMPORT-016)', async () => {
  const lq = await s.login('lq_officer')
  const mine = idNumber('520327', '19400202', 501)
  const theirs = idNumber('520327', '19400202', 503)
  const csv = `身份证号,姓名,区划代码,住址\n${mine},本街道,520327001001,一号\n${theirs},外乡镇,520327101201,二号\n`
  const up = await lq.request('POST', '/api/v1/imports?kind=hukou&filename=scope.csv', csv)
  assert.equal(up.status, 202)
  let job
  for (let i = 0; i < 100; i++) { job = (await lq.get(`/api/v1/jobs/${up.body.job_id}`)).body; if (job.status === 'done') break; await sleep(50) }
  assert.equal(job.result.rejected, 1)
  const errs = (await lq.get(`/api/v1/imports/${job.result.import_id}/errors`)).body.items
  assert.match(errs[0].reason, /不在本辖区/)
  const listed = (await lq.get('/api/v1/imports')).body.items
  assert.ok(listed.every((i) => i.id === job.result.import_id), 'only the officer\'s own import is listed')
  const civilImport = (await (await s.login('fg_civil')).get('/api/v1/imports')).body.items.find((i) => i.id !== job.result.import_id)
  if (civilImport) assertError(assert, await lq.get(`/api/v1/imports/${civilImport.id}/errors`), 404, 'not_found')
  // Other kinds: a person outside the region is treated as absent.
  const roll = `身份证号,姓名,类别,开始日期\n${ids[2]},老人2,低保,2020-01-01\n`
  const up2 = await lq.request('POST', '/api/v1/imports?kind=roll&filename=roll.csv', roll)
  for (let i = 0; i < 100; i++) { job = (await lq.get(`/api/v1/jobs/${up2.body.job_id}`)).body; if (job.status === 'done') break; await sleep(50) }
  assert.equal(job.result.rejected, 0, '老人2 lives in 龙泉街道 (520327001001)')
  const jx = await s.login('jx_officer')
  const up3 = await jx.request('POST', '/api/v1/imports?kind=roll&filename=roll.csv', roll)
  for (let i = 0; i < 100; i++) { job = (await jx.get(`/api/v1/jobs/${up3.body.job_id}`)).body; if (job.status === 'done') break; await sleep(50) }
  assert.equal(job.result.rejected, 1, 'outside 进化镇: as if not in the registry')
})

test('a large import rebuilds the search index and the secondary indexes once; search finds the people', async () => {
  const dir = join(s.dir, 'gen8k')
  const g = s.cli('gen', '--elders', '8000', '--out', dir, '--bad-percent', '0')
  assert.equal(g.status, 0, g.stderr)
  const before = Number(sql('SELECT count(*) FROM elders'))
  const indexes = INDEXES
  // The CLI validates and writes in one pass: a bad last row, after the pass has set the search
  // index and the secondary indexes aside, undoes everything it wrote; the report stays.
  const good = readFileSync(join(dir, 'hukou.csv'), 'utf8')
  const bad = s.cli('import', '--kind', 'hukou', file('gen8k-bad.csv', good + '37070419881216001X,坏号,520327001001,某地,H9,1,,\n'), '--commit')
  assert.deepEqual({ ...lastJson(bad.stdout), rows: 0, accepted: 0 }, { rows: 0, accepted: 0, rejected: 1, committed: false }, bad.stderr)
  assert.match(bad.stderr, /新增 0，变更 0/)
  assert.equal(Number(sql('SELECT count(*) FROM elders')), before, 'nothing written')
  assert.equal(sql('SELECT count(*) FROM search_deferred'), '0')
  assert.equal(sql(indexes), ELDER_INDEXES, 'indexes back')
  assert.equal(sql(`SELECT status || '|' || rejected FROM imports ORDER BY id DESC LIMIT 1`), 'validated|1')
  assert.equal(sql('SELECT col FROM import_errors WHERE import_id = (SELECT max(id) FROM imports)'), '身份证号')
  const r = s.cli('import', '--kind', 'hukou', join(dir, 'hukou.csv'), '--commit')
  assert.equal(lastJson(r.stdout).committed, true, r.stderr)
  assert.ok(Number(sql('SELECT count(*) FROM elders')) > before + 7000)
  assert.equal(sql('SELECT count(*) FROM search_deferred'), '0', 'the deferral flag never outlives the import')
  assert.equal(sql(indexes), ELDER_INDEXES)
  if (!PG) { // SQLite's FTS5 table (PostgreSQL searches through pg_trgm indexes on elders itself)
    const check = spawnSync('sqlite3', [s.db, "INSERT INTO elders_fts(elders_fts, rank) VALUES ('integrity-check', 1)"], { encoding: 'utf8' })
    assert.equal(check.status, 0, 'search index consistent with the records: ' + check.stderr)
    assert.equal(sql('SELECT count(*) FROM elders_fts'), sql('SELECT count(*) FROM elders'))
  }

  // Real people of the file, found through the API by address substring and by name.
  const rows = readFileSync(join(dir, 'hukou.csv'), 'utf8').split('\n').slice(1, 4000).map((l) => l.split(','))
  const [id, name, region, address] = rows[3456]
  const admin = await s.login('admin')
  const byAddress = await admin.get('/api/v1/elders?page_size=100&q=' + encodeURIComponent(address.slice(-8)))
  assert.equal(byAddress.status, 200)
  assert.ok(byAddress.body.items.some((e) => e.name === name && e.region_code === region), JSON.stringify(byAddress.body).slice(0, 300))
  const byId = await admin.get('/api/v1/elders?id_number=' + id)
  assert.equal(byId.body.total, 1)
  assert.equal(byId.body.items[0].name, name)
})
