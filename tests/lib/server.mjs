// Start the real anlao binary on a temporary database and a free port; a small client
// that keeps the session cookie and sends the CSRF token on writes.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { PG, pgDatabaseFor, pgDropDatabase } from './pg.mjs'

export const BIN = resolve(process.env.ANLAO_BIN || 'build/anlao')
export const ADMIN_PASSWORD = 'Admin12345'
export const DEMO_PASSWORD = 'Anlao2026'

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.unref()
    s.on('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

export class Server {
  constructor(opts = {}) {
    this.env = opts.env || {}
    this.demo = opts.demo !== false
    this.dir = opts.dir || mkdtempSync(join(tmpdir(), 'anlao-test-'))
    this.db = join(this.dir, 't.db')
    this.ownDir = !opts.dir
    this.log = ''
    if (PG) { // a database of its own in the test cluster; the key and uploads stay in dir
      const pg = pgDatabaseFor(this.dir)
      this.pgName = pg.name
      this.db = pg.url
      this.env = { ANLAO_DATA_DIR: this.dir, ...this.env }
    }
  }

  async start() {
    this.port = await freePort()
    this.base = `http://127.0.0.1:${this.port}`
    const args = ['serve', '--db', this.db, '--port', String(this.port)]
    if (this.demo) args.push('--demo')
    this.proc = spawn(BIN, args, {
      env: { ...process.env, ANLAO_ADMIN_PASSWORD: ADMIN_PASSWORD, ANLAO_WORKERS: '2', ANLAO_DEMO_ELDERS: '0', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.proc.stdout.on('data', (d) => { this.log += d })
    this.proc.stderr.on('data', (d) => { this.log += d })
    this.exited = new Promise((ok) => this.proc.on('exit', (code, signal) => ok({ code, signal })))
    const deadline = Date.now() + 30000
    for (;;) {
      try {
        const r = await fetch(this.base + '/healthz')
        if (r.ok) return this
      } catch { /* not up yet */ }
      if (Date.now() > deadline || this.proc.exitCode !== null) {
        throw new Error('server did not start:\n' + this.log)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  // SIGTERM and wait; returns {code, signal}.
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return this.exited
    this.proc.kill('SIGTERM')
    return this.exited
  }

  async kill9() {
    this.proc.kill('SIGKILL')
    return this.exited
  }

  cleanup() {
    if (this.ownDir) {
      rmSync(this.dir, { recursive: true, force: true })
      if (this.pgName) pgDropDatabase(this.pgName)
    }
  }

  // Run the CLI against this server's database.
  cli(...args) {
    return spawnSync(BIN, [...args, '--db', this.db], {
      encoding: 'utf8',
      env: { ...process.env, ANLAO_ADMIN_PASSWORD: ADMIN_PASSWORD, ...this.env },
    })
  }

  client() { return new Client(this.base) }

  async login(username, password = username === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD) {
    const c = this.client()
    const r = await c.post('/api/v1/auth/login', { username, password })
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`)
    return c
  }
}

export class Client {
  constructor(base) {
    this.base = base
    this.cookie = null
    this.csrf = null
    this.bearer = null
  }

  async request(method, path, body, { headers = {}, raw = false, csrf = true } = {}) {
    const h = { ...headers }
    if (this.cookie) h.Cookie = this.cookie
    if (this.bearer) h.Authorization = 'Bearer ' + this.bearer
    if (method !== 'GET' && this.csrf && csrf) h['X-CSRF-Token'] = this.csrf
    let payload
    if (body instanceof Uint8Array || typeof body === 'string') payload = body
    else if (body !== undefined) {
      payload = JSON.stringify(body)
      h['Content-Type'] = 'application/json'
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload })
    const setCookie = res.headers.get('set-cookie')
    if (setCookie) {
      const m = setCookie.match(/anlao_session=([^;]*)/)
      if (m) this.cookie = m[1] ? `anlao_session=${m[1]}` : null
    }
    const buf = Buffer.from(await res.arrayBuffer())
    let json = null
    if (!raw) { try { json = JSON.parse(buf.toString('utf8')) } catch { json = null } }
    if (json && typeof json.csrf_token === 'string') this.csrf = json.csrf_token
    return { status: res.status, body: json, headers: res.headers, raw: buf, setCookie }
  }

  get(p, o) { return this.request('GET', p, undefined, o) }
  post(p, b = {}, o) { return this.request('POST', p, b, o) }
  patch(p, b, o) { return this.request('PATCH', p, b, o) }
  put(p, b, o) { return this.request('PUT', p, b, o) }
  del(p, o) { return this.request('DELETE', p, undefined, o) }
}

// The one error shape: {"error":{"code","message"(Chinese),"field"?}}.
export function assertError(assert, res, status, code, field) {
  assert.equal(res.status, status, JSON.stringify(res.body))
  assert.ok(res.body && res.body.error, 'error object: ' + JSON.stringify(res.body))
  assert.equal(res.body.error.code, code)
  assert.match(res.body.error.message, /[\u4e00-\u9fff]/, 'message in Chinese')
  if (field !== undefined) assert.equal(res.body.error.field, field)
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
