// Alarms at scale (issue 14): BENCH_REGISTERED devices (100,000) registered through the API, of
// which BENCH_CONNECTED are connected at once (`anlao devsim`, one MQTT connection each), against
// a mosquitto broker, on one run:
//  1. the registration of the fleet: devices/s, and how often the broker's files were rewritten
//     (RULE-DEV-043);
//  2. mosquitto_sub alone (anlao stopped) receiving every uplink, then anlao receiving the same
//     load, each twice: as fast as the devices send, and paced at BENCH_RATE (2,000) heartbeats/s.
//     The devices connect first and start together (devsim --together); rate = messages ÷ (last
//     receipt or acknowledgement − first send); the ratio anlao ÷ mosquitto_sub is the issue's "≥ 0.8";
//  3. during anlao's paced run, SOS bursts (BENCH_BURSTS × BENCH_BURST devices at once, every
//     2 s): from each SOS's first send (devsim --sends, wall clock) to its alarm on the console's
//     stream (GET /api/v1/alarms/stream, an officer's browser as the console): p50, p99, max.
// Figures side by side, never pass/fail. Knobs: BENCH_REGISTERED (100000), BENCH_CONNECTED (10000),
// BENCH_RATE (2000), BENCH_SECONDS of the paced runs (20), BENCH_BURSTS (10), BENCH_BURST (20),
// ANLAO_BIN; ANLAO_TEST_PG=url runs on PostgreSQL, else SQLite.
// Why not 100,000 connected: one connection is one descriptor in mosquitto, and the hard limit of
// open files here is 20,000 (`ulimit -Hn`; raising it is refused to this user), so mosquitto can
// hold at most ~20,000 devices at once; the registry, the broker's files and anlao's heartbeat
// timers hold all 100,000. devsim runs in processes of 5,000 devices (3 descriptors each).
import { spawn } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server, BIN } from '../tests/lib/server.mjs'
import { Broker, devsim } from '../tests/lib/mosquitto.mjs'
import { idNumber } from '../tests/lib/ids.mjs'
import { readEvents } from '../tests/lib/sse.mjs'

const REGISTERED = Number(process.env.BENCH_REGISTERED || 100000)
const CONNECTED = Math.min(Number(process.env.BENCH_CONNECTED || 10000), REGISTERED)
const RATE = Number(process.env.BENCH_RATE || 2000)
const SECONDS = Number(process.env.BENCH_SECONDS || 20)
const BURSTS = Number(process.env.BENCH_BURSTS || 10)
const BURST = Number(process.env.BENCH_BURST || 20)
const SOS = BURSTS * BURST
const ELDERS = 200
const engine = process.env.ANLAO_TEST_PG ? 'PostgreSQL' : 'SQLite'
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))] : NaN }

// Run `n` jobs, `width` at a time.
async function pool(n, width, job) {
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await job(next++)
  }))
}

async function register(civil) {
  const elders = []
  for (let i = 0; i < ELDERS; i++) {
    const r = await civil.post('/api/v1/elders', { name: `测速老人${i}`, id_number: idNumber('520327', '19400101', 100 + i),
      region_code: '520327001001', address: `龙泉街道 ${i} 号`, phone: '13800001234' })
    if (r.status !== 201) throw new Error('elder: ' + JSON.stringify(r.body))
    elders.push(r.body.id)
  }
  const lines = new Array(REGISTERED)
  const t0 = Date.now()
  await pool(REGISTERED, 16, async (i) => {
    const sos = i >= REGISTERED - SOS
    const serial = `${sos ? 'SOS' : 'HB'}-${String(i).padStart(6, '0')}`
    const r = await civil.post('/api/v1/devices', { elder_id: elders[i % ELDERS], type: sos ? 'sos' : 'motion',
      model: 'B-1', serial, heartbeat_s: 3600 })
    if (r.status !== 201) throw new Error('device: ' + JSON.stringify(r.body))
    lines[i] = `${serial} ${r.body.mqtt.password}`
    if ((i + 1) % 20000 === 0) console.log(`  已登记 ${i + 1} 台（${((Date.now() - t0) / 1000).toFixed(0)} s）`)
  })
  return { lines, secs: (Date.now() - t0) / 1000 }
}

// mosquitto_sub on every uplink as anlao's service user: resolves the receipt times once `want`
// lines came (or after `ms`).
function subscribe(broker, want, ms) {
  const p = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(broker.port), '-u', broker.user, '-P', broker.password,
    '-i', 'bench-sub-' + Date.now(), '-q', '1', '-t', 'anlao/dev/+/up', '-F', '%U'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let buf = ''; let n = 0; let first = 0; let last = 0
  const ready = sleep(300)
  const done = new Promise((ok) => {
    const end = () => { p.kill(); ok({ n, first, last }) }
    const timer = setTimeout(end, ms)
    p.stdout.on('data', (d) => {
      buf += d
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const t = Number(buf.slice(0, i)) * 1000
        buf = buf.slice(i + 1)
        if (!first) first = t
        last = t
        if (++n >= want) { clearTimeout(timer); end() }
      }
    })
  })
  return { ready, done, proc: p }
}

// devsim in the background, in processes of at most PER_PROC devices (libmosquitto holds three
// descriptors a client: its socket and a wake-up pair): {kill, result} (result: the summaries
// merged: counts added, the first send and last acknowledgement over all, p50 the median of the
// processes' and p99 their largest).
const PER_PROC = Number(process.env.BENCH_PER_PROC || 5000)
function sim(broker, file, args) {
  const lines = readFileSync(file, 'utf8').trim().split('\n')
  const procs = []
  const nproc = Math.ceil(lines.length / PER_PROC)
  const r = args.indexOf('--rate') // the rate is the whole fleet's: each process its share
  let own = r < 0 ? args : [...args.slice(0, r + 1), String(Number(args[r + 1]) / nproc), ...args.slice(r + 2)]
  // --together: every process holds its messages until all of them have every device connected
  // (each says {"connected":N} on stderr; then the start file is made).
  const go = `${file}.go`
  rmSync(go, { force: true })
  const together = own.includes('--together')
  if (together) own = [...own, '--start-file', go]
  let ready = 0
  for (let i = 0; i < lines.length; i += PER_PROC) {
    const part = nproc === 1 ? file : `${file}.${i / PER_PROC}`
    if (part !== file) writeFileSync(part, lines.slice(i, i + PER_PROC).join('\n') + '\n')
    const p = spawn(BIN, ['devsim', '--port', String(broker.port), '--devices', part, ...own], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''; let err = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => {
      err += d
      if (together && String(d).includes('"connected"') && ++ready === nproc) writeFileSync(go, '')
    })
    procs.push({ p, done: new Promise((ok) => p.on('exit', () => {
      let s = null
      try { s = JSON.parse(out.trim().split('\n').pop()) } catch { /* none */ }
      ok({ s, err })
    })) })
  }
  const result = Promise.all(procs.map((x) => x.done)).then((rs) => {
    const ss = rs.map((r) => r.s).filter(Boolean)
    const stderr = rs.map((r) => r.err).join('').slice(0, 2000)
    if (ss.length !== rs.length) return { summary: null, stderr }
    const sum = (k) => ss.reduce((a, x) => a + x[k], 0)
    const p50s = ss.map((x) => x.ack_p50_ms).sort((a, b) => a - b)
    return { stderr, summary: { acked: sum('acked'), messages: sum('messages'), resends: sum('resends'),
      first_send_unix_ms: Math.min(...ss.map((x) => x.first_send_unix_ms || Infinity)),
      last_ack_unix_ms: Math.max(...ss.map((x) => x.last_ack_unix_ms)),
      ack_p50_ms: p50s[Math.floor(p50s.length / 2)], ack_p99_ms: Math.max(...ss.map((x) => x.ack_p99_ms)) } }
  })
  return { kill: (sig) => procs.forEach((x) => x.p.kill(sig)), result }
}

// The heartbeat load: `count` messages per device, paced at `rate` (0: as fast as they go).
const loadArgs = (count, rate, acked) => ['--count', String(count), '--kind', 'heartbeat', '--type', 'heartbeat',
  '--window', acked ? '2' : String(count), '--resend-ms', acked ? '10000' : '600000', '--rate', String(rate),
  '--seq-start', String(Date.now()), '--timeout-s', '600', '--together']

const n = (file) => readFileSync(file, 'utf8').trim().split('\n').length

async function baseline(broker, file, count, rate) {
  const want = n(file) * count
  const sub = subscribe(broker, want, 600000)
  await sub.ready
  const d = sim(broker, file, loadArgs(count, rate, false))
  const got = await sub.done
  d.kill('SIGTERM')
  const { summary } = await d.result
  return { n: got.n, rps: got.n / ((got.last - summary.first_send_unix_ms) / 1000) }
}

async function ingest(broker, file, count, rate) {
  const { summary, stderr } = await sim(broker, file, loadArgs(count, rate, true)).result
  if (!summary || summary.acked !== n(file) * count) throw new Error('anlao: not every heartbeat acknowledged ' + stderr + JSON.stringify(summary))
  return { n: summary.acked, rps: summary.acked / ((summary.last_ack_unix_ms - summary.first_send_unix_ms) / 1000),
    ack50: summary.ack_p50_ms, ack99: summary.ack_p99_ms }
}

// The console: an officer's alarm stream; each alarm's first arrival time by device serial.
async function console_(s, civil) {
  const seen = new Map()
  const ctl = new AbortController()
  const res = await fetch(s.base + '/api/v1/alarms/stream', { headers: { Cookie: civil.cookie }, signal: ctl.signal })
  if (res.status !== 200) throw new Error('stream ' + res.status)
  const reading = readEvents(res, (ev) => {
    if (ev.event === 'alarm' && ev.data.device_serial && !seen.has(ev.data.device_serial)) seen.set(ev.data.device_serial, Date.now())
  }).catch(() => {})
  return { seen, stop: async () => { ctl.abort(); await reading } }
}

async function sosBursts(broker, sosLines) {
  const sends = []
  const runs = []
  for (let b = 0; b < BURSTS; b++) {
    const file = join(broker.dir, `sos-${b}.txt`)
    const sendFile = join(broker.dir, `sos-${b}.sends`)
    writeFileSync(file, sosLines.slice(b * BURST, (b + 1) * BURST).join('\n') + '\n')
    runs.push(sim(broker, file, ['--count', '1', '--kind', 'alarm', '--type', 'sos', '--resend-ms', '2000',
      '--sends', sendFile, '--timeout-s', '60']).result.then(() => sends.push(sendFile)))
    await sleep(2000)
  }
  await Promise.all(runs)
  const first = new Map()
  for (const f of sends) {
    for (const l of readFileSync(f, 'utf8').trim().split('\n')) {
      const [serial, , ms] = l.split(' ')
      if (!first.has(serial)) first.set(serial, Number(ms))
    }
  }
  return first
}

const broker = await new Broker().start()
const s = await new Server({ env: { ...broker.env(), ANLAO_MQTT_CLIENT_ID: 'bench-register' }, demo: true }).start()
let civil = await s.login('fg_civil')
console.log(`alarms at scale on ${engine}: ${REGISTERED} devices registered, ${CONNECTED} connected, paced ${RATE}/s for ${SECONDS} s, ${BURSTS} SOS bursts of ${BURST}; load ${load()}`)
try {
  const w0 = (await civil.get('/api/v1/devices/ingest')).body.broker.writes
  const reg = await register(civil)
  const regStats = (await civil.get('/api/v1/devices/ingest')).body.broker
  for (let t = Date.now(); readFileSync(broker.passwd, 'utf8').split('\n').length < REGISTERED + 2;) {
    if (Date.now() - t > 60000) throw new Error('the broker file never held every device')
    await sleep(200)
  }
  console.log(`registration: ${REGISTERED} devices in ${reg.secs.toFixed(1)} s (${(REGISTERED / reg.secs).toFixed(0)}/s), broker files written ${regStats.writes - w0} times`)
  const hb = Math.max(1, CONNECTED - SOS) // the SOS devices are connected too, in their bursts
  const hbFile = join(broker.dir, 'heartbeat.txt')
  writeFileSync(hbFile, reg.lines.slice(0, hb).join('\n') + '\n')
  const fast = 4 // messages per device as fast as they go
  const paced = Math.max(1, Math.round(RATE * SECONDS / hb))

  // anlao stopped, and its session gone from the broker: nobody queues the baseline's messages.
  await s.stop()
  await broker.stop()
  rmSync(join(broker.dir, 'mosquitto.db'), { force: true })
  await broker.start()
  const a1 = await baseline(broker, hbFile, fast, 0)
  const a2 = await baseline(broker, hbFile, paced, RATE)
  console.log(`mosquitto_sub alone: ${a1.rps.toFixed(0)}/s as fast as sent, ${a2.rps.toFixed(0)}/s paced`)

  s.env.ANLAO_MQTT_CLIENT_ID = 'bench-anlao' // a new session: none of the baseline's messages
  await s.start()
  civil = await s.login('fg_civil')
  for (let t = Date.now(); !(await civil.get('/api/v1/devices/ingest')).body.connected;) {
    if (Date.now() - t > 30000) throw new Error('the ingest never connected')
    await sleep(200)
  }
  const b1 = await ingest(broker, hbFile, fast, 0)
  const con = await console_(s, civil)
  const pacedRun = ingest(broker, hbFile, paced, RATE)
  await sleep(3000)
  const sent = await sosBursts(broker, reg.lines.slice(REGISTERED - SOS))
  const b2 = await pacedRun
  await sleep(500)
  await con.stop()
  const lat = []
  let missing = 0
  for (const [serial, t] of sent) {
    if (con.seen.has(serial)) lat.push(con.seen.get(serial) - t)
    else missing++
  }
  const st = (await civil.get('/api/v1/devices/ingest')).body

  const f = (v, w = 12, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '-').padStart(w)
  console.log(`\n${'load'.padEnd(34)}${'messages'.padStart(12)}${'sub msgs/s'.padStart(12)}${'anlao msgs/s'.padStart(14)}${'anlao/sub'.padStart(11)}${'ack p50'.padStart(9)}${'ack p99'.padStart(9)}`)
  for (const [label, a, b] of [[`as fast as sent (${fast} per device)`, a1, b1], [`paced ${RATE}/s + SOS bursts`, a2, b2]]) {
    console.log(`${label.padEnd(34)}${f(b.n)}${f(a.rps)}${f(b.rps, 14)}${f(b.rps / a.rps, 11, 2)}${f(b.ack50, 9)}${f(b.ack99, 9)}`)
  }
  console.log(`(ack: a device's send to its "ok", ms; target anlao/sub ≥ 0.8)`)
  console.log(`SOS → alarm on the console stream: ${lat.length} of ${sent.size} seen${missing ? `, ${missing} never` : ''}; ` +
    `p50 ${f(pct(lat, 0.5), 0)} ms, p99 ${f(pct(lat, 0.99), 0)} ms, max ${f(Math.max(...lat), 0)} ms (target p99 ≤ 100 ms)`)
  console.log(`ingest: stored ${st.stored}, duplicates ${st.duplicates}, alarms ${st.alarms}, commits ${st.commit.batches}, commit p99 ${st.commit.p99_ms} ms; load after ${load()}`)
} finally {
  await s.stop(); s.cleanup(); await broker.stop(); broker.cleanup()
}
