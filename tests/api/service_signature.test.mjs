// Home services (issue 13): the elder or family signs on the caregiver's screen (RULE-SVC-234).
// The pad is a PNG attachment of the order (tag signature); a blank pad, a blot, another file or
// another order's picture is refused naming the field; the order is confirmed "signature", once,
// audited, and the officers see the signature on the order.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, assertError, serverTest, chinaDay } from './helpers.mjs'
import { idNumber } from '../lib/ids.mjs'
import { inkPng as pad } from '../lib/png.mjs'

let s, civil, carer
const test = serverTest(() => [s])
before(async () => {
  s = await Server.start()
  ;[civil, carer] = await Promise.all(['fg_civil', 'fg_caregiver'].map((u) => s.login(u)))
})
after(async () => { await s?.stop(); await s?.dispose() })

const ok = (r, status = 200) => { assert.equal(r.status, status, r.text); return r.body }
const tomorrow = chinaDay(Date.now() + 86400e3)
let seq = 700
let hour = 8

const W = 300; const H = 120
const signed = pad(W, H, (x, y) => x > 30 && x < 270 && Math.abs(y - 60 - 25 * Math.sin(x / 20)) < 3)
const blank = pad(W, H, () => false)
const blot = pad(W, H, (x, y) => x > 140 && x < 160 && y > 50 && y < 70)
const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')

const upload = (id, body, tag = 'signature') => carer.request('POST', '/api/v1/attachments?' + new URLSearchParams({ owner_kind: 'order', owner_id: String(id), tag, filename: `${tag}.png` }), body)
const sign = (c, id, attachment_id) => c.post(`/api/v1/service/orders/${id}/confirm-signature`, { attachment_id })

// An order of fg_caregiver (孙丽), taken to `until` (arrive or checkout).
async function visit(until = 'checkout') {
  const e = ok(await civil.post('/api/v1/elders', { name: '签名老人', id_number: idNumber('520327', '19380405', seq++), region_code: '520327001001', address: '测试地址 9 号', phone: '13800001234', lat: 27.965, lng: 107.72 }), 201)
  const h = String(hour++).padStart(2, '0')
  const o = ok(await civil.post('/api/v1/service/orders', { elder_id: e.id, items: ['zhujie'], window_start: `${tomorrow}T${h}:00`, window_end: `${tomorrow}T${h}:59` }), 201)
  const sun = ok(await civil.get('/api/v1/service/caregivers')).items.find((c) => c.name === '孙丽')
  ok(await civil.post(`/api/v1/service/orders/${o.id}/assign`, { caregiver_id: sun.id, reason: '测试指定' }))
  for (const step of ['accept', 'start', 'arrive']) ok(await carer.post(`/api/v1/service/orders/${o.id}/${step}`, {}))
  if (until === 'checkout') {
    ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, { lat: 27.965, lng: 107.72, accuracy_m: 10 }))
    ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { lat: 27.965, lng: 107.72, accuracy_m: 10 }))
  }
  return o
}

test('RULE-SVC-234 RULE-ATT-012: a signature on the caregiver\'s screen confirms the visit once, audited, shown to the officers', async () => {
  const o = await visit()
  const att = ok(await upload(o.id, signed), 201)
  assert.equal(att.tag, 'signature')
  const done = ok(await sign(carer, o.id, att.id))
  assert.equal(done.status, 'confirmed')
  assert.equal(done.confirmed_by, 'signature')
  // Once: the order is no longer awaiting confirmation.
  assertError(await sign(carer, o.id, att.id), 409, 'conflict', 'status')
  const audit = ok(await civil.get('/api/v1/audit?action=service.order_confirm&page_size=200')).items
    .find((a) => a.target_id === String(o.id))
  assert.equal(audit.detail.by, 'signature')
  assert.equal(audit.detail.reason, `签名图片 ${att.id}`)
  // The officers see the signature with the order's photos and can open it.
  const full = ok(await civil.get(`/api/v1/service/orders/${o.id}`))
  const pic = full.photos.find((p) => p.tag === 'signature')
  assert.ok(pic, JSON.stringify(full.photos))
  assert.ok((await civil.get(pic.url, { check: false })).raw.equals(signed))
})

test('RULE-SVC-234: a blank pad, a blot, a PDF, another order\'s or a photo\'s picture is refused naming the field; nothing is confirmed', async () => {
  const o = await visit()
  const other = await visit()
  const cases = [
    [ok(await upload(o.id, blank), 201).id, 'signature', /空白/],
    [ok(await upload(o.id, blot), 201).id, 'signature', /太小/],
    [ok(await upload(o.id, pdf), 201).id, 'signature', /PNG/],
    [ok(await upload(other.id, signed), 201).id, 'attachment_id', /没有找到本订单的签名图片/],
    [ok(await upload(o.id, signed, 'after'), 201).id, 'attachment_id', /没有找到本订单的签名图片/],
    [999999, 'attachment_id', /没有找到/],
  ]
  for (const [id, field, message] of cases) {
    const e = assertError(await sign(carer, o.id, id), 422, 'unprocessable', field)
    assert.match(e.message, message)
  }
  assertError(await sign(carer, o.id, 'x'), 400, 'invalid', 'attachment_id')
  assert.equal(ok(await civil.get(`/api/v1/service/orders/${o.id}`)).status, 'completed')
})

test('RULE-SVC-234: only the order\'s caregiver sends a signature, and only once the visit is completed', async () => {
  const o = await visit('arrive')
  const att = ok(await upload(o.id, signed), 201) // signed at the home; confirmed after check-out
  const early = assertError(await sign(carer, o.id, att.id), 409, 'conflict', 'status')
  assert.match(early.message, /[\u4e00-\u9fff]/)
  const officer = await sign(civil, o.id, att.id)
  assertError(officer, 403, 'forbidden') // an officer holds no service.visit
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkin`, { lat: 27.965, lng: 107.72, accuracy_m: 10 }))
  ok(await carer.post(`/api/v1/service/orders/${o.id}/checkout`, { lat: 27.965, lng: 107.72, accuracy_m: 10 }))
  assert.equal(ok(await sign(carer, o.id, att.id)).confirmed_by, 'signature')
})

test('RULE-SVC-222: a confirmation sent again with its Idempotency-Key (an offline queue that lost the answer) answers the first answer, written once', async () => {
  const o = await visit()
  const att = ok(await upload(o.id, signed), 201)
  // The page queues the pad and the confirmation; the upload is sent twice, stored once (RULE-ATT-011).
  assert.equal(ok(await upload(o.id, signed), 200).id, att.id)
  const key = { headers: { 'Idempotency-Key': `sign-${o.id}-0001` } }
  const first = ok(await carer.post(`/api/v1/service/orders/${o.id}/confirm-signature`, { attachment_id: att.id }, key))
  assert.equal(first.confirmed_by, 'signature')
  const again = await carer.post(`/api/v1/service/orders/${o.id}/confirm-signature`, { attachment_id: att.id }, key)
  assert.equal(again.status, 200, again.text)
  assert.equal(again.headers.get('idempotent-replayed'), 'true')
  assert.deepEqual(again.body, first)
  // The key names that confirmation: another body with it is 409 naming the header; without a
  // key the state refuses a second confirmation.
  assertError(await carer.post(`/api/v1/service/orders/${o.id}/confirm-signature`, { attachment_id: att.id + 1 }, key), 409, 'conflict', 'Idempotency-Key')
  assertError(await sign(carer, o.id, att.id), 409, 'conflict', 'status')
  const confirms = ok(await civil.get('/api/v1/audit?action=service.order_confirm&page_size=200')).items
    .filter((a) => a.target_id === String(o.id))
  assert.equal(confirms.length, 1)
  // The code and the helper's confirmations take a key the same way.
  const c = await visit()
  const code = ok(await civil.get(`/api/v1/service/orders/${c.id}/confirm-code`)).code
  const ck = { headers: { 'Idempotency-Key': `code-${c.id}-0001` } }
  const byCode = ok(await carer.post(`/api/v1/service/orders/${c.id}/confirm`, { code }, ck))
  assert.deepEqual(ok(await carer.post(`/api/v1/service/orders/${c.id}/confirm`, { code }, ck)), byCode)
  const h = await visit()
  const hk = { headers: { 'Idempotency-Key': `help-${h.id}-0001` } }
  const byHelper = ok(await civil.post(`/api/v1/service/orders/${h.id}/confirm-for-elder`, { reason: '老人不会用手机' }, hk))
  assert.equal(byHelper.confirmed_by, 'helper')
  assert.deepEqual(ok(await civil.post(`/api/v1/service/orders/${h.id}/confirm-for-elder`, { reason: '老人不会用手机' }, hk)), byHelper)
  assertError(await carer.post(`/api/v1/service/orders/${h.id}/confirm`, { code: '000000' }, { headers: { 'Idempotency-Key': 'bad key' } }), 400, 'invalid', 'Idempotency-Key')
})
