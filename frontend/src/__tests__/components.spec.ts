import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { defineComponent, nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { canDirective } from '@/console/can'
import { useSessionStore, type Me } from '@/console/stores/session'
import ElementPlus from 'element-plus'
import { createRouter, createMemoryHistory } from 'vue-router'
import DataTable, { type Column, type PageOf } from '@/components/DataTable.vue'
import TextField from '@/portal/components/TextField.vue'
import RegisterPage from '@/portal/pages/RegisterPage.vue'
import { makeI18n } from '@/shared/i18n'
import consoleZh from '@/locales/zh-CN'
import consoleEn from '@/locales/en'
import portalZh from '@/portal/locales/zh-CN'
import portalEn from '@/portal/locales/en'

interface Row {
  id: number
  name: string
  active: boolean
}

const ROWS: Row[] = Array.from({ length: 45 }, (_, i) => ({ id: i + 1, name: `单位${i + 1}`, active: i % 2 === 0 }))

/** A paging data source over an in-memory list (stands for the server's page/page_size contract). */
function source() {
  const calls: [number, number][] = []
  const fetch = async (page: number, size: number): Promise<PageOf<Row>> => {
    calls.push([page, size])
    return { items: ROWS.slice((page - 1) * size, page * size), total: ROWS.length }
  }
  return { calls, fetch }
}

const columns: Column<Row>[] = [
  { key: 'id', label: '#', sortable: true },
  { key: 'name', label: '名称', sortable: true },
  { key: 'active', label: '在用' },
]

describe('DataTable', () => {
  const i18n = makeI18n({ 'zh-CN': consoleZh, en: consoleEn }, 'zh-CN')

  it('loads the first page and filters it with the quick filter', async () => {
    const src = source()
    const w = mount(DataTable<Row>, { props: { columns, fetch: src.fetch, pageSize: 10 }, global: { plugins: [ElementPlus, i18n] } })
    await flushPromises()
    expect(src.calls).toEqual([[1, 10]])
    expect(w.text()).toContain('单位1')
    expect(w.text()).not.toContain('单位11')
    expect(w.text()).toContain('Total 45') // the pager's own words (Element Plus locale not provided here)
    await w.find('input[data-test="quick-filter"]').setValue('单位10')
    await nextTick()
    const rows = w.findAll('.el-table__body tr')
    expect(rows).toHaveLength(1)
    expect(rows[0]!.text()).toContain('单位10')
  })

  it('exports every page as CSV', async () => {
    const src = source()
    const blobs: Blob[] = []
    URL.createObjectURL = vi.fn((b: Blob) => {
      blobs.push(b)
      return 'blob:x'
    }) as unknown as typeof URL.createObjectURL
    URL.revokeObjectURL = vi.fn()
    // jsdom cannot follow a download link; the file content is what we check.
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined)
    const w = mount(DataTable<Row>, { props: { columns, fetch: src.fetch, pageSize: 10, filename: 'units' }, global: { plugins: [ElementPlus, i18n] } })
    await flushPromises()
    await w.find('[data-test="export-csv"]').trigger('click')
    await flushPromises()
    expect(src.calls.slice(1)).toEqual([[1, 200]])
    expect(blobs).toHaveLength(1)
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader()
      reader.onload = () => resolve(String(reader.result))
      reader.readAsText(blobs[0]!)
    })
    const lines = text.replace('\ufeff', '').trim().split('\r\n')
    expect(lines[0]).toBe('#,名称,在用')
    expect(lines).toHaveLength(46)
    expect(lines[1]).toBe('1,单位1,是')
    expect(click).toHaveBeenCalledTimes(1)
    click.mockRestore()
  })
})

describe('portal TextField', () => {
  it('ties label, hint and error to the input', () => {
    const w = mount(TextField, { props: { id: 'phone', label: '手机号', hint: '至少一项', error: '格式不正确', required: true } })
    const input = w.find('input')
    expect(w.find('label').attributes('for')).toBe('phone')
    expect(input.attributes('id')).toBe('phone')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toBe('phone-hint phone-error')
    expect(w.find('#phone-error').text()).toBe('格式不正确')
  })

  it('is valid without an error', () => {
    const w = mount(TextField, { props: { id: 'x', label: 'X' } })
    expect(w.find('input').attributes('aria-invalid')).toBe('false')
    expect(w.find('input').attributes('aria-describedby')).toBeUndefined()
  })
})

describe('portal registration form', () => {
  it('explains what is missing before sending anything', async () => {
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
    const i18n = makeI18n({ 'zh-CN': portalZh, en: portalEn }, 'en')
    const w = mount(RegisterPage, { global: { plugins: [router, i18n] }, attachTo: document.body })
    await w.find('#password').setValue('short')
    await w.find('#again').setValue('other')
    await w.find('form').trigger('submit')
    await nextTick()
    expect(w.find('#phone-error').text()).toBe('Enter a phone number or an e-mail address')
    expect(w.find('#password-error').text()).toBe('At least 10 characters')
    expect(w.find('#again-error').text()).toBe('The passwords differ')
    expect(document.activeElement?.id).toBe('phone')
    expect(w.find('[data-test="portal-error"]').exists()).toBe(false)
    w.unmount()
  })
})

describe('v-can', () => {
  it('removes what the person may not use and keeps the rest', () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    useSessionStore().me = { permissions: ['core.org.read'] } as unknown as Me
    const Host = defineComponent({
      directives: { can: canDirective },
      template: `<div><button v-can="'core.org.read'" id="read">r</button><button v-can="['core.org.read', 'core.org.manage']" id="manage">m</button></div>`,
    })
    const w = mount(Host, { global: { plugins: [pinia] } })
    expect(w.find('#read').exists()).toBe(true)
    expect(w.find('#manage').exists()).toBe(false)
  })
})
