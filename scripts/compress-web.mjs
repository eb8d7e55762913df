// Precompress the built web app (RULE-HTTP-006): next to every text file of web/dist worth it,
// write FILE.gz (gzip -9) and FILE.br (brotli, quality 11). The server sends one of them when the
// client's Accept-Encoding allows it. Run after `vite build` (package.json's build script).
import { readdirSync, readFileSync, writeFileSync, statSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync, brotliCompressSync, constants } from 'node:zlib'

const root = process.argv[2] || new URL('../web/dist', import.meta.url).pathname
const compressible = /\.(js|mjs|css|html|svg|json|txt|webmanifest|ttf)$/
const MIN = 1024

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name)
    if (statSync(full).isDirectory()) { walk(full); continue }
    if (/\.(gz|br)$/.test(name)) { unlinkSync(full); continue }
    if (!compressible.test(name)) continue
    const raw = readFileSync(full)
    if (raw.length < MIN) continue
    const gz = gzipSync(raw, { level: 9 })
    const br = brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    })
    // A variant no smaller than the file is not worth a header.
    if (gz.length < raw.length) writeFileSync(full + '.gz', gz)
    if (br.length < raw.length) writeFileSync(full + '.br', br)
  }
}

walk(root)
