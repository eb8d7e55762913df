// The time bank's ledger under concurrency (issue 16): parallel spends from one account never
// overdraw (RULE-TB-032: SQLite's single writer; PostgreSQL's row locks FOR UPDATE taken in id
// order, so spends in opposite directions across an alliance do not deadlock), and a kill -9
// during a burst of inter-scheme spends leaves no half of any spend (RULE-TB-034).
// Runs on SQLite, and on PostgreSQL with ANLAO_TEST_PG.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, serverTest, sqlite } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, fg
const test = serverTest(() => [s])
const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }

let A, B, payA, payB, volA, volB
before(async () => {
  s = await Server.start({ env: { ANLAO_WORKERS: '4' } })
  fg = await s.login('fg_civil')
  A = ok(await fg.post('/api/v1/timebank/schemes', { name: '并发甲', region_code: '520327001', categories: ['陪伴聊天'] }), 201).id
  B = ok(await fg.post('/api/v1/timebank/schemes', { name: '并发乙', region_code: '520327101', categories: ['陪伴聊天'] }), 201).id
  const al = ok(await fg.post('/api/v1/timebank/alliances', { scheme_id: A, partner_id: B }), 201).id
  ok(await fg.post(`/api/v1/timebank/alliances/${al}/status`, { status: 'accepted', version: 1 }))
  const member = async (scheme_id, body) => {
    const m = ok(await fg.post('/api/v1/timebank/members', { scheme_id, kind: 'individual', ...body }), 201).id
    ok(await fg.post(`/api/v1/timebank/members/${m}/verify`, { version: 1 }))
    return m
  }
  const elder = async (name, region, seq) => ok(await fg.post('/api/v1/elders', { name, id_number: idNumber('520327', '19500101', seq), region_code: region, address: '并发路 1 号', phone: `1370000${1000 + seq}` }), 201).id
  payA = await member(A, { elder_id: await elder('并发老甲', '520327001001', 501) })
  payB = await member(B, { elder_id: await elder('并发老乙', '520327101201', 502) })
  volA = await member(A, { name: '甲志愿者', birth_date: '1990-01-01' })
  volB = await member(B, { name: '乙志愿者', birth_date: '1990-01-01' })
})
after(async () => { if (s) try { await s.stop() } finally { await s.dispose() } })

const post = (c, body) => c.post('/api/v1/timebank/transfers', body)
const balance = async (id) => ok(await fg.get(`/api/v1/timebank/members/${id}`)).balance_min

test('RULE-TB-032: parallel spends from one account never overdraw, in one scheme and across the alliance both ways', async () => {
  ok(await post(fg, { category: 'service', to_member_id: payA, minutes: 600 }), 201)
  ok(await post(fg, { category: 'service', to_member_id: payB, minutes: 600 }), 201)
  const clients = await Promise.all(Array.from({ length: 6 }, () => s.login('fg_civil')))
  // 60 spends of 60 minutes against 600 + 600: A's payer to A's and B's volunteers, B's payer
  // to B's and A's (opposite directions through the two clearing accounts).
  const jobs = Array.from({ length: 60 }, (_, i) => {
    const fromA = i % 2 === 0
    const across = i % 3 === 0
    const to = fromA ? (across ? volB : volA) : (across ? volA : volB)
    return post(clients[i % clients.length], { category: 'redeem', from_member_id: fromA ? payA : payB, to_member_id: to, minutes: 60 })
  })
  const res = await Promise.all(jobs)
  const by = {}
  for (const r of res) by[r.status] = (by[r.status] || 0) + 1
  // Only 201 (spent) and 422 (balance too low); a busy SQLite writer may say 503, never 500.
  for (const st of Object.keys(by)) assert.ok(['201', '422', '503'].includes(st), JSON.stringify(by) + res.find((r) => String(r.status) === st).text)
  for (const r of res.filter((x) => x.status === 422)) assert.equal(r.body.error.field, 'minutes', r.text)
  const spentA = res.filter((r, i) => i % 2 === 0 && r.status === 201).length
  const spentB = res.filter((r, i) => i % 2 === 1 && r.status === 201).length
  assert.ok(spentA <= 10 && spentB <= 10, JSON.stringify(by))
  assert.equal(await balance(payA), 600 - 60 * spentA)
  assert.equal(await balance(payB), 600 - 60 * spentB)
  // With enough tries the accounts are emptied exactly (no lost update under the locks).
  assert.equal(spentA + spentB + (by['503'] || 0), 20 + (by['503'] || 0), JSON.stringify(by))
  assert.equal(await balance(volA) + await balance(volB), 60 * (spentA + spentB))
  assert.equal(sqlite(s.db, "SELECT count(*) FROM tb_accounts WHERE kind = 'member' AND balance_min < 0"), '0')
  const v = s.cli(['timebank', 'verify'])
  assert.equal(v.status, 0, v.stderr)
})

test('RULE-TB-034: kill -9 during a burst of inter-scheme spends leaves no half of any spend', async () => {
  ok(await post(fg, { category: 'service', to_member_id: payA, minutes: 100000 }), 201)
  ok(await post(fg, { category: 'service', to_member_id: payB, minutes: 100000 }), 201)
  const clients = await Promise.all(Array.from({ length: 4 }, () => s.login('fg_civil')))
  const acked = []
  let stop = false
  const loop = async (c, k) => {
    while (!stop) {
      const fromA = k % 2 === 0
      try {
        const r = await post(c, { category: 'redeem', from_member_id: fromA ? payA : payB, to_member_id: fromA ? volB : volA, minutes: 1 })
        if (r.status === 201) acked.push(r.body.id)
      } catch { return } // the connection died with the server
    }
  }
  const loops = clients.map((c, k) => loop(c, k))
  while (acked.length < 40) await new Promise((ok2) => setTimeout(ok2, 5))
  const k = await s.kill9()
  stop = true
  assert.equal(k.signal, 'SIGKILL')
  await Promise.all(loops)
  // Every invariant holds on what the disk kept: each spend all there or not at all.
  const v = s.cli(['timebank', 'verify'])
  assert.equal(v.status, 0, v.stderr)
  const half = sqlite(s.db, 'SELECT count(*) FROM tb_transfers t WHERE t.alliance_id IS NOT NULL AND' +
    ' (SELECT count(*) FROM tb_movements m WHERE m.transfer_id = t.id) <> 4')
  assert.equal(half, '0')
  // Every acknowledged spend survived.
  const kept = new Set(sqlite(s.db, 'SELECT id FROM tb_transfers').split('\n').map(Number))
  for (const id of acked) assert.ok(kept.has(id), `acknowledged transfer ${id} survived`)
  await s.start()
  fg = await s.login('fg_civil')
  // The server comes back and the ledger carries on from what was kept.
  const b0 = await balance(payA)
  const r = ok(await post(fg, { category: 'redeem', from_member_id: payA, to_member_id: volB, minutes: 5 }), 201)
  assert.equal(r.from_balance_min, b0 - 5)
  assert.equal(s.cli(['timebank', 'verify']).status, 0)
})
