// Graceful shutdown (SIGTERM drains in-flight requests, checkpoints the WAL, exits 0) and
// durability (an acknowledged write survives kill -9).
import { after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { Server, serverTest, sqlite, PG, sleep, ADMIN_PASSWORD, DEMO_PASSWORD, STOP_TIMEOUT_MS } from './helpers.mjs'

let s
const test = serverTest(() => [s])
after(async () => { if (s) await s.dispose() })

const settle = (p) => p.then((r) => ({ ok: true, r }), (e) => ({ ok: false, e }))

test('SIGTERM with 50 requests in flight: every answered request is a full 200, exit 0, WAL checkpointed', async () => {
  s = await Server.start()
  const c = await s.login('admin')
  const me = (await c.get('/api/v1/me')).body.user

  // Open connections first (the pool keeps them), so the requests below ride on connections the
  // server has accepted: 50 reads, plus sign-ins that take a while (password hashing).
  await Promise.all(Array.from({ length: 54 }, () => c.get('/api/v1/me')))
  const reads = Array.from({ length: 50 }, () => settle(c.get('/api/v1/me')))
  const logins = ['fg_civil', 'lq_officer', 'jx_officer', 'lq_helper'].map((u) =>
    settle(s.client().post('/api/v1/auth/login', { username: u, password: DEMO_PASSWORD }).then((r) => ({ ...r, username: u }))))
  await Promise.race([...reads, ...logins]) // the first answer is back: the rest are in flight
  const t0 = Date.now()
  s.proc.kill('SIGTERM')

  const results = await Promise.all([...reads, ...logins])
  const answered = results.filter((x) => x.ok).map((x) => x.r)
  assert.ok(answered.length >= 1, 'at least one answer')
  for (const r of answered) {
    assert.equal(r.status, 200, r.text)
    if (r.username) assert.equal(r.body.user.username, r.username)
    else assert.equal(r.body.user.id, me.id, 'a whole, correct body')
  }
  const { code, signal } = await s.exited
  assert.equal(signal, null, s.log())
  assert.equal(code, 0, s.log())
  assert.ok(Date.now() - t0 < STOP_TIMEOUT_MS)
  if (!PG) { // SQLite's own promises; PostgreSQL's WAL is the server's
    const wal = s.db + '-wal'
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, `the WAL is checkpointed (${existsSync(wal) ? statSync(wal).size : 0} bytes left)`)
    assert.equal(sqlite(s.db, 'PRAGMA integrity_check'), 'ok')
  }

  // What was answered was written: the sessions of the answered sign-ins still work after restart.
  const signedIn = answered.filter((r) => r.username)
  await s.start()
  for (const r of signedIn) {
    const x = s.client()
    x.cookie = /anlao_session=([0-9a-f]{64})/.exec(r.cookies[0])[1]
    const m = await x.get('/api/v1/me')
    assert.equal(m.status, 200, `session of ${r.username} persisted`)
  }
  await s.stop()
  assert.equal(s.cli(['audit', 'verify']).status, 0)
})

test('SIGTERM while the worker is busy: requests it has already received are answered, then it exits 0', async () => {
  // One worker, so that which requests wait behind which is known.
  const one = new Server({ env: { ANLAO_WORKERS: '1' } })
  await one.start()
  try {
    const c = await one.login('admin')
    const login = JSON.stringify({ username: 'fg_civil', password: DEMO_PASSWORD })
    const rename = JSON.stringify({ display_name: '停机前' })
    const requests = [
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(login)}\r\nConnection: close\r\n\r\n${login}`,
      `GET /api/v1/me HTTP/1.1\r\nHost: t\r\nCookie: anlao_session=${c.cookie}\r\nConnection: close\r\n\r\n`,
      `PATCH /api/v1/me HTTP/1.1\r\nHost: t\r\nCookie: anlao_session=${c.cookie}\r\nX-CSRF-Token: ${c.csrf}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(rename)}\r\nConnection: close\r\n\r\n${rename}`,
    ]
    const conns = requests.map(() => {
      const sock = connect(one.port, '127.0.0.1')
      const st = { sock, data: Buffer.alloc(0), done: null }
      st.done = new Promise((ok) => {
        sock.on('data', (d) => { st.data = Buffer.concat([st.data, d]) })
        sock.on('error', () => {})
        sock.on('close', ok)
      })
      return st
    })
    await sleep(300) // the idle worker accepts the three connections
    conns[0].sock.write(requests[0]) // password hashing keeps the worker busy
    await sleep(10)
    conns[1].sock.write(requests[1])
    conns[2].sock.write(requests[2])
    await sleep(40)
    one.proc.kill('SIGTERM') // 40 ms after the last two were sent
    const { code } = await one.exited
    assert.equal(code, 0, one.log())
    await Promise.all(conns.map((x) => x.done))
    for (const [i, x] of conns.entries()) {
      const text = x.data.toString('utf8')
      assert.match(text, /^HTTP\/1\.1 200 /, `request ${i} answered: ${text.slice(0, 200) || '(nothing)'}`)
      JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))
    }
    assert.equal(sqlite(one.db, "SELECT display_name FROM users WHERE username = 'admin'"), '停机前')
  } finally { await one.dispose() }
})

test('acknowledged writes survive kill -9; unacknowledged ones are whole or absent', async () => {
  await s.start()
  const admin = await s.login('admin')
  const created = await admin.post('/api/v1/users', { username: 'survivor', display_name: '幸存', role: 'helper', region_code: '520327001', password: 'Survive123' })
  assert.equal(created.status, 201, created.text)
  const renamed = await admin.patch('/api/v1/me', { display_name: '管理员甲' })
  assert.equal(renamed.status, 200)

  // More writes in flight when the process dies.
  const pending = Array.from({ length: 12 }, (_, i) => settle(admin.post('/api/v1/users', {
    username: `inflight_${i}`, display_name: `途中${i}`, role: 'helper', region_code: '520327001', password: 'Inflight123' })))
  await Promise.race(pending)
  const k = await s.kill9()
  assert.equal(k.signal, 'SIGKILL')
  const results = await Promise.all(pending)
  const acked = results.filter((x) => x.ok && x.r.status === 201).map((x) => x.r.body.username)

  await s.start()
  const c = await s.login('survivor', 'Survive123')
  const u = (await c.get('/api/v1/me')).body.user
  assert.equal(u.id, created.body.id)
  assert.equal(u.display_name, '幸存')
  const admin2 = await s.login('admin', ADMIN_PASSWORD)
  assert.equal((await admin2.get('/api/v1/me')).body.user.display_name, '管理员甲')
  const users = (await admin2.get('/api/v1/users?q=inflight_&page_size=200')).body.items.map((x) => x.username)
  for (const name of acked) assert.ok(users.includes(name), `acknowledged ${name} survived`)
  for (const name of users) {
    const id = (await admin2.get(`/api/v1/users?q=${name}`)).body.items[0].id
    assert.equal((await admin2.get(`/api/v1/audit?action=user.create&target_id=${id}`)).body.total, 1, `${name} has its audit entry`)
  }
  await s.stop()
  const v = s.cli(['audit', 'verify'])
  assert.equal(v.status, 0, v.stderr)
})
