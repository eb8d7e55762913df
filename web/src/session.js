// Who is signed in, their permissions and preferences.
import { reactive } from 'vue'

export const session = reactive({
  user: null,
  csrf: null,
  loaded: false,
})

export function can(permission) {
  return !!session.user && session.user.permissions.includes(permission)
}

// What the pages need to know about the display: 长辈模式 and a phone-sized window.
// `mobile` (< 768 px): the menu becomes a drawer, dialogs take the width. `phone` (≤ 600 px):
// lists become cards (docs/ui.md).
const PHONE_MAX = 768
const CARDS_MAX = 600
export const ui = reactive({ elder: false, mobile: window.innerWidth < PHONE_MAX, phone: window.innerWidth <= CARDS_MAX })
window.addEventListener('resize', () => {
  ui.mobile = window.innerWidth < PHONE_MAX
  ui.phone = window.innerWidth <= CARDS_MAX
})

// 长辈模式: large text, high contrast, big targets. Before sign-in it is remembered locally.
export function applyElderMode(on) {
  ui.elder = !!on
  document.documentElement.classList.toggle('elder-mode', !!on)
  try { localStorage.setItem('anlao.elderMode', on ? '1' : '0') } catch { /* private mode */ }
}

export function initialElderMode() {
  try { return localStorage.getItem('anlao.elderMode') === '1' } catch { return false }
}

export function setSession(data) {
  session.user = data.user
  session.csrf = data.csrf_token
  session.loaded = true
  applyElderMode(data.user?.prefs?.elder_mode)
}

export function clearSession() {
  session.user = null
  session.csrf = null
  session.loaded = true
}
