// docs/api.md is generated from the route tables and must stay in step with them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIN, freePort } from '../lib/server.mjs'

test('docs/api.md equals `anlao routes --markdown` (run make docs after changing routes)', () => {
  const r = spawnSync(BIN, ['routes', '--markdown'], { encoding: 'utf8' })
  assert.equal(r.status, 0)
  assert.equal(readFileSync('docs/api.md', 'utf8'), r.stdout)
})

test('every route names a permission', () => {
  const r = spawnSync(BIN, ['routes'], { encoding: 'utf8' })
  for (const line of r.stdout.trim().split('\n')) {
    const perm = line.trim().split(/\s+/)[3]
    assert.match(perm, /^(public|signed_in|[a-z_]+\.[a-z_]+)$/, line)
  }
})

test('the server refuses to start when a route names a permission the database lacks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'anlao-routes-'))
  try {
    const db = join(dir, 't.db')
    const env = { ...process.env, ANLAO_ADMIN_PASSWORD: 'Admin12345' }
    assert.equal(spawnSync(BIN, ['migrate', '--db', db], { env }).status, 0)
    const py = spawnSync('python3', ['-c', "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(\"DELETE FROM role_permissions WHERE permission_id = 'elder.identify'; DELETE FROM permissions WHERE id = 'elder.identify';\"); c.commit()", db])
    assert.equal(py.status, 0, String(py.stderr))
    const r = spawnSync(BIN, ['serve', '--db', db, '--port', String(await freePort())], { env, encoding: 'utf8', timeout: 20000 })
    assert.equal(r.status, 1, r.stdout + r.stderr)
    assert.match(r.stderr, /路由表有误，服务未启动：.*elder\.identify/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

// Business rules have ids cited by code and tests (STYLE.md): every rule of docs/rules.md is
// named by at least one test under tests/ (unit, API, browser), next to a real assertion.
test('every rule id in docs/rules.md is named by a test', () => {
  const rules = readFileSync('docs/rules.md', 'utf8')
  const ids = [...rules.matchAll(/^\| (RULE-[A-Z]+-\d+) \|/gm)].map((m) => m[1])
  assert.ok(ids.length > 50, 'rule ids read from docs/rules.md')
  assert.equal(new Set(ids).size, ids.length, 'each id defined once: ' + ids.filter((x, i) => ids.indexOf(x) !== i))
  const text = []
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) { if (e.name !== 'corpus') walk(p) } else if (/\.(c|h|mjs|js|sh)$/.test(e.name)) text.push(readFileSync(p, 'utf8'))
    }
  }
  walk('tests')
  const all = text.join('\n')
  const untested = ids.filter((id) => !new RegExp(`${id}(?!\\d)`).test(all))
  assert.deepEqual(untested, [], 'rules no test names: write a test of the rule citing its id')
})
