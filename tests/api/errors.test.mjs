// The one error shape for 400/404/405/413, security headers, health checks.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError } from '../lib/server.mjs'

let s, c
before(async () => { s = await new Server({ env: { ANLAO_BODY_MAX_BYTES: '4096' } }).start(); c = await s.login('admin') })
after(async () => { await s.stop(); s.cleanup() })

test('unknown route 404, wrong method 405 with Allow', async () => {
  assertError(assert, await c.get('/api/v1/nothing-here'), 404, 'not_found')
  const r = await c.request('PUT', '/api/v1/me', {})
  assertError(assert, r, 405, 'method_not_allowed')
  assert.match(r.headers.get('allow'), /GET/)
  assert.match(r.headers.get('allow'), /PATCH/)
})

test('malformed JSON and non-object JSON are 400', async () => {
  assertError(assert, await c.request('POST', '/api/v1/users', '{"username": ', { headers: { 'Content-Type': 'application/json' } }), 400, 'invalid')
  assertError(assert, await c.request('POST', '/api/v1/users', '[1,2]', { headers: { 'Content-Type': 'application/json' } }), 400, 'invalid')
  assertError(assert, await c.request('POST', '/api/v1/users', '{"a":1,"a":2}', { headers: { 'Content-Type': 'application/json' } }), 400, 'invalid')
})

test('a body over the limit is 413', async () => {
  const big = JSON.stringify({ display_name: 'x'.repeat(5000) })
  assertError(assert, await c.request('PATCH', '/api/v1/me', big, { headers: { 'Content-Type': 'application/json' } }), 413, 'too_large')
})

test('bad query parameters name the field', async () => {
  assertError(assert, await c.get('/api/v1/users?page=abc'), 400, 'invalid', 'page')
  assertError(assert, await c.get('/api/v1/users?page_size=500'), 400, 'invalid', 'page_size')
  assertError(assert, await c.get('/api/v1/users?q=%E4%B8'), 400, 'invalid')
  assertError(assert, await c.get('/api/v1/audit?from=2026-13-01'), 400, 'invalid', 'from')
})

test('security headers on API and page responses; no-store on the API', async () => {
  for (const path of ['/api/v1/me', '/healthz', '/api/v1/nothing']) {
    const r = await c.get(path)
    assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/)
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff')
    assert.equal(r.headers.get('cache-control'), 'no-store')
  }
  const page = await c.get('/login', { raw: true })
  assert.match(page.headers.get('content-security-policy'), /default-src 'self'/)
  assert.equal(page.headers.get('x-frame-options'), 'DENY')
})

test('health and readiness need no sign-in', async () => {
  const h = await s.client().get('/healthz')
  assert.equal(h.status, 200)
  assert.equal(h.body.status, 'ok')
  assert.equal((await s.client().get('/readyz')).body.status, 'ok')
})

test('static files: no path escape', async () => {
  const r = await s.client().request('GET', '/assets/..%2f..%2fMakefile', undefined, { raw: true })
  assert.notEqual(r.status, 200)
})
