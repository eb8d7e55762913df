// RULE-ELDER-001/002 (issue 10, bug 5): one write path for elders, so history reads the same
// whichever path wrote it — a PATCH, a status change, a household or roll import: each change
// as [old, new], phones masked, as stored and as shown, to readers with and without
// elder.read_pii.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, civil, helper
before(async () => {
  s = await new Server().start()
  civil = await s.login('fg_civil') // holds elder.read_pii
  helper = await s.login('lq_helper') // does not
})
after(async () => { await s.stop(); s.cleanup() })

const sql = (q) => spawnSync('sqlite3', ['-cmd', '.timeout 10000', s.db, q], { encoding: 'utf8' }).stdout.trim()
const importFile = (kind, name, text) => {
  const p = join(s.dir, name)
  writeFileSync(p, text)
  const r = s.cli('import', '--kind', kind, p, '--commit')
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout.trim().split('\n').pop())
}
const number = idNumber('520327', '19420315', 611)
const phone1 = '13800006110'
const phone2 = '13900006111'

test('history has one shape on every path: [old, new], phones masked, as stored and as shown', async () => {
  const c = await civil.post('/api/v1/elders', { name: '周桂香', id_number: number, region_code: '520327001001', address: '龙泉街道前进社区 9 组', phone: phone1 })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  const id = c.body.id
  const p = await civil.patch(`/api/v1/elders/${id}`, { version: c.body.version, phone: phone2, economic_status: 'dibao' })
  assert.equal(p.status, 200, JSON.stringify(p.body))
  const roll = importFile('roll', 'roll.csv', `身份证号,姓名,救助类别,开始日期\n${number},周桂香,特困,2024-01-01\n`)
  assert.equal(roll.accepted, 1)
  const hukou = importFile('hukou', 'hukou.csv', `身份证号,姓名,区划代码,住址\n${number},周桂香,520327001001,龙泉街道前进社区 10 组\n`)
  assert.equal(hukou.accepted, 1)

  // As stored: no whole phone number in any entry, whoever wrote it.
  const stored = sql(`SELECT changes FROM elder_history WHERE elder_id = ${id}`)
  assert.ok(!stored.includes(phone1) && !stored.includes(phone2), stored)

  for (const reader of [helper, civil]) {
    const h = await reader.get(`/api/v1/elders/${id}/history`)
    assert.equal(h.status, 200)
    const by = (action) => h.body.items.filter((i) => i.action === action).map((i) => i.changes)
    const [update] = by('update')
    assert.deepEqual(update.phone_masked, ['138****6110', '139****6111'])
    assert.deepEqual(update.economic_status, ['general', 'dibao'])
    const [fromRoll, fromHukou] = by('import').reverse() // newest first
    // The roll import: the same [old, new] pair as the PATCH, and the import named.
    assert.deepEqual(fromRoll.economic_status, ['dibao', 'tekun'])
    assert.match(fromRoll.source, /^import:\d+$/)
    assert.deepEqual(fromHukou.address, ['龙泉街道前进社区 9 组', '龙泉街道前进社区 10 组'])
    // Every change of every entry is an [old, new] pair (the source names the import).
    for (const entry of h.body.items) {
      for (const [k, v] of Object.entries(entry.changes)) {
        if (k !== 'source') assert.ok(Array.isArray(v) && v.length === 2, `${entry.action} ${k}: ${JSON.stringify(v)}`)
      }
    }
    const text = JSON.stringify(h.body)
    assert.ok(!text.includes(phone1) && !text.includes(phone2))
  }
})

test('a status change goes through the same path: history and audit name the fields', async () => {
  const e = (await civil.get(`/api/v1/elders?q=周桂香`)).body.items[0]
  const r = await civil.patch(`/api/v1/elders/${e.id}`, { version: e.version, status: 'moved_out', status_date: '2025-06-01', status_reason: '随子女迁居' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const h = (await helper.get(`/api/v1/elders/${e.id}/history`)).body.items[0]
  assert.equal(h.action, 'status')
  assert.deepEqual(h.changes.status, ['active', 'moved_out'])
  assert.deepEqual(h.changes.status_date, [null, '2025-06-01'])
})
