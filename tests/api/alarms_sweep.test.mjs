// The alarm timers as a periodic job (issue 14, RULE-ALARM-060..061): escalation runs on the
// job threads, so it happens on time on a server without MQTT at all, and one server of several
// sweeps at a time (a lease in periodic_leases), another taking over when it stops.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'
import { generate } from '../lib/visit.mjs'
import { sqlite, PG } from './helpers.mjs'

let a, civil, helper, elder
before(async () => {
  // No ANLAO_MQTT_PORT: the ingest thread never starts.
  a = await new Server({ env: { ANLAO_SERVER_ID: 'node-a' } }).start()
  civil = await a.login('fg_civil')
  helper = await a.login('lq_helper')
  const r = await civil.post('/api/v1/elders', { name: '周桂兰', id_number: idNumber('520327', '19390303', 41),
    region_code: '520327001001', address: '龙泉街道前进社区 3 组 1 号', phone: '13800006666', living_arrangement: 'alone' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  elder = r.body
  await generate(civil, '520327001') // 87 and alone: a visit target (RULE-VISIT-001)
})
after(async () => { await a.stop(); a.cleanup() })

// An open alarm no device sent: a visitor's urgent finding (RULE-VISIT-065).
async function urgentAlarm(client) {
  const v = await client.post('/api/v1/visits', { elder_id: elder.id, method: 'phone', urgent: true, findings: { health: '电话中老人说胸口疼' } })
  assert.equal(v.status, 201, JSON.stringify(v.body))
  assert.ok(v.body.alarm_id > 0)
  return v.body.alarm_id
}

// Poll the alarm until it reaches `level`; the alarm then, or a failure after `ms`.
async function untilLevel(client, id, level, ms) {
  const t0 = Date.now()
  for (;;) {
    const got = (await client.get(`/api/v1/alarms/${id}`)).body
    if (got.escalation_level >= level) return got
    if (Date.now() - t0 > ms) assert.fail(`alarm ${id} at level ${got.escalation_level} after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const lease = (s) => sqlite(s.db, "SELECT server FROM periodic_leases WHERE kind = 'alarm.sweep'")

test('RULE-ALARM-060: without MQTT, an unanswered alarm is escalated on time by the periodic job', async () => {
  assert.equal((await civil.put('/api/v1/alarm-settings', { escalate_seconds: 1 })).status, 200)
  const id = await urgentAlarm(helper)
  const got = await untilLevel(civil, id, 2, 8000)
  const raised = got.steps.find((x) => x.kind === 'stored').at
  const esc = got.steps.filter((x) => x.kind === 'escalated')
  assert.deepEqual(esc.map((x) => x.outcome), ['1', '2'])
  // Level 1 at raised + 1 s, level 2 at raised + 2 s; the sweep runs every second.
  const late = (x, due) => Date.parse(x.at) / 1000 - (Date.parse(raised) / 1000 + due)
  assert.ok(late(esc[0], 1) >= 0 && late(esc[0], 1) <= 2.5, `level 1 late by ${late(esc[0], 1)} s`)
  assert.ok(late(esc[1], 2) >= 0 && late(esc[1], 2) <= 2.5, `level 2 late by ${late(esc[1], 2)} s`)
  // Acknowledged: the next sweeps leave it alone.
  assert.equal((await civil.post(`/api/v1/alarms/${id}/ack`)).status, 200)
  assert.equal(lease(a), 'node-a', 'RULE-ALARM-061: this server holds the sweep')
  assert.equal((await civil.put('/api/v1/alarm-settings', { escalate_seconds: 60 })).status, 200)
})

test('RULE-ALARM-061: two servers on one database: one sweeps; when it stops, the other takes over', { skip: !PG && 'SQLite: one server per database file (RULE-JOB-006)' }, async () => {
  const b = await new Server({ dir: a.dir, demo: false, env: { ANLAO_SERVER_ID: 'node-b' } }).start()
  try {
    await new Promise((r) => setTimeout(r, 2500))
    assert.equal(lease(a), 'node-a', 'the holder keeps the sweep while it runs')
    await a.stop()
    const bc = await b.login('fg_civil')
    const bh = await b.login('lq_helper')
    assert.equal((await bc.put('/api/v1/alarm-settings', { escalate_seconds: 1 })).status, 200)
    const id = await urgentAlarm(bh)
    const got = await untilLevel(bc, id, 2, 8000)
    assert.deepEqual(got.steps.filter((x) => x.kind === 'escalated').map((x) => x.outcome), ['1', '2'])
    assert.equal(lease(b), 'node-b')
    assert.equal((await bc.put('/api/v1/alarm-settings', { escalate_seconds: 60 })).status, 200)
  } finally {
    await b.stop()
  }
})

test('RULE-ALARM-067: the inactivity timer reads only the settings due, through the index elder_inactivity_due', () => {
  // The sweep's query (alarm_store_inactive_due) as the planner sees it.
  const q = 'SELECT elder_id, region_code, hours, quiet_from_min, quiet_to_min, last_activity, activity_device_id' +
    ' FROM elder_inactivity WHERE activity_device_id IS NOT NULL AND last_activity + hours * 3600 <= 1000' +
    ' AND (alarmed_for IS NULL OR alarmed_for <> last_activity) ORDER BY last_activity + hours * 3600, elder_id'
  const plan = PG ? sqlite(a.db, `SET enable_seqscan = off; EXPLAIN ${q}`) : sqlite(a.db, `EXPLAIN QUERY PLAN ${q}`)
  assert.match(plan, /elder_inactivity_due/, plan)
  // SQLite reads in the index's order; PostgreSQL's choice of sort depends on its statistics.
  if (!PG) assert.doesNotMatch(plan, /TEMP B-TREE/, 'read in the index\'s order, no sort')
})
