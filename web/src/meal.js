// Names and helpers of the meal pages (issue 17).
import { chinaMonth } from './format.js'
export const kindNames = { canteen: '老年食堂', point: '助餐点' }
export const mealNames = { breakfast: '早餐', lunch: '午餐', dinner: '晚餐' }
export const licenceNames = { valid: '有效', expiring: '30 天内到期', expired: '已过期' }
export const tagNames = {
  advanced_age: '高龄', living_alone: '独居', empty_nest: '空巢', left_behind: '留守', disabled: '失能',
  severe_disability: '重度失能', fp_special: '计生特殊家庭', economic_difficulty: '经济困难', entitled: '优抚对象',
  tekun: '特困', dibao: '低保', dibao_edge: '低保边缘', low_income: '低收入',
}
// Fen as yuan with two decimals ("12.00"); money stays integer fen everywhere else.
export const yuan = (fen) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`
// The same with the sign ¥ before it ("¥12.00"), where no 元 follows.
export const yen = (fen) => `¥${yuan(fen)}`
// "龙潭湖社区居民委员会" → "龙潭湖社区", "黄荆村村民委员会" → "黄荆村".
export const shortName = (n) => (n || '').replace(/居民委员会$|村民委员会$|委员会$/, '')
// RULE-MEAL-072: a rule's service-list item shows as 清单项目 <key>.
export const tagsText = (t) => (t ? t.split(',').map((x) => tagNames[x] || (x.startsWith('item:') ? `清单项目 ${x.slice(5)}` : x)).join('+') : '（无补贴）')
// The month before this one in China time.
export function lastMonth() {
  const d = new Date(`${chinaMonth()}-01T12:00:00+08:00`)
  return chinaMonth(d.getTime() - 86400e3)
}
