// Personal data shown to readers without elder.read_pii (issue 9): every response that carries a
// masked ID number or phone — found by walking the route table (`anlao routes`) rather than by a
// hand-kept list — must leave many candidates for the full number (RULE-PII-001, RULE-PII-002),
// search must not find a phone by a part of it (RULE-PII-003), nothing says that a record exists
// outside the reader's scope (RULE-PII-004), names refuse control and direction characters
// (RULE-PII-005) and CSV cells never start a formula (RULE-PII-006).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

import { Server, assertError, cli, sqlite, serverTest } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

// A response leaves fewer candidates than this for a full number: the test fails.
const MIN_CANDIDATES = 1000

let s
const it = serverTest(() => [s])
const people = [] // { id, number, birth, sex, phones: [] } created by fg_civil
let civil, runId

// ---- reconstruction ------------------------------------------------------------------------

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

function daysOf(year) {
  const out = []
  for (let d = new Date(Date.UTC(year, 0, 1)); d.getUTCFullYear() === year; d.setUTCDate(d.getUTCDate() + 1)) {
    out.push(d.toISOString().slice(0, 10).replaceAll('-', ''))
  }
  return out
}

const fits = (mask, from, text) => [...text].every((ch, i) => mask[from + i] === '*' || mask[from + i] === ch)

// How many 18-character numbers agree with `mask` for someone the attacker knows the sex and
// the birth year of (always assumed: both are shown), or the whole birth date (when any part of
// the response shows it).  Exact count over dates × sequences with the check character.
const idCache = new Map()
function idCandidates(mask, { year, date, sex }) {
  const key = `${mask}|${year}|${date}|${sex}`
  if (idCache.has(key)) return idCache.get(key)
  assert.equal(mask.length, 18, `an ID mask has 18 characters: ${mask}`)
  const area = mask.slice(0, 6)
  let n = 0
  if (/\*/.test(area)) n = Infinity // the area code hidden too: far more than enough
  else {
    const dates = (date ? [date.replaceAll('-', '')] : daysOf(year)).filter((d) => fits(mask, 6, d))
    for (const d of dates) {
      for (let q = 0; q < 1000; q++) {
        if ((q % 2 === 1) !== (sex === 'M')) continue
        const seq = String(q).padStart(3, '0')
        if (!fits(mask, 14, seq)) continue
        const body = area + d + seq
        const c = CHECK[[...body].reduce((a, ch, i) => a + Number(ch) * W[i], 0) % 11]
        if (mask[17] === '*' || mask[17] === c) n++
      }
    }
  }
  idCache.set(key, n)
  return n
}

// Hidden digits of a masked phone: 10 each, except a hidden first digit (1 for a mobile, 0 for a
// landline: known) and a hidden second digit of a mobile (3–9).
function phoneCandidates(mask) {
  let n = 1
  const mobile = mask.replaceAll('-', '').length === 11 && !mask.startsWith('0')
  ;[...mask].forEach((ch, i) => {
    if (ch !== '*') return
    n *= i === 0 ? 1 : i === 1 && mobile ? 7 : 10
  })
  return n
}

// Every string in a JSON value.
function strings(v, out = []) {
  if (typeof v === 'string') out.push(v)
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out))
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out))
  return out
}

// Every object holding a key that ends in _masked, with that key.
function maskedObjects(v, out = []) {
  if (Array.isArray(v)) v.forEach((x) => maskedObjects(x, out))
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (/_masked$/.test(k)) out.push({ obj: v, key: k })
      else maskedObjects(x, out)
    }
  }
  return out
}

// The facts a response (its whole text) gives away about each person, and the checks.
function checkText(text, what) {
  for (const p of people) {
    assert.ok(!text.includes(p.number), `${what}: the full ID number of ${p.name}`)
    const compact = p.birth.replaceAll('-', '')
    for (const form of [p.birth, compact, p.birth.replaceAll('-', '/')]) {
      assert.ok(!text.includes(form), `${what}: the birth date of ${p.name} (${form})`)
    }
    for (const ph of p.phones) assert.ok(!text.includes(ph), `${what}: the full phone ${ph} of ${p.name}`)
  }
}

// Masks in the text of an export (no keys there): each must leave enough candidates for its
// person, with the birth date if the file shows it (checkText refuses that anyway).
function checkMasksInText(text, what) {
  const masks = text.match(/\d{6}[\d*]{11}[\dX*]/g) || []
  let seen = 0
  for (const m of masks) {
    if (!m.includes('*')) continue
    const p = people.find((x) => x.number.slice(0, 6) === m.slice(0, 6) && fits(m, 0, x.number))
    if (!p) continue
    seen++
    const n = idCandidates(m, { year: Number(p.birth.slice(0, 4)), sex: p.sex })
    assert.ok(n >= MIN_CANDIDATES, `${what}: ID mask ${m} leaves ${n} candidates`)
  }
  for (const m of text.match(/[\d*-]*\*{2,}[\d*-]*/g) || []) {
    if (/^\d{6}\*/.test(m) && m.length === 18) continue
    assert.ok(phoneCandidates(m) >= MIN_CANDIDATES, `${what}: phone mask ${m} leaves ${phoneCandidates(m)} candidates`)
  }
  return seen
}

function checkJson(body, what) {
  checkText(JSON.stringify(body), what)
  let seen = 0
  for (const { obj, key } of maskedObjects(body)) {
    const m = obj[key]
    const values = Array.isArray(m) ? m : [m] // history entries hold [old, new]
    for (const v of values) {
      if (typeof v !== 'string') continue
      if (/phone/.test(key)) {
        assert.ok(phoneCandidates(v) >= MIN_CANDIDATES, `${what}: ${key} ${v} leaves ${phoneCandidates(v)} candidates`)
        continue
      }
      const p = people.find((x) => fits(v, 0, x.number))
      if (!p) continue
      seen++
      // A birth date beside the mask (the flaw of issue 9) is used if present.
      const date = [].concat(obj.birth_date).find((d) => typeof d === 'string' && /^\d{4}-\d\d-\d\d$/.test(d)) || null
      const n = idCandidates(v, { year: Number(p.birth.slice(0, 4)), date, sex: p.sex })
      assert.ok(n >= MIN_CANDIDATES, `${what}: ${key} ${v} with ${JSON.stringify({ birth_date: obj.birth_date, age: obj.age, birth_year: obj.birth_year })} leaves ${n} candidates`)
    }
  }
  return seen
}

function xlsxText(buf, dir, name) {
  const file = join(dir, name)
  writeFileSync(file, buf)
  const r = spawnSync('python3', ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint("".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/")))', file], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}

// ---- the data --------------------------------------------------------------------------------

before(async () => {
  s = await Server.start()
  civil = await s.login('fg_civil')
  const admin = await s.login('admin')
  const mk = async (name, region, number, phone, extra = {}) => {
    const r = await civil.post('/api/v1/elders', { name, id_number: number, region_code: region, address: `${name}的家`, phone, ...extra })
    assert.equal(r.status, 201, r.text)
    const p = { id: r.body.id, name, number, birth: `${number.slice(6, 10)}-${number.slice(10, 12)}-${number.slice(12, 14)}`, sex: Number(number[16]) % 2 ? 'M' : 'F', phones: [phone], region }
    people.push(p)
    return p
  }
  // 龙泉 (the helper's township): one with two phones, a contact, changes in the history;
  // two records of one person (疑似重复) and one whose twin lives in 进化.
  const a = await mk('钱桂兰', '520327001001', idNumber('520327', '19430517', 26), '13912345678', { phone2: '0851-5221234', living_arrangement: 'alone' })
  a.phones.push('0851-5221234')
  assert.equal((await civil.post(`/api/v1/elders/${a.id}/contacts`, { relation: '女儿', name: '钱小红', phone: '13598765432' })).status, 201)
  a.phones.push('13598765432')
  const rec = (await civil.get(`/api/v1/elders/${a.id}`)).body
  assert.equal((await civil.patch(`/api/v1/elders/${a.id}`, { version: rec.version, phone: '13887654321', economic_status: 'dibao' })).status, 200)
  a.phones.push('13887654321')
  await mk('孙德胜', '520327001002', idNumber('520327', '19380211', 113), '13700001111')
  await mk('孙德胜', '520327001001', idNumber('522101', '19380211', 457), '13700002222')
  await mk('周玉珍', '520327001002', idNumber('520327', '19511123', 88), '13600003333')
  await mk('周玉珍', '520327101201', idNumber('520327', '19511123', 202), '13600004444')
  // A family account linked to 钱桂兰; a role that reads worklists without elder.read_pii.
  const fam = await admin.post('/api/v1/users', { username: 'pii_family', display_name: '钱小红', role: 'family', region_code: '520327001', password: 'Family2026' })
  assert.equal(fam.status, 201, fam.text)
  assert.equal((await civil.post(`/api/v1/elders/${a.id}/consents`, { user_id: fam.body.id, relation: '女儿', granted_by: '钱桂兰本人', scope: ['basic', 'health', 'location'] })).status, 201)
  sqlite(s.db, "INSERT INTO roles(id, name, sort) VALUES ('pii_probe', '清单查看', 99);" +
    " INSERT INTO role_permissions(role_id, permission_id) SELECT 'pii_probe', permission_id FROM role_permissions" +
    " WHERE role_id = 'township_officer' AND permission_id != 'elder.read_pii';" +
    " UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'auth.roles_version'") // RULE-AUTH-009
  const probe = await admin.post('/api/v1/users', { username: 'pii_probe', display_name: '清单查看员', role: 'pii_probe', region_code: '520327001', password: 'Probe2026x' })
  assert.equal(probe.status, 201, probe.text)
  // Assessments and requests, so that their lists and the due list carry these people.
  assert.equal((await civil.post('/api/v1/assessments/legacy', { elder_id: a.id, level: 1, assessed_on: '2025-09-01' })).status, 201)
  assert.equal((await civil.post('/api/v1/assessment-requests', { elder_id: a.id, reason: 'immediate', source: 'visit', note: '走访发现' })).status, 201)
  // Identification: a baseline, then a run with lists.
  for (let i = 0; i < 2; i++) {
    const r = await civil.post('/api/v1/identify/runs', {})
    assert.equal(r.status, 202, r.text)
    for (let k = 0; k < 400; k++) {
      const j = (await civil.get(`/api/v1/jobs/${r.body.job_id}`)).body
      if (j.status === 'done') break
      assert.notEqual(j.status, 'failed', JSON.stringify(j))
      await new Promise((ok) => setTimeout(ok, 50))
    }
  }
  runId = (await civil.get('/api/v1/identify/runs')).body.items[0].id
})
after(async () => { await s.stop(); await s.dispose() })

// ---- RULE-PII-001/002: every mask-bearing response, as readers without elder.read_pii --------

// The GET routes of the route table, with their parameters filled from what this file created.
function getRoutes() {
  const r = cli(['routes'])
  assert.equal(r.status, 0, r.stderr)
  return r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[1] === 'GET' && f[2].startsWith('/api/')).map((f) => f[2])
}

// Parameters this test cannot fill (no personal data behind them here): listed on purpose, so that
// a new GET route with a parameter makes this test fail until it is taught the route.
const UNFILLED = new Set(['/api/v1/imports/:id/errors', '/api/v1/jobs/:id'])
// Event streams never end, so a crawl cannot read them whole. The alarm console's carries the
// object GET /api/v1/alarms/:id answers (checked here), read in tests/api/alarms.test.mjs (issue
// 14); the dispatch board's carries ids and states only (an order's id, region code, status and
// caregiver id, RULE-SVC-030).
const STREAMS = new Set(['/api/v1/alarms/stream', '/api/v1/service/board/events'])

async function expand(path, reader) {
  if (UNFILLED.has(path) || STREAMS.has(path)) return []
  const lists = (await civil.get('/api/v1/identify/runs')).body.lists.map((l) => l.id)
  const assessIds = (await civil.get('/api/v1/assessments?page_size=200')).body.items.map((x) => x.id)
  let paths = [path]
  const fill = (param, values) => {
    paths = paths.flatMap((p) => (p.includes(param) ? values.map((v) => p.replace(param, String(v))) : [p]))
  }
  if (path.startsWith('/api/v1/identify/runs/:id')) fill(':id', [runId])
  if (path.startsWith('/api/v1/assessments/:id')) fill(':id', assessIds.length ? assessIds : [1])
  if (path.startsWith('/api/v1/users/:id')) fill(':id', [reader.me.id])
  fill(':list', lists)
  fill(':code', ['520327001'])
  fill(':kind', ['hukou', 'pension']) // import templates (RULE-IMPORT-023)
  fill(':key', ['gaoling_jintie']) // service list items (issue 12): no personal data
  fill(':month', ['2026-11']) // meal statements (issue 17)
  fill(':id', people.map((p) => p.id))
  assert.ok(paths.every((p) => !/\/:/.test(p)), `a parameter of ${path} the test does not know: teach expand()`)
  if (path.endsWith('/export') || path.startsWith('/api/v1/imports/templates/')) paths = paths.flatMap((p) => [`${p}?format=csv`, `${p}?format=xlsx`])
  else if (path === '/api/v1/entitle/benefits') paths = people.map((p) => `${path}?elder_id=${p.id}`) // issue 12
  else if (path === '/api/v1/attachments') paths = people.map((p) => `${path}?owner_kind=bed&owner_id=${p.id}`) // src/attach: a bed's photos (files, no personal data in the list)
  else if (path === '/api/v1/timebank/card-export') paths = ['csv', 'xlsx'].map((f) => `${path}?format=${f}&from=2020-01-01&to=2030-12-31`) // issue 16, RULE-TB-071
  else if (path === '/api/v1/meal/counter/search') paths = people.map((p) => `${path}?q=${encodeURIComponent(p.name)}`) // issue 17
  else if (path === '/api/v1/elders') {
    const p0 = people[0]
    paths = ['?page_size=200', '?age_min=60&age_max=100&page_size=200', '?special=1&page_size=200', `?q=${encodeURIComponent(p0.name)}`,
      `?id_number=${p0.number}`, `?q=${p0.phones[0]}`, '?category=living_alone'].map((q) => path + q)
  } else if (!path.includes('/:') && !/\/\d+/.test(paths[0])) paths = paths.map((p) => `${p}?page_size=200`)
  return paths
}

it('no response to a reader without elder.read_pii reconstructs an ID number or a phone', async () => {
  const readers = {}
  for (const [u, pw] of [['lq_helper'], ['fg_assessor'], ['fg_provider'], ['fg_caregiver'], ['pii_family', 'Family2026'], ['pii_probe', 'Probe2026x']]) {
    const c = pw ? await s.firstLogin(u, pw) : await s.login(u)
    c.me = (await c.get('/api/v1/me')).body.user || (await c.get('/api/v1/me')).body
    assert.ok(!(c.me.permissions || (await c.get('/api/v1/me')).body.permissions || []).includes('elder.read_pii'), `${u} without elder.read_pii`)
    readers[u] = c
  }
  const carried = new Map() // route → masks of our people seen
  for (const route of getRoutes()) {
    for (const [u, c] of Object.entries(readers)) {
      for (const path of await expand(route, c)) {
        const r = await c.get(path, { check: false })
        if (r.status === 403 || r.status === 404) continue
        assert.equal(r.status, 200, `${u} GET ${path}: ${r.status} ${r.text.slice(0, 200)}`)
        const what = `${u} GET ${path}`
        const type = r.headers.get('content-type') || ''
        let seen
        if (type.startsWith('application/json')) seen = checkJson(r.body, what)
        else if (type.startsWith('text/csv')) {
          checkText(r.text, what)
          seen = checkMasksInText(r.text, what)
        } else if (/spreadsheetml/.test(type)) {
          const text = xlsxText(r.raw, s.dir, 'probe.xlsx')
          checkText(text, what)
          seen = checkMasksInText(text, what)
        } else assert.fail(`${what}: unexpected content type ${type}`)
        if (seen) carried.set(route, (carried.get(route) || 0) + seen)
      }
    }
  }
  // The crawl reached the shapes that carry a mask (a crawl that sees none proves nothing).
  for (const route of ['/api/v1/elders', '/api/v1/elders/:id', '/api/v1/elders/:id/history', '/api/v1/my/elders',
    '/api/v1/identify/runs/:id/lists/:list', '/api/v1/identify/runs/:id/lists/:list/export', '/api/v1/elders/export']) {
    assert.ok(carried.get(route) > 0, `masks of our people seen through ${route}: ${[...carried.keys()].join(', ')}`)
  }
})

it('RULE-PII-001: without elder.read_pii the birth year, with it the birth date; the numbers stated in the rule hold', async () => {
  const p = people[0]
  const helper = await s.login('lq_helper')
  const mine = (await helper.get(`/api/v1/elders/${p.id}`)).body
  assert.equal(mine.birth_year, Number(p.birth.slice(0, 4)))
  assert.ok(!('birth_date' in mine) && !('age' in mine), JSON.stringify(mine))
  assert.equal(mine.id_number_masked, `${p.number.slice(0, 6)}${'*'.repeat(11)}${p.number[17]}`)
  const officer = (await civil.get(`/api/v1/elders/${p.id}`)).body
  assert.equal(officer.birth_date, p.birth)
  assert.ok(officer.age >= 80)
  // The figures of docs/rules.md: about 16,600 numbers for a mask with sex and birth year known.
  const n = idCandidates(mine.id_number_masked, { year: Number(p.birth.slice(0, 4)), sex: p.sex })
  assert.ok(n > 15000 && n < 18000, `${n}`)
  // The old mask with the birth date beside it: exactly one.
  assert.equal(idCandidates(`${p.number.slice(0, 6)}********${p.number.slice(14)}`, { date: p.birth, sex: p.sex }), 1)
  // Age ranges count years of birth for such readers (nobody enters or leaves on a birthday).
  const year = Number(p.birth.slice(0, 4))
  const age = new Date().getUTCFullYear() - year
  const ids = async (c, q) => (await c.get(`/api/v1/elders?${q}&page_size=200`)).body.items.map((x) => x.id)
  assert.ok((await ids(helper, `age_min=${age}&age_max=${age}`)).includes(p.id))
})

it('RULE-PII-001: masks and birth dates written before the rule are shown in the current form', async () => {
  const p = people[3]
  const old = `${p.number.slice(0, 6)}********${p.number.slice(14)}`
  sqlite(s.db, `INSERT INTO elder_history(elder_id, at, user_id, username, action, changes) VALUES (${p.id}, 1, NULL, 'import', 'update',` +
    ` '${JSON.stringify({ id_masked: old, birth_date: p.birth, phone: p.phones[0] })}')`)
  const h = (await (await s.login('lq_helper')).get(`/api/v1/elders/${p.id}/history`)).body
  checkJson(h, 'history with an entry of before')
  const entry = h.items.find((i) => i.username === 'import').changes
  assert.equal(entry.id_number_masked, `${p.number.slice(0, 6)}${'*'.repeat(11)}${p.number[17]}`)
  assert.equal(entry.birth_year, Number(p.birth.slice(0, 4)))
  assert.match(entry.phone_masked, /\*{4}/)
})

// ---- RULE-PII-003: phones found by their whole number only --------------------------------

it('RULE-PII-003: a phone is not recovered digit by digit through search', async () => {
  const helper = await s.login('lq_helper')
  const target = people[0]
  const phone = target.phones[3] // the current phone, 13887654321
  const shown = (await helper.get(`/api/v1/elders/${target.id}`)).body.phone_masked
  assert.equal(shown, '138****4321')
  // The attack of issue 9: extend the visible last four leftwards, one digit at a time.
  let known = phone.slice(-4), requests = 0
  for (let pos = 0; pos < 4; pos++) {
    let found = null
    for (let d = 0; d <= 9 && !found; d++) {
      requests++
      const r = await helper.get(`/api/v1/elders?q=${d}${known}`)
      if (r.body.items.some((x) => x.id === target.id)) found = String(d)
    }
    if (!found) break
    known = found + known
  }
  assert.equal(known, phone.slice(-4), `recovered ${known} in ${requests} requests`)
  // The whole number still finds the record, and an officer keeps substring search.
  assert.ok((await helper.get(`/api/v1/elders?q=${phone}`)).body.items.some((x) => x.id === target.id))
  assert.ok((await civil.get(`/api/v1/elders?q=7654321`)).body.items.some((x) => x.id === target.id))
  // Digits still find addresses and names that contain them.
  const withNumber = await civil.post('/api/v1/elders', { name: '吴秀兰', id_number: idNumber('520327', '19450101', 30), region_code: '520327001001', address: '幸福路 1388 号', phone: '13700009999' })
  assert.equal(withNumber.status, 201)
  people.push({ id: withNumber.body.id, name: '吴秀兰', number: idNumber('520327', '19450101', 30), birth: '1945-01-01', sex: 'F', phones: ['13700009999'] })
  const hits = (await helper.get('/api/v1/elders?q=1388')).body
  assert.deepEqual(hits.items.map((x) => x.id), [withNumber.body.id])
  assert.equal(hits.total, 1)
})

it('RULE-PII-003: whole-number lookups without elder.read_pii are audited and limited per hour', async () => {
  const admin = await s.login('admin')
  const u = await admin.post('/api/v1/users', { username: 'pii_lookup', display_name: '查找员', role: 'helper', region_code: '520327001', password: 'Lookup2026x' })
  assert.equal(u.status, 201, u.text)
  const c = await s.firstLogin('pii_lookup', 'Lookup2026x')
  const p = people[0]
  sqlite(s.db, "UPDATE settings SET value = '3' WHERE key = 'elder.lookup_per_hour'")
  try {
    assert.equal((await c.get(`/api/v1/elders?id_number=${p.number}`)).body.total, 1)
    assert.equal((await c.get(`/api/v1/elders?q=${p.phones[3]}`)).body.total, 1)
    assert.equal((await c.get('/api/v1/elders?q=13800000000')).body.total, 0)
    // Names and short numbers are no lookups.
    assert.equal((await c.get(`/api/v1/elders?q=${encodeURIComponent(p.name)}`)).status, 200)
    assert.equal((await c.get('/api/v1/elders?q=1388')).status, 200)
    const e = assertError(await c.get(`/api/v1/elders?id_number=${people[1].number}`), 429, 'throttled', 'id_number')
    assert.match(e.message, /每小时最多 3 次/)
    assertError(await c.get(`/api/v1/elders?q=${p.phones[3]}`), 429, 'throttled', 'q')
    // Registering a number already registered is a lookup too (it would name the record).
    const again = { name: p.name, id_number: people[1].number, region_code: '520327001001', address: '某处', phone: '13711116666' }
    assertError(await c.post('/api/v1/elders', again), 429, 'throttled', 'id_number')
    // Officers (elder.read_pii) are not limited.
    for (let i = 0; i < 4; i++) assert.equal((await civil.get(`/api/v1/elders?id_number=${p.number}`)).status, 200)
  } finally {
    sqlite(s.db, "UPDATE settings SET value = '60' WHERE key = 'elder.lookup_per_hour'")
  }
  const trail = (await admin.get('/api/v1/audit?action=elder.lookup&page_size=200')).body.items.filter((x) => x.username === 'pii_lookup')
  assert.deepEqual(trail.map((x) => x.outcome).sort(), ['denied', 'denied', 'denied', 'success', 'success', 'success'])
  assert.deepEqual(trail.filter((x) => x.outcome === 'success').map((x) => x.detail.found).sort(), [0, 1, 1])
})

// ---- RULE-PII-004: nothing about records outside the reader's scope ---------------------------

it('RULE-PII-004: another township\'s ID number is refused without saying it is registered; duplicates named within scope', async () => {
  const lq = await s.login('lq_officer')
  const jx = await s.login('jx_officer')
  const theirs = people.find((p) => p.region === '520327101201')
  const body = { name: '某人', id_number: theirs.number, region_code: '520327001001', address: '龙泉', phone: '13711112222' }
  const e = assertError(await lq.post('/api/v1/elders', body), 409, 'conflict', 'id_number')
  assert.ok(!/已登记|#|档案/.test(e.message), e.message)
  // The same through a change of an own record's number.
  const own = people.find((p) => p.region === '520327001002')
  const rec = (await lq.get(`/api/v1/elders/${own.id}`)).body
  const e2 = assertError(await lq.patch(`/api/v1/elders/${own.id}`, { version: rec.version, id_number: theirs.number }), 409, 'conflict', 'id_number')
  assert.equal(e2.message, e.message)
  // Inside the scope the record is named (the reader can open it).
  const e3 = assertError(await jx.post('/api/v1/elders', { ...body, region_code: '520327101201' }), 409, 'conflict', 'id_number')
  assert.match(e3.message, new RegExp(`#${theirs.id}`))
  // The attempts from outside are audited.
  const admin = await s.login('admin')
  assert.equal((await admin.get('/api/v1/audit?action=elder.id_refused')).body.total, 2)

  // 疑似重复: 孙德胜 twice in 龙泉 (named to each other); 周玉珍 in 龙泉 and in 进化.
  const dup = async (c) => (await c.get(`/api/v1/identify/runs/${runId}/lists/duplicates?page_size=200`)).body
  const mine = await dup(lq)
  const sun = people.filter((p) => p.name === '孙德胜').map((p) => p.id)
  const zhou = people.filter((p) => p.name === '周玉珍').map((p) => p.id)
  assert.deepEqual(mine.items.map((i) => i.id).sort((a, b) => a - b), sun)
  assert.equal(mine.total, mine.items.length)
  for (const i of mine.items) {
    assert.ok(!i.detail_text.includes(`#${zhou[1]}`), i.detail_text)
    assert.equal(i.detail_text, `与档案 #${sun.find((x) => x !== i.id)} 疑似同一人`)
  }
  const csv = (await lq.get(`/api/v1/identify/runs/${runId}/lists/duplicates/export?format=csv`, { check: false })).text
  assert.ok(!csv.includes(`#${zhou[1]}`) && !csv.includes('周玉珍'), csv)
  // The county sees both pairs.
  const county = await dup(civil)
  assert.deepEqual(county.items.map((i) => i.id).sort((a, b) => a - b), [...sun, ...zhou].sort((a, b) => a - b))
  assert.ok(county.items.some((i) => i.detail_text.includes(`#${zhou[1]}`)))
})

// ---- RULE-PII-005: names -----------------------------------------------------------------

it('RULE-PII-005: names refuse control characters and direction overrides, naming the field', async () => {
  const admin = await s.login('admin')
  const p = people[0]
  const bad = ['王\u202e英', '王\n英', '王\t英', '\u200f王', '王\u0085']
  for (const name of bad) {
    const e = assertError(await civil.post('/api/v1/elders', { name, id_number: idNumber('520327', '19440404', 4), region_code: '520327001001', address: '某处', phone: '13711113333' }), 400, 'invalid', 'name')
    assert.match(e.message, /姓名/)
    assertError(await civil.post(`/api/v1/elders/${p.id}/contacts`, { relation: '儿子', name, phone: '13711114444' }), 400, 'invalid', 'name')
    assertError(await admin.post('/api/v1/users', { username: 'rtl_user', display_name: name, role: 'helper', region_code: '520327001', password: 'Helper2026x' }), 400, 'invalid', 'display_name')
    assertError(await civil.patch('/api/v1/me', { display_name: name }), 400, 'invalid', 'display_name')
  }
  assertError(await civil.post('/api/v1/elders', { name: '赵六', id_number: idNumber('520327', '19440404', 4), region_code: '520327001001', address: '某处\u202e', phone: '13711113333' }), 400, 'invalid', 'address')
  // Ordinary names pass, the middle dot of minority names included.
  assert.equal((await civil.post(`/api/v1/elders/${p.id}/contacts`, { relation: '孙子', name: '阿卜杜·热合曼', phone: '13711115555' })).status, 201)
  people[0].phones.push('13711115555')
})

// ---- RULE-PII-006: CSV cells ---------------------------------------------------------------

it('RULE-PII-006: an export cell starting with CR, LF or tab cannot start a formula', async () => {
  // A record written before names and addresses were checked.
  const p = people.find((x) => x.name === '孙德胜')
  // The CR and LF go into the SQL text itself (char() is SQLite's, chr() PostgreSQL's).
  sqlite(s.db, `UPDATE elders SET address = '\r=HYPERLINK("http://x")', name = '\n@SUM(1)' WHERE id = ${p.id}`)
  const csv = (await civil.get(`/api/v1/identify/runs/${runId}/lists/duplicates/export?format=csv`, { check: false })).text
  assert.ok(csv.includes('"\'\r=HYPERLINK(""http://x"")"'), csv)
  assert.ok(csv.includes('"\'\n@SUM(1)"'), csv)
  assert.ok(!/(^|,)"[\r\n\t]/m.test(csv), 'no quoted cell starts with CR, LF or tab')
})

// ---- sql/014: stored masks of existing records -----------------------------------------------

it('sql/014 gives existing records the new mask', async () => {
  await s.stop()
  const p = people[1]
  const old = `${p.number.slice(0, 6)}********${p.number.slice(14)}`
  sqlite(s.db, `UPDATE elders SET id_masked = '${old}' WHERE id = ${p.id}; DELETE FROM schema_migrations WHERE name LIKE '%014_pii_mask%'`)
  await s.start()
  assert.equal(sqlite(s.db, `SELECT id_masked FROM elders WHERE id = ${p.id}`), `${p.number.slice(0, 6)}${'*'.repeat(11)}${p.number[17]}`)
  const masks = sqlite(s.db, 'SELECT id_masked FROM elders WHERE id_masked IS NOT NULL').split('\n')
  assert.ok(masks.length > 1 && masks.every((m) => /^\d{6}\*{11}[\dX]$/.test(m)), masks.join(' '))
  civil = await s.login('fg_civil')
})
