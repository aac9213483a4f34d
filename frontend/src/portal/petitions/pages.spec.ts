import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import LetterNewPage from '@/portal/pages/LetterNewPage.vue'
import MailNewPage from '@/portal/pages/MailNewPage.vue'
import CodeOnce from '@/portal/components/CodeOnce.vue'
import RatingForm from '@/portal/components/RatingForm.vue'
import { makeI18n } from '@/shared/i18n'
import zh from '@/portal/locales/zh-CN'
import en from '@/portal/locales/en'

function setup() {
  sessionStorage.setItem('fuban.portal.office', 'gq')
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
  return { plugins: [router, makeI18n({ 'zh-CN': zh, en }, 'zh-CN')] }
}

describe('letter form', () => {
  it('explains every missing field, tied to its input, and focuses the first', async () => {
    const w = mount(LetterNewPage, { global: setup(), attachTo: document.body })
    await w.find('form').trigger('submit')
    await flushPromises()
    for (const id of ['name', 'address', 'title', 'request', 'facts', 'reasons']) {
      const input = w.find(`#${id}`)
      expect(input.attributes('aria-invalid')).toBe('true')
      expect(input.attributes('aria-describedby')).toContain(`${id}-error`)
      expect(w.find(`#${id}-error`).text()).toBe('此项必填')
    }
    expect(w.find('#phone-error').text()).toContain('手机号或身份证号')
    expect(document.activeElement?.id).toBe('name')
    w.unmount()
  })

  it('refuses files that are not photos or PDF, and too large ones', async () => {
    const w = mount(LetterNewPage, { global: setup() })
    const input = w.find('#files')
    const zip = new File(['x'], 'a.zip', { type: 'application/zip' })
    Object.defineProperty(input.element, 'files', { value: [zip], configurable: true })
    await input.trigger('change')
    expect(w.find('#files-error').text()).toContain('a.zip')
    expect(input.attributes('aria-describedby')).toBe('files-hint files-error')
    const png = new File(['x'], 'p.png', { type: 'image/png' })
    Object.defineProperty(input.element, 'files', { value: [png], configurable: true })
    await input.trigger('change')
    expect(w.find('.file-list').text()).toContain('p.png')
    expect(w.find('#files-error').exists()).toBe(false)
  })

  it('asks for the office when the page was opened without one', () => {
    sessionStorage.clear()
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { template: '<div />' } }] })
    const w = mount(LetterNewPage, { global: { plugins: [router, makeI18n({ 'zh-CN': zh, en }, 'zh-CN')] } })
    expect(w.find('[role="alert"]').text()).toContain('受理机关')
    expect(w.find('form').exists()).toBe(false)
  })
})

describe('mailbox form', () => {
  it('needs a valid phone number', async () => {
    const w = mount(MailNewPage, { global: setup() })
    await w.find('#phone').setValue('12')
    await w.find('form').trigger('submit')
    expect(w.find('#phone-error').text()).toBe('手机号格式不正确')
  })
})

describe('query code and rating', () => {
  it('shows the code once with a save-it message', () => {
    const w = mount(CodeOnce, { props: { code: 'AB12C-D34EF', number: 'XF2026-1', trackTo: '/letters/track' }, global: setup() })
    expect(w.find('[data-test="query-code"]').text()).toBe('AB12C-D34EF')
    expect(w.text()).toContain('只显示这一次')
    expect(w.find('[data-test="query-code"]').attributes('aria-describedby')).toBe('code-label code-save')
  })

  it('asks for a choice before rating', async () => {
    const onRate = vi.fn(async () => undefined)
    const w = mount(RatingForm, { props: { onRate }, global: setup() })
    await w.find('form').trigger('submit')
    expect(w.find('#rating-error').text()).toBe('请选择一项')
    expect(onRate).not.toHaveBeenCalled()
    await w.find('#rating-dissatisfied').setValue(true)
    expect(w.text()).toContain('重新办理')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(onRate).toHaveBeenCalledWith('dissatisfied', '')
  })
})
