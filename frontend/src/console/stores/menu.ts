/** The console menu: GET /api/menu (already filtered by permission and plugin state on the server),
 * plus the console's own administration pages, shown by the permissions of /api/auth/me. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, type Schemas } from '@/api/client'
import { CONSOLE_PAGES } from '../pages'

export type MenuNode = Schemas['MenuNode']

const ADMIN_KEY = 'core.admin'

/** Merge the console's own pages (those the person may open) into the server's menu tree. */
export function mergeMenu(server: MenuNode[], can: (code: string) => boolean): MenuNode[] {
  // A deep copy of plain data (the store's array is a reactive proxy, which structuredClone refuses).
  const tree: MenuNode[] = JSON.parse(JSON.stringify(server))
  const extra = CONSOLE_PAGES.filter((p) => p.menu && (!p.permission || can(p.permission)))
  if (extra.length) {
    let admin = tree.find((n) => n.key === ADMIN_KEY)
    if (!admin) {
      admin = { key: ADMIN_KEY, title: 'core.menu.admin', path: '', icon: 'Setting', plugin: 'core', order: 900, children: [] }
      tree.push(admin)
    }
    const children = admin.children ?? []
    for (const p of extra) {
      if (!children.some((c) => c.path === p.path)) {
        children.push({ key: p.key, title: p.title, path: p.path, icon: '', plugin: 'core', order: p.order, children: [] })
      }
    }
    admin.children = children
  }
  const sort = (nodes: MenuNode[]): MenuNode[] => {
    nodes.sort((a, b) => a.order - b.order || a.key.localeCompare(b.key))
    for (const n of nodes) if (n.children?.length) sort(n.children)
    return nodes
  }
  return sort(tree)
}

/** Plugins that contribute at least one visible menu entry (enabled for this tenant). */
export function menuPlugins(nodes: MenuNode[]): Set<string> {
  const out = new Set<string>()
  const walk = (ns: MenuNode[]) => {
    for (const n of ns) {
      out.add(n.plugin)
      if (n.children?.length) walk(n.children)
    }
  }
  walk(nodes)
  return out
}

export const useMenuStore = defineStore('menu', () => {
  const server = ref<MenuNode[]>([])
  const loaded = ref(false)
  const plugins = computed(() => menuPlugins(server.value))

  async function load(): Promise<void> {
    const { data, response } = await api.GET('/api/menu')
    server.value = response.ok && data ? data : []
    loaded.value = true
  }

  function reset(): void {
    server.value = []
    loaded.value = false
  }

  return { server, loaded, plugins, load, reset }
})
