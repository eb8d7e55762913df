// The demo's own imports (issue 18, point 4): the seed imports the county's department files
// through import_run; they are listed in 导入记录 for the county's officers, and the imports that
// elder histories cite (`import:N`, 第 N 次导入) are among them (RULE-IMPORT-024).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'

import { Server, serverTest } from './helpers.mjs'

let srv
const test = serverTest(() => [srv])

before(async () => { srv = await Server.start({ env: { ANLAO_DEMO_ELDERS: '120' } }) })
after(async () => { await srv?.dispose() })

test('RULE-IMPORT-024: the county officer sees the demo imports that elder histories cite', async () => {
  const c = await srv.login('fg_civil')
  const list = await c.request('GET', '/api/v1/imports')
  assert.equal(list.status, 200)
  const seeded = list.body.items.filter((i) => i.username === 'seed')
  assert.ok(seeded.length >= 5, `the seed's imports are listed: ${JSON.stringify(list.body.items.map((i) => i.filename))}`)
  for (const i of seeded) {
    assert.match(i.filename, /^演示数据-/)
    assert.equal(i.status, 'committed')
  }
  const listed = new Set(list.body.items.map((i) => i.id))

  // An elder's history cites its import: that import is listed and opens.
  const elders = await c.request('GET', '/api/v1/elders?page_size=5')
  assert.equal(elders.status, 200)
  const id = elders.body.items[0].id
  const hist = await c.request('GET', `/api/v1/elders/${id}/history`)
  assert.equal(hist.status, 200)
  const cited = JSON.stringify(hist.body).match(/import:(\d+)/g) || []
  assert.ok(cited.length > 0, 'the history cites an import')
  for (const ref of cited) {
    const n = Number(ref.split(':')[1])
    assert.ok(listed.has(n), `第 ${n} 次导入 is in 导入记录`)
    const one = await c.request('GET', `/api/v1/imports/${n}/errors`)
    assert.equal(one.status, 200, `第 ${n} 次导入: its report opens`)
  }
})

test('RULE-IMPORT-024: a township officer does not see the county-wide demo imports', async () => {
  const c = await srv.login('lq_officer')
  const list = await c.request('GET', '/api/v1/imports')
  assert.equal(list.status, 200)
  assert.equal(list.body.items.filter((i) => i.username === 'seed').length, 0)
})
