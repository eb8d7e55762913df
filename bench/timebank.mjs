// The time bank's ledger postings (issue 16): BENCH_TB_N transfers per row (default 300) through
// POST /api/v1/timebank/transfers, on SQLite and, with BENCH_TB_PG (the URL of a PostgreSQL
// cluster, e.g. `tests/lib/pg.sh start DIR`), on PostgreSQL side by side.  Demo accounts, no
// demo elders; two schemes (龙泉, 进化镇) with an accepted alliance and 16 verified members each.
//
//   service, 1 client        hours issued to a member, one posting after another
//   service, 8 clients, 1 scheme   every posting locks the scheme's issue account (RULE-TB-032),
//                            so postings of one scheme are serialised whatever the engine
//   service, 8 clients, 2 schemes  the same spread over two schemes' issue accounts
//   通存通兑, 8 clients       spends from 龙泉 members to 进化镇 members: four legs through both
//                            clearing accounts, both schemes' accounts locked
//
// Each row: postings/s (wall), p50 and p99 latency in ms.  `anlao timebank verify` runs after
// each engine.  Figures, never pass/fail.  Knobs: BENCH_TB_N, BENCH_TB_PG, ANLAO_BIN.
import { spawnSync } from 'node:child_process'
import { Server } from '../tests/lib/server.mjs'

const N = Number(process.env.BENCH_TB_N || 300)
const PG = process.env.BENCH_TB_PG || ''
const C = 8

const psql = (url, sql) => {
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`)
  return r.stdout.trim()
}
const dbUrl = (name) => PG.replace(/^(postgresql:\/\/[^/?]*\/)([^?]*)/, `$1${name}`)

async function setup(s) {
  const fg = await s.login('fg_civil')
  const ok = (r, st = 200) => { if (r.status !== st) throw new Error(`${r.status} ${JSON.stringify(r.body)}`); return r.body }
  const A = ok(await fg.post('/api/v1/timebank/schemes', { name: '压测甲', region_code: '520327001', categories: ['陪伴聊天'] }), 201).id
  const B = ok(await fg.post('/api/v1/timebank/schemes', { name: '压测乙', region_code: '520327101', categories: ['陪伴聊天'] }), 201).id
  const al = ok(await fg.post('/api/v1/timebank/alliances', { scheme_id: A, partner_id: B }), 201).id
  ok(await fg.post(`/api/v1/timebank/alliances/${al}/status`, { status: 'accepted', version: 1 }))
  const members = async (scheme_id, region_code) => {
    const out = []
    for (let i = 0; i < 16; i++) {
      const m = ok(await fg.post('/api/v1/timebank/members', { scheme_id, region_code, kind: 'individual', name: `压测${i}`, birth_date: '1950-01-01', phone: '13900004444', conduct_signed: true }), 201).id
      ok(await fg.post(`/api/v1/timebank/members/${m}/verify`, { version: 1 }))
      out.push(m)
    }
    return out
  }
  return { fg, a: await members(A, '520327001'), b: await members(B, '520327101') }
}

// `n` postings by `clients` workers; body(i) is the i-th transfer.
async function row(fg, clients, n, body) {
  const lat = []
  let next = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = next++; i < n; i = next++) {
      const a = performance.now()
      const r = await fg.post('/api/v1/timebank/transfers', body(i))
      lat.push(performance.now() - a)
      if (r.status !== 201) throw new Error(`transfer ${i}: ${r.status} ${JSON.stringify(r.body)}`)
    }
  }))
  const wall = (performance.now() - t0) / 1000
  const q = (p) => { const b = [...lat].sort((x, y) => x - y); return b[Math.min(b.length - 1, Math.floor(p * b.length))] }
  return { rate: n / wall, p50: q(0.5), p99: q(0.99) }
}

async function engine(name, opts) {
  const s = new Server(opts)
  if (opts.pgName) {
    psql(dbUrl('postgres'), `DROP DATABASE IF EXISTS ${opts.pgName} WITH (FORCE)`)
    psql(dbUrl('postgres'), `CREATE DATABASE ${opts.pgName}`)
    s.db = dbUrl(opts.pgName)
    s.env = { ...s.env, ANLAO_DATA_DIR: s.dir }
  }
  await s.start()
  try {
    const { fg, a, b } = await setup(s)
    const service = (to) => ({ category: 'service', to_member_id: to, minutes: 30, note: '压测' })
    const rows = [
      ['service, 1 client', await row(fg, 1, N, (i) => service(a[i % 16]))],
      [`service, ${C} clients, 1 scheme`, await row(fg, C, N, (i) => service(a[i % 16]))],
      [`service, ${C} clients, 2 schemes`, await row(fg, C, N, (i) => service((i % 2 ? b : a)[(i >> 1) % 16]))],
      [`通存通兑, ${C} clients`, await row(fg, C, N, (i) => ({ category: 'redeem', from_member_id: a[i % 16], to_member_id: b[(i * 7) % 16], minutes: 5 }))],
    ]
    const v = s.cli('timebank', 'verify')
    return { name, rows, verify: v.status === 0 ? 'ok' : `FAILED: ${v.stderr || v.stdout}` }
  } finally {
    await s.stop()
    s.cleanup()
    if (opts.pgName) psql(dbUrl('postgres'), `DROP DATABASE IF EXISTS ${opts.pgName} WITH (FORCE)`)
  }
}

const results = [await engine('SQLite', {})]
if (PG) results.push(await engine('PostgreSQL', { pgName: 'bench_timebank' }))
console.log(`time-bank postings: ${N} per row, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`)
const head = results.map((r) => `${r.name.padStart(22)}`).join('')
console.log(`${''.padEnd(30)}${head}`)
console.log(`${'(postings/s · p50 · p99 ms)'.padEnd(30)}`)
for (let i = 0; i < results[0].rows.length; i++) {
  const cells = results.map((r) => { const x = r.rows[i][1]; return `${x.rate.toFixed(0)} · ${x.p50.toFixed(1)} · ${x.p99.toFixed(1)}`.padStart(22) }).join('')
  console.log(`${results[0].rows[i][0].padEnd(30)}${cells}`)
}
if (results.length === 2) {
  for (let i = 0; i < results[0].rows.length; i++)
    console.log(`${results[0].rows[i][0].padEnd(30)} PostgreSQL ÷ SQLite postings/s: ${(results[1].rows[i][1].rate / results[0].rows[i][1].rate).toFixed(2)}`)
}
for (const r of results) console.log(`timebank verify (${r.name}): ${r.verify}`)
