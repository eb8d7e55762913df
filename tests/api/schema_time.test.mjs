// RULE-DB-144: times are seconds in 64 bits on both engines — no column named as a time is a
// 32-bit integer on PostgreSQL, and an order's move dated 2100 is stored and read back.
import { test as plain, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, sqlite, PG, chinaDay } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, civil
const test = serverTest(() => [s])
before(async () => {
  s = await Server.start()
  civil = await s.login('fg_civil')
})
after(async () => { await s?.stop(); await s?.dispose() })

const Y2100 = 4102444800 // 2100-01-01T00:00:00Z

plain('RULE-DB-144: no time column is a 32-bit integer on PostgreSQL', { skip: !PG && 'PostgreSQL only (SQLite integers are 64 bits)' }, () => {
  const narrow = sqlite(s.db, `SELECT coalesce(string_agg(table_name || '.' || column_name, ' ' ORDER BY table_name, column_name), '')
    FROM information_schema.columns WHERE table_schema = 'public' AND data_type IN ('integer', 'smallint')
    AND (column_name IN ('at', 'ts', 'expires', 'until', 'deadline') OR column_name LIKE '%\\_at' OR column_name LIKE '%\\_until')`)
  assert.equal(narrow, '', `32-bit time columns: ${narrow}`)
})

test('RULE-DB-144: an order move dated 2100 is stored and read back', async () => {
  const e = await civil.post('/api/v1/elders', { name: '百年老人', id_number: idNumber('520327', '19400101', 901), region_code: '520327001001', address: '测试地址 1 号', phone: '13800001234', lat: 27.965, lng: 107.72 })
  assert.equal(e.status, 201, e.text)
  const day = chinaDay(Date.now() + 86400e3)
  const made = await civil.post('/api/v1/service/orders', { elder_id: e.body.id, items: ['zhujie'], window_start: `${day}T09:00`, window_end: `${day}T10:00` })
  assert.equal(made.status, 201, made.text)
  const order = made.body.id
  const id = sqlite(s.db, `SELECT min(id) FROM svc_order_events WHERE order_id = ${order}`)
  sqlite(s.db, `UPDATE svc_order_events SET at = ${Y2100} WHERE id = ${id}`)
  const o = await civil.get(`/api/v1/service/orders/${order}`)
  assert.equal(o.status, 200, o.text)
  assert.ok(o.body.events.some((e) => String(e.at).startsWith('2100-01-01')), JSON.stringify(o.body.events.map((e) => e.at)))
})
