// Display helpers shared by the pages.
// The wall clock in China (UTC+8, no daylight saving) at moment `t` (milliseconds, a Date or
// ISO text), whatever zone the device is set to, as YYYY-MM-DDTHH:MM:SS.sss: every China-time
// helper reads from it.
export const chinaClock = (t = Date.now()) => new Date(new Date(t).getTime() + 8 * 3600e3).toISOString().slice(0, 23)
// The day (YYYY-MM-DD) and month (YYYY-MM) of a moment in China time: "today" on every page is
// China's today.
export const chinaDay = (t = Date.now()) => chinaClock(t).slice(0, 10)
export const chinaMonth = (t = Date.now()) => chinaDay(t).slice(0, 7)
// The hour and minute (HH:MM) of a moment in China time; '' for none.
export const fmtHm = (t) => (t ? chinaClock(t).slice(11, 16) : '')

// A time as China time (UTC+8, no daylight saving), whatever zone the device is set to: the
// same moment reads the same on every page, in the exports and beside the windows (RULE-UI-047).
export function fmtTime(iso) {
  if (!iso) return ''
  const ms = new Date(iso).getTime()
  if (Number.isNaN(ms)) return ''
  return chinaClock(ms).slice(0, 19).replace('T', ' ')
}

export const sexName = (s) => (s === 'M' ? '男' : s === 'F' ? '女' : '')

export const statusNames = { active: '在册', moved_out: '迁出', deceased: '死亡', cancelled: '注销' }
export const livingNames = {
  alone: '独居', spouse_only: '仅与配偶同住', with_children: '与子女同住',
  with_others: '与其他人同住', institution: '机构养老',
}
export const economicNames = {
  tekun: '特困', dibao: '低保', dibao_edge: '低保边缘', low_income: '低收入', general: '一般',
}
export const categoryNames = {
  advanced_age: '高龄', living_alone: '独居', empty_nest: '空巢', left_behind: '留守',
  disabled: '失能', severe_disability: '重残', fp_special: '计生特殊家庭',
  economic_difficulty: '经济困难', entitled: '优抚对象',
}
export const levelNames = ['省', '市', '县', '乡镇/街道', '村/社区']
export const targetTypeNames = {
  user: '用户', elder: '老人', api_token: '令牌', assessment: '评估', import: '导入',
  identify_run: '识别批次', file: '文件', route: '接口', device: '设备', alarm: '告警',
}
export const outcomeNames = { success: '成功', failure: '失败', denied: '拒绝' }
export const actionNames = {
  'auth.login': '登录', 'auth.login_failed': '登录失败', 'auth.logout': '退出',
  'auth.password_change': '修改密码', 'user.create': '新增用户', 'user.update': '修改用户',
  'token.create': '创建令牌', 'token.revoke': '吊销令牌', 'me.update': '修改个人设置',
  'access.denied': '越权访问', 'elder.create': '登记老人', 'elder.update': '修改档案',
  'elder.read_pii': '查看完整证件号', 'elder.read_linked': '家属查看',
  'elder.contact_add': '新增联系人', 'elder.contact_delete': '删除联系人',
  'elder.consent_grant': '家属授权', 'elder.consent_revoke': '撤销授权', 'elder.id_refused': '身份证号登记被拒', 'elder.lookup': '按完整号码查找',
  'import.commit': '导入写入', 'identify.run': '精准识别', 'identify.export': '导出清单',
  'system.backup': '备份', 'assess.create': '新建评估', 'assess.sign': '评估签名', 'assess.submit': '提交评估',
  'assess.approve': '审核通过', 'assess.return': '退回评估', 'assess.publish': '发布评估', 'assess.dispute': '评估异议',
  'assess.request': '申请评估', 'assess.qualify': '登记评估员资格', 'assess.legacy': '录入旧标准评估',
  'assess.export': '导出评估记录', 'assess.due_export': '导出到期复评', 'audit.export': '导出审计日志', 'user.export': '导出用户',
  'device.create': '登记设备', 'alarm.acknowledge': '响应告警', 'alarm.call': '告警联系', 'alarm.close': '告警结案',
}

// Apply an API error to a form: the field gets the message, otherwise a toast.
export function fieldError(err, errors, ElMessage) {
  if (err.field && err.field in errors) errors[err.field] = err.message
  else ElMessage.error(err.message)
}
