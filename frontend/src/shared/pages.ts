/** File-based routing helpers shared by console and portal. */
type Loader = () => Promise<unknown>

export interface PageRoute {
  path: string
  file: string
  plugin: string
  load: Loader
}

/** '/admin/users/[id]' → '/admin/users/:id'; '/x/index' → '/x'. */
export function toRoutePath(parts: string[]): string {
  const segs = parts.filter((p, i) => !(p === 'index' && i === parts.length - 1))
  const path = '/' + segs.map((s) => s.replace(/^\[(\w+)\]$/, ':$1')).join('/')
  return path
}

/** Turn glob keys into routes. `kind` says how the key maps to a URL. */
export function pagesFromGlob(modules: Record<string, Loader>, kind: 'core' | 'plugin'): PageRoute[] {
  const out: PageRoute[] = []
  for (const [file, load] of Object.entries(modules)) {
    if (kind === 'core') {
      const rel = file.match(/\/pages\/(.+)\.vue$/)?.[1]
      if (!rel) continue
      out.push({ path: toRoutePath(rel.split('/')), file, plugin: 'core', load })
    } else {
      const [, plugin, rel] = file.match(/\/plugins\/([a-z0-9_]+)\/web\/src\/(?:pages|portal)\/(.+)\.vue$/) ?? []
      if (!plugin || !rel) continue
      out.push({ path: toRoutePath([plugin, ...rel.split('/')]), file, plugin, load })
    }
  }
  // Static segments before parameters, so /x/new wins over /x/:id.
  return out.sort((a, b) => Number(a.path.includes(':')) - Number(b.path.includes(':')) || a.path.localeCompare(b.path))
}

