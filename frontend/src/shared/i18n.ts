/** vue-i18n set-up shared by console and portal: zh-CN by default, en; the choice is remembered. */
import { createI18n } from 'vue-i18n'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
const KEY = 'fuban.locale'

export type Messages = Record<string, unknown>

export function savedLocale(): Locale {
  const v = typeof localStorage !== 'undefined' ? localStorage.getItem(KEY) : null
  return v === 'en' ? 'en' : 'zh-CN'
}

export function rememberLocale(locale: Locale): void {
  localStorage.setItem(KEY, locale)
  document.documentElement.lang = locale
}

/** Deep merge of message trees (plugins add their own `<plugin>.*` keys). */
export function mergeMessages(target: Messages, source: Messages): Messages {
  for (const [k, v] of Object.entries(source)) {
    const cur = target[k]
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object') {
      mergeMessages(cur as Messages, v as Messages)
    } else {
      target[k] = v
    }
  }
  return target
}

export function makeI18n(messages: Record<Locale, Messages>, locale: Locale = savedLocale()) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    messages: messages as Record<Locale, Record<string, never>>,
    missingWarn: false,
    fallbackWarn: false,
  })
}

/** Every leaf key of a message tree, dotted. */
export function leafKeys(tree: Messages, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    v && typeof v === 'object' ? leafKeys(v as Messages, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}
