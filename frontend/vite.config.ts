import { fileURLToPath, URL } from 'node:url'
import path from 'node:path'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

const here = fileURLToPath(new URL('.', import.meta.url))
const repo = path.resolve(here, '..')
const pluginsDir = path.join(repo, 'plugins')
const anchor = path.join(here, 'src', 'main-anchor.ts')

/** Plugin pages live outside frontend/ (plugins/<name>/web/): resolve their bare imports
 * ("vue", "element-plus", ...) from frontend/node_modules as if imported from inside frontend/. */
function pluginDepsFromFrontend(): Plugin {
  return {
    name: 'fuban-plugin-deps',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || !importer.startsWith(pluginsDir)) return null
      if (source.startsWith('.') || source.startsWith('/') || source.startsWith('\0') || source.startsWith('@/')) {
        return null
      }
      return this.resolve(source, anchor, { ...options, skipSelf: true })
    },
  }
}

/** Dev server only: deep links under /portal/ get the portal's page (the built app gets this from
 * core/frontend.py). */
function portalFallback(): Plugin {
  return {
    name: 'fuban-portal-fallback',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const url = req.url ?? ''
        if (/^\/portal(\/|$)/.test(url) && !/\.[a-z0-9]+(\?|$)/i.test(url) && req.headers.accept?.includes('text/html')) {
          req.url = '/portal/index.html'
        }
        next()
      })
    },
  }
}

export default defineConfig({
  plugins: [
    pluginDepsFromFrontend(),
    portalFallback(),
    vue(),
    // Element Plus components and their CSS imported where used, so the first load carries only what it shows.
    Components({ dirs: [], dts: 'src/components.d.ts', resolvers: [ElementPlusResolver({ importStyle: 'css' })] }),
  ],
  resolve: {
    alias: { '@': path.join(here, 'src') },
  },
  server: {
    fs: { allow: [here, pluginsDir] },
    proxy: {
      '/api': 'http://127.0.0.1:8000',
      '/schema': 'http://127.0.0.1:8000',
      '/static/docs': 'http://127.0.0.1:8000',
    },
  },
  build: {
    target: 'es2020',
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: {
        console: path.join(here, 'index.html'),
        portal: path.join(here, 'portal', 'index.html'),
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.spec.ts'],
    // Element Plus components come with their CSS imports (see Components above): let Vite handle them.
    server: { deps: { inline: ['element-plus'] } },
  },
})
