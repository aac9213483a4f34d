import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import ElementPlus from 'element-plus'
import { makeI18n, mergeMessages, type Messages } from '@/shared/i18n'
import consoleZh from '@/locales/zh-CN'
import consoleEn from '@/locales/en'
import { useSessionStore, type Me } from '@/console/stores/session'
import docsZh from '../../../plugins/documents/web/src/locales/zh-CN.json'
import docsEn from '../../../plugins/documents/web/src/locales/en.json'
import HistoryTimeline from '../../../plugins/documents/web/src/components/HistoryTimeline.vue'
import IncomingActions from '../../../plugins/documents/web/src/components/IncomingActions.vue'
import { parseEntries, type HistoryEntry, type IncomingDetail } from '../../../plugins/documents/web/src/api'

const i18n = (locale: 'zh-CN' | 'en') =>
  makeI18n(
    {
      'zh-CN': mergeMessages(structuredClone(consoleZh) as Messages, docsZh as Messages),
      en: mergeMessages(structuredClone(consoleEn) as Messages, docsEn as Messages),
    },
    locale,
  )

function entry(step: string, opinion = '', decision: string | null = null): HistoryEntry {
  return {
    step, decision, opinion, actor_id: null, actor_name: '李文秘', on_behalf_of: null, on_behalf_of_name: null,
    at: '2026-03-02T09:00:00+08:00', data: null, supervision_item_id: null,
  }
}

function doc(state: string, over: Partial<IncomingDetail> = {}): IncomingDetail {
  return {
    id: '00000000-0000-0000-0000-000000000001', state, sender: '市财政局', recipient: '办公室', recipient_user_id: null,
    envelope_no: '', copies: 1, received_at: '2026-03-02T09:00:00+08:00', personal: false, urgency: '', opened: true,
    title: '关于预算编制的通知', classification: 0, doc_number: '', issuing_org: '', destination: '', doc_class: '办件',
    year: 2026, serial: 1, serial_label: '办件〔2026〕0001', proposal: '拟请阅示', result: null, unit_id: null, due_date: null,
    body: '', handlers: [], circulation: [], history: [], readers: [], attachments: [], ...over,
  }
}

function signIn(permissions: string[]) {
  setActivePinia(createPinia())
  useSessionStore().me = { permissions, user: { id: 'u1', username: 'u', display_name: 'u' } } as unknown as Me
}

describe('documents: distribution entries', () => {
  it('reads "单位,份数" lines with commas, full-width commas or spaces', () => {
    expect(parseEntries('财政局,3\n 教育局，2 \n\n卫健委 1')).toEqual({
      entries: [
        { recipient: '财政局', copies: 3 },
        { recipient: '教育局', copies: 2 },
        { recipient: '卫健委', copies: 1 },
      ],
    })
  })

  it('names the first bad line', () => {
    expect(parseEntries('财政局,3\n教育局\n卫健委,0')).toEqual({ badLine: 2 })
    expect(parseEntries('财政局,0')).toEqual({ badLine: 1 })
  })
})

describe('documents: history timeline', () => {
  const history = [entry('sign_in'), entry('review', '非本单位职责', 'return'), entry('instruct', '同意，抓紧落实')]

  it('labels steps and decisions in Chinese and shows opinions', () => {
    const w = mount(HistoryTimeline, { props: { history }, global: { plugins: [ElementPlus, i18n('zh-CN')] } })
    const text = w.text()
    expect(text).toContain('签收')
    expect(text).toContain('退文')
    expect(text).toContain('同意，抓紧落实')
    expect(w.findAll('[data-step]').map((e) => e.attributes('data-step'))).toEqual(['sign_in', 'review', 'instruct'])
  })

  it('labels them in English too', () => {
    const w = mount(HistoryTimeline, { props: { history }, global: { plugins: [ElementPlus, i18n('en')] } })
    expect(w.text()).toContain('Instruction')
    expect(w.text()).toContain('Return')
  })
})

describe('documents: incoming step forms', () => {
  it('offers the leader only the 批示 form, with the proposal shown', () => {
    signIn(['documents.incoming.read', 'documents.instruction.write'])
    const w = mount(IncomingActions, { props: { doc: doc('proposed') }, global: { plugins: [ElementPlus, i18n('zh-CN')] } })
    expect(w.find('[data-test="instruct-form"]').exists()).toBe(true)
    expect(w.find('[data-test="instruct-form"]').text()).toContain('拟请阅示')
    for (const form of ['register-form', 'review-form', 'classify-form', 'propose-form', 'complete-form']) {
      expect(w.find(`[data-test="${form}"]`).exists()).toBe(false)
    }
  })

  it('gives the clerk nothing to do at the leader step', () => {
    signIn(['documents.incoming.register', 'documents.incoming.read', 'documents.incoming.propose'])
    const w = mount(IncomingActions, { props: { doc: doc('proposed') }, global: { plugins: [ElementPlus, i18n('zh-CN')] } })
    expect(w.find('[data-test="instruct-form"]').exists()).toBe(false)
  })

  it('refuses 退文 without a reason before asking the server', async () => {
    signIn(['documents.incoming.register', 'documents.incoming.read'])
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    const w = mount(IncomingActions, { props: { doc: doc('registered') }, global: { plugins: [ElementPlus, i18n('zh-CN')] } })
    const review = w.find('[data-test="review-form"]')
    expect(review.exists()).toBe(true)
    await review.findAll('input[type="radio"]')[1]!.setValue(true) // 退文
    await w.find('[data-test="review-save"]').trigger('click')
    await flushPromises()
    // The reason field is marked in error (its message text comes through a transition).
    const bad = w.findAll('[data-test="review-form"] .el-form-item.is-error')
    expect(bad).toHaveLength(1)
    expect(bad[0]!.find('#review-reason').exists()).toBe(true)
    expect(fetchSpy).not.toHaveBeenCalled()
    fetchSpy.mockRestore()
  })
})
