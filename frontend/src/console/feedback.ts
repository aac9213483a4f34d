/** Toasts for API outcomes in the person's language. */
import { useI18n } from 'vue-i18n'
import { ElMessage, ElMessageBox } from 'element-plus'
import { ApiError } from '@/api/client'

export function useFeedback() {
  const { t, locale } = useI18n()
  const fail = (e: unknown) => {
    ElMessage.error(e instanceof ApiError ? e.localized(locale.value) : t('errors.network'))
  }
  const done = (key = 'common.saved') => {
    ElMessage.success(t(key))
  }
  /** Ask before a destructive action; resolves true when confirmed. */
  const confirm = async (text: string): Promise<boolean> => {
    try {
      await ElMessageBox.confirm(text, t('common.confirm'), {
        confirmButtonText: t('common.ok'),
        cancelButtonText: t('common.cancel'),
        type: 'warning',
      })
      return true
    } catch {
      return false
    }
  }
  return { fail, done, confirm }
}
