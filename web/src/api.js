// The API client: JSON over fetch, the session cookie, and the CSRF header on writes.
import { session } from './session.js'

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {}
    super(e.message || `请求失败（${status}）`)
    this.status = status
    this.code = e.code
    this.field = e.field
    this.retryAfter = e.retry_after
  }
}

// No answer at all (no network, the server unreachable): said in Chinese, never the browser's
// "Failed to fetch"; no `status`, so a page can tell it from a refusal (and queue the write).
export class NetworkError extends Error {
  constructor() {
    super('网络连接失败，请检查网络后重试')
    this.network = true
  }
}

let onUnauthorized = () => {}
export function setUnauthorizedHandler(fn) { onUnauthorized = fn }

export async function api(method, path, body, { raw = false, headers: extra = {} } = {}) {
  const headers = { ...extra }
  const opts = { method, headers, credentials: 'same-origin' }
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf
  if (body instanceof Blob) {
    headers['Content-Type'] = 'application/octet-stream'
    opts.body = body
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    opts.body = JSON.stringify(body)
  }
  let res, text
  try {
    res = await fetch(path, opts)
    if (raw && res.ok) return res
    text = await res.text()
  } catch {
    throw new NetworkError()
  }
  let data = null
  try { data = text ? JSON.parse(text) : null } catch { data = null }
  if (!res.ok) {
    const err = new ApiError(res.status, data)
    if (res.status === 401 && !path.endsWith('/auth/login')) onUnauthorized(err)
    throw err
  }
  return data
}

export const get = (p) => api('GET', p)
export const post = (p, b) => api('POST', p, b ?? {})
export const patch = (p, b) => api('PATCH', p, b)
export const put = (p, b) => api('PUT', p, b)
export const del = (p) => api('DELETE', p)

// Query string from an object, skipping empty values.
export function qs(params) {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, v)
  }
  const s = u.toString()
  return s ? `?${s}` : ''
}

// Download a file answer (export) under the name the server offers.
export async function download(path) {
  const res = await api('GET', path, undefined, { raw: true })
  const cd = res.headers.get('Content-Disposition') || ''
  const m = cd.match(/filename\*=UTF-8''([^;]+)/)
  const name = m ? decodeURIComponent(m[1]) : 'download'
  const blob = await res.blob()
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(a.href), 1000)
}

// Follow a background job (imports, identification) until it is done or failed: each state
// goes to `onState`; resolves with the last one, or null once `stopped()` says the page left.
export async function followJob(id, { onState = () => {}, every = 500, stopped = () => false } = {}) {
  for (;;) {
    const job = await get(`/api/v1/jobs/${id}`)
    if (stopped()) return null
    onState(job)
    if (job.status === 'done' || job.status === 'failed') return job
    await new Promise((done) => setTimeout(done, every))
  }
}
