// Photos and documents attached to a record (issues 13, 14, 15; src/attach; docs/attachments.md):
// sniffed by content, a size limit from settings, stored encrypted under a random name with their
// SHA-256, seen only through the owner record's scope, audited.  Owner kind here: the bed.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Server, assertError } from '../lib/server.mjs'
import { idNumber } from '../lib/ids.mjs'

let s, civil, admin, jx, helper, caregiver, bed
before(async () => {
  s = await new Server().start()
  ;[civil, admin, jx, helper, caregiver] = await Promise.all(['fg_civil', 'admin', 'jx_officer', 'lq_helper', 'fg_caregiver'].map((u) => s.login(u)))
  const e = await civil.post('/api/v1/elders', { name: '附件老人', id_number: idNumber('520327', '19410101', 91),
    region_code: '520327001001', address: '龙泉街道一号', phone: '13800002222' })
  assert.equal(e.status, 201, JSON.stringify(e.body))
  const b = await civil.post('/api/v1/beds', { elder_id: e.body.id, applicant: 'family' })
  assert.equal(b.status, 201, JSON.stringify(b.body))
  bed = b.body
})
after(async () => { await s.stop(); s.cleanup() })

// A real 1×1 PNG, a JPEG head, a PDF head.
const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex')
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7), Buffer.from([0xff, 0xd9])])
const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
const up = (c, body, q = {}) => c.request('POST', '/api/v1/attachments?' + new URLSearchParams({ owner_kind: 'bed', owner_id: String(bed.id), tag: 'installation', ...q }), body)

test('RULE-ATT-001 RULE-ATT-002 RULE-ATT-003 RULE-ATT-004 RULE-ATT-009 RULE-ATT-010: a photo round-trips, sniffed by content, stored encrypted under a random name, listed with its owner, audited', async () => {
  const r = await up(civil, png, { filename: '扶手.jpg', note: '卫生间扶手' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal(r.body.content_type, 'image/png', 'the content decides, not the name .jpg')
  assert.equal(r.body.size_bytes, png.length)
  assert.equal(r.body.sha256, createHash('sha256').update(png).digest('hex'))
  assert.equal(r.body.url, `/api/v1/attachments/${r.body.id}`)
  const got = await civil.get(r.body.url, { raw: true })
  assert.equal(got.status, 200)
  assert.equal(got.headers.get('content-type'), 'image/png')
  assert.equal(got.headers.get('cache-control'), 'private, max-age=3600', 'one policy, the attachment\'s own')
  assert.ok(got.raw.equals(png), 'the same bytes come back')
  for (const [body, type] of [[jpeg, 'image/jpeg'], [pdf, 'application/pdf']]) {
    const x = await up(civil, body, { tag: 'adaptation' })
    assert.equal(x.status, 201, JSON.stringify(x.body))
    assert.equal(x.body.content_type, type)
    assert.ok((await civil.get(x.body.url, { raw: true })).raw.equals(body))
  }
  // RULE-ATT-004: the file on disk has a random name, none of the bytes in clear.
  const files = readdirSync(join(s.dir, 'attachments'))
  assert.equal(files.length, 3)
  for (const f of files) {
    assert.match(f, /^[0-9a-f]{32}$/)
    assert.equal(readFileSync(join(s.dir, 'attachments', f)).includes(png.subarray(0, 8)), false, 'encrypted at rest')
  }
  // RULE-ATT-010: the owner's list, and the bed carries its photos (RULE-BED-050).
  const list = await civil.get(`/api/v1/attachments?owner_kind=bed&owner_id=${bed.id}`)
  assert.equal(list.status, 200)
  assert.deepEqual(list.body.items.map((a) => a.tag), ['installation', 'adaptation', 'adaptation'])
  assert.equal(list.body.items[0].filename, '扶手.jpg')
  const b = await civil.get(`/api/v1/beds/${bed.id}`)
  assert.equal(b.body.attachments.length, 3)
  // RULE-ATT-009: audited with the owner as target.
  const a = await admin.get('/api/v1/audit?action=attachment.create')
  assert.equal(a.body.items.filter((e) => e.target_type === 'bed' && e.target_id === String(bed.id)).length, 3)
  // A helper with bed.read sees them too.
  assert.equal((await helper.get(r.body.url, { raw: true })).status, 200)
})

test('RULE-ATT-011: the same file sent again for the same record and use (a retried offline upload) is stored once and answered again', async () => {
  const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 9), Buffer.from([0xff, 0xd9])])
  const before = (await civil.get(`/api/v1/attachments?owner_kind=bed&owner_id=${bed.id}`)).body.items.length
  const first = await up(civil, photo, { tag: 'adaptation', filename: '门槛.jpg' })
  assert.equal(first.status, 201, JSON.stringify(first.body))
  const again = await up(civil, photo, { tag: 'adaptation', filename: '门槛.jpg' })
  assert.equal(again.status, 200, JSON.stringify(again.body))
  assert.equal(again.headers.get('idempotent-replayed'), 'true')
  assert.equal(again.body.id, first.body.id)
  // Another use of the same file is another attachment.
  const other = await up(civil, photo, { tag: 'installation', filename: '门槛.jpg' })
  assert.equal(other.status, 201)
  assert.notEqual(other.body.id, first.body.id)
  const items = (await civil.get(`/api/v1/attachments?owner_kind=bed&owner_id=${bed.id}`)).body.items
  assert.equal(items.length, before + 2)
  const audit = (await admin.get('/api/v1/audit?action=attachment.create')).body.items
  assert.equal(audit.filter((e) => e.detail?.attachment_id === first.body.id).length, 1, 'audited once')
})

test('RULE-ATT-002 RULE-ATT-005 RULE-ATT-006: wrong type, oversize, empty, unknown owner kind and tag are refused naming the field; nothing is stored', async () => {
  const before = readdirSync(join(s.dir, 'attachments')).length
  // A text file named .jpg and an executable: the content decides.
  for (const body of [Buffer.from('not a photo at all'), Buffer.from('\x7fELF\x02\x01\x01')]) {
    const r = await up(civil, body, { filename: 'photo.jpg' })
    assertError(assert, r, 400, 'invalid', 'file')
    assert.match(r.body.error.message, /JPEG|PNG|PDF/)
  }
  assertError(assert, await up(civil, Buffer.alloc(0)), 400, 'invalid', 'file')
  // RULE-ATT-005: the size limit is the setting attach.max_bytes (10 MiB); larger is 413.
  const big = Buffer.concat([jpeg.subarray(0, 4), Buffer.alloc(10 * 1024 * 1024, 1)])
  const r = await up(civil, big)
  assertError(assert, r, 413, 'too_large', 'file')
  assert.match(r.body.error.message, /10\.0 MB/)
  assertError(assert, await up(civil, png, { owner_kind: 'spaceship' }), 400, 'invalid', 'owner_kind')
  assertError(assert, await up(civil, png, { tag: 'selfie' }), 400, 'invalid', 'tag')
  assertError(assert, await up(civil, png, { owner_id: '0' }), 400, 'invalid', 'owner_id')
  assert.equal(readdirSync(join(s.dir, 'attachments')).length, before, 'no file left behind')
})

test('RULE-ATT-007 RULE-ATT-008: outside the owner\'s region or without its permission: 404 like a missing one; a missing owner 404', async () => {
  const r = await up(civil, png, { tag: 'adaptation' }) // the png is already an installation photo (RULE-ATT-011)
  assert.equal(r.status, 201)
  // Another township's officer: the bed is not theirs, so neither is its photo.
  const hidden = await jx.get(r.body.url, { raw: true })
  assert.equal(hidden.status, 404)
  const missing = await jx.get('/api/v1/attachments/999999', { raw: true })
  assert.equal(missing.status, 404)
  assert.deepEqual(JSON.parse(hidden.raw.toString()), JSON.parse(missing.raw.toString()), 'indistinguishable from a missing one')
  assertError(assert, await jx.get(`/api/v1/attachments?owner_kind=bed&owner_id=${bed.id}`), 404, 'not_found', 'owner_id')
  assertError(assert, await up(jx, png), 404, 'not_found', 'owner_id')
  assertError(assert, await up(civil, png, { owner_id: '999999' }), 404, 'not_found', 'owner_id')
  // A caregiver holds no bed permission: the photo is not found for them either.
  assert.equal((await caregiver.get(r.body.url, { raw: true })).status, 404)
  // A helper may read beds but not write them.
  assertError(assert, await up(helper, png), 403, 'forbidden', 'owner_kind')
  // A closed bed takes no new photos.
  const e = await civil.post('/api/v1/elders', { name: '结束老人', id_number: idNumber('520327', '19410101', 92),
    region_code: '520327001001', address: '龙泉街道二号', phone: '13800003333' })
  const b = await civil.post('/api/v1/beds', { elder_id: e.body.id, applicant: 'elder' })
  assert.equal((await civil.post(`/api/v1/beds/${b.body.id}/close`, { reason: 'withdrawn' })).status, 200)
  assertError(assert, await up(civil, png, { owner_id: String(b.body.id) }), 409, 'conflict', 'owner_id')
})
