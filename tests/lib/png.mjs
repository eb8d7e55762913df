// PNG images for the tests of the signature pad (RULE-SVC-234): RGBA, 8 bits, a pixel inked
// (dark, opaque) where `inked(x, y)`, transparent elsewhere; each row written with filter
// row % 5 when `filters`, so a reader must undo every kind; the CRCs left zero.
import { deflateSync } from 'node:zlib'

export function inkPng(w, h, inked, { filters = true } = {}) {
  const stride = w * 4
  const px = Buffer.alloc(h * stride)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inked(x, y)) px.set([20, 30, 60, 255], y * stride + x * 4)
  const at = (y, i) => (y < 0 || i < 0 ? 0 : px[y * stride + i])
  const raw = Buffer.alloc(h * (stride + 1))
  for (let y = 0; y < h; y++) {
    const f = filters ? y % 5 : 0
    raw[y * (stride + 1)] = f
    for (let i = 0; i < stride; i++) {
      const a = at(y, i - 4); const b = at(y - 1, i); const c = at(y - 1, i - 4)
      const p = a + b - c; const pa = Math.abs(p - a); const pb = Math.abs(p - b); const pc = Math.abs(p - c)
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f]
      raw[y * (stride + 1) + 1 + i] = (at(y, i) - pred) & 255
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
    return Buffer.concat([len, Buffer.from(type), data, Buffer.alloc(4)])
  }
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 6
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}
