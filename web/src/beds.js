// Family care beds (issue 14): names of the states and items (RULE-BED-002, RULE-BED-020).
export const bedStateNames = {
  application: '申请', eligibility: '资格审核', home_check: '居家环境评估', care_plan: '照护计划',
  agreement: '服务协议', installation: '适老化改造与设备安装', in_service: '服务中', review: '定期回访', closed: '已结束',
}
export const bedSteps = ['application', 'eligibility', 'home_check', 'care_plan', 'agreement', 'installation', 'in_service', 'review', 'closed']
export const roomNames = { bedroom: '卧室', toilet: '卫生间', bathroom: '浴室', kitchen: '厨房', living_room: '客厅' }
export const needNames = { network: '网络', sos: '紧急呼叫', activity: '活动监测' }
export const needsText = (s) => (s || '').split(',').filter(Boolean).map((k) => needNames[k] || k).join('、')
export const closeReasonNames = {
  ineligible: '不符合条件', withdrawn: '申请人撤回', deceased: '老人去世', moved: '迁居', to_institution: '入住机构',
  to_home_services: '转为普通居家服务', agreement_ended: '协议到期', other: '其他',
}
export const rectStatusNames = { open: '待整改', fixed: '已整改', to_home_services: '转为普通居家服务' }
