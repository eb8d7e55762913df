// A county's month of home-service visits settled (issue 13, RULE-SVC-204): BENCH_SETTLE_N
// verified and confirmed visits (default 100,000) of one provider are written straight into the
// database (SQL, the same text on both engines), then the statement is made
// (POST /api/v1/service/settlements) and approved (…/approve) over HTTP and timed.  Target: each
// ≤ 2 s.  SQLite always; with BENCH_PG=1 also PostgreSQL on a throwaway cluster
// (tests/lib/pg.sh), or BENCH_PG=<cluster URL> on that one (BENCH_NO_SQLITE=1: PostgreSQL only).
// BENCH_KEEP=1 keeps PostgreSQL's database bench_settle for a look.  Figures, never pass/fail.
//
// The visits: 300 demo elders, 500 caregivers of the demo provider 颐康 (each 8 visits a day of
// 60 minutes, 90 minutes apart, so none overlaps, RULE-SVC-191), a third paid 2000 fen by 养老服务补贴
// (their approval writes the entitlement draws, RULE-SVC-201), in the month three months back.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, loadavg } from 'node:os'
import { join } from 'node:path'
import { Server } from '../tests/lib/server.mjs'

const N = Number(process.env.BENCH_SETTLE_N || 100000)
const CAREGIVERS = 500
const PG = process.env.BENCH_PG || ''

const run = (cmd, args, input) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`)
  return r.stdout.trim()
}
const psql = (url, sql) => run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url], sql)
const sqlite = (file, sql) => run('sqlite3', ['-bail', file], `.timeout 10000\n${sql}`)
const dbUrl = (url, name) => url.replace(/^(postgresql:\/\/[^/?]*\/)([^?]*)/, `$1${name}`)

// The month three months back (China time) and its first day's 08:00 China time in unix seconds.
const d = new Date(Date.now() + 8 * 3600e3)
d.setUTCDate(1)
d.setUTCMonth(d.getUTCMonth() - 3)
const month = d.toISOString().slice(0, 7)
const t0 = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1, 0, 0, 0) / 1000 // 08:00 in China

function seedSql(station, provider, region) {
  const series = (n) => `n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})`
  return `
BEGIN;
INSERT INTO svc_caregivers(provider_id, station_id, region_code, name, skills, created_at)
WITH RECURSIVE ${series(CAREGIVERS)}
SELECT ${provider}, ${station}, '${region}', 'bench' || i, 'general', 0 FROM n;
INSERT INTO svc_orders(region_code, elder_id, status, station_id, caregiver_id, window_start,
    window_end, planned_min, address, channel, total_fen, entitled_fen, elder_fen, placed_by,
    created_at, updated_at, confirmed_by)
WITH RECURSIVE ${series(N)},
 e AS (SELECT id, region_code, row_number() OVER (ORDER BY id) - 1 AS k FROM elders
       WHERE status NOT IN ('deceased', 'moved_out', 'cancelled')),
 ne AS (SELECT count(*) AS c FROM e),
 c AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM svc_caregivers
       WHERE name LIKE 'bench%')
SELECT e.region_code, e.id, 'confirmed', ${station}, c.id,
  ${t0} + (n.i / ${CAREGIVERS} / 8) * 86400 + ((n.i / ${CAREGIVERS}) % 8) * 5400,
  ${t0} + (n.i / ${CAREGIVERS} / 8) * 86400 + ((n.i / ${CAREGIVERS}) % 8) * 5400 + 3600,
  60, '压测地址', 'helper', 5000,
  CASE WHEN n.i % 3 = 0 THEN 2000 ELSE 0 END, CASE WHEN n.i % 3 = 0 THEN 3000 ELSE 5000 END,
  'bench', 0, 0, 'helper'
FROM n, ne JOIN e ON 1 = 1 JOIN c ON 1 = 1
WHERE e.k = n.i % ne.c AND c.k = n.i % ${CAREGIVERS};
INSERT INTO svc_order_lines(order_id, line_no, item_code, price_fen, entitled_fen, elder_fen,
    entitle_item_key)
SELECT id, 1, 'zhujie', 5000, entitled_fen, elder_fen,
  CASE WHEN entitled_fen > 0 THEN 'fuwu_butie' END FROM svc_orders WHERE placed_by = 'bench';
INSERT INTO svc_visits(order_id, region_code, caregiver_id, elder_id, checkin_at, checkin_recv_at,
    checkin_lat, checkin_lng, checkin_accuracy_m, checkin_distance_m, checkout_at,
    checkout_recv_at, checkout_lat, checkout_lng, checkout_accuracy_m, checkout_distance_m)
SELECT id, region_code, caregiver_id, elder_id, window_start + 60, window_start + 61, 27.965,
  107.72, 10, 5, window_start + 3660, window_start + 3661, 27.965, 107.72, 10, 5
FROM svc_orders WHERE placed_by = 'bench';
COMMIT;
ANALYZE;
`
}

async function engine(name, pgUrl) {
  const s = new Server({ env: { ANLAO_DEMO_ELDERS: '300' } })
  if (pgUrl) {
    psql(dbUrl(pgUrl, 'postgres'), 'DROP DATABASE IF EXISTS bench_settle WITH (FORCE)')
    psql(dbUrl(pgUrl, 'postgres'), 'CREATE DATABASE bench_settle')
    s.db = dbUrl(pgUrl, 'bench_settle')
    s.env = { ...s.env, ANLAO_DATA_DIR: s.dir }
  }
  const sql = pgUrl ? (q) => psql(s.db, q) : (q) => sqlite(s.db, q)
  await s.start()
  try {
    const civil = await s.login('fg_civil')
    const [station, provider, region] = sql(`SELECT s.id, s.provider_id, s.region_code FROM svc_stations s
      JOIN svc_providers p ON p.id = s.provider_id WHERE p.name = '凤冈县颐康居家养老服务中心' ORDER BY s.id LIMIT 1;`).split('|')
    let t = performance.now()
    sql(seedSql(station, provider, region))
    const seeded = (performance.now() - t) / 1000
    const visits = Number(sql(`SELECT count(*) FROM svc_orders WHERE placed_by = 'bench';`))
    const time = async (f) => { const a = performance.now(); const r = await f(); return [r, performance.now() - a] }
    const [made, createMs] = await time(() => civil.post('/api/v1/service/settlements', { provider_id: Number(provider), month }))
    if (made.status !== 201) throw new Error(`create: ${made.status} ${made.text?.slice(0, 300)}`)
    const [ap, approveMs] = await time(() => civil.post(`/api/v1/service/settlements/${made.body.id}/approve`, {}))
    if (ap.status !== 200) throw new Error(`approve: ${ap.status} ${ap.text?.slice(0, 300)}`)
    const draws = Number(sql(`SELECT count(*) FROM entitle_usage WHERE settlement_id = ${made.body.id};`))
    const settled = Number(sql(`SELECT count(*) FROM svc_orders WHERE placed_by = 'bench' AND status = 'settled';`))
    return { name, visits, seeded, createMs, approveMs, lines: made.body.orders, held: made.body.held_back,
      total: made.body.total_fen, settled, draws, bytes: made.raw?.length ?? 0 }
  } finally {
    await s.stop()
    s.cleanup()
    if (pgUrl && !process.env.BENCH_KEEP) psql(dbUrl(pgUrl, 'postgres'), 'DROP DATABASE IF EXISTS bench_settle WITH (FORCE)')
  }
}

const results = process.env.BENCH_NO_SQLITE ? [] : [await engine('SQLite', '')]
if (PG) {
  let dir = null, url = PG
  if (PG === '1') {
    dir = mkdtempSync(join(tmpdir(), 'bench-settle-pg-'))
    // Durable like SQLite's synchronous=FULL (pg.sh's test default is fsync=off), as registry.sh.
    const r = spawnSync('tests/lib/pg.sh', ['start', dir], { encoding: 'utf8',
      env: { ...process.env, PG_OPTS: '-c fsync=on -c shared_buffers=256MB -c max_wal_size=2GB' } })
    if (r.status !== 0) throw new Error(`tests/lib/pg.sh: ${r.stderr}`)
    url = r.stdout.trim()
  }
  try {
    results.push(await engine('PostgreSQL', url))
  } finally {
    if (dir) { run('tests/lib/pg.sh', ['stop', dir]); rmSync(dir, { recursive: true, force: true }) }
  }
}
console.log(`settlement of one provider's month (${month}), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`)
console.log(`${'engine'.padEnd(12)}${'visits'.padStart(9)}${'seed s'.padStart(9)}${'create s'.padStart(10)}${'approve s'.padStart(11)}${'lines'.padStart(9)}${'held'.padStart(6)}${'settled'.padStart(9)}${'draws'.padStart(8)}${'answer MB'.padStart(11)}`)
for (const r of results) {
  console.log(`${r.name.padEnd(12)}${String(r.visits).padStart(9)}${r.seeded.toFixed(1).padStart(9)}${(r.createMs / 1000).toFixed(2).padStart(10)}${(r.approveMs / 1000).toFixed(2).padStart(11)}${String(r.lines).padStart(9)}${String(r.held).padStart(6)}${String(r.settled).padStart(9)}${String(r.draws).padStart(8)}${(r.bytes / 1e6).toFixed(1).padStart(11)}`)
}
console.log('target (issue 13): a county\'s month of 100,000 visits settled in ≤ 2 s — create and approve each')
