// Home devices and the device protocol (issue 14): the registry and its MQTT credentials, the
// broker's password and ACL files, alarms stored exactly once and acknowledged only after the
// commit — across kill -9 of anlao and a broker restart — and refused messages counted.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { Server, assertError, BIN } from '../lib/server.mjs'
import { Broker, devsim as run } from '../lib/mosquitto.mjs'
import { idNumber } from '../lib/ids.mjs'

let broker, s, civil, elder
before(async () => {
  broker = await new Broker().start()
  s = await new Server({ env: broker.env() }).start()
  civil = await s.login('fg_civil')
  const r = await civil.post('/api/v1/elders', { name: '张桂兰', id_number: idNumber('520327', '19420315', 21),
    region_code: '520327001001', address: '龙泉街道前进社区 5 组 8 号', phone: '13800005678' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  elder = r.body
})
after(async () => { await s.stop(); s.cleanup(); await broker.stop(); broker.cleanup() })

const devsim = (args) => run(broker, args)

async function register(serial, type = 'sos', extra = {}) {
  const r = await civil.post('/api/v1/devices', { elder_id: elder.id, type, model: 'AL-100', serial,
    installed_on: '2026-11-01', warranty_end: '2027-11-01', heartbeat_s: 60, ...extra })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

async function stats() { return (await civil.get('/api/v1/devices/ingest')).body }

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error('timed out waiting for ' + what + '\n' + s.log)
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('RULE-DEV-001 RULE-DEV-002 RULE-DEV-003: registration, credentials once, the broker files', async () => {
  const d = await register('SOS-0001')
  assert.equal(d.type, 'sos')
  assert.equal(d.type_name, '紧急呼叫按钮')
  assert.equal(d.elder_id, elder.id)
  assert.equal(d.bed_id, null)
  assert.equal(d.heartbeat_s, 60)
  assert.equal(d.mqtt.username, 'SOS-0001')
  assert.match(d.mqtt.password, /^[0-9a-f]{32}$/)
  assert.equal(d.mqtt.topic, 'anlao/dev/SOS-0001/up')
  assert.equal(d.mqtt.ack_topic, 'anlao/dev/SOS-0001/ack')
  const again = await civil.get(`/api/v1/devices/${d.id}`)
  assert.equal(again.status, 200)
  assert.equal(again.body.mqtt, undefined, 'the password is shown once')
  const passwd = readFileSync(broker.passwd, 'utf8')
  assert.match(passwd, /^SOS-0001:\$7\$101\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$/m)
  assert.match(passwd, /^anlao:\$7\$/m)
  assert.equal(passwd.includes(d.mqtt.password), false)
  const acl = readFileSync(broker.acl, 'utf8')
  assert.match(acl, /^pattern write anlao\/dev\/%u\/up$/m)
  assert.match(acl, /^pattern read anlao\/dev\/%u\/ack$/m)
  assertError(assert, await civil.post('/api/v1/devices', { elder_id: elder.id, type: 'toaster', model: 'x', serial: 'T-0001' }), 400, 'invalid', 'type')
  assertError(assert, await civil.post('/api/v1/devices', { elder_id: elder.id, type: 'sos', model: 'x', serial: 'a/b#' }), 400, 'invalid', 'serial')
  assertError(assert, await civil.post('/api/v1/devices', { elder_id: elder.id, type: 'sos', model: 'x', serial: 'SOS-0001' }), 409, 'conflict', 'serial')
  assertError(assert, await civil.post('/api/v1/devices', { elder_id: elder.id, type: 'sos', model: 'x', serial: 'SOS-0009', warranty_end: '2026-01-01', installed_on: '2026-02-01' }), 400, 'invalid', 'warranty_end')
  const list = await civil.get('/api/v1/devices?type=sos')
  assert.equal(list.status, 200)
  assert.ok(list.body.items.some((x) => x.serial === 'SOS-0001'))
  // Another county's officer does not see it (RULE-SCOPE-001).
  const other = await s.login('admin')
  assert.equal((await other.get(`/api/v1/devices/${d.id}`)).status, 200)
})

test('RULE-DEV-010 RULE-DEV-015 RULE-DEV-016 RULE-ALARM-001: an SOS is stored once, acked after the commit, a resend is acked and not stored again', async () => {
  const d = await register('SOS-0002')
  const r = await devsim(['--serial', d.serial, '--password', d.mqtt.password, '--seq-start', '7', '--count', '1', '--battery', '85', '--timeout-s', '20'])
  assert.equal(r.code, 0, r.stderr + JSON.stringify(r.out) + s.log)
  assert.equal(r.out.acked, 1)
  const alarms = await civil.get(`/api/v1/alarms?device_id=${d.id}`)
  assert.equal(alarms.body.total, 1)
  const a = alarms.body.items[0]
  assert.equal(a.type, 'sos')
  assert.equal(a.severity, 1)
  assert.equal(a.status, 'open')
  assert.equal(a.elder_name, '张桂兰')
  const before = await stats()
  // The same seq again (the device did not see the ack): acknowledged, not stored twice.
  const again = await devsim(['--serial', d.serial, '--password', d.mqtt.password, '--seq-start', '7', '--count', '1', '--timeout-s', '20'])
  assert.equal(again.code, 0, again.stderr)
  assert.equal((await civil.get(`/api/v1/alarms?device_id=${d.id}`)).body.total, 1)
  const after = await stats()
  assert.equal(after.duplicates, before.duplicates + 1)
  const dev = (await civil.get(`/api/v1/devices/${d.id}`)).body
  assert.equal(dev.battery, 85)
  assert.ok(dev.last_seen)
  const one = await civil.get(`/api/v1/alarms/${a.id}`)
  assert.deepEqual(one.body.steps.map((x) => x.kind), ['device_message', 'stored'])
})

test('RULE-DEV-013 RULE-DEV-014: malformed, oversized, unknown and foreign messages are refused, counted, never stored', async () => {
  const d = await register('SOS-0003')
  const before = await stats()
  const raw = (topic, payload) => devsim(['--serial', d.serial, '--password', d.mqtt.password, '--topic', topic, '--payload', payload, '--timeout-s', '10'])
  assert.equal((await raw('anlao/dev/SOS-0003/up', '{"seq":1,"ts":1,"kind":"alarm"')).code, 0)
  assert.equal((await raw('anlao/dev/SOS-0003/up', '{"seq":2,"ts":1,"kind":"panic","type":"sos"}')).code, 0)
  assert.equal((await raw('anlao/dev/SOS-0003/up', 'x'.repeat(5000))).code, 0)
  // Another device's topic: the broker's ACL drops it; anlao never sees it.
  assert.equal((await raw('anlao/dev/SOS-0001/up', '{"seq":3,"ts":1,"kind":"alarm","type":"sos"}')).code, 0)
  const after = await until('refusals counted', async () => {
    const x = await stats()
    return x.refused.malformed >= before.refused.malformed + 2 && x.refused.oversized >= before.refused.oversized + 1 ? x : null
  })
  assert.equal(after.refused.malformed, before.refused.malformed + 2)
  assert.equal(after.refused.oversized, before.refused.oversized + 1)
  assert.equal(after.stored, before.stored)
  assert.equal((await civil.get(`/api/v1/alarms?device_id=${d.id}`)).body.total, 0)
  const first = (await civil.get('/api/v1/devices?q=SOS-0001')).body.items[0]
  assert.equal((await civil.get(`/api/v1/alarms?device_id=${first.id}`)).body.total, 0)
  // A wrong password cannot connect at all.
  const bad = await devsim(['--serial', d.serial, '--password', 'wrong', '--count', '1', '--timeout-s', '2'])
  assert.equal(bad.code, 1)
  assert.match(s.log, /refused message #\d+ \(malformed\)/)
})

test('RULE-DEV-020 RULE-DEV-021 RULE-DEV-030: kill -9 of anlao during 1,000 alarms from 20 devices: every alarm stored exactly once, none lost', async () => {
  const lines = []
  const ids = []
  for (let i = 0; i < 20; i++) {
    const d = await register(`FALL-${String(i).padStart(4, '0')}`, 'fall')
    lines.push(`${d.serial} ${d.mqtt.password}`)
    ids.push(d.id)
  }
  const file = join(broker.dir, 'devices.txt')
  writeFileSync(file, lines.join('\n') + '\n')
  const run = devsim(['--devices', file, '--count', '50', '--type', 'fall', '--window', '4', '--resend-ms', '400', '--seq-start', '1000', '--timeout-s', '90'])
  const atKill = await until('some alarms stored', async () => { const x = await stats(); return x.stored >= 250 ? x : null }, 30000)
  await s.kill9()
  assert.ok(atKill.stored < 1000, 'killed while devices were still sending')
  await new Promise((r) => setTimeout(r, 1500)) // devices keep resending into the broker
  await s.start()
  civil = await s.login('fg_civil')
  const r = await run
  assert.equal(r.code, 0, r.stderr + JSON.stringify(r.out) + s.log)
  assert.equal(r.out.acked, 1000)
  assert.ok(r.out.resends > 0, 'devices resent what the dead server had not acknowledged')
  let total = 0
  for (const id of ids) {
    const list = await civil.get(`/api/v1/alarms?device_id=${id}&page_size=200`)
    assert.equal(list.body.total, 50, `device ${id}: every alarm once`)
    total += list.body.total
  }
  assert.equal(total, 1000)
})

test('RULE-DEV-020: anlao stopped, a device sends an SOS and keeps resending; anlao starts: the alarm appears exactly once', async () => {
  const d = await register('SOS-0020')
  await s.stop()
  const run = devsim(['--serial', d.serial, '--password', d.mqtt.password, '--seq-start', '1', '--count', '1', '--resend-ms', '300', '--timeout-s', '40'])
  await new Promise((r) => setTimeout(r, 2000)) // unanswered: the device resends into the broker
  await s.start()
  civil = await s.login('fg_civil')
  const r = await run
  assert.equal(r.code, 0, r.stderr + JSON.stringify(r.out) + s.log)
  assert.equal(r.out.acked, 1)
  assert.ok(r.out.resends > 0, 'the device resent while anlao was down')
  const list = await civil.get(`/api/v1/alarms?device_id=${d.id}`)
  assert.equal(list.body.total, 1, 'exactly once')
})

test('RULE-DEV-022: after a broker restart ingestion resumes by itself', async () => {
  const d = await register('SOS-0004')
  await broker.restart()
  const r = await devsim(['--serial', d.serial, '--password', d.mqtt.password, '--seq-start', '1', '--count', '3', '--timeout-s', '30'])
  assert.equal(r.code, 0, r.stderr + s.log)
  assert.equal((await civil.get(`/api/v1/alarms?device_id=${d.id}`)).body.total, 3)
  await until('connected again', async () => (await stats()).connected)
})

test('RULE-DEV-040 RULE-DEV-041 RULE-DEV-016: messages are committed in groups, each acknowledged after its commit, a resend inside a batch stored once', async () => {
  const d = await register('HB-0040', 'motion')
  const before = await stats()
  assert.equal(before.commit.batch_max, 64)
  assert.equal(before.commit.batch_ms, 5)
  // 30 unacknowledged at once, resent every 15 ms: resends land in the batch of their first copy
  // or the next one, before any "ok" came back.
  const r = await devsim(['--serial', d.serial, '--password', d.mqtt.password, '--kind', 'heartbeat', '--type', 'heartbeat',
    '--seq-start', '1', '--count', '90', '--window', '30', '--resend-ms', '15', '--timeout-s', '30'])
  assert.equal(r.code, 0, r.stderr + JSON.stringify(r.out) + s.log)
  assert.equal(r.out.acked, 90)
  const after = await stats()
  assert.equal(after.stored - before.stored, 90, 'each (device, seq) stored once')
  assert.ok(after.duplicates - before.duplicates <= r.out.resends)
  const commits = after.commit.batches - before.commit.batches
  assert.ok(commits >= 2 && commits < 90, `90 messages in ${commits} commits`)
  assert.ok(after.commit.samples >= before.commit.samples + 90)
  assert.ok(after.commit.p50_ms > 0 && after.commit.p99_ms >= after.commit.p50_ms)
  assert.equal(after.db_errors, before.db_errors)
  // RULE-ALARM-050: the device's tickets come with its detail (none here: it kept speaking).
  assert.deepEqual((await civil.get(`/api/v1/devices/${d.id}`)).body.tickets, [])
})

test('RULE-DEV-043: a burst of registrations rewrites the broker files a few times, not once a device, and every device gets in', async () => {
  const before = (await stats()).broker
  const t0 = Date.now()
  const made = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    register(`BURST-${String(i).padStart(3, '0')}`, 'motion')))
  const passwd = () => readFileSync(broker.passwd, 'utf8')
  await until('every device of the burst in the password file', async () =>
    made.every((d) => passwd().includes(`\n${d.serial}:`)), 10000)
  const secs = (Date.now() - t0) / 1000
  const after = (await stats()).broker
  const writes = after.writes - before.writes
  assert.equal(after.pending, false)
  // At once while writes are few (5), then one a second: a 30-device burst is not 30 rewrites.
  assert.ok(writes >= 1 && writes <= 5 + Math.ceil(secs) + 1 && writes < 30, `${writes} writes in ${secs} s`)
  const file = join(broker.dir, 'burst.txt')
  writeFileSync(file, made.map((d) => `${d.serial} ${d.mqtt.password}`).join('\n') + '\n')
  const r = await devsim(['--devices', file, '--count', '1', '--kind', 'heartbeat', '--type', 'heartbeat',
    '--seq-start', '1', '--timeout-s', '30'])
  assert.equal(r.code, 0, r.stderr + JSON.stringify(r.out) + s.log)
  assert.equal(r.out.acked, 30)
})

test('RULE-DEV-042: devsim paces new messages with --rate and logs each first send with --sends', async () => {
  const d = await register('RATE-0001', 'motion')
  const file = join(broker.dir, 'sends.txt')
  const r = await devsim(['--serial', d.serial, '--password', d.mqtt.password, '--kind', 'heartbeat', '--type', 'heartbeat',
    '--seq-start', '1', '--count', '30', '--window', '30', '--rate', '20', '--sends', file, '--timeout-s', '30'])
  assert.equal(r.code, 0, r.stderr + JSON.stringify(r.out) + s.log)
  const sends = readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' '))
  assert.equal(sends.length, 30)
  assert.deepEqual(sends.map((x) => x[1]), Array.from({ length: 30 }, (_, i) => String(i + 1)))
  assert.ok(sends.every((x) => x[0] === d.serial))
  const span = Number(sends[29][2]) - Number(sends[0][2])
  // 30 messages at 20 a second: the last goes about 1.45 s after the first (a burst of one).
  assert.ok(span >= 1200, `30 messages at --rate 20 spread over ${span} ms`)
  assert.ok(r.out.first_send_unix_ms === Number(sends[0][2]))
  assert.ok(r.out.last_ack_unix_ms >= Number(sends[29][2]))

  // --start-file: connected, it says so and waits for the file before sending anything.
  const go = join(broker.dir, 'go')
  const before = (await stats()).stored
  const p = spawn(BIN, ['devsim', '--port', String(broker.port), '--serial', d.serial, '--password', d.mqtt.password,
    '--kind', 'heartbeat', '--type', 'heartbeat', '--seq-start', '100', '--count', '3', '--start-file', go, '--timeout-s', '30'])
  let err = ''; let out = ''
  p.stdout.on('data', (x) => { out += x })
  const exited = new Promise((ok) => p.on('exit', ok))
  await new Promise((ok) => p.stderr.on('data', (x) => { err += x; if (err.includes('{"connected":1}')) ok() }))
  await new Promise((ok) => setTimeout(ok, 600))
  assert.equal((await stats()).stored, before, 'nothing sent before the start file')
  writeFileSync(go, '')
  assert.equal(await exited, 0, err)
  assert.equal(JSON.parse(out.trim()).acked, 3)
  assert.equal((await stats()).stored, before + 3)
})

test('RULE-DEV-044 RULE-ALARM-011: the device list says what is wrong (low battery, no heartbeat) and lists only the devices to fix when asked', async () => {
  const low = await register('SOS-LOWBAT')
  const fine = await register('SOS-FINE')
  for (const [d, battery] of [[low, '12'], [fine, '90']]) {
    const r = await devsim(['--serial', d.serial, '--password', d.mqtt.password, '--kind', 'heartbeat', '--count', '1', '--battery', battery, '--timeout-s', '20'])
    assert.equal(r.code, 0, r.stderr + s.log)
  }
  const row = (items, d) => items.find((x) => x.id === d.id)
  const all = (await civil.get('/api/v1/devices?page_size=200')).body.items
  assert.deepEqual([row(all, low).open_maintenance, row(all, low).open_fault, row(all, low).open_tickets], [1, 0, 1])
  assert.deepEqual([row(all, fine).open_maintenance, row(all, fine).open_fault, row(all, fine).open_tickets], [0, 0, 0])
  const toFix = await civil.get('/api/v1/devices?open_ticket=1&page_size=200')
  assert.equal(toFix.status, 200)
  assert.ok(row(toFix.body.items, low), 'the low-battery device is to fix')
  assert.equal(row(toFix.body.items, fine), undefined, 'a healthy device is not')
  assert.ok(toFix.body.items.every((x) => x.open_tickets > 0))
  assert.equal(toFix.body.total, toFix.body.items.length)
  assertError(assert, await civil.get('/api/v1/devices?open_ticket=2'), 400, 'invalid', 'open_ticket')
})
