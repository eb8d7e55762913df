// Sign-in throttling: the account lock (RULE-AUTH-003), the source-address throttle
// (RULE-AUTH-004), and the audit trail of sign-ins.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { startServers, serverTest, assertError, sleep, DEMO_PASSWORD } from './helpers.mjs'

// acct: 3 failures lock an account for 60 s; the address limit is out of the way.
// addr: 4 failures from one address in a 12 s window block it; accounts never lock.  (The window
// holds five sign-ins: under ASan on a loaded machine, 5 s did not — the last one came after it.)
let acct, addr, proxied
const test = serverTest(() => [acct, addr, proxied])

before(async () => {
  [acct, addr, proxied] = await startServers(
    { env: { ANLAO_LOGIN_MAX_FAILURES: '3', ANLAO_LOGIN_LOCK_SECONDS: '60', ANLAO_IP_MAX_FAILURES: '1000', ANLAO_WORKERS: '4' } },
    { env: { ANLAO_LOGIN_MAX_FAILURES: '1000', ANLAO_IP_MAX_FAILURES: '4', ANLAO_IP_WINDOW_SECONDS: '12' } },
    // Behind nginx on this host: the client address comes from X-Forwarded-For.
    { env: { ANLAO_LOGIN_MAX_FAILURES: '1000', ANLAO_IP_MAX_FAILURES: '2', ANLAO_IP_WINDOW_SECONDS: '60', ANLAO_TRUSTED_PROXIES: '127.0.0.1' } },
  )
})
after(async () => {
  for (const x of [acct, addr, proxied]) {
    if (!x) continue
    try { await x.stop() } finally { await x.dispose() }
  }
})

const login = (srv, username, password) => srv.client().post('/api/v1/auth/login', { username, password })

function assertThrottled(res, maxSeconds) {
  const e = assertError(res, 429, 'throttled', null)
  assert.ok(Number.isInteger(e.retry_after), 'retry_after is whole seconds: ' + res.text)
  assert.ok(e.retry_after >= 1 && e.retry_after <= maxSeconds, `retry_after within 1..${maxSeconds}: ${res.text}`)
  assert.equal(res.headers.get('retry-after'), String(e.retry_after), 'Retry-After header equals retry_after')
  assert.match(e.message, /请在\s*\d+\s*(分钟|秒)后重试/, 'says when to try again: ' + e.message)
  return e
}

test('an account locks after 3 failures: 429 with retry_after, Retry-After and when to retry', async () => {
  assertError(await login(acct, 'lq_helper', 'Wrong1234'), 401, 'unauthorized')
  assertError(await login(acct, 'lq_helper', 'Wrong1234'), 401, 'unauthorized')
  const third = await login(acct, 'lq_helper', 'Wrong1234')
  const e = assertThrottled(third, 60)
  assert.ok(e.retry_after >= 55, 'about the 60 s lock: ' + third.text)
  assert.match(e.message, /锁定/, 'says the account is locked: ' + e.message)
  assert.match(e.message, /请在 1 分钟后重试/, e.message)
  assert.deepEqual(third.cookies, [])
})

test('while locked even the right password is refused, in any letter case; other accounts still sign in', async () => {
  const r = await login(acct, 'lq_helper', DEMO_PASSWORD)
  assertThrottled(r, 60)
  assert.deepEqual(r.cookies, [], 'no session for a locked account')
  assertThrottled(await login(acct, 'LQ_Helper', DEMO_PASSWORD), 60)
  const ok = await login(acct, 'lq_officer', DEMO_PASSWORD)
  assert.equal(ok.status, 200, 'the lock is per account: ' + ok.text)
})

test('failed and successful sign-ins are in the audit log (auth.login_failed / auth.login)', async () => {
  await login(acct, 'no_such_person', 'Wrong1234')
  const admin = await acct.login('admin')
  const lqHelperId = (await admin.get('/api/v1/users?q=lq_helper')).body.items[0].id

  const failed = await admin.get('/api/v1/audit?action=auth.login_failed&user=lq_helper&page_size=200')
  assert.equal(failed.status, 200)
  const wrongPw = failed.body.items.filter((i) => i.detail && i.detail.reason === 'bad_password')
  assert.equal(wrongPw.length, 3, 'the three wrong passwords: ' + failed.text)
  for (const i of wrongPw) {
    assert.equal(i.action, 'auth.login_failed')
    assert.equal(i.outcome, 'failure')
    assert.equal(i.client_ip, '127.0.0.1')
    assert.equal(i.target_type, 'user')
    assert.equal(i.target_id, String(lqHelperId))
    assert.equal(i.user_id, lqHelperId)
    assert.equal(i.region_code, '520327001')
    assert.deepEqual(i.detail, { username: 'lq_helper', reason: 'bad_password' })
    assert.match(i.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  }
  const ghost = await admin.get('/api/v1/audit?action=auth.login_failed&user=no_such_person')
  assert.equal(ghost.body.total, 1)
  assert.equal(ghost.body.items[0].user_id, null)
  assert.deepEqual(ghost.body.items[0].detail, { username: 'no_such_person', reason: 'unknown_user' })

  const ok = await admin.get('/api/v1/audit?action=auth.login&outcome=success&page_size=200')
  assert.ok(ok.body.items.length >= 2)
  assert.ok(ok.body.items.every((i) => i.action === 'auth.login' && i.outcome === 'success'), 'the filter is exact, not auth.login_failed')
  for (const who of ['admin', 'lq_officer']) {
    const i = ok.body.items.find((x) => x.username === who)
    assert.ok(i, `auth.login of ${who}: ${ok.text}`)
    assert.equal(i.client_ip, '127.0.0.1')
    assert.equal(i.target_type, 'user')
    assert.equal(i.target_id, String(i.user_id))
  }
  assert.ok(!ok.body.items.some((i) => i.username === 'lq_helper'), 'no success for the locked account')
})

test('concurrent wrong passwords cannot get past the account lock (at most 2 failures before it)', async () => {
  // 12 guesses at once over 4 workers: whatever the interleaving, the 3rd counted failure locks
  // the account, so at most 2 guesses may be answered "wrong password" (401); the rest 429.
  const results = await Promise.all(Array.from({ length: 12 }, () => login(acct, 'fg_civil', 'Guess1234')))
  const statuses = results.map((r) => r.status)
  assert.ok(statuses.every((x) => x === 401 || x === 429), statuses.join(' '))
  const wrong = statuses.filter((x) => x === 401).length
  const admin = await acct.login('admin')
  const audited = (await admin.get('/api/v1/audit?action=auth.login_failed&user=fg_civil')).body.total
  assert.ok(wrong <= 2, `${wrong} guesses were checked and answered 401 before the lock (limit 3 failures); ` +
    `${audited} failures audited; statuses: ${statuses.join(' ')}`)
  assertThrottled(await login(acct, 'fg_civil', DEMO_PASSWORD), 60)
  // The refused sign-in with the right password is audited too, with its reason.
  const refused = (await admin.get('/api/v1/audit?action=auth.login_refused&user=fg_civil')).body.items
  assert.ok(refused.some((i) => i.detail.reason === 'locked' && i.outcome === 'failure'), JSON.stringify(refused))
})

test('the source address is throttled across usernames, then released when the window ends', async () => {
  assertError(await login(addr, 'ghost_a', 'Wrong1234'), 401, 'unauthorized')
  assertError(await login(addr, 'fg_assessor', 'Wrong1234'), 401, 'unauthorized')
  assertError(await login(addr, 'fg_provider', 'Wrong1234'), 401, 'unauthorized')
  const fourth = await login(addr, 'ghost_b', 'Wrong1234')
  const e = assertThrottled(fourth, 12)
  assert.match(e.message, /地址/, 'says the address is the reason: ' + e.message)
  // A correct password of yet another account is refused too, while the address is blocked.
  const blocked = await login(addr, 'fg_civil', DEMO_PASSWORD)
  const e2 = assertThrottled(blocked, 12)
  assert.deepEqual(blocked.cookies, [])
  await sleep(e2.retry_after * 1000 + 1100)
  const ok = await login(addr, 'fg_civil', DEMO_PASSWORD)
  assert.equal(ok.status, 200, 'released after the window: ' + ok.text)
  // No account was locked by this: each had one failure only.
  assert.equal((await login(addr, 'fg_assessor', DEMO_PASSWORD)).status, 200)

  const admin = await addr.login('admin')
  const failed = await admin.get('/api/v1/audit?action=auth.login_failed&page_size=200')
  const names = failed.body.items.map((i) => i.detail.username).sort()
  assert.deepEqual(names, ['fg_assessor', 'fg_provider', 'ghost_a', 'ghost_b'])
  assert.ok(failed.body.items.every((i) => i.client_ip === '127.0.0.1' && i.outcome === 'failure'))
})

test('behind a trusted proxy the throttle and the audit use the forwarded client address', async () => {
  const via = (ip, username, password) => proxied.client().post('/api/v1/auth/login', { username, password },
    { headers: { 'X-Forwarded-For': `6.6.6.6, ${ip}` } })
  assertError(await via('198.51.100.1', 'ghost_p', 'Wrong1234'), 401, 'unauthorized')
  assertThrottled(await via('198.51.100.1', 'ghost_q', 'Wrong1234'), 60)
  // Another client behind the same proxy is not blocked by the first one's failures.
  assertError(await via('198.51.100.2', 'ghost_r', 'Wrong1234'), 401, 'unauthorized')
  const ok = await via('198.51.100.2', 'fg_civil', DEMO_PASSWORD)
  assert.equal(ok.status, 200, ok.text)
  const admin = await proxied.login('admin')
  const failed = (await admin.get('/api/v1/audit?action=auth.login_failed&page_size=50')).body.items
  assert.deepEqual(failed.map((i) => i.client_ip).sort(), ['198.51.100.1', '198.51.100.1', '198.51.100.2'])
})

test('wrong old passwords on /me/password count like failed sign-ins: the account locks (RULE-AUTH-003)', async () => {
  const c = await acct.login('jx_officer')
  const change = (old_password) => c.post('/api/v1/me/password', { old_password, new_password: 'Fresh12345' })
  assertError(await change('Wrong1234'), 400, 'invalid', 'old_password')
  assertError(await change('Wrong1234'), 400, 'invalid', 'old_password')
  const e = assertThrottled(await change('Wrong1234'), 60)
  assert.match(e.message, /锁定/, e.message)
  // Locked: the right old password and a sign-in are refused too, and nothing changed.
  assertThrottled(await change(DEMO_PASSWORD), 60)
  assertThrottled(await login(acct, 'jx_officer', DEMO_PASSWORD), 60)
  const admin = await acct.login('admin')
  const failed = (await admin.get('/api/v1/audit?action=auth.password_failed&user=jx_officer')).body
  assert.equal(failed.total, 3, 'the three wrong ones, the last of which locked: ' + JSON.stringify(failed))
  assert.ok(failed.items.every((i) => i.outcome === 'failure' && i.detail.reason === 'bad_password'))
  const refused = (await admin.get('/api/v1/audit?action=auth.password_refused&user=jx_officer')).body
  assert.equal(refused.total, 1, JSON.stringify(refused))
})

test('wrong old passwords count against the source address too (RULE-AUTH-004)', async () => {
  // addr: 4 failures from one address in 12 s block it, across sign-ins and password changes.
  await sleep(12200) // a fresh window
  const c = await addr.login('jx_officer')
  const change = (old_password) => c.post('/api/v1/me/password', { old_password, new_password: 'Fresh12345' })
  for (let i = 0; i < 3; i++) assertError(await change('Wrong1234'), 400, 'invalid', 'old_password')
  const e = assertThrottled(await change('Wrong1234'), 12)
  assert.match(e.message, /该地址/, e.message)
  assertThrottled(await login(addr, 'lq_officer', DEMO_PASSWORD), 12)
})

// A raw request with repeated header lines (fetch would fold them into one).
function rawPost(srv, path, headers, body) {
  return new Promise((ok, fail) => {
    const data = Buffer.from(JSON.stringify(body))
    const req = http.request(srv.base + path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers } }, (res) => {
      const chunks = []
      res.on('data', (d) => chunks.push(d))
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }))
    })
    req.on('error', fail)
    req.end(data)
  })
}

test('every X-Forwarded-For line counts, as one list in order (RULE-HTTP-004)', async () => {
  // Two header lines: "6.6.6.6" then "203.0.113.7, 127.0.0.1" — the client is 203.0.113.7.
  const r = await rawPost(proxied, '/api/v1/auth/login', { 'X-Forwarded-For': ['6.6.6.6', '203.0.113.7, 127.0.0.1'] },
    { username: 'ghost_lines', password: 'Wrong1234' })
  assert.equal(r.status, 401, r.text)
  const admin = await proxied.login('admin')
  const got = (await admin.get('/api/v1/audit?action=auth.login_failed&user=ghost_lines')).body.items
  assert.deepEqual(got.map((i) => i.client_ip), ['203.0.113.7'])
})

test('the session cookie is Secure when a trusted proxy says the browser came over HTTPS (RULE-AUTH-006)', async () => {
  const secure = (res) => res.cookies.length === 1 && res.cookies[0].split(';').map((a) => a.trim().toLowerCase()).includes('secure')
  const body = { username: 'lq_officer', password: DEMO_PASSWORD }
  const viaHttps = await proxied.client().post('/api/v1/auth/login', body, { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '198.51.100.9' } })
  assert.equal(viaHttps.status, 200, viaHttps.text)
  assert.ok(secure(viaHttps), viaHttps.cookies.join(' | '))
  const viaHttp = await proxied.client().post('/api/v1/auth/login', body, { headers: { 'X-Forwarded-Proto': 'http' } })
  assert.equal(viaHttp.status, 200, viaHttp.text)
  assert.ok(!secure(viaHttp), viaHttp.cookies.join(' | '))
  // From an address that is not a trusted proxy the header means nothing.
  const direct = await acct.client().post('/api/v1/auth/login', body, { headers: { 'X-Forwarded-Proto': 'https' } })
  assert.equal(direct.status, 200, direct.text)
  assert.ok(!secure(direct), direct.cookies.join(' | '))
  // Logout over HTTPS clears the cookie with the same attributes.
  const c = proxied.client()
  await c.post('/api/v1/auth/login', body, { headers: { 'X-Forwarded-Proto': 'https' } })
  const out = await c.post('/api/v1/auth/logout', undefined, { headers: { 'X-Forwarded-Proto': 'https' } })
  assert.equal(out.status, 200, out.text)
  assert.match(out.cookies[0], /Max-Age=0/i)
  assert.ok(secure(out), out.cookies.join(' | '))
})
