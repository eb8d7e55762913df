// Device ingest throughput (issue 14, RULE-DEV-040/041): `anlao devsim` against a mosquitto broker
// and anlao, once with one commit per message (ANLAO_INGEST_BATCH=1, the ingest as it was before
// the group commit) and once grouped (the defaults, or BENCH_BATCH / BENCH_BATCH_MS), each on a
// fresh broker and a fresh server. Printed side by side: messages/s (every message acknowledged
// "ok", from devsim's elapsed time), acknowledgement p50/p99 as the devices saw it, and p50/p99 of
// ingest-to-commit (from the message's arrival in the ingest to its batch's commit, the server's
// GET /api/v1/devices/ingest). Figures, never pass/fail; the target of the issue is 2,000/s.
// Knobs: BENCH_DEVICES (50), BENCH_MESSAGES per device (100), BENCH_WINDOW unacknowledged per
// device (4), BENCH_BATCH (64), BENCH_BATCH_MS (5), ANLAO_BIN; ANLAO_TEST_PG=url runs on
// PostgreSQL (tests/lib/pg.sh start DIR), else SQLite.
// BENCH_PG=1 (without ANLAO_TEST_PG): both engines, side by side: SQLite, then PostgreSQL on a
// cluster of its own started by tests/lib/pg.sh with fsync and synchronous_commit on (durable,
// like SQLite's commits), stopped afterwards.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Server } from '../tests/lib/server.mjs'
import { Broker, devsim } from '../tests/lib/mosquitto.mjs'
import { idNumber } from '../tests/lib/ids.mjs'

const D = Number(process.env.BENCH_DEVICES || 50)
const M = Number(process.env.BENCH_MESSAGES || 100)
const W = Number(process.env.BENCH_WINDOW || 4)
const BATCH = process.env.BENCH_BATCH || '64'
const BATCH_MS = process.env.BENCH_BATCH_MS || '5'
const engine = process.env.ANLAO_TEST_PG ? 'PostgreSQL' : 'SQLite'

async function run(label, env) {
  const broker = await new Broker().start()
  const s = await new Server({ env: { ...broker.env(), ...env }, demo: true }).start()
  try {
    const fg = await s.login('fg_civil')
    const e = await fg.post('/api/v1/elders', { name: '测速老人', id_number: idNumber('520327', '19400101', 7),
      region_code: '520327001001', address: '一号', phone: '13800001234' })
    if (e.status !== 201) throw new Error('elder: ' + JSON.stringify(e.body))
    const lines = []
    for (let i = 0; i < D; i++) {
      const d = await fg.post('/api/v1/devices', { elder_id: e.body.id, type: 'motion', model: 'B-1',
        serial: `BENCH-${String(i).padStart(5, '0')}`, heartbeat_s: 600 })
      if (d.status !== 201) throw new Error('device: ' + JSON.stringify(d.body))
      lines.push(`${d.body.serial} ${d.body.mqtt.password}`)
    }
    const file = join(broker.dir, 'devices.txt')
    writeFileSync(file, lines.join('\n') + '\n')
    await new Promise((r) => setTimeout(r, 500)) // the broker reloads its password file
    const r = await devsim(broker, ['--devices', file, '--count', String(M), '--kind', 'heartbeat',
      '--type', 'heartbeat', '--window', String(W), '--resend-ms', '5000', '--seq-start', '1',
      '--timeout-s', '300'])
    const st = (await fg.get('/api/v1/devices/ingest')).body
    if (r.code !== 0) throw new Error(`${label}: devsim ${r.stderr} ${JSON.stringify(r.out)}`)
    return { label, rps: r.out.acked / (r.out.elapsed_ms / 1000), ack50: r.out.ack_p50_ms,
      ack99: r.out.ack_p99_ms, c50: st.commit.p50_ms, c99: st.commit.p99_ms, batches: st.commit.batches,
      stored: st.stored, resends: r.out.resends }
  } finally {
    await s.stop(); s.cleanup(); await broker.stop(); broker.cleanup()
  }
}

const load = () => { try { return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') } catch { return '-' } }
const f = (v, w = 9, d = 1) => Number(v).toFixed(d).padStart(w)
const head = (first) => `${first.padEnd(56)} ${'msgs/s'.padStart(9)} ${'commits'.padStart(9)} ${'ack p50'.padStart(9)} ${'ack p99'.padStart(9)} ${'cmt p50'.padStart(9)} ${'cmt p99'.padStart(9)} ${'resends'.padStart(8)}`
const line = (x, label) => `${label.padEnd(56)} ${f(x.rps, 9, 0)} ${f(x.batches, 9, 0)} ${f(x.ack50, 9, 0)} ${f(x.ack99, 9, 0)} ${f(x.c50, 9, 2)} ${f(x.c99, 9, 2)} ${f(x.resends, 8, 0)}`

// One engine's two runs (this process's engine).
async function runBoth() {
  return [
    await run('one commit per message (batch=1)', { ANLAO_INGEST_BATCH: '1', ANLAO_INGEST_BATCH_MS: '0' }),
    await run(`group commit (batch=${BATCH}, ${BATCH_MS} ms)`, { ANLAO_INGEST_BATCH: BATCH, ANLAO_INGEST_BATCH_MS: BATCH_MS }),
  ]
}

// BENCH_PG=1: this script again per engine (the test server picks its engine when loaded).
function child(env) {
  const r = spawnSync(process.execPath, [process.argv[1]], { env: { ...process.env, ...env, BENCH_PG: '', BENCH_JSON: '1' }, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`bench child failed:\n${r.stderr}`)
  return JSON.parse(r.stdout.trim().split('\n').pop())
}

if (process.env.BENCH_JSON) {
  console.log(JSON.stringify(await runBoth()))
} else if (process.env.BENCH_PG && !process.env.ANLAO_TEST_PG) {
  console.log(`device ingest, SQLite and PostgreSQL (fsync on): ${D} devices × ${M} heartbeats, window ${W}; load ${load()}`)
  const sqlite = child({ ANLAO_TEST_PG: '' })
  const dir = mkdtempSync(join(tmpdir(), 'anlao-bench-pg-'))
  const pgsh = (...a) => spawnSync('tests/lib/pg.sh', a, { encoding: 'utf8', env: { ...process.env, PG_OPTS: '-c fsync=on -c synchronous_commit=on -c full_page_writes=on' } })
  const st = pgsh('start', dir)
  if (st.status !== 0) throw new Error('PostgreSQL: ' + st.stderr)
  let pg
  try { pg = child({ ANLAO_TEST_PG: st.stdout.trim() }) } finally { pgsh('stop', dir) }
  console.log(head('engine, mode'))
  for (const [name, rows] of [['SQLite', sqlite], ['PostgreSQL fsync on', pg]]) {
    for (const x of rows) console.log(line(x, `${name}, ${x.label}`))
  }
  console.log(`(ms; ack = device's send to its "ok", cmt = ingest arrival to commit; load after ${load()})`)
  console.log(`grouped msgs/s: SQLite ${sqlite[1].rps.toFixed(0)}, PostgreSQL ${pg[1].rps.toFixed(0)} (PostgreSQL / SQLite ${(pg[1].rps / sqlite[1].rps).toFixed(2)}×); target 2,000`)
} else {
  console.log(`device ingest on ${engine}: ${D} devices × ${M} heartbeats, window ${W}; load ${load()}`)
  const rows = await runBoth()
  console.log(head('mode'))
  for (const x of rows) console.log(line(x, x.label))
  console.log(`(ms; ack = device's send to its "ok", cmt = ingest arrival to commit; load after ${load()})`)
  console.log(`ratio grouped / batch=1: ${(rows[1].rps / rows[0].rps).toFixed(2)}×; target 2,000 msgs/s: grouped ${rows[1].rps.toFixed(0)}`)
}
