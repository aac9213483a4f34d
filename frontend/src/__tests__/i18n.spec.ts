import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { leafKeys, mergeMessages, type Messages } from '@/shared/i18n'
import consoleZh from '@/locales/zh-CN'
import consoleEn from '@/locales/en'
import portalZh from '@/portal/locales/zh-CN'
import portalEn from '@/portal/locales/en'
import { pluginMessages } from '@/console/pages'

const src = path.resolve(__dirname, '..')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const full = path.join(dir, f)
    if (statSync(full).isDirectory()) return f === '__tests__' ? [] : files(full)
    return /\.(vue|ts)$/.test(f) ? [full] : []
  })
}

/** Literal keys passed to t('...') in the given files (template strings with ${} are skipped). */
function usedKeys(list: string[]): Set<string> {
  const out = new Set<string>()
  for (const f of list) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) out.add(m[1]!)
  }
  return out
}

describe('messages', () => {
  it('console zh-CN and en have the same keys', () => {
    expect(leafKeys(consoleEn as Messages).sort()).toEqual(leafKeys(consoleZh as Messages).sort())
  })

  it('portal zh-CN and en have the same keys', () => {
    expect(leafKeys(portalEn as Messages).sort()).toEqual(leafKeys(portalZh as Messages).sort())
  })

  it('every key the console uses exists in both languages', () => {
    const consoleFiles = files(src).filter((f) => !f.includes(`${path.sep}portal${path.sep}`))
    const zh = new Set(leafKeys(consoleZh as Messages))
    const en = new Set(leafKeys(consoleEn as Messages))
    const used = usedKeys(consoleFiles)
    expect(used.size).toBeGreaterThan(100)
    const missing = [...used].filter((k) => !zh.has(k) || !en.has(k))
    expect(missing).toEqual([])
  })

  it('every key the portal uses exists in both languages', () => {
    const portalFiles = files(path.join(src, 'portal'))
    const zh = new Set(leafKeys(portalZh as Messages))
    const en = new Set(leafKeys(portalEn as Messages))
    const used = usedKeys(portalFiles)
    expect(used.size).toBeGreaterThan(30)
    const missing = [...used].filter((k) => !zh.has(k) || !en.has(k))
    expect(missing).toEqual([])
  })

  it('plugin messages come in both languages with the same keys, under the plugin name', () => {
    const plugins = pluginMessages()
    const zh = leafKeys((plugins['zh-CN'] ?? {}) as Messages).sort()
    expect(zh.length).toBeGreaterThan(0)
    expect(leafKeys((plugins['en'] ?? {}) as Messages).sort()).toEqual(zh)
    expect(zh).toContain('documents.menu.incoming')
  })

  it('merges plugin messages deeply without dropping core keys', () => {
    const merged = mergeMessages({ core: { menu: { home: 'A' } } }, { core: { menu: { x: 'B' } }, documents: { t: 'C' } })
    expect(merged).toEqual({ core: { menu: { home: 'A', x: 'B' } }, documents: { t: 'C' } })
  })
})
