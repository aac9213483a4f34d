import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { reactive } from 'vue'
import { IDLE_TIMEOUT_MS, idleTimeoutMs, useSessionStore, type Me } from '@/console/stores/session'
import { mergeMenu, menuPlugins, type MenuNode } from '@/console/stores/menu'

function me(permissions: string[]): Me {
  const tenant = { id: 't1', code: 'demo', name: '演示县' }
  return {
    user: { id: 'u1', username: 'zhang', display_name: '张三' },
    tenant,
    tenants: [tenant, { id: 't2', code: 'other', name: '另一县' }],
    posts: [],
    roles: [],
    permissions,
    clearance: 0,
    must_change_password: false,
    acting_for: null,
    delegations_given: [],
    delegations_received: [],
    idle_timeout_seconds: 1800,
  }
}

const node = (key: string, plugin: string, path: string, children: MenuNode[] = [], order = 0): MenuNode => ({
  key, title: key, path, icon: '', plugin, order, children,
})

describe('session store', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('answers permission checks from /api/auth/me', () => {
    const s = useSessionStore()
    expect(s.can('core.org.read')).toBe(false)
    s.me = me(['core.org.read', 'core.org.manage'])
    expect(s.can('core.org.read')).toBe(true)
    expect(s.can('core.org.read', 'core.audit.read')).toBe(false)
    expect(s.canAny('core.audit.read', 'core.org.manage')).toBe(true)
    expect(s.tenants.map((t) => t.code)).toEqual(['demo', 'other'])
  })

  it('forgets the person on expiry and remembers why', () => {
    const s = useSessionStore()
    s.me = me(['core.org.read'])
    s.expire('expired')
    expect(s.me).toBeNull()
    expect(s.signedIn).toBe(false)
    expect(s.reason).toBe('expired')
    expect(s.can('core.org.read')).toBe(false)
  })
})

describe('menu', () => {
  const server = [
    node('core.home', 'core', '/'),
    node('core.admin', 'core', '', [node('core.admin.plugins', 'core', '/admin/plugins', [], 0)], 900),
    node('documents.root', 'documents', '', [node('documents.incoming', 'documents', '/documents/incoming')], 50),
  ]

  it('adds the console pages the person may open, under administration', () => {
    const merged = mergeMenu(server, (c) => c === 'core.org.read')
    const admin = merged.find((n) => n.key === 'core.admin')!
    expect(admin.children.map((c) => c.path)).toEqual(['/admin/plugins', '/admin/units', '/admin/people'])
    expect(merged.map((n) => n.key)).toEqual(['core.home', 'documents.root', 'core.admin'])
  })

  it('shows the audit log only to the audit administrator', () => {
    const auditor = mergeMenu([], (c) => c === 'core.audit.read' || c === 'core.org.read')
    const paths = auditor[0]!.children.map((c) => c.path)
    expect(paths).toContain('/admin/audit')
    const sysadmin = mergeMenu([], (c) => c !== 'core.audit.read')
    expect(sysadmin[0]!.children.map((c) => c.path)).not.toContain('/admin/audit')
  })

  it('leaves no administration node for people without admin pages', () => {
    expect(mergeMenu([node('core.home', 'core', '/')], () => false).map((n) => n.key)).toEqual(['core.home'])
  })

  it('knows which plugins are enabled from the menu', () => {
    expect([...menuPlugins(server)].sort()).toEqual(['core', 'documents'])
  })

  it('accepts the reactive tree the store holds', () => {
    const merged = mergeMenu(reactive(server) as MenuNode[], () => true)
    expect(merged.find((n) => n.key === 'core.admin')!.children.length).toBeGreaterThan(1)
  })

  it('does not change the server tree it was given', () => {
    mergeMenu(server, () => true)
    expect(server[1]!.children).toHaveLength(1)
  })
})

describe('idle sign-out', () => {
  it('follows the idle timeout the server answers', () => {
    expect(idleTimeoutMs({ ...me([]), idle_timeout_seconds: 300 })).toBe(300_000)
  })

  it('falls back to the default before /api/auth/me has answered', () => {
    expect(idleTimeoutMs(null)).toBe(IDLE_TIMEOUT_MS)
    expect(idleTimeoutMs({ idle_timeout_seconds: 0 })).toBe(IDLE_TIMEOUT_MS)
  })
})
