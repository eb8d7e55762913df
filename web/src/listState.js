// A list's filters, search, page and sort live in the address (docs/ui.md, "List"): shareable,
// and Back from a record returns to the same filtered page.
//
//   const list = useListState({ q: '', status: 'active', page: 1 }, load, { numbers: ['age_min'] })
//   <el-input v-model="list.query.q" @change="list.commit({ replace: true })" />
//   <el-select v-model="list.query.status" @change="list.commit()" />
//   <el-pagination :current-page="list.query.page" @current-change="list.go" />
//
// `query` is the draft the controls edit; `commit()` writes it to the address (page back to 1),
// and every change of the address (commit, Back, Forward, a link) sets `query` from it and calls
// `load(query)`. Values equal to their default stay out of the address. A search box replaces
// the history entry (no entry per keystroke); a deliberate choice (filter, tab, page) pushes one,
// so Back undoes it.
import { reactive, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'

export function useListState(defaults, load, { numbers = [] } = {}) {
  const route = useRoute()
  const router = useRouter()
  const path = route.path
  const numeric = new Set([...numbers, ...Object.keys(defaults).filter((k) => typeof defaults[k] === 'number')])
  const query = reactive({ ...defaults })

  // The address → values (a bad or missing value falls back to the default).
  function read(q) {
    const out = {}
    for (const k of Object.keys(defaults)) {
      const v = Array.isArray(q[k]) ? q[k][0] : q[k]
      if (typeof v !== 'string' || v === '') out[k] = defaults[k]
      else if (numeric.has(k)) out[k] = /^\d+$/.test(v) ? Number(v) : defaults[k]
      else out[k] = v
    }
    return out
  }
  // Values → the address: only what differs from the default; other keys of the address stay.
  function write(values) {
    const q = { ...route.query }
    for (const k of Object.keys(defaults)) {
      const v = values[k]
      if (v === undefined || v === null || v === '' || v === defaults[k]) delete q[k]
      else q[k] = String(v)
    }
    return q
  }
  const same = (a, b) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort())

  function navigate(values, replace) {
    const q = write(values)
    if (same(q, route.query)) return load(query)
    return replace ? router.replace({ query: q }) : router.push({ query: q })
  }
  // Apply the edited filters: back to page 1 unless told otherwise.
  function commit({ replace = false, keepPage = false } = {}) {
    return navigate({ ...query, page: keepPage ? query.page : 1 }, replace)
  }
  // Another page of the same filters.
  function go(page) {
    return navigate({ ...query, page }, false)
  }
  // Set some values and apply them at once (a tab, a worklist figure).
  function set(values, opts = {}) {
    Object.assign(query, values)
    return commit({ keepPage: 'page' in values, ...opts })
  }

  watch(() => route.fullPath, () => {
    if (route.path !== path) return // leaving the page
    Object.assign(query, read(route.query))
    load(query)
  }, { immediate: true })

  return { query, commit, go, set }
}
