// docs/api.md is generated from the route tables and must stay in step with them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { BIN } from '../lib/server.mjs'

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
