/** File-based pages of the console, collected at build time.
 *
 * Core pages: frontend/src/pages/<path>.vue → /<path>. Plugin pages: plugins/<name>/web/src/pages/<path>.vue
 * → /<name>/<path>. `index.vue` is the folder itself; `[id].vue` is a parameter (:id). Each file becomes its
 * own lazily loaded chunk. */
import type { RouteRecordRaw } from 'vue-router'

import { pagesFromGlob } from '@/shared/pages'

/** A console page and who may open it (the server checks too; this only hides what would fail). */
export interface ConsolePage {
  path: string
  permission?: string
  /** Listed in the administration menu (for pages the server menu does not carry yet). */
  menu?: boolean
  key: string
  title: string
  order: number
}

export const CONSOLE_PAGES: ConsolePage[] = [
  { path: '/admin/plugins', permission: 'core.plugins.manage', key: 'core.admin.plugins', title: 'core.menu.plugins', order: 10 },
  { path: '/admin/calendar', permission: 'core.calendar.manage', key: 'core.admin.calendar', title: 'core.menu.calendar', order: 20 },
  { path: '/admin/units', permission: 'core.org.read', menu: true, key: 'core.admin.units', title: 'core.menu.units', order: 30 },
  { path: '/admin/people', permission: 'core.org.read', menu: true, key: 'core.admin.people', title: 'core.menu.people', order: 40 },
  { path: '/admin/roles', permission: 'core.roles.manage', menu: true, key: 'core.admin.roles', title: 'core.menu.roles', order: 50 },
  { path: '/admin/sessions', permission: 'core.sessions.manage', menu: true, key: 'core.admin.sessions', title: 'core.menu.sessions', order: 60 },
  { path: '/admin/audit', permission: 'core.audit.read', menu: true, key: 'core.admin.audit', title: 'core.menu.audit', order: 70 },
]

export function pageRoutes(): RouteRecordRaw[] {
  const core = pagesFromGlob(import.meta.glob('../pages/**/*.vue'), 'core')
  const plugins = pagesFromGlob(import.meta.glob('../../../plugins/*/web/src/pages/**/*.vue'), 'plugin')
  const perms = new Map(CONSOLE_PAGES.map((p) => [p.path, p.permission]))
  return [...core, ...plugins].map((p) => ({
    path: p.path === '/' ? '' : p.path.slice(1),
    component: p.load as () => Promise<never>,
    meta: { plugin: p.plugin, permission: perms.get(p.path) },
  }))
}

/** Messages shipped by plugins: plugins/<name>/web/src/locales/<locale>.json. */
export function pluginMessages(): Record<string, Record<string, unknown>> {
  const files = import.meta.glob('../../../plugins/*/web/src/locales/*.json', { eager: true, import: 'default' })
  const out: Record<string, Record<string, unknown>> = {}
  for (const [file, body] of Object.entries(files)) {
    const locale = file.match(/\/locales\/([A-Za-z-]+)\.json$/)?.[1]
    if (locale) out[locale] = { ...(out[locale] ?? {}), ...(body as Record<string, unknown>) }
  }
  return out
}
