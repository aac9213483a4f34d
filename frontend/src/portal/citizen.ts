/** The signed-in citizen of the portal (公众账号), kept in a tiny reactive store (no Pinia in the portal). */
import { reactive } from 'vue'
import { api, unwrap, type Schemas } from '@/api/client'

/** POST /api/portal/auth/{login,register} answer (typed loosely in the schema: it sets a cookie). */
interface LoginOut {
  token: string
  expires_at: string
  kind: string
  citizen?: Citizen | null
}

export type Citizen = Schemas['CitizenOut']

const OFFICE_KEY = 'fuban.portal.office'

export const citizen = reactive({
  me: null as Citizen | null,
  loaded: false,
})

/** The office whose portal this is: ?office=<code> once, then remembered for the visit. */
export function officeCode(search: string = location.search): string | undefined {
  const fromUrl = new URLSearchParams(search).get('office')
  if (fromUrl) sessionStorage.setItem(OFFICE_KEY, fromUrl)
  return fromUrl || sessionStorage.getItem(OFFICE_KEY) || undefined
}

export async function loadCitizen(): Promise<Citizen | null> {
  const { data, response } = await api.GET('/api/portal/auth/me')
  citizen.me = response.ok && data ? data : null
  citizen.loaded = true
  return citizen.me
}

export async function registerCitizen(input: {
  phone?: string
  email?: string
  password: string
  display_name: string
}): Promise<void> {
  const out = (await unwrap(
    api.POST('/api/portal/auth/register', {
      body: {
        phone: input.phone || null,
        email: input.email || null,
        password: input.password,
        display_name: input.display_name,
        tenant: officeCode() ?? null,
      },
    }),
  )) as LoginOut
  citizen.me = out.citizen ?? null
  citizen.loaded = true
}

export async function loginCitizen(login: string, password: string): Promise<void> {
  const out = (await unwrap(
    api.POST('/api/portal/auth/login', { body: { login, password, tenant: officeCode() ?? null } }),
  )) as LoginOut
  citizen.me = out.citizen ?? null
  citizen.loaded = true
}

export async function logoutCitizen(): Promise<void> {
  await api.POST('/api/auth/logout').catch(() => undefined)
  citizen.me = null
}
