// The meal counter (issue 17, target ≤ 200 ms per meal): one meal is what a tablet does for a
// diner — identify by card (POST /api/v1/meal/counter/identify) and record
// (POST /api/v1/meal/meals) — timed one diner after another on a fresh server, beside a
// /healthz request on the same server, printed side by side with their ratio. Figures, never
// pass/fail. Knobs: BENCH_MEALS (diners, default 200), ANLAO_BIN.
import { Server } from '../tests/lib/server.mjs'
import { idNumber } from '../tests/lib/ids.mjs'

const N = Number(process.env.BENCH_MEALS || 200)
const s = await new Server().start()
const login = (u) => s.login(u)
try {
  const fg = await login('fg_civil'), helper = await login('lq_helper')
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
  const c = (await fg.post('/api/v1/meal/canteens', { region_code: '520327001', kind: 'canteen', name: '测速食堂', operator: '测速', address: '一号', capacity: 500, windows: [{ meal: 'lunch', from: '00:00', to: '23:59' }], areas: ['520327001001'], licence_no: 'JY1', licence_expiry: '2030-01-01' })).body
  const menu = (await fg.post(`/api/v1/meal/canteens/${c.id}/menus`, { date: today, meal: 'lunch', name: '午餐', price_fen: 1200 })).body
  await fg.post('/api/v1/meal/rules', { meal: 'lunch', amount_fen: 300, tags: [], fund_county_pct: 100, valid_from: '2020-01-01' })
  const cards = []
  for (let i = 0; i < N; i++) {
    const e = (await fg.post('/api/v1/elders', { name: `测速老人${i}`, id_number: idNumber('520327', `19${String(30 + (i % 30)).padStart(2, '0')}0101`, i % 1000), region_code: '520327001001', address: '一号', phone: '13800001234' })).body
    if (!e || !e.id) throw new Error('elder not created')
    await fg.post('/api/v1/meal/cards', { elder_id: e.id, card_no: `BENCH${i}` })
    cards.push(e.id)
  }
  const ms = []
  for (let i = 0; i < N; i++) {
    const t0 = performance.now()
    const id = await helper.post('/api/v1/meal/counter/identify', { canteen_id: c.id, card: `BENCH${i}`, meal: 'lunch' })
    const rec = await helper.post('/api/v1/meal/meals', { canteen_id: c.id, elder_id: id.body.diner.id, menu_id: menu.id, idem_key: `bench-${i}-${Date.now()}` })
    ms.push(performance.now() - t0)
    if (rec.status !== 201) throw new Error(`record: ${rec.status} ${JSON.stringify(rec.body)}`)
  }
  const hz = []
  for (let i = 0; i < N; i++) {
    const t0 = performance.now()
    await (await fetch(s.base + '/healthz')).arrayBuffer()
    hz.push(performance.now() - t0)
  }
  const q = (a, p) => { const b = [...a].sort((x, y) => x - y); return b[Math.min(b.length - 1, Math.floor(p * b.length))] }
  const row = (name, a) => `${name.padEnd(34)} ${q(a, 0.5).toFixed(2).padStart(8)} ${q(a, 0.95).toFixed(2).padStart(8)} ${Math.max(...a).toFixed(2).padStart(8)}`
  console.log(`meal counter, ${N} diners one after another (ms)      p50      p95      max`)
  console.log(row('identify by card + record a meal', ms))
  console.log(row('GET /healthz', hz))
  console.log(`ratio p50 meal / healthz: ${(q(ms, 0.5) / q(hz, 0.5)).toFixed(1)}×; target ≤ 200 ms per meal: p95 ${q(ms, 0.95).toFixed(1)} ms`)
} finally {
  await s.stop()
  s.cleanup()
}
