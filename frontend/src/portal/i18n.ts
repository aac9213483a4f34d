import { makeI18n } from '@/shared/i18n'
import zhCN from './locales/zh-CN'
import en from './locales/en'

export const portalI18n = makeI18n({ 'zh-CN': zhCN, en })
