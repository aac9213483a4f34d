/** Who is signed in (from GET /api/auth/me): permissions, tenants, sign-in/out, tenant switch. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, unwrap, type Schemas } from '@/api/client'

export type Me = Schemas['MeOut']
/** Why the person is back at the sign-in page. */
export type SignOutReason = 'expired' | 'idle' | 'signed_out' | null

/** The server's default idle timeout (FUBAN_SESSION_IDLE_MINUTES); /api/auth/me answers the real one. */
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000

/** How long the console may sit unused before it signs out: the server's session idle timeout. */
export function idleTimeoutMs(me: { idle_timeout_seconds?: number } | null): number {
  const s = me?.idle_timeout_seconds
  return typeof s === 'number' && s > 0 ? s * 1000 : IDLE_TIMEOUT_MS
}

export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null)
  const loaded = ref(false)
  const reason = ref<SignOutReason>(null)

  const permissions = computed(() => new Set(me.value?.permissions ?? []))
  const signedIn = computed(() => me.value !== null)
  const tenants = computed(() => me.value?.tenants ?? [])

  /** True when the signed-in person holds every one of `codes`. */
  function can(...codes: string[]): boolean {
    return codes.every((c) => permissions.value.has(c))
  }

  function canAny(...codes: string[]): boolean {
    return codes.some((c) => permissions.value.has(c))
  }

  async function fetchMe(): Promise<Me | null> {
    const { data, response } = await api.GET('/api/auth/me')
    me.value = response.ok && data ? data : null
    loaded.value = true
    return me.value
  }

  async function login(username: string, password: string, tenant?: string): Promise<Me | null> {
    await unwrap(api.POST('/api/auth/login', { body: { username, password, tenant: tenant || null } }))
    reason.value = null
    return fetchMe()
  }

  async function logout(why: SignOutReason = 'signed_out'): Promise<void> {
    if (me.value) {
      await api.POST('/api/auth/logout').catch(() => undefined)
    }
    expire(why)
  }

  /** Forget the session locally (the server already ended it, or we just did). */
  function expire(why: SignOutReason): void {
    me.value = null
    loaded.value = true
    reason.value = why
  }

  async function switchTenant(code: string): Promise<void> {
    await unwrap(api.POST('/api/auth/switch-tenant', { body: { tenant: code } }))
    await fetchMe()
  }

  return { me, loaded, reason, permissions, signedIn, tenants, can, canAny, fetchMe, login, logout, expire, switchTenant }
})
