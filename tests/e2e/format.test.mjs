// The pages' China-time and money helpers (RULE-UI-047), run in a zone far from China: the
// helpers must not read the device's zone.
process.env.TZ = 'America/Los_Angeles'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chinaClock, chinaDay, chinaMonth, fmtHm, fmtTime } from '../../web/src/format.js'
import { yuan, yen } from '../../web/src/meal.js'

test('RULE-UI-047: the China-time helpers give China\'s clock whatever the device\'s zone', () => {
  assert.equal(new Date(Date.UTC(2026, 0, 1)).getHours(), 16, 'the test runs in another zone')
  const newYear = Date.UTC(2026, 11, 31, 16, 30, 5) // 2027-01-01 00:30:05 in China
  assert.equal(chinaClock(newYear), '2027-01-01T00:30:05.000')
  assert.equal(chinaClock(new Date(newYear)), chinaClock('2026-12-31T16:30:05Z'))
  assert.equal(chinaDay(newYear), '2027-01-01')
  assert.equal(chinaDay(newYear - 31 * 60e3), '2026-12-31')
  assert.equal(chinaMonth(newYear), '2027-01')
  assert.equal(fmtTime('2026-12-31T16:30:05Z'), '2027-01-01 00:30:05')
  assert.equal(fmtTime('2027-01-01T00:30:05+08:00'), '2027-01-01 00:30:05')
  assert.equal(fmtTime(''), '')
  assert.equal(fmtTime('not a time'), '')
  assert.equal(fmtHm('2026-12-31T16:30:05Z'), '00:30')
  assert.equal(fmtHm(null), '')
  assert.equal(chinaDay(), chinaClock().slice(0, 10))
})

test('money in fen reads as yuan to the fen, with or without ¥', () => {
  assert.equal(yuan(1200), '12.00')
  assert.equal(yuan(5), '0.05')
  assert.equal(yuan(-150), '-1.50')
  assert.equal(yen(600), '¥6.00')
})
