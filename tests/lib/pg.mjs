// The API and browser tests on PostgreSQL (issue 11).  ANLAO_TEST_PG is the URL of a throwaway
// cluster (tests/lib/pg.sh, started by `make api-pg`); when it is set, every test server runs on
// a database of its own in that cluster instead of a SQLite file.  A test about SQLite itself
// says so with `{ skip: PG && 'reason' }`.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'

export const PG = process.env.ANLAO_TEST_PG || ''

// The URL of database `name` in the test cluster.
export function pgUrl(name) { return PG.replace(/^(postgresql:\/\/[^/?]*\/)([^?]*)/, `$1${name}`) }

// psql on a URL; throws on any error.  -A -t prints rows as the sqlite3 shell does (fields
// joined by |), so a test's checks on stored rows read the same on both engines.
export function psql(url, sql) {
  const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`psql ${url}: ${sql}\n${r.stderr}${r.error || ''}`)
  return r.stdout.replace(/\n+$/, '')
}

// The database of a server directory, created when missing: a test that restarts a server on
// the same directory finds its data again.  Returns { name, url }.
export function pgDatabaseFor(dir) {
  const name = 't_' + createHash('sha1').update(dir).digest('hex').slice(0, 20)
  const admin = pgUrl('postgres')
  if (psql(admin, `SELECT 1 FROM pg_database WHERE datname = '${name}'`) !== '1') psql(admin, `CREATE DATABASE ${name}`)
  return { name, url: pgUrl(name) }
}

export function pgDropDatabase(name) {
  psql(pgUrl('postgres'), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
}

// A copy of database `name` (no connection may be open on it) as a new database; returns its URL.
export function pgCopyDatabase(name, suffix) {
  const copy = `${name}_${suffix}`.toLowerCase().replace(/[^a-z0-9_]/g, '_')
  psql(pgUrl('postgres'), `DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`)
  psql(pgUrl('postgres'), `CREATE DATABASE ${copy} TEMPLATE ${name}`)
  return pgUrl(copy)
}
