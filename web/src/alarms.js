// Names of the device and alarm vocabularies (issue 14, docs/devices.md).
export const deviceTypeNames = {
  sos: '紧急呼叫按钮', fall: '跌倒探测器', door: '门磁', motion: '人体红外感应', smoke: '烟雾探测器',
  gas: '燃气探测器', water: '水浸探测器', bracelet: '智能手环',
}
export const alarmTypeNames = { sos: '紧急呼叫', fall: '跌倒', smoke: '烟雾', gas: '燃气泄漏', water: '水浸', inactivity: '长时间无活动', visit_urgent: '探访发现紧急情况' }
export const alarmStatusNames = { open: '待响应', acknowledged: '处置中', closed: '已结案' }
export const severityNames = { 1: '紧急', 2: '重要', 3: '一般' }
export const callTargetNames = { elder: '老人本人', family: '家属', helper: '社区助老员', provider: '服务机构', 120: '120 急救', 110: '110 报警' }
export const callOutcomeNames = { reached: '已接通', no_answer: '未接听', busy: '占线', on_the_way: '正在赶往', arrived: '已到场' }
export const closeOutcomeNames = {
  real_emergency: '真实紧急情况', needed_help: '需要帮助（非紧急）', false_alarm: '误报', test: '测试',
  no_answer_visited: '未接通，已上门查看',
}
export const stepNames = {
  device_message: '设备发出', stored: '平台接收', acknowledged: '响应', call: '联系', closed: '结案',
  escalated: '超时升级', inactivity: '无活动提醒', service_order: '紧急上门服务单',
  shown: '值守台显示', order_arrived: '护理员到达', order_completed: '护理员签出',
}
// RULE-ALARM-031: whom an unanswered alarm was escalated to, by level.
export const escalationNames = { 1: '已升级至乡镇/街道', 2: '已升级至县级' }
