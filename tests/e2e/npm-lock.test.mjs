// A newcomer's tree stays clean (issue 18, point 12): npm writes every optional dependency of a
// locked package (rollup's per-platform builds) into package-lock.json, whatever platform it
// runs on; a lock without them is rewritten by the first `npm install` of `make run`/`make test`.
// The committed lock holds them all, so the install leaves it as it is.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'

test('the lock holds every optional dependency of every locked package', () => {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'))
  const missing = []
  for (const [path, pkg] of Object.entries(lock.packages)) {
    for (const dep of Object.keys(pkg.optionalDependencies || {})) {
      const nested = `${path}/node_modules/${dep}`
      if (!lock.packages[nested] && !lock.packages[`node_modules/${dep}`]) missing.push(`${path || '(root)'} → ${dep}`)
    }
  }
  assert.deepEqual(missing, [], 'npm install would add these to package-lock.json')
})

test('package.json and the lock agree (npm ci accepts the lock)', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
  const root = JSON.parse(readFileSync('package-lock.json', 'utf8')).packages['']
  assert.deepEqual(root.dependencies, pkg.dependencies)
  assert.deepEqual(root.devDependencies, pkg.devDependencies)
})
