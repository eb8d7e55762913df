// The one error shape for 400/404/405/413, the security headers on every API answer, and the
// health checks.  This server accepts bodies of at most 4096 bytes (ANLAO_BODY_MAX_BYTES).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, assertError, assertSecurityHeaders, PG } from './helpers.mjs'

let s, c
const test = serverTest(() => [s])

before(async () => {
  s = await Server.start({ env: { ANLAO_BODY_MAX_BYTES: '4096' } })
  c = await s.login('admin')
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

const JSON_HDR = { headers: { 'Content-Type': 'application/json' } }

test('an unknown route is 404 not_found, signed in or not', async () => {
  for (const path of ['/api/v1/nothing-here', '/api/v1/users/1/nope', '/api/v2/users', '/api/v1/', '/api']) {
    assertError(await c.get(path), 404, 'not_found', null)
    assertError(await s.client().get(path), 404, 'not_found', null)
  }
  assertError(await c.post('/api/v1/nothing-here', {}), 404, 'not_found')
})

test('a wrong method is 405 method_not_allowed with an Allow header listing the right ones', async () => {
  const cases = [
    ['PUT', '/api/v1/me', ['GET', 'PATCH']],
    ['DELETE', '/api/v1/users', ['GET', 'POST']],
    ['POST', '/api/v1/users/5', ['GET', 'PATCH']],
    ['GET', '/api/v1/auth/login', ['POST']],
    ['DELETE', '/api/v1/regions/52', ['GET']],
    ['OPTIONS', '/api/v1/me', ['GET', 'PATCH']],
  ]
  for (const [method, path, allowed] of cases) {
    for (const who of [c, s.client()]) {
      const r = await who.request(method, path, method === 'GET' || method === 'OPTIONS' ? undefined : {})
      assertError(r, 405, 'method_not_allowed', null)
      const allow = (r.headers.get('allow') || '').split(',').map((x) => x.trim()).filter(Boolean).sort()
      assert.deepEqual(allow, [...allowed].sort(), `Allow for ${method} ${path}: ${r.headers.get('allow')}`)
    }
  }
})

test('malformed JSON, and JSON that is not an object, are 400 invalid', async () => {
  const bodies = ['{"display_name": ', '{display_name: "x"}', '[1,2]', '[]', '"text"', '42', 'null', 'true',
    '{"display_name":"a","display_name":"b"}', '{"display_name":"x"} trailing', '\u00ff\u00fe']
  for (const b of bodies) {
    assertError(await c.request('PATCH', '/api/v1/me', b, JSON_HDR), 400, 'invalid', null)
    assertError(await c.request('POST', '/api/v1/users', b, JSON_HDR), 400, 'invalid', null)
  }
  assertError(await s.client().request('POST', '/api/v1/auth/login', '{"username":', JSON_HDR), 400, 'invalid', null)
  assertError(await s.client().request('POST', '/api/v1/auth/login', '["admin","Admin12345"]', JSON_HDR), 400, 'invalid', null)
  // A wrong type is named by its field.
  assertError(await c.patch('/api/v1/me', { display_name: 42 }), 400, 'invalid', 'display_name')
  assertError(await c.patch('/api/v1/me', { prefs: { elder_mode: 'yes' } }), 400, 'invalid', 'prefs.elder_mode')
  assertError(await c.patch('/api/v1/me', { prefs: [] }), 400, 'invalid', 'prefs')
  const me = (await c.get('/api/v1/me')).body.user
  assert.equal(me.display_name, '系统管理员', 'nothing was changed by the refused bodies')
  assert.equal(me.version, 1)
})

test('a body over ANLAO_BODY_MAX_BYTES (4096) is 413 too_large; exactly 4096 bytes is accepted', async () => {
  const exact = (n) => {
    const head = '{"display_name":"大"}'
    const pad = n - Buffer.byteLength(head)
    return head.slice(0, -1) + ' '.repeat(pad) + '}'
  }
  assert.equal(Buffer.byteLength(exact(4096)), 4096)
  const ok = await c.request('PATCH', '/api/v1/me', exact(4096), JSON_HDR)
  assert.equal(ok.status, 200, ok.text)
  assertError(await c.request('PATCH', '/api/v1/me', exact(4097), JSON_HDR), 413, 'too_large', null)
  const big = JSON.stringify({ display_name: 'x'.repeat(5000) })
  assertError(await c.request('PATCH', '/api/v1/me', big, JSON_HDR), 413, 'too_large', null)
  // Before sign-in too (the limit applies before authentication).
  assertError(await s.client().post('/api/v1/auth/login', { username: 'admin', password: 'x'.repeat(6000) }), 413, 'too_large', null)
  assertError(await s.client().request('PATCH', '/api/v1/me', big, JSON_HDR), 413, 'too_large', null)
  assert.equal((await c.get('/api/v1/me')).body.user.display_name, '大')
})

test('bad query parameters are 400 naming the field', async () => {
  const cases = [
    ['/api/v1/users?page=abc', 'page'], ['/api/v1/users?page=0', 'page'], ['/api/v1/users?page=-1', 'page'],
    ['/api/v1/users?page=1.5', 'page'], ['/api/v1/users?page=99999999999999999999', 'page'],
    ['/api/v1/users?page_size=500', 'page_size'], ['/api/v1/users?page_size=0', 'page_size'], ['/api/v1/users?page_size=201', 'page_size'],
    ['/api/v1/users?status=sleeping', 'status'], ['/api/v1/users?region=52x', 'region'],
    ['/api/v1/audit?page=abc', 'page'], ['/api/v1/audit?page_size=500', 'page_size'],
    ['/api/v1/audit?from=2026-13-01', 'from'], ['/api/v1/audit?from=2026-02-30', 'from'], ['/api/v1/audit?to=yesterday', 'to'],
    ['/api/v1/audit?outcome=maybe', 'outcome'],
    ['/api/v1/regions?parent=52x', 'parent'],
  ]
  for (const [path, field] of cases) assertError(await c.get(path), 400, 'invalid', field)
  assertError(await c.get('/api/v1/users?q=%E4%B8'), 400, 'invalid') // not UTF-8
  assertError(await c.get('/api/v1/users?q=%zz'), 400, 'invalid')
  assert.equal((await c.get('/api/v1/users?page_size=200')).status, 200, 'the maximum page size is allowed')
})

test('every API answer has the security headers and Cache-Control: no-store, whatever its status', async () => {
  const anon = s.client()
  const answers = [
    await c.get('/api/v1/me'), // 200
    await c.post('/api/v1/users', { username: 'hdr_user', display_name: '头', role: 'helper', region_code: '520327001', password: 'Header123' }), // 201
    await c.get('/api/v1/users?page=abc'), // 400
    await anon.get('/api/v1/me'), // 401
    await c.patch('/api/v1/me', {}, { csrf: false }), // 403
    await c.get('/api/v1/nothing'), // 404
    await c.put('/api/v1/me', {}), // 405
    await c.patch('/api/v1/users/1', { version: 999 }), // 409
    await c.request('PATCH', '/api/v1/me', 'x'.repeat(5000), JSON_HDR), // 413
    await anon.get('/healthz'),
    await anon.get('/readyz'),
  ]
  assert.deepEqual(answers.map((r) => r.status), [200, 201, 400, 401, 403, 404, 405, 409, 413, 200, 200])
  for (const r of answers) {
    assertSecurityHeaders(r, String(r.status))
    assert.match(r.headers.get('content-type'), /^application\/json; charset=utf-8$/i)
    assert.equal(r.headers.get('x-frame-options'), 'DENY')
  }
  const csp = answers[0].headers.get('content-security-policy')
  assert.match(csp, /default-src 'self'/)
  assert.match(csp, /object-src 'none'/)
})

test('/healthz and /readyz answer 200 without signing in', async () => {
  for (const path of ['/healthz', '/readyz']) {
    const r = await s.client().get(path)
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(r.body, { status: 'ok' })
  }
})

test('while another writer holds the database (a large import), a write answers 503 in seconds; reads go on', async () => {
  // The sqlite3 shell takes the write lock and keeps it for 8 s, as a long import commit does;
  // on PostgreSQL psql locks the users table against writers (readers go on) for as long.
  const { spawn } = await import('node:child_process')
  const holder = PG
    ? spawn('psql', ['-X', '-q', s.db], { stdio: ['pipe', 'ignore', 'inherit'] })
    : spawn('sqlite3', [s.db], { stdio: ['pipe', 'ignore', 'inherit'] })
  holder.stdin.write(PG
    ? 'BEGIN;\nLOCK TABLE users IN EXCLUSIVE MODE;\nSELECT pg_sleep(8);\nROLLBACK;\n'
    : 'BEGIN IMMEDIATE;\nINSERT INTO settings(key, value) VALUES (\'test.lock\', \'1\');\n.shell sleep 8\nROLLBACK;\n')
  holder.stdin.end()
  await new Promise((resolve) => setTimeout(resolve, 700))
  const t0 = Date.now()
  const w = await c.post('/api/v1/users', { username: 'busy_writer', display_name: '忙', role: 'helper', region_code: '520327001', password: 'Busy123456' })
  const waited = Date.now() - t0
  assertError(w, 503, 'unavailable', null)
  assert.match(w.body.error.message, /请稍后重试/)
  assert.ok(waited >= 2500 && waited < 6000, `waited ${waited} ms for the lock, then gave up`)
  const r = await c.get('/api/v1/users?page_size=5')
  assert.equal(r.status, 200, 'reads are not blocked by a writer')
  await new Promise((resolve) => holder.on('exit', resolve))
  const again = await c.post('/api/v1/users', { username: 'busy_writer', display_name: '忙', role: 'helper', region_code: '520327001', password: 'Busy123456' })
  assert.equal(again.status, 201, 'nothing was half written: the same write succeeds afterwards ' + again.text)
})
