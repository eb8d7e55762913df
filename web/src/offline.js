// The offline queue (issues 13, 15, 17; RULE-UI-040..043): a write made without a network is
// kept in IndexedDB (method, url, body, idempotency key, created time, user) and sent in order
// when the network returns (the `online` event, every 30 s, on start and on request). Each entry
// keeps its key on every retry, so the server writes it once (RULE-SVC-044, RULE-MEAL-021); an
// entry leaves the queue only on a 2xx answer, or on a refusal (4xx other than 401/408/429),
// which is shown in `outbox.failed`. docs/ui.md, "Offline writes", shows how a page uses it.
import { reactive } from 'vue'
import { session } from './session.js'
import { chinaClock } from './format.js'

const DB = 'anlao-offline'
const STORE = 'outbox'
const EVERY_MS = 30000

// Reactive state for the pages: `count` entries of the signed-in user wait; `failed` lists the
// ones refused after their page stopped waiting ({ label, message, at }) until dismissed; `online` mirrors navigator.onLine.
export const outbox = reactive({ count: 0, failed: [], online: navigator.onLine, syncing: false })

let dbp = null
function db() {
  dbp ??= new Promise((ok, fail) => {
    const req = indexedDB.open(DB, 1)
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true })
    req.onsuccess = () => ok(req.result)
    req.onerror = () => { dbp = null; fail(req.error) }
  })
  return dbp
}
function tx(mode, fn) {
  return db().then((d) => new Promise((ok, fail) => {
    const t = d.transaction(STORE, mode)
    const out = fn(t.objectStore(STORE))
    t.oncomplete = () => ok(out && 'result' in out ? out.result : undefined)
    t.onerror = () => fail(t.error)
    t.onabort = () => fail(t.error)
  }))
}
const all = () => tx('readonly', (s) => s.getAll())
const put = (e) => tx('readwrite', (s) => s.put(e))
const drop = (seq) => tx('readwrite', (s) => s.delete(seq))

const mine = (e) => !!session.user && e.user === session.user.id

async function recount() {
  try { outbox.count = (await all()).filter(mine).length } catch { /* no IndexedDB: count stays */ }
}

// The signed-in user's waiting entries, oldest first (a page shows its own records as done).
export async function pending() {
  try { return (await all()).filter(mine).sort((a, b) => a.seq - b.seq) } catch { return [] }
}

// The device's time in China time, as the service API takes it (YYYY-MM-DDTHH:MM:SS+08:00).
export const deviceTime = (ms = Date.now()) => chinaClock(ms).slice(0, 19) + '+08:00'

// A fresh idempotency key: `prefix-` and 32 hex digits (RULE-SVC-050: 8–64 of A–Z a–z 0–9 - _ . :).
export function newKey(prefix = 'w') {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return `${prefix}-${[...b].map((x) => x.toString(16).padStart(2, '0')).join('')}`
}

// Pages told of every entry the server took, however late (fn(entry, answer)).
const listeners = new Set()
export function onSynced(fn) { listeners.add(fn); return () => listeners.delete(fn) }

// Results of entries sent while a page awaits them (seq → { ok, data } | { error }).
const results = new Map()
const waiting = new Set()

// Queue a write and try to send it now. Resolves with { sent: true, data } when the server took
// it, { sent: false } when it waits in the queue; rejects with the server's error (an ApiError-like
// object with `status`) when the server refused it. `stamp` names a body field filled with the
// device's time at the first attempt made online (`sent_at`, RULE-SVC-043); the body is frozen
// from then on, so every retry is byte for byte the same (RULE-SVC-051 hashes it).
// RULE-UI-045: `upload: { url, file, label }` queues a file before the write, in the same
// IndexedDB transaction, and the id the server gives the file fills the body's field `fill`
// (the signature's PNG, then the confirmation naming it); a refused file refuses the write.
export async function submit({ method = 'POST', url, body = {}, key, label = '', stamp = null, upload = null, fill = null }) {
  // A plain copy: IndexedDB cannot store Vue's reactive proxies (a checklist array).
  const entry = { method, url, body: JSON.parse(JSON.stringify(body)), key: key || newKey(), label, stamp, fill, text: null, created: Date.now(), user: session.user?.id ?? null }
  if (upload) {
    await putWithParent(fileEntry({ ...upload, parent: null }), entry)
    outbox.count += 2
  } else {
    entry.seq = await put(entry)
    outbox.count++
  }
  waiting.add(entry.seq)
  try { await flush() } finally { waiting.delete(entry.seq) }
  const r = results.get(entry.seq)
  results.delete(entry.seq)
  if (!r) return { sent: false, seq: entry.seq }
  if (r.error) throw r.error
  return { sent: true, data: r.data }
}

// RULE-UI-044: a file (a photo) kept in the queue with its write and sent after it: `url` may
// hold `{id}`, filled with the id the server gives the entry `parent` (a seq that submit()
// answered with { sent: false, seq }) when that entry is taken; a file whose parent is refused
// is dropped and told in `outbox.failed`. The server stores a file sent twice once (RULE-ATT-011).
// Files over `maxBytes` or of another type than `types` are refused before they are queued.
export const FILE_TYPES = ['image/jpeg', 'image/png', 'application/pdf']
export async function submitFile({ url, file, parent = null, label = '', maxBytes = 10 * 1024 * 1024, types = FILE_TYPES }) {
  const entry = fileEntry({ url, file, parent, label, maxBytes, types })
  entry.seq = await put(entry)
  outbox.count++
  flush()
  return entry.seq
}

// A file's queue entry, its type and size checked first (a refusal throws with the message).
function fileEntry({ url, file, parent = null, label = '', maxBytes = 10 * 1024 * 1024, types = FILE_TYPES }) {
  if (!types.includes(file.type)) throw Object.assign(new Error(`${file.name}：只能是 JPEG 或 PNG 照片、PDF 文档`), { field: 'file' })
  if (file.size > maxBytes) throw Object.assign(new Error(`${file.name}：文件不能超过 ${(maxBytes / 1048576).toFixed(0)} MB`), { field: 'file' })
  return { method: 'POST', url, file: new Blob([file], { type: file.type }), parent, key: newKey('file'), label, stamp: null, text: '', created: Date.now(), user: session.user?.id ?? null }
}

// `parent` and then `child` naming it, in one transaction (both or neither); sets their seqs.
function putWithParent(parent, child) {
  return tx('readwrite', (s) => {
    const a = s.put(parent)
    a.onsuccess = () => {
      parent.seq = child.parent = a.result
      const b = s.put(child)
      b.onsuccess = () => { child.seq = b.result }
    }
  })
}

// An entry still waiting for the id its parent will be given (a url's {id}, a body's `fill`).
const unresolved = (e) => e.parent != null && (e.url.includes('{id}') || (!!e.fill && !(e.fill in e.body)))

let running = null
let again = false
// Send the signed-in user's entries in order; stop at the first that cannot be sent now.
export function flush() {
  if (running) { again = true; return running }
  running = (async () => {
    outbox.syncing = true
    try {
      do { again = false; await sendAll() } while (again)
    } finally {
      outbox.syncing = false
      running = null
      await recount()
    }
  })()
  return running
}

// A taken entry's id into the entries that wait for it (RULE-UI-044: a file's url; RULE-UI-045:
// a write's body field), kept in IndexedDB at once.
async function resolveChildren(entries, parent, data) {
  const id = data?.id ?? ''
  for (const c of entries) {
    if (c.parent !== parent.seq || !unresolved(c)) continue
    if (c.url.includes('{id}')) c.url = c.url.replace('{id}', encodeURIComponent(String(id)))
    if (c.fill) c.body = { ...c.body, [c.fill]: id }
    await put(c)
  }
}

async function sendAll() {
  outbox.online = navigator.onLine
  if (!navigator.onLine || !session.user) return
  let entries
  try { entries = (await all()).filter(mine).sort((a, b) => a.seq - b.seq) } catch { return }
  const refused = new Map() // seq → the server's refusal
  for (const e of entries) {
    if (unresolved(e)) { // its parent was refused, or is gone
      await drop(e.seq)
      const why = refused.get(e.parent)
      if (waiting.has(e.seq)) results.set(e.seq, { error: why || new Error('所依据的文件已不在本机，请重新操作') })
      else if (e.file) outbox.failed.push({ label: e.label, message: '所属记录未能保存，照片未上传', at: Date.now() })
      else outbox.failed.push({ label: e.label, message: `所附文件未能上传${why ? '：' + why.message : ''}`, at: Date.now() })
      continue
    }
    if (e.text === null) {
      const body = { ...e.body }
      if (e.stamp) body[e.stamp] = deviceTime()
      e.text = JSON.stringify(body)
      await put(e)
    }
    let res, data = null
    try {
      const headers = { 'Content-Type': e.file ? (e.file.type || 'application/octet-stream') : 'application/json', 'Idempotency-Key': e.key }
      if (session.csrf) headers['X-CSRF-Token'] = session.csrf
      res = await fetch(e.url, { method: e.method, headers, body: e.file || e.text, credentials: 'same-origin' })
      const t = await res.text()
      try { data = t ? JSON.parse(t) : null } catch { data = null }
    } catch {
      return // no answer (network): kept, the same text and key next time
    }
    if (res.ok) {
      await resolveChildren(entries, e, data)
      await drop(e.seq)
      if (waiting.has(e.seq)) results.set(e.seq, { data })
      for (const fn of listeners) { try { fn(e, data) } catch { /* a page's own error */ } }
      continue
    }
    // 401 (signed out), 408, 429 and 5xx: kept and retried later, in order.
    if (res.status === 401 || res.status === 408 || res.status === 429 || res.status >= 500) return
    await drop(e.seq)
    const err = Object.assign(new Error(data?.error?.message || `请求失败（${res.status}）`), { status: res.status, code: data?.error?.code, field: data?.error?.field })
    refused.set(e.seq, err)
    // A write awaited by its page that waited on this file tells the refusal itself.
    const told = entries.some((c) => c.parent === e.seq && c.fill && waiting.has(c.seq))
    if (waiting.has(e.seq)) results.set(e.seq, { error: err })
    else if (!told) outbox.failed.push({ label: e.label, message: err.message, at: Date.now() })
  }
}

export function dismissFailed() { outbox.failed.splice(0) }

// Start once per page load: count what waits and send it when the network is back.
let started = false
export function startOutbox() {
  if (started) return
  started = true
  window.addEventListener('online', () => { outbox.online = true; flush() })
  window.addEventListener('offline', () => { outbox.online = false })
  setInterval(() => { if (outbox.count) flush() }, EVERY_MS)
  flush()
}

// The app shell for offline use (RULE-UI-043): registered by the pages that work offline, in
// production builds only (Vite's dev server has no dist/sw.js), so the sign-in page and the
// officers' pages do not download the whole app for it.
export function registerShell() {
  if (import.meta.env.PROD && 'serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {})
}
