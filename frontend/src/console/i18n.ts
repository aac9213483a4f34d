import { makeI18n, mergeMessages, type Messages } from '@/shared/i18n'
import zhCN from '@/locales/zh-CN'
import en from '@/locales/en'
import { pluginMessages } from './pages'

const plugins = pluginMessages()

export const consoleI18n = makeI18n({
  'zh-CN': mergeMessages(structuredClone(zhCN) as Messages, plugins['zh-CN'] ?? {}),
  en: mergeMessages(structuredClone(en) as Messages, plugins['en'] ?? {}),
})
