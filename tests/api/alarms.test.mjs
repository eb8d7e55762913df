// Handling an alarm (issue 14): the live console stream, acknowledgement (who, when), the
// escalation calls with their outcome, closure with an outcome category, the timeline in order,
// scope by region and the audit trail.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError } from '../lib/server.mjs'
import { Broker, raiseAlarm } from '../lib/mosquitto.mjs'
import { idNumber } from '../lib/ids.mjs'
import { readEvents } from '../lib/sse.mjs'

let broker, s, civil, admin, elder
before(async () => {
  broker = await new Broker().start()
  s = await new Server({ env: { ...broker.env(), ANLAO_SSE_KEEPALIVE_MS: '300' } }).start()
  civil = await s.login('fg_civil')
  admin = await s.login('admin')
  const r = await civil.post('/api/v1/elders', { name: '陈玉珍', id_number: idNumber('520327', '19380707', 31),
    region_code: '520327001001', address: '龙泉街道前进社区 2 组 6 号', phone: '13800007777' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  elder = r.body
})
after(async () => { await s.stop(); s.cleanup(); await broker.stop(); broker.cleanup() })

test('RULE-ALARM-021: the console stream shows a new SOS at once, only inside the viewer\'s region', async () => {
  const lq = await s.login('lq_helper') // 520327001: the elder's street
  const jx = await s.login('jx_officer') // 520327101: another township
  const stop = new AbortController()
  const open = (c, signal) => fetch(s.base + '/api/v1/alarms/stream', { headers: { Cookie: c.cookie }, signal })
  const mine = await open(lq)
  const other = await open(jx, stop.signal)
  assert.equal(mine.status, 200)
  assert.match(mine.headers.get('content-type'), /text\/event-stream/)
  const seen = readEvents(mine, (ev) => ev.event !== 'alarm')
  const otherEvents = []
  const unseen = readEvents(other, (ev) => { otherEvents.push(ev) }).catch(() => null)
  const t0 = Date.now()
  const { alarm } = await raiseAlarm(broker, civil, elder.id, 'SOS-C001')
  const got = await seen
  const ev = got.events.find((e) => e.event === 'alarm')
  assert.ok(ev, 'the alarm arrived on the stream')
  assert.equal(ev.data.id, alarm.id)
  assert.equal(ev.data.type, 'sos')
  assert.equal(ev.data.elder_name, '陈玉珍')
  assert.equal(ev.data.elder_phone_masked, '138****7777')
  assert.ok(Date.now() - t0 < 20000)
  // The other township's stream got keep-alives only; end it.
  await new Promise((r) => setTimeout(r, 700))
  stop.abort()
  await unseen
  assert.equal(otherEvents[0].event, 'ready')
  assert.equal(otherEvents.filter((e) => e.event === 'alarm').length, 0)
  assertError(assert, await jx.get(`/api/v1/alarms/${alarm.id}`), 404, 'not_found')
  assert.equal((await jx.get('/api/v1/alarms')).body.total, 0)
})

test('RULE-ALARM-020 RULE-ALARM-022 RULE-ALARM-023 RULE-ALARM-024: acknowledge, calls, closure; the timeline in order; audited', async () => {
  const { alarm } = await raiseAlarm(broker, civil, elder.id, 'FALL-C002', 'fall')
  assert.equal(alarm.severity, 1)
  // Calls and closure need an acknowledgement first (RULE-ALARM-021).
  assertError(assert, await civil.post(`/api/v1/alarms/${alarm.id}/calls`, { target: 'family', outcome: 'reached' }), 409, 'conflict')
  assertError(assert, await civil.post(`/api/v1/alarms/${alarm.id}/close`, { outcome: 'false_alarm' }), 409, 'conflict')
  const acked = await civil.post(`/api/v1/alarms/${alarm.id}/ack`)
  assert.equal(acked.status, 200, JSON.stringify(acked.body))
  assert.equal(acked.body.status, 'acknowledged')
  assert.ok(acked.body.acked_by_name)
  assert.ok(acked.body.ack_seconds >= 0 && acked.body.ack_seconds < 60)
  assertError(assert, await civil.post(`/api/v1/alarms/${alarm.id}/ack`), 409, 'conflict')
  assertError(assert, await civil.post(`/api/v1/alarms/${alarm.id}/calls`, { target: 'cat', outcome: 'reached' }), 400, 'invalid', 'target')
  assertError(assert, await civil.post(`/api/v1/alarms/${alarm.id}/calls`, { target: 'family', outcome: 'maybe' }), 400, 'invalid', 'outcome')
  assert.equal((await civil.post(`/api/v1/alarms/${alarm.id}/calls`, { target: 'family', outcome: 'no_answer', note: '长子电话未接' })).status, 200)
  assert.equal((await civil.post(`/api/v1/alarms/${alarm.id}/calls`, { target: 'helper', outcome: 'on_the_way' })).status, 200)
  assertError(assert, await civil.post(`/api/v1/alarms/${alarm.id}/close`, { outcome: 'whatever' }), 400, 'invalid', 'outcome')
  const closed = await civil.post(`/api/v1/alarms/${alarm.id}/close`, { outcome: 'needed_help', note: '助老员到场，老人轻微擦伤' })
  assert.equal(closed.status, 200)
  assert.equal(closed.body.status, 'closed')
  assert.equal(closed.body.outcome, 'needed_help')
  assert.deepEqual(closed.body.steps.map((x) => x.kind), ['device_message', 'stored', 'acknowledged', 'call', 'call', 'closed'])
  assert.deepEqual(closed.body.steps.filter((x) => x.kind === 'call').map((x) => [x.target, x.outcome]), [['family', 'no_answer'], ['helper', 'on_the_way']])
  assertError(assert, await civil.post(`/api/v1/alarms/${alarm.id}/close`, { outcome: 'needed_help' }), 409, 'conflict')
  // Every move audited, with the alarm as target and its region.
  for (const action of ['alarm.acknowledge', 'alarm.call', 'alarm.close']) {
    const a = await admin.get(`/api/v1/audit?action=${action}`)
    assert.ok(a.body.items.some((e) => e.target_id === String(alarm.id) && e.region_code === '520327001001'), action)
  }
  // The list: closed ones after the open ones (RULE-ALARM-024).
  const { alarm: fresh } = await raiseAlarm(broker, civil, elder.id, 'GAS-C003', 'gas')
  const list = (await civil.get('/api/v1/alarms')).body.items
  assert.ok(list.findIndex((x) => x.id === fresh.id) < list.findIndex((x) => x.id === alarm.id))
  assert.equal((await civil.get('/api/v1/alarms?status=closed')).body.items.every((x) => x.status === 'closed'), true)
  const active = (await civil.get('/api/v1/alarms?status=active')).body
  assert.ok(active.total >= 2 && active.items.every((x) => x.status !== 'closed'))
  assertError(assert, await civil.get('/api/v1/alarms?status=lost'), 400, 'invalid', 'status')
})

test('RULE-ALARM-030 RULE-ALARM-031 RULE-ALARM-032: an alarm nobody acknowledges is escalated to the township, then the county, live on the stream', async () => {
  assert.equal((await civil.get('/api/v1/alarm-settings')).body.escalate_seconds, 60)
  const lq = await s.login('lq_helper')
  assertError(assert, await lq.put('/api/v1/alarm-settings', { escalate_seconds: 5 }), 403, 'forbidden')
  assertError(assert, await civil.put('/api/v1/alarm-settings', { escalate_seconds: 0 }), 400, 'invalid', 'escalate_seconds')
  const set = await civil.put('/api/v1/alarm-settings', { escalate_seconds: 1 })
  assert.equal(set.status, 200, JSON.stringify(set.body))
  assert.equal(set.body.escalate_seconds, 1)
  const stream = await fetch(s.base + '/api/v1/alarms/stream', { headers: { Cookie: lq.cookie } })
  const levels = []
  const seen = readEvents(stream, (ev) => {
    if (ev.event === 'alarm' && ev.data.type === 'smoke') levels.push(ev.data.escalation_level)
    return !levels.includes(2)
  })
  const { alarm } = await raiseAlarm(broker, civil, elder.id, 'SMOKE-E001', 'smoke')
  await seen
  const got = (await civil.get(`/api/v1/alarms/${alarm.id}`)).body
  assert.equal(got.escalation_level, 2)
  assert.ok(got.escalated_at)
  const esc = got.steps.filter((x) => x.kind === 'escalated')
  assert.deepEqual(esc.map((x) => [x.target, x.outcome]), [['township_officer', '1'], ['civil_officer', '2']])
  assert.match(esc[0].note, /龙泉街道.*乡镇\/街道管理员（第一级）/)
  assert.match(esc[1].note, /凤冈县.*民政管理员（第二级）/)
  // Acknowledged: no further escalation; the level stays as history.
  assert.equal((await civil.post(`/api/v1/alarms/${alarm.id}/ack`)).status, 200)
  assert.equal((await civil.put('/api/v1/alarm-settings', { escalate_seconds: 60 })).status, 200)
  const { alarm: quick } = await raiseAlarm(broker, civil, elder.id, 'SOS-E002')
  assert.equal((await civil.post(`/api/v1/alarms/${quick.id}/ack`)).status, 200)
  await new Promise((r) => setTimeout(r, 1500))
  assert.equal((await civil.get(`/api/v1/alarms/${quick.id}`)).body.escalation_level, 0)
  const audit = await admin.get('/api/v1/audit?action=alarm.settings')
  assert.ok(audit.body.items.length >= 2)
})

test('RULE-ALARM-040: an elder\'s inactivity setting needs an activity sensor and night quiet hours', async () => {
  assertError(assert, await civil.put(`/api/v1/elders/${elder.id}/inactivity`, { hours: 12, quiet_from: '22:00', quiet_to: '07:00' }), 409, 'conflict')
  assertError(assert, await civil.get(`/api/v1/elders/${elder.id}/inactivity`), 404, 'not_found')
  const d = await civil.post('/api/v1/devices', { elder_id: elder.id, type: 'motion', model: 'PIR-1', serial: 'PIR-I001', heartbeat_s: 600 })
  assert.equal(d.status, 201)
  assertError(assert, await civil.put(`/api/v1/elders/${elder.id}/inactivity`, { hours: 0, quiet_from: '22:00', quiet_to: '07:00' }), 400, 'invalid', 'hours')
  assertError(assert, await civil.put(`/api/v1/elders/${elder.id}/inactivity`, { hours: 12, quiet_from: '25:00', quiet_to: '07:00' }), 400, 'invalid', 'quiet_from')
  assertError(assert, await civil.put(`/api/v1/elders/${elder.id}/inactivity`, { hours: 12, quiet_from: '08:00', quiet_to: '12:00' }), 400, 'invalid', 'quiet_to')
  const r = await civil.put(`/api/v1/elders/${elder.id}/inactivity`, { hours: 12, quiet_from: '22:00', quiet_to: '07:00' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.hours, 12)
  assert.equal(r.body.quiet_from_min, 22 * 60)
  assert.equal(r.body.quiet_to_min, 7 * 60)
  assert.equal(r.body.activity_device_id, d.body.id)
  assert.ok(r.body.last_activity)
  const jx = await s.login('jx_officer')
  assertError(assert, await jx.put(`/api/v1/elders/${elder.id}/inactivity`, { hours: 12, quiet_from: '22:00', quiet_to: '07:00' }), 404, 'not_found')
  const audit = await admin.get('/api/v1/audit?action=alarm.inactivity')
  assert.ok(audit.body.items.some((e) => e.target_id === String(elder.id)))
})

test('RULE-ALARM-062 RULE-ALARM-063 RULE-ALARM-064: the county\'s inactivity thresholds: set by the county officer, checked in Chinese, followed by the elders set without their own, audited', async () => {
  // Nothing set: the built-in thresholds; the elder of the test above has its own values.
  const first = await civil.get('/api/v1/inactivity-settings')
  assert.equal(first.status, 200, JSON.stringify(first.body))
  assert.deepEqual([first.body.county, first.body.county_name, first.body.hours, first.body.quiet_from, first.body.quiet_to, first.body.set, first.body.editable],
    ['520327', '凤冈县', 12, '22:00', '07:00', false, true])
  assert.equal(first.body.following, 0)
  // Bad values: 400 naming the field, in Chinese; nothing written.
  const bad = [[{ hours: 0, quiet_from: '22:00', quiet_to: '07:00' }, 'hours'], [{ hours: 73, quiet_from: '22:00', quiet_to: '07:00' }, 'hours'],
    [{ hours: 8, quiet_from: '2200', quiet_to: '07:00' }, 'quiet_from'], [{ hours: 8, quiet_from: '21:00', quiet_to: '24:00' }, 'quiet_to'],
    [{ hours: 8, quiet_from: '06:00', quiet_to: '09:00' }, 'quiet_to'], [{ quiet_from: '21:00', quiet_to: '06:00' }, 'hours']]
  for (const [body, field] of bad) {
    const r = await civil.put('/api/v1/inactivity-settings', body)
    assertError(assert, r, 400, 'invalid', field)
    assert.match(r.body.error.message, /[\u4e00-\u9fff]/)
  }
  assert.match((await civil.put('/api/v1/inactivity-settings', bad[4][0])).body.error.message, /跨越午夜/)
  // Only the county officer changes them; a township officer reads them.
  const lq = await s.login('lq_officer')
  assertError(assert, await lq.put('/api/v1/inactivity-settings', { hours: 8, quiet_from: '21:00', quiet_to: '06:00' }), 403, 'forbidden')
  assert.equal((await lq.get('/api/v1/inactivity-settings')).body.editable, false)
  const jx = await s.login('jx_officer')
  assertError(assert, await civil.get('/api/v1/inactivity-settings?region=520328'), 404, 'not_found', 'region')
  assertError(assert, await civil.get('/api/v1/inactivity-settings?region=5203'), 400, 'invalid', 'region')
  // An elder set without values follows the county (RULE-ALARM-063) ...
  const follow = await civil.put(`/api/v1/elders/${elder.id}/inactivity`, {})
  assert.equal(follow.status, 200, JSON.stringify(follow.body))
  assert.deepEqual([follow.body.hours, follow.body.quiet_from_min, follow.body.follows_default], [12, 22 * 60, true])
  // ... and changes with it; the setting is audited with how many elders followed.
  const set = await civil.put('/api/v1/inactivity-settings', { hours: 8, quiet_from: '21:30', quiet_to: '06:00' })
  assert.equal(set.status, 200, JSON.stringify(set.body))
  assert.deepEqual([set.body.hours, set.body.quiet_from, set.body.quiet_to, set.body.set, set.body.elders, set.body.following], [8, '21:30', '06:00', true, 1, 1])
  const now = (await civil.get(`/api/v1/elders/${elder.id}/inactivity`)).body
  assert.deepEqual([now.hours, now.quiet_from_min, now.quiet_to_min], [8, 21 * 60 + 30, 6 * 60])
  assert.equal((await jx.get('/api/v1/inactivity-settings')).body.county, '520327')
  const audit = (await admin.get('/api/v1/audit?action=alarm.inactivity_defaults')).body.items
  assert.equal(audit.length, 1)
  assert.equal(audit[0].target_id, '520327')
  // Own values stop following.
  const own = await civil.put(`/api/v1/elders/${elder.id}/inactivity`, { hours: 10, quiet_from: '22:00', quiet_to: '07:00' })
  assert.equal(own.body.follows_default, false)
  assert.equal((await civil.put('/api/v1/inactivity-settings', { hours: 9, quiet_from: '21:30', quiet_to: '06:00' })).body.following, 0)
  assert.equal((await civil.get(`/api/v1/elders/${elder.id}/inactivity`)).body.hours, 10)
})

test('RULE-ALARM-065: a fall alarm requests an immediate capability assessment once; other alarms cannot; audited', async () => {
  const { alarm: fall } = await raiseAlarm(broker, civil, elder.id, 'FALL-A001', 'fall')
  const r = await civil.post(`/api/v1/alarms/${fall.id}/assessment`, { note: '老人起身困难' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.ok(r.body.assess_request_id > 0)
  assert.deepEqual([r.body.assessment.id, r.body.assessment.status, r.body.assessment.status_name], [r.body.assess_request_id, 'open', '待评估'])
  const reqs = (await civil.get(`/api/v1/assessment-requests?elder_id=${elder.id}&page_size=200`)).body.items
  const mine = reqs.find((q) => q.id === r.body.assess_request_id)
  assert.ok(mine, JSON.stringify(reqs))
  assert.equal(mine.source, 'alarm')
  assert.match(mine.note, /跌倒告警 #\d+ 申请立即评估：老人起身困难/)
  assertError(assert, await civil.post(`/api/v1/alarms/${fall.id}/assessment`, {}), 409, 'conflict')
  const { alarm: sos } = await raiseAlarm(broker, civil, elder.id, 'SOS-A002')
  assertError(assert, await civil.post(`/api/v1/alarms/${sos.id}/assessment`, {}), 409, 'conflict')
  const jx = await s.login('jx_officer')
  assertError(assert, await jx.post(`/api/v1/alarms/${fall.id}/assessment`, {}), 404, 'not_found')
  const audit = (await admin.get('/api/v1/audit?action=alarm.assessment')).body.items
  assert.ok(audit.some((e) => e.target_id === String(fall.id)))
})

test('RULE-ALARM-045 RULE-ALARM-046 RULE-ALARM-047: the answer-time report against 60 s / 180 s, per township, scoped, exported', async () => {
  const month = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7)
  const before = (await civil.get(`/api/v1/alarms/report?month=${month}`)).body
  assert.equal(before.region_code, '520327')
  assert.deepEqual(before.targets, { within_60_s: 60, share_60: 0.975, within_180_s: 180, share_180: 0.99 })
  const { alarm } = await raiseAlarm(broker, civil, elder.id, 'SOS-R001')
  assert.equal((await civil.post(`/api/v1/alarms/${alarm.id}/ack`)).status, 200)
  const r = (await civil.get(`/api/v1/alarms/report?month=${month}`)).body
  assert.equal(r.count, before.count + 1)
  assert.equal(r.within_60, before.within_60 + 1)
  assert.equal(r.within_180, before.within_180 + 1)
  assert.equal(r.count, r.children.reduce((n, c) => n + c.count, 0))
  assert.ok(r.within_60 <= r.within_180 && r.within_180 + r.unanswered <= r.count)
  assert.equal(r.share_60, r.within_60 / r.count)
  assert.equal(r.met_60, r.within_60 / r.count >= 0.975)
  assert.equal(r.met_180, r.within_180 / r.count >= 0.99)
  const lq = r.children.find((c) => c.region_code === '520327001')
  assert.ok(lq && lq.region_name === '龙泉街道', JSON.stringify(r.children))
  // Drill-down to the township: its villages.
  const town = (await civil.get(`/api/v1/alarms/report?month=${month}&region=520327001`)).body
  assert.equal(town.count, lq.count)
  assert.ok(town.children.every((c) => c.region_code.length === 12 && c.region_code.startsWith('520327001')))
  // Scoped like the alarm list: another township's officer counts none of these.
  const jx = await s.login('jx_officer')
  assert.equal((await jx.get(`/api/v1/alarms/report?month=${month}`)).body.count, 0)
  assert.equal((await jx.get(`/api/v1/alarms/report?month=${month}&region=520327001`)).body.count, 0)
  // Another month: nothing; a bad month: 400 naming it.
  const empty = (await civil.get('/api/v1/alarms/report?month=2001-01')).body
  assert.equal(empty.count, 0)
  assert.equal(empty.share_60, null)
  assertError(assert, await civil.get('/api/v1/alarms/report?month=2026-13'), 400, 'invalid', 'month')
  assertError(assert, await civil.get('/api/v1/alarms/report?region=abc'), 400, 'invalid', 'region')
  const csv = await civil.get(`/api/v1/alarms/report/export?format=csv&month=${month}`, { raw: true })
  assert.equal(csv.status, 200)
  const text = csv.raw.toString('utf8')
  assert.match(text, /地区,告警数,60 秒内响应,60 秒响应率/)
  assert.match(text, /龙泉街道/)
  assert.match(text, /合计（凤冈县）/)
  const xlsx = await civil.get(`/api/v1/alarms/report/export?format=xlsx&month=${month}`, { raw: true })
  assert.equal(xlsx.raw.subarray(0, 2).toString(), 'PK')
  const audit = await admin.get('/api/v1/audit?action=alarm.report_export')
  assert.ok(audit.body.items.length >= 2)
})

test('RULE-ALARM-066: the report also gives time to close, false alarms and alarms by kind', async () => {
  const month = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7)
  const before = (await civil.get(`/api/v1/alarms/report?month=${month}`)).body
  const kind = (rep, t) => rep.kinds.find((k) => k.type === t) || { count: 0, false_alarms: 0 }
  const { alarm } = await raiseAlarm(broker, civil, elder.id, 'SMOKE-K001', 'smoke')
  assert.equal((await civil.post(`/api/v1/alarms/${alarm.id}/ack`)).status, 200)
  assert.equal((await civil.post(`/api/v1/alarms/${alarm.id}/close`, { outcome: 'false_alarm', note: '做饭油烟' })).status, 200)
  const r = (await civil.get(`/api/v1/alarms/report?month=${month}`)).body
  assert.equal(r.closed, before.closed + 1)
  assert.equal(r.false_alarms, before.false_alarms + 1)
  assert.deepEqual(kind(r, 'smoke'), { type: 'smoke', count: kind(before, 'smoke').count + 1, false_alarms: kind(before, 'smoke').false_alarms + 1 })
  assert.equal(r.kinds.reduce((n, k) => n + k.count, 0), r.count)
  assert.ok(r.kinds.every((k, i) => i === 0 || r.kinds[i - 1].count >= k.count), 'most first')
  assert.equal(r.closed, r.children.reduce((n, c) => n + c.closed, 0))
  assert.ok(Number.isInteger(r.close_avg_s) && r.close_avg_s >= 0)
  const lq = r.children.find((c) => c.region_code === '520327001')
  assert.ok(lq.false_alarms >= 1 && Number.isInteger(lq.close_avg_s))
  // Scoped like the rest: another township counts none of these kinds.
  const jx = await s.login('jx_officer')
  assert.deepEqual((await jx.get(`/api/v1/alarms/report?month=${month}`)).body.kinds, [])
  assert.equal((await civil.get('/api/v1/alarms/report?month=2001-01')).body.close_avg_s, null)
  const text = (await civil.get(`/api/v1/alarms/report/export?format=csv&month=${month}`, { raw: true })).raw.toString('utf8')
  assert.match(text, /最慢响应（秒）,已结案,平均结案用时（秒）,误报/)
})

test('RULE-ALARM-055 RULE-ALARM-056: 派单上门 creates an urgent home-service order for the elder; the timeline shows it and its status', async () => {
  const { alarm } = await raiseAlarm(broker, civil, elder.id, 'FALL-D001', 'fall')
  assertError(assert, await civil.post(`/api/v1/alarms/${alarm.id}/dispatch`, {}), 409, 'conflict') // not acknowledged
  assert.equal((await civil.post(`/api/v1/alarms/${alarm.id}/ack`)).status, 200)
  const d = await civil.post(`/api/v1/alarms/${alarm.id}/dispatch`, { note: '老人称腿疼，需人上门查看' })
  assert.equal(d.status, 200, JSON.stringify(d.body))
  assert.ok(d.body.service_order_id > 0)
  assert.deepEqual(d.body.service_order, { id: d.body.service_order_id, status: 'created', status_name: '待派单' })
  const step = d.body.steps.find((x) => x.kind === 'service_order')
  assert.ok(step, JSON.stringify(d.body.steps))
  assert.equal(step.target, String(d.body.service_order_id))
  assert.match(step.note, /紧急上门服务单 #\d+（助急）/)
  // The order, as the service module shows it: the elder's, urgent (助急), from now, by hotline.
  const o = await civil.get(`/api/v1/service/orders/${d.body.service_order_id}`)
  assert.equal(o.status, 200, JSON.stringify(o.body))
  assert.equal(o.body.elder_id, elder.id)
  assert.equal(o.body.channel, 'hotline')
  assert.ok(o.body.lines.some((l) => l.item_code === 'zhuji'))
  assert.match(o.body.note, new RegExp(`紧急呼叫告警 #${alarm.id} 派单上门：老人称腿疼`))
  // Once only.
  assertError(assert, await civil.post(`/api/v1/alarms/${alarm.id}/dispatch`, {}), 409, 'conflict')
  const audit = await admin.get('/api/v1/audit?action=alarm.dispatch')
  assert.ok(audit.body.items.some((e) => e.target_id === String(alarm.id)))
  // The status follows the order: cancelled by the dispatcher, the alarm says so.
  const c = await civil.post(`/api/v1/service/orders/${d.body.service_order_id}/cancel`, { reason: '家属已送医' })
  assert.equal(c.status, 200, JSON.stringify(c.body))
  const again = (await civil.get(`/api/v1/alarms/${alarm.id}`)).body
  assert.equal(again.service_order.status, 'cancelled')
  assert.equal(again.service_order.status_name, '已取消')
  // RULE-ALARM-068, RULE-SVC-231, RULE-VISIT-090: the elder's card on the console — contacts in
  // the order to call them (masked), the elder's other alarms, visits and orders.
  for (const [relation, name, phone, priority] of [['邻居', '王邻居', '13900002222', 2], ['儿子', '李儿子', '13900001111', 1]]) {
    const k = await civil.post(`/api/v1/elders/${elder.id}/contacts`, { relation, name, phone, priority })
    assert.equal(k.status, 201, JSON.stringify(k.body))
  }
  const { alarm: second } = await raiseAlarm(broker, civil, elder.id, 'SOS-D002')
  const card = (await civil.get(`/api/v1/alarms/${second.id}`)).body.elder_card
  assert.deepEqual(card.contacts.map((k) => [k.relation, k.name, k.phone_masked]), [['儿子', '李儿子', '139****1111'], ['邻居', '王邻居', '139****2222']])
  assert.equal(card.contacts[0].phone, undefined, 'masked: the record reveals it (RULE-PII-002)')
  assert.ok(card.recent_alarms.some((x) => x.id === alarm.id && x.type === 'fall'))
  assert.ok(!card.recent_alarms.some((x) => x.id === second.id), 'the other alarms')
  assert.deepEqual(card.recent_orders.map((x) => [x.id, x.status_name, x.item_name]).slice(0, 1), [[d.body.service_order_id, '已取消', '助急']])
  assert.ok(Array.isArray(card.recent_visits))
  assert.ok(Array.isArray(card.categories))
})

test('RULE-ALARM-069 RULE-SVC-232: the timeline shows the first console showing, and the urgent order\'s caregiver arriving and checking out, each in its place', async () => {
  const carer = await s.login('fg_caregiver')
  const { alarm } = await raiseAlarm(broker, civil, elder.id, 'SOS-T069')
  const first = await civil.post(`/api/v1/alarms/${alarm.id}/shown`)
  assert.equal(first.status, 200, JSON.stringify(first.body))
  const again = await admin.post(`/api/v1/alarms/${alarm.id}/shown`)
  assert.equal(again.status, 200)
  const shown = again.body.steps.filter((x) => x.kind === 'shown')
  assert.equal(shown.length, 1, 'the first showing only')
  assert.match(shown[0].who_name, /王芳/)
  assert.ok(again.body.shown_at)
  assert.equal((await admin.get('/api/v1/audit?action=alarm.shown')).body.items.filter((e) => e.target_id === String(alarm.id)).length, 1)
  assert.equal((await civil.post(`/api/v1/alarms/${alarm.id}/ack`)).status, 200)
  const d = await civil.post(`/api/v1/alarms/${alarm.id}/dispatch`, { note: '上门查看' })
  assert.equal(d.status, 200, JSON.stringify(d.body))
  const oid = d.body.service_order_id
  const sun = (await civil.get('/api/v1/service/caregivers')).body.items.find((c) => c.name === '孙丽')
  for (const [who, path, body] of [[civil, 'assign', { caregiver_id: sun.id, reason: '紧急呼叫' }], [carer, 'accept', {}],
    [carer, 'checkin', { lat: 27.965, lng: 107.72, accuracy_m: 10 }], [carer, 'checkout', { lat: 27.965, lng: 107.72, accuracy_m: 10 }]]) {
    const r = await who.post(`/api/v1/service/orders/${oid}/${path}`, body)
    assert.ok(r.status < 300, `${path}: ${JSON.stringify(r.body)}`)
  }
  const steps = (await civil.get(`/api/v1/alarms/${alarm.id}`)).body.steps
  const kinds = steps.map((x) => x.kind).filter((k) => ['device_message', 'stored', 'shown', 'acknowledged', 'service_order', 'order_arrived', 'order_completed'].includes(k))
  assert.deepEqual(kinds, ['device_message', 'stored', 'shown', 'acknowledged', 'service_order', 'order_arrived', 'order_completed'])
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i - 1].at <= steps[i].at || steps[i - 1].kind === 'device_message', JSON.stringify(steps))
  assert.equal(steps.find((x) => x.kind === 'order_arrived').target, String(oid))
  // A console of another region sees nothing to mark.
  const jx = await s.login('jx_officer')
  assert.equal((await jx.post(`/api/v1/alarms/${alarm.id}/shown`)).status, 404)
})
