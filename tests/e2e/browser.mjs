// Debian's Chromium driven by playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { ADMIN_PASSWORD, DEMO_PASSWORD } from '../lib/server.mjs'

export const SHOTS = 'build/screenshots'

export async function launch() {
  mkdirSync(SHOTS, { recursive: true })
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  })
}

// Element Plus puts attributes of <el-input> on the inner <input> itself.
export const input = (name) => `input[data-test=${name}], [data-test=${name}] input`

export async function signIn(page, base, username, password) {
  await page.goto(base + '/login')
  await page.fill(input('login-username'), username)
  await page.fill(input('login-password'), password)
  await page.click('[data-test=login-submit]')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

// True when the page body is not wider than the viewport (no sideways scrolling of the page).
export async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)
}

// axe-core (npm) in the page (the page's context needs `bypassCSP: true`: the script is inline): the violations of every rule (WCAG 2.x A/AA and best practices),
// each as "rule-id: help — selector, selector …". Rules that judge what cannot be judged
// headless are kept: a page with a violation fails the test (docs/ui.md, "The axe check").
export async function axeViolations(page) {
  if (!(await page.evaluate(() => !!window.axe))) {
    await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' })
  }
  // A toast or drawer still fading in is half transparent: axe would judge its contrast against
  // what shows through it (CI failed so on the meal rules' 已新增 message).  Wait for every
  // transition that ends to end — two frames first, so one Vue has just started is counted.
  await page.evaluate(async () => {
    for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r))
    const ending = document.getAnimations()
      .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime))
    await Promise.race([
      Promise.all(ending.map((a) => a.finished.catch(() => {}))),
      new Promise((r) => setTimeout(r, 2000)),
    ])
  })
  const r = await page.evaluate(async () => {
    const res = await window.axe.run(document, { resultTypes: ['violations'] })
    return res.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`)
  })
  return r
}

// A page signed in as `user` (demo password, or the admin's) in a context of its own, with
// 长辈模式 set to `elder` through the header switch (the preference is the user's, so it is
// set to what the test needs either way).  Page errors are collected in page.errors.
export async function openAs(browser, server, user, opts, elder = false) {
  const ctx = await browser.newContext(opts)
  const page = await ctx.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.errors = errors
  await signIn(page, server.base, user, user === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD)
  await page.waitForSelector('[data-test=elder-mode]')
  const on = () => page.evaluate(() => document.documentElement.classList.contains('elder-mode'))
  if ((await on()) !== elder) {
    await page.click('[data-test=elder-mode]')
    await page.waitForFunction((want) => document.documentElement.classList.contains('elder-mode') === want, elder)
  }
  return { ctx, page }
}
