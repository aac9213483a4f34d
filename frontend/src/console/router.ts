/** Console routes: sign-in, the layout with every file-based page, 403 and 404; guards by session,
 * permission and plugin enablement. */
import { createRouter, createWebHistory, type Router, type RouteRecordRaw } from 'vue-router'
import { useMenuStore } from './stores/menu'
import { useSessionStore } from './stores/session'
import { pageRoutes } from './pages'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    permission?: string
    plugin?: string
  }
}

export function buildRoutes(): RouteRecordRaw[] {
  return [
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
    {
      path: '/',
      component: () => import('./layout/ConsoleLayout.vue'),
      children: [
        ...pageRoutes(),
        { path: '403', name: 'forbidden', component: () => import('./views/ForbiddenView.vue') },
        { path: ':rest(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue') },
      ],
    },
  ]
}

export function installGuards(router: Router): void {
  router.beforeEach(async (to) => {
    if (to.meta.public) return true
    const session = useSessionStore()
    const menu = useMenuStore()
    if (!session.loaded) await session.fetchMe()
    if (!session.me) {
      return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
    }
    if (!menu.loaded) await menu.load()
    if (session.me.must_change_password && to.path !== '/me/password') {
      return { path: '/me/password' }
    }
    if (to.meta.permission && !session.can(to.meta.permission)) return { name: 'forbidden' }
    // A plugin's pages exist only while the plugin is enabled for this tenant (its menu is then served).
    if (to.meta.plugin && to.meta.plugin !== 'core' && !menu.plugins.has(to.meta.plugin)) {
      return { name: 'not-found', params: { rest: to.path.slice(1).split('/') } }
    }
    return true
  })
}

export function createConsoleRouter(): Router {
  const router = createRouter({ history: createWebHistory('/'), routes: buildRoutes() })
  installGuards(router)
  return router
}
