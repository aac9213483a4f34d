/** Portal routes under /portal/: public pages, citizen pages (need sign-in), and pages that plugins
 * ship in plugins/<name>/web/src/portal/ (mounted at /portal/<name>/...), each lazily loaded. */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { citizen, loadCitizen } from './citizen'
import { pagesFromGlob } from '@/shared/pages'

declare module 'vue-router' {
  interface RouteMeta {
    citizen?: boolean
    title?: string
  }
}

export function portalRoutes(): RouteRecordRaw[] {
  const fromPlugins = pagesFromGlob(import.meta.glob('../../../plugins/*/web/src/portal/**/*.vue'), 'plugin')
  return [
    { path: '/', name: 'home', component: () => import('./pages/HomePage.vue'), meta: { title: 'nav.home' } },
    { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { title: 'login.title' } },
    { path: '/register', name: 'register', component: () => import('./pages/RegisterPage.vue'), meta: { title: 'register.title' } },
    { path: '/letters/new', name: 'letter-new', component: () => import('./pages/LetterNewPage.vue'), meta: { title: 'letter.title' } },
    { path: '/mail', name: 'mail', component: () => import('./pages/MailNewPage.vue'), meta: { title: 'pet.mail.title' } },
    { path: '/letters/track', name: 'track', component: () => import('./pages/TrackPage.vue'), meta: { title: 'track.title' } },
    { path: '/qa', name: 'qa', component: () => import('./pages/QaPage.vue'), meta: { title: 'qa.title' } },
    { path: '/account', name: 'account', component: () => import('./pages/AccountPage.vue'), meta: { citizen: true, title: 'account.title' } },
    ...fromPlugins.map((p) => ({ path: p.path, component: p.load as () => Promise<never> })),
    { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: 'notFound.title' } },
  ]
}

export function createPortalRouter() {
  const router = createRouter({
    history: createWebHistory('/portal/'),
    routes: portalRoutes(),
    scrollBehavior: () => ({ top: 0 }),
  })
  router.beforeEach(async (to) => {
    if (!citizen.loaded) await loadCitizen().catch(() => null)
    if (to.meta.citizen && !citizen.me) return { name: 'login', query: { redirect: to.fullPath } }
    return true
  })
  return router
}
