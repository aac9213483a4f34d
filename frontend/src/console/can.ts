/** `v-can="'core.org.manage'"` (or an array: all needed) removes an element the person may not use. */
import type { Directive } from 'vue'
import { useSessionStore } from './stores/session'

export const canDirective: Directive<HTMLElement, string | string[]> = {
  mounted(el, binding) {
    const codes = Array.isArray(binding.value) ? binding.value : [binding.value]
    if (!useSessionStore().can(...codes)) el.remove()
  },
}
