// Several servers on one PostgreSQL behind nginx (issue 11): a throwaway PostgreSQL 15, two anlao
// servers on the same database, key and data directory, and Debian's nginx in front, all on
// loopback in temporary directories.  Sign-in through nginx works whichever server answers,
// requests land on both, and when one server is killed (-9) in the middle of a burst of writes
// nginx moves on to the other and every write that was answered 2xx is in the database.  An
// import started through nginx runs once, and its progress, published by the server running it,
// reaches SSE clients connected to either server.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { Server, freePort, sleep } from '../api/helpers.mjs'
import { psql } from '../lib/pg.mjs'
import { idNumber } from '../lib/ids.mjs'
import { readEvents } from '../lib/sse.mjs'

const NGINX = process.env.NGINX_BIN || '/usr/sbin/nginx'
let dir, pgdir, url, a, b, nginx, base

function startNginx(port, upstreams) {
  const conf = join(dir, 'nginx.conf')
  const root = process.getuid && process.getuid() === 0
  writeFileSync(conf, `${root ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 512; }
http {
  log_format up '$upstream_addr $request_method $uri $status';
  access_log ${dir}/nginx-access.log up;
  client_body_temp_path ${dir}/nginx-body;
  proxy_temp_path ${dir}/nginx-proxy;
  fastcgi_temp_path ${dir}/nginx-fcgi;
  uwsgi_temp_path ${dir}/nginx-uwsgi;
  scgi_temp_path ${dir}/nginx-scgi;
  client_max_body_size 64m;
  upstream anlao {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://anlao;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502;
      proxy_buffering off;
    }
  }
}
`)
  const p = spawn(NGINX, ['-p', dir, '-c', conf, '-e', join(dir, 'nginx-error.log')], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  p.stderr.on('data', (d) => { err += d })
  p.exited = new Promise((ok) => p.on('exit', (code) => ok({ code, err })))
  return p
}

async function waitHttp(u) {
  for (let i = 0; i < 200; i++) {
    try { const r = await fetch(u); await r.arrayBuffer(); if (r.status === 200) return } catch { /* not yet */ }
    await sleep(50)
  }
  throw new Error(`${u} did not answer`)
}

// A roll file of `n` valid numbers nobody registered: a validation that runs for a while.
function rollFile(n) {
  const rows = ['身份证号,姓名,救助类别,开始日期']
  for (let i = 0; i < n; i++) rows.push(idNumber('520327', `19${30 + Math.floor(i / 1000) % 60}0101`, i % 1000) + ',某,低保,2020-01-01')
  return Buffer.from(rows.join('\n') + '\n')
}


// Which server answered: nginx logs the upstream address of every request.
const hits = (s, path) => readFileSync(join(dir, 'nginx-access.log'), 'utf8').split('\n')
  .filter((l) => l.startsWith(`127.0.0.1:${s.port} `) && l.includes(` ${path} `)).length

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anlao-cluster-'))
  pgdir = mkdtempSync(join(tmpdir(), 'anlao-cluster-pg-'))
  const r = spawnSync('tests/lib/pg.sh', ['start', pgdir], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`PostgreSQL: ${r.stderr}`)
  url = r.stdout.trim()
  const env = { ANLAO_DATA_DIR: dir, ANLAO_KEY: join(dir, 'anlao.key'), ANLAO_TRUSTED_PROXIES: '127.0.0.1' }
  // The first server creates the schema, the key and the demo accounts; the second joins it.
  a = await Server.start({ dir, db: url, env: { ...env, ANLAO_SERVER_ID: 'node-a' } })
  b = await Server.start({ dir, db: url, env: { ...env, ANLAO_SERVER_ID: 'node-b' }, demo: false })
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  nginx = startNginx(port, [a.port, b.port])
  await waitHttp(base + '/healthz')
})

after(async () => {
  if (nginx && nginx.exitCode === null) { nginx.kill('SIGQUIT'); await nginx.exited }
  for (const s of [a, b]) if (s) await s.dispose()
  spawnSync('tests/lib/pg.sh', ['stop', pgdir])
  rmSync(dir, { recursive: true, force: true })
})

// A client of nginx: the session cookie and CSRF token of the signed-in user.
async function signIn(username, password = 'Anlao2026') {
  const r = await fetch(base + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  })
  const body = await r.json()
  assert.equal(r.status, 200, JSON.stringify(body))
  const cookie = r.headers.get('set-cookie').match(/anlao_session=[^;]*/)[0]
  return { cookie, csrf: body.csrf_token }
}

async function call(who, method, path, body) {
  const headers = { Cookie: who.cookie }
  if (method !== 'GET') { headers['X-CSRF-Token'] = who.csrf; headers['Content-Type'] = 'application/json' }
  const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  let json = null
  try { json = JSON.parse(text) } catch { /* not JSON */ }
  return { status: r.status, body: json, text }
}

test('sign in through nginx; requests land on both servers and the session works on each', async () => {
  const who = await signIn('fg_civil')
  const before = [hits(a, '/api/v1/me'), hits(b, '/api/v1/me')]
  for (let i = 0; i < 40; i++) {
    const r = await call(who, 'GET', '/api/v1/me')
    assert.equal(r.status, 200, r.text)
    assert.equal(r.body.user.username, 'fg_civil')
  }
  const onA = hits(a, '/api/v1/me') - before[0], onB = hits(b, '/api/v1/me') - before[1]
  assert.ok(onA > 0 && onB > 0, `both servers answered (${onA} on the first, ${onB} on the second)`)
  assert.equal(onA + onB, 40)
})

test('an import started through nginx runs once, on one server; its progress reaches SSE clients of both servers', async () => {
  const who = await signIn('fg_civil')
  const N = 60_000
  const r = await fetch(base + '/api/v1/imports?kind=roll&filename=roll.csv', {
    method: 'POST', body: rollFile(N),
    headers: { Cookie: who.cookie, 'X-CSRF-Token': who.csrf, 'Content-Type': 'application/octet-stream' },
  })
  const body = await r.json()
  assert.equal(r.status, 202, JSON.stringify(body))
  const job = body.job_id
  // One stream on each server, straight to it: the one not running the job hears of it only
  // through PostgreSQL (LISTEN/NOTIFY).
  const streams = [a, b].map((s) => fetch(`${s.base}/api/v1/jobs/${job}/events`, { headers: { Cookie: who.cookie } })
    .then(async (res) => { assert.equal(res.status, 200); return (await readEvents(res)).events }))
  const [onA, onB] = await Promise.all(streams)
  const runner = psql(url, `SELECT server FROM jobs WHERE id = ${job}`)
  assert.ok(['node-a', 'node-b'].includes(runner), runner)
  for (const [name, events] of [['node-a', onA], ['node-b', onB]]) {
    const end = events.at(-1)
    assert.equal(end.event, 'end', `${name}: ${JSON.stringify(events.slice(-2))}`)
    assert.equal(end.data.status, 'done', JSON.stringify(end.data))
    assert.equal(end.data.result.rows, N)
    const running = events.filter((e) => e.event === 'progress' && e.data.status === 'running')
    assert.ok(running.length >= 1, `${name} (${name === runner ? 'running it' : 'the other server'}) saw progress: ${events.length} events`)
  }
  // Run once: one job, one import, the rows counted once.
  assert.equal(psql(url, `SELECT count(*) FROM jobs WHERE id = ${job} AND status = 'done'`), '1')
  assert.equal(psql(url, "SELECT count(*) FROM imports WHERE filename = 'roll.csv'"), '1')
  assert.equal(psql(url, "SELECT rows FROM imports WHERE filename = 'roll.csv'"), String(N))
})

// Straight to one server (not through nginx): the session lives in the database.
async function callOn(server, who, method, path, body) {
  const headers = { Cookie: who.cookie }
  if (method !== 'GET') { headers['X-CSRF-Token'] = who.csrf; headers['Content-Type'] = 'application/json' }
  const r = await fetch(server.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  let json = null
  try { json = JSON.parse(text) } catch { /* not JSON */ }
  return { status: r.status, body: json, text }
}

// The totals server `s` answers for `lists`, each asked `times` times (its workers each keep
// their own remembered totals: every answer must agree).
async function totalsOn(s, who, lists, times = 4) {
  const out = {}
  for (const q of lists) {
    const seen = new Set()
    for (let i = 0; i < times; i++) {
      const r = await callOn(s, who, 'GET', `/api/v1/elders?${q}&page_size=1`)
      assert.equal(r.status, 200, r.text)
      seen.add(r.body.total)
    }
    assert.equal(seen.size, 1, `${q}: one total on every worker of ${s.port} (${[...seen]})`)
    out[q] = [...seen][0]
  }
  return out
}

const LISTS = ['page=1', 'status=active', 'category=advanced_age', 'age_min=80', 'region=520327001',
  'status=active&region=520327001001', 'q=%E9%9B%86%E7%BE%A4%E6%80%BB']

// RULE-DB-140, RULE-DB-141: the totals server B remembers move with a write through server A
// (an elder registered, its status changed) and with an import committed through A (a bulk
// write: the generation is moved once before its commit).  RULE-DB-133: B reads the generation
// with each page (a remembered total under a stale generation would not move).
test('RULE-DB-140: a write through one server changes the totals the other answers next', async () => {
  const who = await signIn('fg_civil')
  const t0 = await totalsOn(b, who, LISTS)
  assert.deepEqual(await totalsOn(b, who, LISTS), t0, 'nothing written: the same totals')
  const r = await callOn(a, who, 'POST', '/api/v1/elders', {
    name: '集群总数', id_number: idNumber('520327', '19400202', 777), region_code: '520327001001',
    address: '龙泉街道 1 号', phone: '13800001234',
  })
  assert.equal(r.status, 201, r.text)
  const t1 = await totalsOn(b, who, LISTS)
  for (const q of LISTS) assert.equal(t1[q], t0[q] + 1, `${q} after a registration through A`)
  const st = await callOn(a, who, 'PATCH', `/api/v1/elders/${r.body.id}`, {
    version: r.body.version, status: 'deceased', status_date: '2026-11-01', status_reason: '死亡',
  })
  assert.equal(st.status, 200, st.text)
  const t2 = await totalsOn(b, who, LISTS)
  assert.equal(t2['status=active'], t0['status=active'], 'status=active after the death through A')
  assert.equal(t2['status=active&region=520327001001'], t0['status=active&region=520327001001'])
  assert.equal(t2['page=1'], t1['page=1'])
  // An import committed through A: two new people, a bulk write.
  const csv = `身份证号,姓名,区划代码,住址\n${idNumber('520327', '19400303', 778)},集群总数二,520327001001,二号\n` +
    `${idNumber('520327', '19400404', 779)},集群总数三,520327001001,三号\n`
  const up = await fetch(`${a.base}/api/v1/imports?kind=hukou&filename=cluster-total.csv`, {
    method: 'POST', body: csv,
    headers: { Cookie: who.cookie, 'X-CSRF-Token': who.csrf, 'Content-Type': 'application/octet-stream' },
  })
  const upBody = await up.json()
  assert.equal(up.status, 202, JSON.stringify(upBody))
  const done = async (job) => {
    let j
    for (let i = 0; i < 400 && !['done', 'failed'].includes(j?.status); i++) { j = (await callOn(a, who, 'GET', `/api/v1/jobs/${job}`)).body; await sleep(25) }
    assert.equal(j.status, 'done', JSON.stringify(j))
    return j.result
  }
  const v = await done(upBody.job_id)
  const cm = await callOn(a, who, 'POST', `/api/v1/imports/${v.import_id}/commit`, {})
  assert.equal(cm.status, 202, cm.text)
  assert.equal((await done(cm.body.job_id)).committed, true)
  const t3 = await totalsOn(b, who, LISTS)
  for (const q of LISTS) if (q !== 'q=%E9%9B%86%E7%BE%A4%E6%80%BB') assert.equal(t3[q], t2[q] + 2, `${q} after an import through A`)
  assert.equal(t3['q=%E9%9B%86%E7%BE%A4%E6%80%BB'], t2['q=%E9%9B%86%E7%BE%A4%E6%80%BB'] + 2)
})

test('kill -9 one server during a burst of writes: nginx moves to the other, every 2xx write is stored', async () => {
  const who = await signIn('fg_civil')
  const ok = [], failed = []
  let n = 0
  const writer = async (w) => {
    for (let i = 0; i < 40; i++) {
      const k = n++
      const id = idNumber('520327', '19450101', k)
      const r = await call(who, 'POST', '/api/v1/elders', {
        name: `集群${w}号${i}`, id_number: id, region_code: '520327001001', address: `龙泉街道 ${k} 号`, phone: '13800001234',
      })
      if (r.status === 201) ok.push(id.slice(0, 6) + id.slice(-1) + ':' + r.body.id)
      else failed.push(`${r.status} ${r.status === 502 ? '' : r.text.slice(0, 200)}`)
    }
  }
  const burst = Promise.all([writer(1), writer(2), writer(3), writer(4)])
  await sleep(300)
  await b.kill9()
  await burst
  assert.ok(ok.length >= 100, `most writes answered 2xx after the kill (${ok.length} ok, failed: ${failed.slice(0, 3).join(' | ')})`)
  // Every acknowledged write is in the database.
  const ids = ok.map((s) => Number(s.split(':')[1]))
  const stored = Number(psql(url, `SELECT count(*) FROM elders WHERE id IN (${ids.join(',')})`))
  assert.equal(stored, ids.length, 'every 2xx elder is stored')
  // And the survivor keeps answering through nginx.
  const r = await call(who, 'GET', '/api/v1/elders?q=集群&page_size=5')
  assert.equal(r.status, 200, r.text)
  assert.equal(a.running, true)
})
