import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { router } from './router.js'
import { vRowKeys } from './rowKeys.js'
import { applyElderMode, initialElderMode } from './session.js'
import { startOutbox } from './offline.js'

applyElderMode(initialElderMode())
createApp(App).use(ElementPlus, { locale: zhCn }).use(router).directive('row-keys', vRowKeys).mount('#app')
router.isReady().then(startOutbox)
