import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root,
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // The function form works with Rollup (Vite 7) and Rolldown (Vite 8) alike.
        manualChunks(id) {
          if (!id.includes('/node_modules/')) return undefined
          if (/\/node_modules\/(@vue|vue|vue-router)\//.test(id)) return 'vue'
          if (/\/node_modules\/(element-plus|@element-plus|@floating-ui|@popperjs|@ctrl|@vueuse|async-validator|dayjs|lodash-es|lodash-unified|memoize-one|normalize-wheel-es)\//.test(id)) return 'element'
          if (/\/node_modules\/(echarts|zrender|tslib)\//.test(id)) return 'echarts'
          return undefined
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' } },
})
