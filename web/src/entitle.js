// Words of the service list pages (issue 12).
export const categoryNames = { material: '物质帮助', care: '照护服务', concern: '关爱服务' }
export const itemStatusNames = { to_check: '待核对', checked: '已核对', stopped: '已停止' }
export const changeStatusNames = { draft: '草稿', submitted: '待审批', approved: '已批准', returned: '已退回' }
export const periodNames = { day: '每天', week: '每周', month: '每月', quarter: '每季度', year: '每年', once: '一次性' }
export const sourceNames = { manual: '手工登记', import: '导入', order: '服务订单', subsidy: '补贴发放' }
// A list's region code in the address: '' (the national list) is written as "cn".
export const toAddr = (code) => (code === '' ? 'cn' : code)
export const fromAddr = (v) => (v === 'cn' ? '' : v)
export const regionLabel = (code, name) => (code === '' ? '全国' : name || code)
export const funds = (i) => `中央 ${i.fund_national_pct ?? 0}% · 省 ${i.fund_province_pct ?? 0}% · 市 ${i.fund_city_pct ?? 0}% · 县 ${i.fund_county_pct ?? 0}%`
// The query string of a list request: `region` kept even when '' (the national list), which
// qs() would drop; undefined leaves it out (the caller's own list).
export function listQs(region, extra = {}) {
  const u = new URLSearchParams()
  if (region !== undefined) u.set('region', region)
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null && v !== '' && v !== 0) u.set(k, v)
  const s = u.toString()
  return s ? `?${s}` : ''
}
