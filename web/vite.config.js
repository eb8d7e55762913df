import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const root = fileURLToPath(new URL('.', import.meta.url))

// dist/sw.js from src/sw.js with the built files it caches (RULE-UI-043): every asset of the
// bundle, and a version from their names so a new build replaces the old cache.
function serviceWorker() {
  return {
    name: 'anlao-sw',
    apply: 'build',
    generateBundle(_, bundle) {
      const assets = Object.keys(bundle).filter((f) => f.startsWith('assets/')).sort()
      const version = createHash('sha256').update(assets.join('\n')).digest('hex').slice(0, 12)
      const src = readFileSync(new URL('src/sw.js', import.meta.url), 'utf8')
      this.emitFile({ type: 'asset', fileName: 'sw.js',
        source: `self.__ANLAO_ASSETS__ = ${JSON.stringify(assets)}\nself.__ANLAO_VERSION__ = '${version}'\n${src}` })
    },
  }
}

export default defineConfig({
  root,
  plugins: [vue(), serviceWorker()],
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
