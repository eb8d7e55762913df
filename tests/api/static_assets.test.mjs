// The web app's files: precompressed variants chosen from Accept-Encoding (RULE-HTTP-006) and
// the cache headers (RULE-HTTP-007). The web root is a temporary one built here with the same
// script the web build runs (scripts/compress-web.mjs), so this file needs no `make web`.
import { after, before } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, brotliDecompressSync } from 'node:zlib'

import { Server, serverTest } from './helpers.mjs'

let srv
let root
const test = serverTest(() => [srv])

// Raw GET: node's fetch would decode the body; we need the bytes as sent.
function get(base, path, headers = {}) {
  return new Promise((ok, fail) => {
    const u = new URL(base)
    // path as given (no URL normalisation of '..')
    const req = request({ host: u.hostname, port: u.port, path, headers }, (res) => {
      const parts = []
      res.on('data', (d) => parts.push(d))
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }))
    })
    req.on('error', fail)
    req.end()
  })
}

const js = 'export const words = [' + Array.from({ length: 4000 }, (_, i) => `"长辈${i % 97}"`).join(',') + ']\n'
const html = '<!doctype html><html lang="zh-CN"><head><title>安老</title></head><body>' + '<div id="app"></div>'.repeat(200) + '</body></html>\n'

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'anlao-web-'))
  mkdirSync(join(root, 'assets'))
  writeFileSync(join(root, 'assets', 'index-AbC123xy.js'), js)
  writeFileSync(join(root, 'index.html'), html)
  writeFileSync(join(root, 'assets', 'tiny-Zz99.css'), 'a{b:c}\n') // too small to compress
  execFileSync(process.execPath, ['scripts/compress-web.mjs', root])
  srv = await Server.start({ env: { ANLAO_WEB_ROOT: root } })
})

after(async () => {
  await srv?.dispose()
  if (root) rmSync(root, { recursive: true, force: true })
})

test('RULE-HTTP-006: the build writes .gz and .br beside each text file worth it', () => {
  assert.ok(existsSync(join(root, 'assets', 'index-AbC123xy.js.gz')))
  assert.ok(existsSync(join(root, 'assets', 'index-AbC123xy.js.br')))
  assert.ok(existsSync(join(root, 'index.html.br')))
  assert.ok(!existsSync(join(root, 'assets', 'tiny-Zz99.css.gz')), 'a file under 1 KiB stays as it is')
})

test('RULE-HTTP-006: a brotli client gets br, a gzip-only client gzip, others the file; bytes decode to the file', async () => {
  const path = '/assets/index-AbC123xy.js'
  const raw = readFileSync(join(root, 'assets', 'index-AbC123xy.js'))

  const br = await get(srv.base, path, { 'Accept-Encoding': 'gzip, deflate, br, zstd' })
  assert.equal(br.status, 200)
  assert.equal(br.headers['content-encoding'], 'br')
  assert.equal(br.headers['content-type'], 'text/javascript; charset=utf-8')
  assert.equal(br.headers.vary, 'Accept-Encoding')
  assert.equal(Number(br.headers['content-length']), br.body.length)
  assert.ok(br.body.length < raw.length / 3, `br ${br.body.length} of ${raw.length}`)
  assert.deepEqual(brotliDecompressSync(br.body), raw)
  assert.equal(br.headers['x-content-type-options'], 'nosniff')

  const gz = await get(srv.base, path, { 'Accept-Encoding': 'gzip' })
  assert.equal(gz.headers['content-encoding'], 'gzip')
  assert.equal(gz.headers['content-type'], 'text/javascript; charset=utf-8')
  assert.equal(gz.headers.vary, 'Accept-Encoding')
  assert.equal(Number(gz.headers['content-length']), gz.body.length)
  assert.deepEqual(gunzipSync(gz.body), raw)

  // br refused by q=0: gzip; everything refused or no header: the file itself
  const noBr = await get(srv.base, path, { 'Accept-Encoding': 'br;q=0, gzip;q=0.5' })
  assert.equal(noBr.headers['content-encoding'], 'gzip')
  for (const ae of [undefined, 'identity', 'gzip;q=0, br;q=0.000', 'deflate']) {
    const plain = await get(srv.base, path, ae === undefined ? {} : { 'Accept-Encoding': ae })
    assert.equal(plain.headers['content-encoding'], undefined, String(ae))
    assert.equal(plain.headers.vary, 'Accept-Encoding')
    assert.equal(Number(plain.headers['content-length']), raw.length)
    assert.deepEqual(plain.body, raw)
  }
  const star = await get(srv.base, path, { 'Accept-Encoding': '*' })
  assert.equal(star.headers['content-encoding'], 'br')
})

test('RULE-HTTP-006: index.html, also as the answer to an app path, comes compressed', async () => {
  for (const p of ['/', '/elders/12', '/index.html']) {
    const r = await get(srv.base, p, { 'Accept-Encoding': 'gzip' })
    assert.equal(r.status, 200, p)
    assert.equal(r.headers['content-encoding'], 'gzip', p)
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8', p)
    assert.equal(gunzipSync(r.body).toString(), html, p)
  }
  const small = await get(srv.base, '/assets/tiny-Zz99.css', { 'Accept-Encoding': 'br, gzip' })
  assert.equal(small.headers['content-encoding'], undefined)
  assert.equal(small.body.toString(), 'a{b:c}\n')
})

test('RULE-HTTP-007: hashed assets are immutable for a year, index.html is revalidated', async () => {
  const a = await get(srv.base, '/assets/index-AbC123xy.js', { 'Accept-Encoding': 'br' })
  assert.equal(a.headers['cache-control'], 'public, max-age=31536000, immutable')
  for (const p of ['/', '/index.html', '/imports']) {
    const r = await get(srv.base, p, { 'Accept-Encoding': 'br' })
    assert.equal(r.headers['cache-control'], 'no-cache', p)
  }
})

test('path traversal stays refused, also for the compressed names', async () => {
  for (const p of ['/assets/../../etc/passwd', '/assets/%2e%2e/index.html', '/..%2f..%2fetc/passwd.gz']) {
    const r = await get(srv.base, p, { 'Accept-Encoding': 'br, gzip' })
    assert.equal(r.status, 404, p)
    assert.equal(r.headers['content-encoding'], undefined, p)
  }
})
