// Repeated failures lock the account and slow the source address; both are audited.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, DEMO_PASSWORD } from '../lib/server.mjs'

let s
before(async () => {
  s = await new Server({ env: { ANLAO_LOGIN_MAX_FAILURES: '3', ANLAO_LOGIN_LOCK_SECONDS: '120', ANLAO_IP_MAX_FAILURES: '8' } }).start()
})
after(async () => { await s.stop(); s.cleanup() })

const login = (u, p) => s.client().post('/api/v1/auth/login', { username: u, password: p })

test('an account locks after repeated failures, even for the right password (RULE-AUTH-003)', async () => {
  assertError(assert, await login('lq_helper', 'bad1bad1'), 401, 'unauthorized')
  assertError(assert, await login('lq_helper', 'bad1bad1'), 401, 'unauthorized')
  const third = await login('lq_helper', 'bad1bad1')
  assertError(assert, third, 429, 'throttled')
  assert.ok(third.body.error.retry_after > 0 && third.body.error.retry_after <= 120)
  assert.equal(third.headers.get('retry-after'), String(third.body.error.retry_after))
  assert.match(third.body.error.message, /分钟后重试/)
  assertError(assert, await login('lq_helper', DEMO_PASSWORD), 429, 'throttled')
})

test('the source address is slowed across accounts (RULE-AUTH-004)', async () => {
  // 3 failures so far from this address; 5 more reach the limit of 8.
  for (const u of ['fg_assessor', 'fg_provider', 'fg_caregiver', 'ghost1', 'ghost2']) await login(u, 'wrong123x')
  const r = await login('fg_civil', DEMO_PASSWORD)
  assertError(assert, r, 429, 'throttled')
  assert.match(r.body.error.message, /该地址/)
})

test('failed and successful sign-ins are audited', async () => {
  const other = await new Server().start()
  try {
    await other.client().post('/api/v1/auth/login', { username: 'fg_civil', password: 'wrong1234' })
    const c = await other.login('admin')
    const failed = await c.get('/api/v1/audit?action=auth.login_failed')
    assert.ok(failed.body.items.some((i) => i.detail.username === 'fg_civil' && i.outcome === 'failure'))
    const ok = await c.get('/api/v1/audit?action=auth.login&outcome=success')
    assert.ok(ok.body.items.some((i) => i.username === 'admin' && i.client_ip === '127.0.0.1'))
  } finally { await other.stop(); other.cleanup() }
})
