// Debian's Chromium driven by playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'

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
