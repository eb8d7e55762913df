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
      { path: 'imports', component: () => import('./views/Imports.vue'), meta: { perm: 'elder.import', title: '数据导入' } },
      { path: 'identify', component: () => import('./views/Identify.vue'), meta: { perm: 'elder.identify', title: '精准识别' } },
      { path: 'users', component: () => import('./views/Users.vue'), meta: { perm: 'user.read', title: '用户管理' } },
      { path: 'regions', component: () => import('./views/Regions.vue'), meta: { perm: 'region.read', title: '行政区划' } },
      { path: 'alarms', component: () => import('./views/Alarms.vue'), meta: { perm: 'alarm.read', title: '紧急呼叫' } },
      { path: 'devices', component: () => import('./views/Devices.vue'), meta: { perm: 'device.read', title: '智能设备' } },
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
