// Black-box helpers for the API tests: start the real anlao binary on a temporary database and
// a free port, a client that keeps the session cookie and sends X-CSRF-Token on writes, and
// assertions for the one error shape.  The binary is $ANLAO_BIN (default build/anlao), so the
// same tests run against the ASan build.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { BIN, ADMIN_PASSWORD, DEMO_PASSWORD, freePort, sleep } from '../lib/server.mjs'
import { PG, psql, pgDatabaseFor, pgDropDatabase } from '../lib/pg.mjs'

export { PG }

// The binary, the passwords and the port finder are those of tests/lib/server.mjs (the browser
// tests' harness); this file adds the stricter client and assertions of the API suite.
export { BIN, ADMIN_PASSWORD, DEMO_PASSWORD, freePort, sleep }

// Generous: the ASan build is several times slower.
export const START_TIMEOUT_MS = 60_000
export const STOP_TIMEOUT_MS = 30_000
export const TEST_TIMEOUT_MS = 180_000

const HAN = /\p{Script=Han}/u


// The environment of every anlao process: ours without any ANLAO_* setting of the caller
// (the tests must not depend on the developer's shell), plus the fixed test settings.
function baseEnv(extra) {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ANLAO_')) env[k] = v
  return {
    ...env,
    ANLAO_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ANLAO_WORKERS: '2',
    ANLAO_DEMO_ELDERS: '0', // demo accounts without the 60,000 generated elders
    ...extra,
  }
}

const running = new Set()
process.on('exit', () => { for (const p of running) try { p.kill('SIGKILL') } catch { /* gone */ } })

const LOG_KEEP = 64 * 1024

export class Server {
  // opts: env (overrides), demo (default true), dir (use this directory, not removed by cleanup),
  // db (database path; default <dir>/t.db)
  constructor(opts = {}) {
    this.env = opts.env || {}
    this.demo = opts.demo !== false
    this.ownDir = !opts.dir
    this.dir = opts.dir || mkdtempSync(join(tmpdir(), 'anlao-api-'))
    this.db = opts.db || join(this.dir, 't.db')
    if (PG && !opts.db) {
      const pg = pgDatabaseFor(this.dir)
      this.pgName = pg.name
      this.db = pg.url
      this.env = { ANLAO_DATA_DIR: this.dir, ...this.env } // the key and uploads beside the test
    }
    this.keyPath = this.env.ANLAO_KEY || join(this.dir, 'anlao.key')
    this.stdout = ''
    this.stderr = ''
    this.proc = null
  }

  static async start(opts) { return new Server(opts).start() }

  get running() { return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null }

  // The last lines the server printed, for failure messages.
  log() {
    return `--- anlao stderr (${this.db}) ---\n${this.stderr.slice(-8000)}\n--- anlao stdout ---\n${this.stdout.slice(-4000)}`
  }

  async start() {
    for (let attempt = 0; ; attempt++) {
      this.port = await freePort()
      this.base = `http://127.0.0.1:${this.port}`
      const args = ['serve', '--db', this.db, '--port', String(this.port)]
      if (this.demo) args.push('--demo')
      const proc = spawn(BIN, args, { env: baseEnv(this.env), stdio: ['ignore', 'pipe', 'pipe'] })
      this.proc = proc
      running.add(proc)
      let spawnFailed = false
      proc.stdout.on('data', (d) => { this.stdout = (this.stdout + d).slice(-LOG_KEEP) })
      proc.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-LOG_KEEP) })
      this.exited = new Promise((ok) => {
        proc.on('exit', (code, signal) => { running.delete(proc); ok({ code, signal }) })
        proc.on('error', (e) => {
          spawnFailed = true
          this.stderr += `\nspawn ${BIN}: ${e.message}\n`
          running.delete(proc)
          ok({ code: null, signal: null })
        })
      })
      const deadline = Date.now() + START_TIMEOUT_MS
      for (;;) {
        if (spawnFailed || proc.exitCode !== null || proc.signalCode !== null) break
        try {
          const r = await fetch(this.base + '/healthz')
          await r.arrayBuffer()
          if (r.status === 200) return this
        } catch { /* not listening yet */ }
        if (Date.now() > deadline) {
          proc.kill('SIGKILL')
          await this.exited
          throw new Error(`anlao did not answer /healthz within ${START_TIMEOUT_MS} ms\n${this.log()}`)
        }
        await sleep(40)
      }
      await this.exited
      // Someone took the port between freePort() and bind(): try another one.
      if (attempt < 3 && /cannot listen/.test(this.stderr)) continue
      throw new Error(`anlao exited during start-up (code ${proc.exitCode}, signal ${proc.signalCode})\n${this.log()}`)
    }
  }

  // SIGTERM, wait, and require exit code 0 (a leak report of the ASan build fails here too).
  async stop() {
    if (!this.proc) return { code: 0, signal: null }
    if (this.running) this.proc.kill('SIGTERM')
    let timer
    const timeout = new Promise((ok) => { timer = setTimeout(() => ok('timeout'), STOP_TIMEOUT_MS) })
    const r = await Promise.race([this.exited, timeout])
    clearTimeout(timer)
    if (r === 'timeout') {
      this.proc.kill('SIGKILL')
      await this.exited
      throw new Error(`anlao did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n${this.log()}`)
    }
    if (r.code !== 0) throw new Error(`anlao exited with code ${r.code} signal ${r.signal} after SIGTERM\n${this.log()}`)
    return r
  }

  async kill9() {
    if (this.running) this.proc.kill('SIGKILL')
    return this.exited
  }

  // Stop if still running (failures ignored) and remove the temporary directory.
  async dispose() {
    if (this.running) {
      this.proc.kill('SIGKILL')
      await this.exited
    }
    if (this.ownDir) {
      rmSync(this.dir, { recursive: true, force: true })
      if (this.pgName) pgDropDatabase(this.pgName)
    }
  }

  // Run the CLI on this server's database: `anlao <args> --db DB`, synchronously.
  cli(args, env = {}) {
    const r = spawnSync(BIN, [...args, '--db', this.db], { encoding: 'utf8', env: baseEnv({ ...this.env, ...env }), timeout: 120_000 })
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, error: r.error }
  }

  // The same, without blocking the event loop (the server keeps being driven meanwhile).
  cliAsync(args, env = {}) {
    return runAsync([...args, '--db', this.db], { ...this.env, ...env })
  }

  client() { return new Client(this) }

  async login(username, password = username === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD) {
    const c = new Client(this)
    const r = await c.post('/api/v1/auth/login', { username, password })
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`)
    return c
  }

  // First sign-in of a user whose password someone else set (RULE-AUTH-001): change it to
  // `next` and return the signed-in client.
  async firstLogin(username, password, next = password + 'x') {
    const c = await this.login(username, password)
    const r = await c.post('/api/v1/me/password', { old_password: password, new_password: next })
    if (r.status !== 200) throw new Error(`password change ${username}: ${r.status} ${r.text}`)
    return c
  }
}

// Start one server per option set, concurrently.
export function startServers(...optsList) { return Promise.all(optsList.map((o) => Server.start(o))) }

export function runAsync(args, env = {}) {
  return new Promise((ok) => {
    const p = spawn(BIN, args, { env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = '', stderr = ''
    p.stdout.on('data', (d) => { stdout += d })
    p.stderr.on('data', (d) => { stderr += d })
    p.on('error', (e) => ok({ status: null, signal: null, stdout, stderr: `spawn ${BIN}: ${e.message}` }))
    p.on('exit', (status, signal) => ok({ status, signal, stdout, stderr }))
  })
}

export function cli(args, env = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: baseEnv(env), timeout: 120_000 })
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, error: r.error }
}

// The sqlite3 command-line shell on a database file — or psql when the database is PostgreSQL,
// so the checks a test makes on the stored rows run on both engines; throws on any error. The
// shell waits up to 10 s for the server's write lock (its periodic jobs write every second;
// under ASan a write can be slow enough for a shell without a timeout to fail at once).
export function sqlite(db, sql) {
  if (db.startsWith('postgresql:')) return psql(db, sql)
  const r = spawnSync('sqlite3', ['-bail', '-cmd', '.timeout 10000', db, sql], { encoding: 'utf8' })
  if (r.status !== 0 || r.stderr) throw new Error(`sqlite3 ${db}: ${sql}\n${r.stderr}${r.error || ''}`)
  return r.stdout.trim()
}
export function sqliteJson(db, sql) {
  if (db.startsWith('postgresql:')) {
    const sel = sql.trim().replace(/;$/, '')
    return JSON.parse(psql(db, `SELECT coalesce(json_agg(t), '[]') FROM (${sel}) t`))
  }
  const r = spawnSync('sqlite3', ['-bail', '-json', '-cmd', '.timeout 10000', db, sql], { encoding: 'utf8' })
  if (r.status !== 0 || r.stderr) throw new Error(`sqlite3 ${db}: ${sql}\n${r.stderr}`)
  return r.stdout.trim() ? JSON.parse(r.stdout) : []
}

const isApi = (path) => /^\/(api\/|healthz|readyz)/.test(path)

// Every API answer carries these, whatever its status.
export function assertSecurityHeaders(res, what = '') {
  const csp = res.headers.get('content-security-policy') || ''
  assert.match(csp, /frame-ancestors 'none'/, `Content-Security-Policy with frame-ancestors on ${what}: ${csp}`)
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `nosniff on ${what}`)
  assert.equal(res.headers.get('cache-control'), 'no-store', `Cache-Control no-store on ${what}`)
}

export class Client {
  constructor(server) {
    this.server = server
    this.cookie = null // value of anlao_session
    this.csrf = null
    this.bearer = null
  }

  // opts: headers, csrf (true: send ours on writes; false: never; a string: send that),
  //       cookie (false: do not send ours), check (false: skip the header checks)
  async request(method, path, body, opts = {}) {
    const headers = { ...(opts.headers || {}) }
    if (this.cookie && opts.cookie !== false) headers.Cookie = `anlao_session=${this.cookie}`
    if (this.bearer) headers.Authorization = `Bearer ${this.bearer}`
    const write = method !== 'GET' && method !== 'HEAD'
    const csrf = opts.csrf === undefined ? true : opts.csrf
    if (write && typeof csrf === 'string') headers['X-CSRF-Token'] = csrf
    else if (write && csrf && this.csrf) headers['X-CSRF-Token'] = this.csrf
    let payload
    if (body !== undefined) {
      payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json'
    }
    // A GET that finds its pooled keep-alive socket closed by the server (idle past the server's
    // timeout while the test blocked the event loop, e.g. in spawnSync of psql) is sent again on
    // a fresh connection, as a browser does; writes are never repeated.
    const send = () => fetch(this.server.base + path, { method, headers, body: payload })
    let res
    try {
      res = await send()
    } catch (e) {
      if (write) throw e
      await new Promise((r) => setTimeout(r, 50))
      res = await send()
    }
    const buf = Buffer.from(await res.arrayBuffer())
    const text = buf.toString('utf8')
    const cookies = res.headers.getSetCookie()
    for (const c of cookies) {
      const m = /^anlao_session=([^;]*)/.exec(c)
      if (!m) continue
      this.cookie = m[1] && !/max-age=0/i.test(c) ? m[1] : null
    }
    let json
    if (text) { try { json = JSON.parse(text) } catch { json = undefined } }
    const out = { status: res.status, headers: res.headers, text, body: json, cookies, raw: buf }
    if (isApi(path) && opts.check !== false) {
      assertSecurityHeaders(res, `${method} ${path} (${res.status})`)
      if (method !== 'HEAD') {
        assert.match(res.headers.get('content-type') || '', /^application\/json/, `JSON answer to ${method} ${path}`)
        assert.notEqual(json, undefined, `parsable JSON from ${method} ${path}: ${text.slice(0, 200)}`)
      }
    }
    if (json && typeof json.csrf_token === 'string') this.csrf = json.csrf_token
    return out
  }

  get(p, o) { return this.request('GET', p, undefined, o) }
  post(p, b, o) { return this.request('POST', p, b, o) }
  patch(p, b, o) { return this.request('PATCH', p, b, o) }
  put(p, b, o) { return this.request('PUT', p, b, o) }
  del(p, o) { return this.request('DELETE', p, undefined, o) }
}

// {"error":{"code","message"(Chinese),"field"?,"retry_after"?}} with the given status.
// field: undefined = not checked, null = must be absent, a string = must equal.
export function assertError(res, status, code, field) {
  const where = `${res.status} ${res.text}`
  assert.equal(res.status, status, `status: ${where}`)
  assert.ok(res.body && typeof res.body === 'object' && !Array.isArray(res.body), `JSON object: ${where}`)
  assert.deepEqual(Object.keys(res.body), ['error'], `only "error" at the top: ${where}`)
  const e = res.body.error
  assert.equal(e.code, code, `code: ${where}`)
  assert.equal(typeof e.message, 'string', `message: ${where}`)
  assert.match(e.message, HAN, `a Chinese message: ${where}`)
  for (const k of Object.keys(e)) assert.ok(['code', 'message', 'field', 'retry_after', 'column'].includes(k), `unexpected key ${k}: ${where}`)
  if (field === null) assert.ok(!('field' in e), `no field: ${where}`)
  else if (field !== undefined) assert.equal(e.field, field, `field: ${where}`)
  return e
}

// test() that appends the servers' recent output to the failure, for debugging.
// servers: a function returning the Server objects of the file (they may change between tests).
export function serverTest(servers) {
  return (name, fn) => test(name, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    try {
      await fn(t)
    } catch (e) {
      const logs = (servers() || []).filter(Boolean).map((s) => s.log()).join('\n')
      if (e && typeof e === 'object' && logs) {
        try { e.message = `${e.message}\n${logs}` } catch { /* read-only message */ }
      }
      throw e
    }
  })
}

// "YYYY-MM-DD" of a date in China time (UTC+8), the zone of the audit filters.
export function chinaDay(ms = Date.now()) {
  return new Date(ms + 8 * 3600e3).toISOString().slice(0, 10)
}
