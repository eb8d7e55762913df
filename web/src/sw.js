// The service worker (RULE-UI-043): the app shell (index.html and every built asset, listed by
// the build in ASSETS) is cached at install, so a reload without network still opens the page;
// a few GETs a page needs offline (who is signed in, the caregiver's visits, the canteens) are
// fetched from the network first and answered from the last copy when there is none — that copy
// carries `X-Anlao-Offline: 1` and is dropped at sign-in and sign-out. Writes are never touched:
// the page's queue (src/offline.js) keeps them. The build (vite.config.js) writes dist/sw.js
// from this file with ASSETS and VERSION filled in; main.js registers it in production builds.
const ASSETS = self.__ANLAO_ASSETS__ || []
const VERSION = self.__ANLAO_VERSION__ || 'dev'
const SHELL = `anlao-shell-${VERSION}`
const API = 'anlao-api'
const OFFLINE_GETS = [/^\/api\/v1\/me$/, /^\/api\/v1\/service\/my\/visits$/, /^\/api\/v1\/meal\/canteens$/,
  /^\/api\/v1\/visit-tasks$/, /^\/api\/v1\/visit-targets\/\d+$/]

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(['/', ...ASSETS.map((a) => '/' + a)])).then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const k of await caches.keys()) if (k.startsWith('anlao-shell-') && k !== SHELL) await caches.delete(k)
    await self.clients.claim()
  })())
})

async function networkFirstApi(req) {
  const cache = await caches.open(API)
  try {
    const res = await fetch(req)
    if (res.ok) await cache.put(req, res.clone())
    return res
  } catch (err) {
    const hit = await cache.match(req)
    if (!hit) throw err
    const headers = new Headers(hit.headers)
    headers.set('X-Anlao-Offline', '1')
    return new Response(await hit.blob(), { status: hit.status, headers })
  }
}

async function page(req) {
  try {
    return await fetch(req)
  } catch (err) {
    const hit = await caches.match('/', { cacheName: SHELL })
    if (hit) return hit
    throw err
  }
}

async function asset(req) {
  const hit = await caches.match(req, { cacheName: SHELL })
  return hit || fetch(req)
}

self.addEventListener('fetch', (event) => {
  const req = event.request
  const url = new URL(req.url)
  if (url.origin !== self.location.origin) return
  if (req.method !== 'GET') {
    // A new session: the last user's offline copies go.
    if (/^\/api\/v1\/auth\/(login|logout)$/.test(url.pathname)) event.waitUntil(caches.delete(API))
    return
  }
  if (url.pathname.startsWith('/api/')) {
    if (OFFLINE_GETS.some((re) => re.test(url.pathname))) event.respondWith(networkFirstApi(req))
    return
  }
  if (req.mode === 'navigate') return event.respondWith(page(req))
  if (url.pathname === '/sw.js') return
  event.respondWith(asset(req))
})
