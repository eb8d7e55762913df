// Request bodies (RULE-HTTP-001..003): the limit is decided from the head, before the body is
// read; only signed-in callers of upload routes send large bodies; all bodies held at once stay
// within the budget; refused bodies are never held, and the server's memory shows it.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { startServers, serverTest, assertError, sleep } from './helpers.mjs'

// big: the defaults (1 MiB bodies, 64 MiB uploads).  tight: 4 MiB uploads within a 6 MiB budget.
let big, tight
const test = serverTest(() => [big, tight])

before(async () => {
  [big, tight] = await startServers(
    // Under ASan, freed memory waits in a quarantine (256 MB by default) and would count as held.
    { env: { ANLAO_WORKERS: '4', ASAN_OPTIONS: [process.env.ASAN_OPTIONS, 'quarantine_size_mb=8'].filter(Boolean).join(':') } },
    { env: { ANLAO_UPLOAD_MAX_BYTES: String(4 << 20), ANLAO_BODY_BUDGET_BYTES: String(6 << 20) } },
  )
})
after(async () => {
  for (const x of [big, tight]) {
    if (!x) continue
    try { await x.stop() } finally { await x.dispose() }
  }
})

const MiB = 1 << 20

// kB of a line of /proc/PID/status.
function status(srv, key) {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'))
  return Number(m[1]) * 1024
}

// A raw connection: send bytes, read whole responses (status, headers, JSON body) in order.
class Raw {
  constructor(srv) {
    this.sock = net.connect(srv.port, '127.0.0.1')
    this.buf = Buffer.alloc(0)
    this.waiters = []
    this.closed = false
    this.sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.wake() })
    this.sock.on('close', () => { this.closed = true; this.wake() })
    this.sock.on('error', () => {})
  }

  wake() { for (const w of this.waiters.splice(0)) w() }
  write(b) { return new Promise((ok) => { if (this.sock.write(b)) ok(); else this.sock.once('drain', ok) }) }
  end() { this.sock.destroy() }

  // The next response, or null when the connection closed first; fails after `ms`.
  async response(ms = 5000) {
    const deadline = Date.now() + ms
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n')
      if (end >= 0) {
        const head = this.buf.subarray(0, end).toString('latin1').split('\r\n')
        const headers = {}
        for (const l of head.slice(1)) { const i = l.indexOf(':'); headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim() }
        // Without a Content-Length the answer ends with the connection (HTTP/1.0).
        const len = 'content-length' in headers ? Number(headers['content-length']) : this.closed ? this.buf.length - end - 4 : Infinity
        if (this.buf.length >= end + 4 + len) {
          const text = this.buf.subarray(end + 4, end + 4 + len).toString('utf8')
          this.buf = this.buf.subarray(end + 4 + len)
          let body
          try { body = JSON.parse(text) } catch { body = undefined }
          return { status: Number(head[0].split(' ')[1]), headers, text, body }
        }
      }
      if (this.closed) return null
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no complete response within ${ms} ms; got ${JSON.stringify(this.buf.toString('latin1').slice(0, 200))}`)
      await new Promise((ok) => { this.waiters.push(ok); setTimeout(ok, Math.min(left, 100)) })
    }
  }
}

const head = (method, path, length, extra = '') =>
  `${method} ${path} HTTP/1.1\r\nHost: anlao\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`

async function cookieOf(srv, username = 'admin') {
  const c = await srv.login(username)
  return `Cookie: anlao_session=${c.cookie}\r\nX-CSRF-Token: ${c.csrf}\r\n`
}

test('a 60 MB body to the sign-in route is refused as soon as its head is read, before any of it is sent', async () => {
  const raw = new Raw(big)
  await raw.write(head('POST', '/api/v1/auth/login', 60_000_000))
  const r = await raw.response(3000)
  assertError(r, 413, 'too_large')
  assert.match(r.body.error.message, /1024 KB/, r.text)
  assert.doesNotMatch(r.body.error.message, /登录/, 'sign-in is no upload route: ' + r.text)
  raw.end()
})

test('24 parallel 60 MB sign-in posts: all 413, and the server never holds them (RSS peak far below their size)', async () => {
  // RULE-HTTP-001: before, each body was read whole (64 MiB allowed everywhere): 1.25 GB peak.
  const hwm0 = status(big, 'VmHWM')
  const body = Buffer.alloc(60_000_000, 0x20)
  const rs = await Promise.all(Array.from({ length: 24 }, () =>
    big.client().post('/api/v1/auth/login', body, { headers: { 'Content-Type': 'application/json' } })))
  for (const r of rs) assertError(r, 413, 'too_large')
  const grown = status(big, 'VmHWM') - hwm0
  const rss = status(big, 'VmRSS')
  assert.ok(grown < 64 * MiB, `peak grew by ${(grown / MiB).toFixed(1)} MiB (24 × 60 MB were sent)`)
  assert.ok(rss < 200 * MiB, `RSS after: ${(rss / MiB).toFixed(1)} MiB`)
  // The connections are still usable after their refused bodies were dropped.
  assert.equal((await big.client().get('/api/v1/me')).status, 401)
})

test('after a refused body is dropped the same connection serves the next request', async () => {
  const raw = new Raw(big)
  await raw.write(head('POST', '/api/v1/auth/login', 2 * MiB))
  await raw.write(Buffer.alloc(2 * MiB, 0x20))
  await raw.write('GET /healthz HTTP/1.1\r\nHost: anlao\r\n\r\n')
  assertError(await raw.response(), 413, 'too_large')
  const ok = await raw.response()
  assert.equal(ok.status, 200, ok.text)
  raw.end()
})

test('large bodies are for signed-in callers of upload routes only (RULE-HTTP-001)', async () => {
  const csv = Buffer.from('身份证号,姓名\n' + '#'.repeat(2 * MiB) + '\n')
  // Anonymous: refused from the head, whatever the route.
  const anon = new Raw(big)
  await anon.write(head('POST', '/api/v1/imports?kind=hukou&filename=a.csv', csv.length))
  const r1 = await anon.response(3000)
  assertError(r1, 413, 'too_large')
  assert.match(r1.body.error.message, /登录/, r1.text)
  anon.end()
  // A forged or revoked session is no better.
  const forged = new Raw(big)
  await forged.write(head('POST', '/api/v1/imports?kind=hukou&filename=a.csv', csv.length, `Cookie: anlao_session=${'0'.repeat(64)}\r\n`))
  assertError(await forged.response(3000), 413, 'too_large')
  forged.end()
  // Signed in, on a route that is not an upload: refused.
  const admin = await big.login('admin')
  assertError(await admin.patch('/api/v1/me', csv), 413, 'too_large')
  // Signed in, on the upload route: accepted (the import then runs as a job).
  const civil = await big.login('fg_civil')
  const up = await civil.post('/api/v1/imports?kind=hukou&filename=big.csv', csv, { headers: { 'Content-Type': 'text/csv' } })
  assert.equal(up.status, 202, up.text)
  // The same with an API token.
  const tok = await admin.post('/api/v1/tokens', { name: '上传' })
  const prog = big.client()
  prog.bearer = tok.body.token
  const up2 = await prog.post('/api/v1/imports?kind=hukou&filename=big2.csv', csv, { headers: { 'Content-Type': 'text/csv' } })
  assert.equal(up2.status, 202, up2.text)
})

test('bodies held at once stay within ANLAO_BODY_BUDGET_BYTES: beyond it 503, and the budget comes back (RULE-HTTP-002)', async () => {
  const auth = await cookieOf(tight, 'fg_civil')
  const size = 4 * MiB - 1024
  const csv = Buffer.alloc(size, 0x41)
  // A: half its body sent, so the server holds (and counts) it.
  const a = new Raw(tight)
  await a.write(head('POST', '/api/v1/imports?kind=hukou&filename=a.csv', size, auth))
  await a.write(csv.subarray(0, size / 2))
  await sleep(200)
  // B: another 4 MiB would pass the 6 MiB budget.
  const b = new Raw(tight)
  await b.write(head('POST', '/api/v1/imports?kind=hukou&filename=b.csv', size, auth))
  const busy = await b.response(3000)
  const e = assertError(busy, 503, 'unavailable')
  assert.match(e.message, /稍后重试/, busy.text)
  b.end()
  // Small requests still fit beside A.
  assertError(await tight.client().post('/api/v1/auth/login', { username: 'nobody', password: 'Wrong1234' }), 401, 'unauthorized')
  // A completes; once answered its body no longer counts.
  await a.write(csv.subarray(size / 2))
  const done = await a.response(10000)
  assert.notEqual(done.status, 503, done.text)
  assert.notEqual(done.status, 413, done.text)
  a.end()
  // A's worker gives the budget back right after its answer is written, which may be a moment
  // after the client has it: a few tries.
  let again
  for (let i = 0; i < 20; i++) {
    const c = new Raw(tight)
    await c.write(head('POST', '/api/v1/imports?kind=hukou&filename=c.csv', size, auth))
    await c.write(csv)
    again = await c.response(10000)
    c.end()
    if (again.status !== 503) break
    await sleep(50)
  }
  assert.notEqual(again.status, 503, again.text)
})

test('a client that goes away in the middle of its body gives its share of the budget back', async () => {
  const auth = await cookieOf(tight, 'fg_civil')
  const size = 4 * MiB - 1024
  for (let i = 0; i < 3; i++) {
    const x = new Raw(tight)
    await x.write(head('POST', '/api/v1/imports?kind=hukou&filename=gone.csv', size, auth))
    await x.write(Buffer.alloc(MiB, 0x41))
    await sleep(100)
    x.end()
    await sleep(200)
  }
  let r
  for (let i = 0; i < 20; i++) { // the close is seen a moment later
    const y = new Raw(tight)
    await y.write(head('POST', '/api/v1/imports?kind=hukou&filename=after.csv', size, auth))
    await y.write(Buffer.alloc(size, 0x41))
    r = await y.response(10000)
    y.end()
    if (r.status !== 503) break
    await sleep(50)
  }
  assert.notEqual(r.status, 503, r.text)
})

test('a body needs a Content-Length: chunked bodies, repeated or bad lengths are 400 and the connection closes (RULE-HTTP-003)', async () => {
  for (const extra of ['Transfer-Encoding: chunked\r\n', 'Content-Length: 5\r\n', 'X-A: 1\r\n  folded\r\n']) {
    const raw = new Raw(big)
    const h = extra.startsWith('Transfer')
      ? `POST /api/v1/auth/login HTTP/1.1\r\nHost: anlao\r\nContent-Type: application/json\r\n${extra}\r\n5\r\nhello\r\n0\r\n\r\n`
      : head('POST', '/api/v1/auth/login', 2, extra) + '{}'
    await raw.write(h)
    const r = await raw.response()
    assertError(r, 400, 'invalid')
    assert.equal(r.headers.connection, 'close', r.text)
    assert.equal(await raw.response(), null, 'closed after the answer')
  }
  const bad = new Raw(big)
  await bad.write(head('POST', '/api/v1/auth/login', '12abc'))
  assertError(await bad.response(), 400, 'invalid')
  bad.end()
})

test('answers are written whole when the client asks to close (HTTP/1.0, Connection: close, as nginx does)', async () => {
  const admin = await big.login('admin')
  for (const line of ['HTTP/1.0', 'HTTP/1.1']) {
    const raw = new Raw(big)
    await raw.write(`GET /api/v1/regions?parent=520327 HTTP/${line.slice(5)}\r\nHost: anlao\r\nConnection: close\r\nCookie: anlao_session=${admin.cookie}\r\n\r\n`)
    const r = await raw.response()
    assert.ok(r && r.body, `${line}: a whole JSON answer: ${r && r.text.slice(0, 100)}`)
    assert.equal(await raw.response(), null)
  }
})

// A citizen ID number with its check character (GB 11643).
function idNumber(prefix17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...prefix17].reduce((a, c, i) => a + Number(c) * w[i], 0)
  return prefix17 + '10X98765432'[sum % 11]
}

test('a signed-in upload goes to disk as it arrives: the server\'s own memory does not grow by its size (RULE-HTTP-005)', async () => {
  const civil = await big.login('fg_civil')
  const sample = () => status(big, 'RssAnon')
  const before = sample()
  let peak = before
  const timer = setInterval(() => { peak = Math.max(peak, sample()) }, 5)
  const body = Buffer.concat([Buffer.from('x\n'), Buffer.alloc(40 * MiB, 0x61)])
  const up = await civil.post('/api/v1/imports?kind=hukou&filename=big.csv', body, { headers: { 'Content-Type': 'application/octet-stream' } })
  clearInterval(timer)
  peak = Math.max(peak, sample())
  assert.equal(up.status, 202, up.text)
  assert.ok(peak - before < 16 * MiB, `anonymous memory grew by ${((peak - before) / MiB).toFixed(1)} MiB during a 40 MiB upload`)
})

test('a spooled upload arrives whole: every row of a 2 MB file is read (RULE-HTTP-005)', async () => {
  const civil = await big.login('fg_civil')
  const id = idNumber('52032719400202501')
  const rows = 40000
  const csv = Buffer.from('身份证号,姓名,区划代码,住址\n' + `${id},整文件,520327001001,一号\n`.repeat(rows))
  assert.ok(csv.length > MiB)
  const up = await civil.post('/api/v1/imports?kind=hukou&filename=whole.csv', csv, { headers: { 'Content-Type': 'application/octet-stream' } })
  assert.equal(up.status, 202, up.text)
  let job
  for (let i = 0; i < 600; i++) { job = (await civil.get(`/api/v1/jobs/${up.body.job_id}`)).body; if (job.status === 'done' || job.status === 'failed') break; await sleep(50) }
  assert.equal(job.status, 'done', JSON.stringify(job))
  assert.equal(job.result.rejected, rows - 1, 'the first row is read, each later one refused as a repeat: ' + JSON.stringify(job.result))
})

test('Expect: 100-continue on a spooled upload: 100 Continue first, then the answer', async () => {
  const auth = await cookieOf(big, 'fg_civil')
  const size = 2 * MiB
  const raw = new Raw(big)
  await raw.write(head('POST', '/api/v1/imports?kind=hukou&filename=cont.csv', size, auth + 'Expect: 100-continue\r\n'))
  const deadline = Date.now() + 3000
  while (!raw.buf.includes('\r\n\r\n') && Date.now() < deadline) await sleep(20)
  assert.match(raw.buf.toString('latin1'), /^HTTP\/1\.1 100 Continue\r\n\r\n/)
  raw.buf = raw.buf.subarray('HTTP/1.1 100 Continue\r\n\r\n'.length)
  await raw.write(Buffer.alloc(size, 0x61))
  const r = await raw.response(10000)
  assert.equal(r.status, 202, r.text)
  raw.end()
})
