// Home services at scale (issue 13): a demo county of BENCH_SVC_ELDERS elders (default 20000),
// then BENCH_ORDERS orders (default 500) placed one after another, each followed by its dispatch
// proposal (GET /api/v1/service/orders/:id/proposal: candidates, skills, circles, overlaps), and
// the dispatch board's page (GET /api/v1/service/orders?status=open&date=…&page_size=50) as the
// orders pile up, beside GET /healthz on the same server. Figures side by side with their ratio
// to /healthz, never pass/fail. Knobs: BENCH_SVC_ELDERS, BENCH_ORDERS, ANLAO_BIN.
import { Server } from '../tests/lib/server.mjs'

const ELDERS = Number(process.env.BENCH_SVC_ELDERS || 20000)
const N = Number(process.env.BENCH_ORDERS || 500)
const t0 = performance.now()
const s = await new Server({ env: { ANLAO_DEMO_ELDERS: String(ELDERS) } }).start()
const seeded = performance.now() - t0
try {
  const helper = await s.login('lq_helper'), civil = await s.login('fg_civil')
  // Elders of 龙泉 with a position (the station there serves them).
  const elders = []
  for (let page = 1; elders.length < N && page <= 50; page++) {
    const r = (await helper.get(`/api/v1/elders?region=520327001&status=active&page_size=200&page=${page}`)).body
    if (!r.items?.length) break
    elders.push(...r.items.map((e) => e.id))
  }
  if (!elders.length) throw new Error('no elders in 520327001')
  const day = new Date(Date.now() + 86400e3 + 8 * 3600e3).toISOString().slice(0, 10)
  const place = [], propose = [], board = [], hz = []
  const timed = async (list, fn) => { const a = performance.now(); const r = await fn(); list.push(performance.now() - a); return r }
  for (let i = 0; i < N; i++) {
    const h = String(8 + (i % 9)).padStart(2, '0'), end = String(9 + (i % 9)).padStart(2, '0')
    const m = String((i * 7) % 60).padStart(2, '0')
    const o = await timed(place, () => helper.post('/api/v1/service/orders', { elder_id: elders[i % elders.length], items: ['zhujie'], window_start: `${day}T${h}:${m}`, window_end: `${day}T${end}:${m}` }))
    if (o.status !== 201) throw new Error(`place: ${o.status} ${JSON.stringify(o.body)}`)
    const p = await timed(propose, () => civil.get(`/api/v1/service/orders/${o.body.id}/proposal`))
    if (p.status !== 200 && p.status !== 422) throw new Error(`proposal: ${p.status} ${JSON.stringify(p.body)}`)
    if (i % 5 === 0) {
      const b = await timed(board, () => civil.get(`/api/v1/service/orders?status=open&date=${day}&page_size=50`))
      if (b.status !== 200) throw new Error(`board: ${b.status}`)
    }
    await timed(hz, async () => (await fetch(s.base + '/healthz')).arrayBuffer())
  }
  const q = (a, p) => { const b = [...a].sort((x, y) => x - y); return b[Math.min(b.length - 1, Math.floor(p * b.length))] }
  const base = q(hz, 0.5)
  const row = (name, a) => `${name.padEnd(40)} ${String(a.length).padStart(6)} ${q(a, 0.5).toFixed(2).padStart(8)} ${q(a, 0.95).toFixed(2).padStart(8)} ${Math.max(...a).toFixed(2).padStart(8)} ${(q(a, 0.5) / base).toFixed(1).padStart(7)}×`
  console.log(`home services: ${ELDERS} demo elders (seeded in ${(seeded / 1000).toFixed(1)} s), ${N} orders for ${day}`)
  console.log(`${'(ms)'.padEnd(40)} ${'n'.padStart(6)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)} ${'p50/hz'.padStart(8)}`)
  console.log(row('POST /service/orders (place, priced)', place))
  console.log(row('GET  /service/orders/:id/proposal', propose))
  console.log(row('GET  /service/orders (board, open, day)', board))
  console.log(row('GET  /healthz', hz))
} finally {
  await s.stop()
  s.cleanup()
}
