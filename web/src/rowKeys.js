// v-row-keys on an <el-table> whose rows open a record: every row can be reached with Tab and
// opened with Enter (or Space), as a click would (docs/ui.md, "List").
function mark(el) {
  for (const tr of el.querySelectorAll('tr.el-table__row')) {
    if (tr.tabIndex !== 0) tr.tabIndex = 0
  }
}
export const vRowKeys = {
  mounted(el) {
    mark(el)
    el._rowKeysObserver = new MutationObserver(() => mark(el))
    el._rowKeysObserver.observe(el, { childList: true, subtree: true })
    el._rowKeysHandler = (ev) => {
      const tr = ev.target
      if ((ev.key === 'Enter' || ev.key === ' ') && tr.matches && tr.matches('tr.el-table__row')) {
        ev.preventDefault()
        tr.click()
      }
    }
    el.addEventListener('keydown', el._rowKeysHandler)
  },
  unmounted(el) {
    el._rowKeysObserver?.disconnect()
    el.removeEventListener('keydown', el._rowKeysHandler)
  },
}
