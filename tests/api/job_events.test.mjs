// GET /api/v1/jobs/:id/events (RULE-EVENT-006..009, RULE-JOB-008): a job's progress as
// server-sent events, read here with node's fetch.  The stream is scoped exactly like GET of the
// job, carries the runner's progress, ends with the final state, and a client that goes away
// mid-stream costs the server nothing (the ASan build's leak check runs at stop).
import { after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError, sleep, sqlite } from './helpers.mjs'
import { readdirSync } from 'node:fs'
import { connect } from 'node:net'
import { hostname } from 'node:os'
import { idNumber } from '../lib/ids.mjs'
import { readEvents } from '../lib/sse.mjs'

const servers = []
const test = serverTest(() => servers)
after(async () => { for (const s of servers) await s.dispose() })

const KEEPALIVE_MS = 200

async function start(env = {}) {
  const s = await Server.start({ env: { ANLAO_SSE_KEEPALIVE_MS: String(KEEPALIVE_MS), ...env } })
  servers.push(s)
  return s
}

const OCTET = { headers: { 'Content-Type': 'application/octet-stream' } }

// A roll file of `n` valid numbers nobody registered: the validation runs for a while, reporting
// progress every few thousand rows.
function rollFile(n) {
  const rows = ['身份证号,姓名,救助类别,开始日期']
  const d0 = Date.UTC(1930, 0, 1)
  for (let i = 0; i < n; i++) {
    const day = new Date(d0 + 86400e3 * Math.floor(i / 1000)).toISOString().slice(0, 10).replace(/-/g, '')
    rows.push(idNumber('520327', day, i % 1000) + ',某,低保,2020-01-01')
  }
  return Buffer.from(rows.join('\n') + '\n')
}

async function upload(c, n) {
  const r = await c.post(`/api/v1/imports?kind=roll&filename=roll.csv`, rollFile(n), OCTET)
  assert.equal(r.status, 202, r.text)
  return r.body.job_id
}

function open(s, c, path, signal) {
  return fetch(s.base + path, { headers: { Cookie: `anlao_session=${c.cookie}` }, signal })
}

// A GET on a plain socket, resolved once the head and the first event have arrived.
function rawStream(s, c, path) {
  return new Promise((ok, fail) => {
    const sock = connect(s.port, '127.0.0.1', () => {
      sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nCookie: anlao_session=${c.cookie}\r\n\r\n`)
    })
    let got = ''
    sock.on('data', (d) => {
      got += d
      if (/^HTTP\/1\.1 200[^]*\r\n\r\n[^]*event: progress/.test(got)) ok(sock)
    })
    sock.on('error', fail)
  })
}


test('RULE-EVENT-006, RULE-JOB-008: an import job streams its progress, then its final state, then the stream closes', async () => {
  const s = await start()
  const c = await s.login('fg_civil')
  const jobId = await upload(c, 300_000)
  const res = await open(s, c, `/api/v1/jobs/${jobId}/events`)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type'), /^text\/event-stream/)
  assert.equal(res.headers.get('cache-control'), 'no-store')
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
  const t0 = Date.now()
  const { events, comments } = await readEvents(res)
  const ms = Date.now() - t0
  const progress = events.filter((e) => e.event === 'progress')
  const last = events.at(-1)
  assert.equal(last.event, 'end', JSON.stringify(events.slice(-3)))
  assert.equal(events.filter((e) => e.event === 'end').length, 1, 'one end event')
  // The end event is the job as GET shows it.
  const got = (await c.get(`/api/v1/jobs/${jobId}`)).body
  assert.deepEqual(last.data, got)
  assert.equal(last.data.status, 'done', JSON.stringify(last.data))
  assert.equal(last.data.result.rows, 300_000)
  // Progress: running, with bytes counted, rising; published at most every 250 ms.
  const running = progress.filter((e) => e.data.status === 'running' && e.data.total > 0)
  assert.ok(running.length >= 2, `progress events while running (${events.length} events in ${ms} ms): ` + JSON.stringify(progress.slice(0, 5)))
  for (let i = 1; i < running.length; i++) assert.ok(running[i].data.done >= running[i - 1].data.done, 'progress only rises')
  assert.ok(running.every((e) => e.data.id === jobId && typeof e.data.phase === 'string' && e.data.phase))
  // RULE-JOB-007: the job was queued and run by this server, named host:port by default.
  assert.equal(sqlite(s.db, `SELECT origin || ' ' || server || ' ' || coalesce(CAST(lease_until AS TEXT), 'none') FROM jobs WHERE id = ${jobId}`),
    `${hostname()}:${s.port} ${hostname()}:${s.port} none`)
  console.log(`# ${events.length} events (${running.length} running progress), ${comments} keep-alives in ${ms} ms`)

  // A finished job: its final state at once, then the end of the stream.
  const again = await readEvents(await open(s, c, `/api/v1/jobs/${jobId}/events`))
  assert.deepEqual(again.events.map((e) => e.event), ['end'])
  assert.deepEqual(again.events[0].data, got)
})

test('RULE-EVENT-006: the stream is scoped like GET of the job: someone else gets 404, system.manage sees it, no session 401', async () => {
  const s = await start({ ANLAO_SERVER_ID: 'node-b' })
  const [owner, other, admin] = await Promise.all(['fg_civil', 'lq_officer', 'admin'].map((u) => s.login(u)))
  const jobId = await upload(owner, 50_000)
  const path = `/api/v1/jobs/${jobId}/events`
  assertError(await other.get(path), 404, 'not_found')
  assertError(await other.get(`/api/v1/jobs/${jobId}`), 404, 'not_found')
  assertError(await s.client().get(path), 401, 'unauthorized')
  assertError(await owner.get('/api/v1/jobs/999999/events'), 404, 'not_found')
  const res = await open(s, admin, path)
  assert.equal(res.status, 200)
  const { events } = await readEvents(res)
  assert.equal(events.at(-1).event, 'end')
  assert.equal(events.at(-1).data.status, 'done')
  assert.equal(sqlite(s.db, `SELECT server FROM jobs WHERE id = ${jobId}`), 'node-b', 'RULE-JOB-007: ANLAO_SERVER_ID names the server')
  // HTTP/1.0 (nginx's default to upstreams): no chunks, the end of the stream is the close.
  const raw = await new Promise((ok, fail) => {
    const sock = connect(s.port, '127.0.0.1', () => sock.write(`GET ${path} HTTP/1.0\r\nCookie: anlao_session=${owner.cookie}\r\n\r\n`))
    let got = ''
    sock.on('data', (d) => { got += d })
    sock.on('end', () => ok(got))
    sock.on('error', fail)
  })
  assert.match(raw, /^HTTP\/1\.[01] 200/)
  assert.doesNotMatch(raw, /Transfer-Encoding: chunked/i)
  assert.match(raw, /\r\n\r\nevent: end\ndata: \{.*"status":"done".*\}\n\n$/s)
})

test('RULE-EVENT-007, RULE-EVENT-008, RULE-EVENT-009: clients that go away mid-stream leave the server sound; a missed event is caught by the keep-alive check', async () => {
  const s = await start()
  const c = await s.login('fg_civil')
  const jobId = await upload(c, 300_000)
  // Five clients read the first event and drop their connection (a raw socket: fetch's abort
  // keeps reading to reuse the connection); the server closes its sockets at its next write (a
  // keep-alive at the latest) and frees their streams.
  const fds = () => readdirSync(`/proc/${s.proc.pid}/fd`).length
  const socks = []
  for (let i = 0; i < 5; i++) socks.push(await rawStream(s, c, `/api/v1/jobs/${jobId}/events`))
  const during = fds()
  for (const sock of socks) sock.destroy()
  // One more reads the whole stream while the others' connections are gone.
  const whole = readEvents(await open(s, c, `/api/v1/jobs/${jobId}/events`))
  // Several keep-alive periods pass with the dead connections: the server writes, notices, frees.
  await sleep(KEEPALIVE_MS * 5)
  const afterAbort = fds()
  console.log(`# server descriptors: ${during} with five streams open, ${afterAbort} after they went away`)
  assert.ok(afterAbort <= during - 4, `the five sockets are closed (${during} → ${afterAbort})`)
  assert.equal((await c.get('/healthz', { check: false })).status, 200)
  const { events } = await whole
  assert.equal(events.at(-1).data.status, 'done')

  // An end the stream never heard of (written behind the server's back, no event published):
  // the next keep-alive reads the state and ends the stream.
  const j2 = await upload(c, 2_000)
  const done = readEvents(await open(s, c, `/api/v1/jobs/${j2}/events`))
  const r = await done
  assert.equal(r.events.at(-1).event, 'end')
  sqlite(s.db, `INSERT INTO jobs(kind, user_id, status, created_at, origin) SELECT 'identify.run', user_id, 'running', 0, 'elsewhere' FROM jobs WHERE id = ${j2}`)
  const ghost = Number(sqlite(s.db, 'SELECT max(id) FROM jobs'))
  const t0 = Date.now()
  const pending = readEvents(await open(s, c, `/api/v1/jobs/${ghost}/events`))
  await sleep(KEEPALIVE_MS * 2)
  sqlite(s.db, `UPDATE jobs SET status = 'failed', error = '测试' WHERE id = ${ghost}`)
  const g = await pending
  assert.equal(g.events.at(-1).event, 'end')
  assert.equal(g.events.at(-1).data.error, '测试')
  assert.ok(g.comments >= 1, 'RULE-EVENT-007: keep-alive comments while idle')
  assert.ok(Date.now() - t0 < KEEPALIVE_MS * 2 + 3000)
  // A stream still open when the server stops: SIGTERM exits 0 without waiting for it
  // (and the ASan build reports no leak).
  sqlite(s.db, `UPDATE jobs SET status = 'running' WHERE id = ${ghost}`)
  const open2 = await open(s, c, `/api/v1/jobs/${ghost}/events`)
  const reading = readEvents(open2).catch(() => null)
  const t1 = Date.now()
  await s.stop()
  assert.ok(Date.now() - t1 < 8000, 'stop does not wait for streams')
  await reading
})
