import { describe, expect, it } from 'vitest'
import { pagesFromGlob, toRoutePath } from '@/shared/pages'

const noop = () => Promise.resolve({})

describe('file-based pages', () => {
  it('maps core page files to console paths', () => {
    const pages = pagesFromGlob(
      { '../pages/index.vue': noop, '../pages/admin/units.vue': noop, '../pages/admin/users/[id].vue': noop },
      'core',
    )
    expect(pages.map((p) => p.path).sort()).toEqual(['/', '/admin/units', '/admin/users/:id'])
    expect(pages.every((p) => p.plugin === 'core')).toBe(true)
  })

  it('mounts plugin pages under the plugin name, console and portal alike', () => {
    const pages = pagesFromGlob(
      {
        '../../../plugins/documents/web/src/pages/index.vue': noop,
        '../../../plugins/documents/web/src/pages/incoming/[id].vue': noop,
        '../../../plugins/documents/web/src/pages/incoming/new.vue': noop,
        '../../../plugins/petitions/web/src/portal/letters/track.vue': noop,
        '../../../plugins/documents/web/src/components/Widget.vue': noop,
      },
      'plugin',
    )
    expect(pages.map((p) => [p.path, p.plugin])).toEqual([
      ['/documents', 'documents'],
      ['/documents/incoming/new', 'documents'],
      ['/petitions/letters/track', 'petitions'],
      ['/documents/incoming/:id', 'documents'],
    ])
  })

  it('treats index as the folder and [x] as a parameter', () => {
    expect(toRoutePath(['a', 'index'])).toBe('/a')
    expect(toRoutePath(['a', '[slug]', 'edit'])).toBe('/a/:slug/edit')
    expect(toRoutePath(['index'])).toBe('/')
  })
})
