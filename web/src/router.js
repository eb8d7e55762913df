import { createRouter, createWebHistory } from 'vue-router'
import { get, setUnauthorizedHandler } from './api.js'
import { session, setSession, clearSession, can } from './session.js'
import Shell from './Shell.vue'

const routes = [
  { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true } },
  { path: '/password', component: () => import('./views/ChangePassword.vue') },
  {
    path: '/',
    component: Shell,
    children: [
      { path: '', component: () => import('./views/Home.vue'), meta: { title: '首页' } },
      { path: 'elders', component: () => import('./views/Elders.vue'), meta: { perm: 'elder.read', title: '老年人档案' } },
      { path: 'elders/:id', component: () => import('./views/ElderDetail.vue'), meta: { perm: 'elder.read', title: '老人详情' } },
      { path: 'elders/:elderId/assess', component: () => import('./views/AssessForm.vue'), meta: { perm: 'assess.create', title: '能力评估' } },
      { path: 'assessments', component: () => import('./views/Assessments.vue'), meta: { perm: 'assess.read_level', title: '能力评估' } },
      { path: 'assessments/:id', component: () => import('./views/AssessResult.vue'), meta: { perm: 'assess.read_level', title: '评估结果' } },
      { path: 'assessments/:id/edit', component: () => import('./views/AssessForm.vue'), meta: { perm: 'assess.create', title: '能力评估' } },
      { path: 'entitle', component: () => import('./views/Entitle.vue'), meta: { perm: 'entitle.read', title: '基本养老服务清单' } },
      { path: 'entitle/items/:key', component: () => import('./views/EntitleItem.vue'), meta: { perm: 'entitle.read', title: '服务项目' } },
      { path: 'entitle/changes/:id', component: () => import('./views/EntitleChange.vue'), meta: { perm: 'entitle.read', title: '清单变更' } },
      { path: 'entitle/approvals', component: () => import('./views/EntitleApprovals.vue'), meta: { perm: 'entitle.approve', title: '清单变更审批' } },
      { path: 'service', component: () => import('./views/ServiceBoard.vue'), meta: { perm: 'service.read', title: '上门服务调度' } },
      { path: 'service/settlements', component: () => import('./views/ServiceSettlement.vue'), meta: { perm: 'service.settle', title: '上门服务结算' } },
      { path: 'service/family', component: () => import('./views/FamilyServices.vue'), meta: { perm: 'service.family', title: '家人的上门服务' } },
      { path: 'service/my', component: () => import('./views/CaregiverDay.vue'), meta: { perm: 'service.visit', title: '今日上门任务' } },
      { path: 'service/network', component: () => import('./views/ServiceProviders.vue'), meta: { perm: 'service.read', title: '服务网络' } },
      { path: 'service/evv', component: () => import('./views/ServiceEvv.vue'), meta: { perm: 'service.read', title: '上门核验' } },
      { path: 'service/complaints', component: () => import('./views/ServiceComplaints.vue'), meta: { perm: 'service.read', title: '投诉督办' } },
      { path: 'meal', component: () => import('./views/MealCanteens.vue'), meta: { perm: 'meal.read', title: '老年助餐' } },
      { path: 'meal/counter', component: () => import('./views/MealCounter.vue'), meta: { perm: 'meal.serve', title: '助餐窗口' } },
      { path: 'meal/deliveries', component: () => import('./views/MealDeliveries.vue'), meta: { perm: 'meal.serve', title: '送餐清单' } },
      { path: 'my/meal', component: () => import('./views/MealFamily.vue'), meta: { perm: 'meal.order', title: '为老人订餐' } },
      { path: 'my/timebank', component: () => import('./views/TimebankFamily.vue'), meta: { perm: 'timebank.family', title: '为老人发布互助需求' } },
      { path: 'meal/canteens/:id/statement', component: () => import('./views/MealStatement.vue'), meta: { perm: 'meal.read', title: '助餐结算单' } },
      { path: 'meal/rules', component: () => import('./views/MealRules.vue'), meta: { perm: 'meal.read', title: '助餐补贴规则' } },
      { path: 'imports', component: () => import('./views/Imports.vue'), meta: { perm: 'elder.import', title: '数据导入' } },
      { path: 'entitle-runs', component: () => import('./views/EntitleRuns.vue'), meta: { perm: 'elder.read', title: '享受资格认定' } },
      { path: 'advisor', component: () => import('./views/CareAdvisor.vue'), meta: { perm: 'elder.read', title: '养老顾问' } },
      { path: 'identify', component: () => import('./views/Identify.vue'), meta: { perm: 'elder.identify', title: '精准识别' } },
      { path: 'users', component: () => import('./views/Users.vue'), meta: { perm: 'user.read', title: '用户管理' } },
      { path: 'regions', component: () => import('./views/Regions.vue'), meta: { perm: 'region.read', title: '行政区划' } },
      { path: 'visits', component: () => import('./views/VisitTasks.vue'), meta: { perm: 'visit.read', title: '探访任务' } },
      { path: 'visits/record/:elderId', component: () => import('./views/VisitRecord.vue'), meta: { perm: 'visit.record', title: '登记探访' } },
      { path: 'visits/rate', component: () => import('./views/VisitRate.vue'), meta: { perm: 'visit.read', title: '探访率' } },
      { path: 'visits/referrals', component: () => import('./views/VisitReferrals.vue'), meta: { perm: 'visit.read', title: '需求与转介' } },
      { path: 'visits/campaigns', component: () => import('./views/VisitCampaigns.vue'), meta: { perm: 'visit.read', title: '专项探访' } },
      { path: 'timebank', component: () => import('./views/Timebank.vue'), meta: { perm: 'timebank.read', title: '时间银行' } },
      { path: 'timebank/members/:id/statement', component: () => import('./views/TimebankStatement.vue'), meta: { perm: 'timebank.read', title: '账户明细' } },
      { path: 'volunteer', component: () => import('./views/Volunteer.vue'), meta: { perm: 'timebank.self', title: '我的志愿服务' } },
      { path: 'alarms', component: () => import('./views/Alarms.vue'), meta: { perm: 'alarm.read', title: '紧急呼叫' } },
      { path: 'alarms/report', component: () => import('./views/AlarmReport.vue'), meta: { perm: 'alarm.read', title: '呼叫响应时效' } },
      { path: 'alarms/inactivity', component: () => import('./views/InactivitySettings.vue'), meta: { perm: 'alarm.read', title: '不活动提醒设置' } },
      { path: 'devices', component: () => import('./views/Devices.vue'), meta: { perm: 'device.read', title: '智能设备' } },
      { path: 'beds', component: () => import('./views/Beds.vue'), meta: { perm: 'bed.read', title: '家庭养老床位' } },
      { path: 'bed-compliance', component: () => import('./views/BedCompliance.vue'), meta: { perm: 'bed.read', title: '床位月度达标' } },
      { path: 'beds/:id', component: () => import('./views/BedDetail.vue'), meta: { perm: 'bed.read', title: '床位详情' } },
      { path: 'audit', component: () => import('./views/Audit.vue'), meta: { perm: 'audit.read', title: '审计日志' } },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

setUnauthorizedHandler(() => {
  clearSession()
  if (router.currentRoute.value.path !== '/login') router.push('/login')
})

router.beforeEach(async (to) => {
  if (!session.loaded) {
    try { setSession(await get('/api/v1/me')) } catch { clearSession() }
  }
  if (to.meta.public) return session.user ? '/' : true
  if (!session.user) return { path: '/login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (session.user.must_change_password && to.path !== '/password') return '/password'
  if (to.meta.perm && !can(to.meta.perm)) return '/'
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 安老` : '安老 · 居家和社区养老服务平台'
})
