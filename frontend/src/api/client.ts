/** The typed API client: openapi-fetch over the generated schema, same origin, session cookie. */
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'

export type Schemas = components['schemas']

/** The core error body: {status, code, message, messages{zh-CN,en}, fields[]}. */
export interface ApiErrorBody {
  status: number
  code: string
  message: string
  messages?: Record<string, string>
  fields?: { field: string; code: string; message: string; messages?: Record<string, string> }[]
}

export class ApiError extends Error {
  readonly status: number
  readonly body: ApiErrorBody | null

  constructor(status: number, body: ApiErrorBody | null) {
    super(body?.message ?? `HTTP ${status}`)
    this.status = status
    this.body = body
  }

  /** The message in the UI language, falling back to the server's default. */
  localized(locale: string): string {
    return this.body?.messages?.[locale] ?? this.body?.message ?? this.message
  }

  fieldMessages(locale: string): Record<string, string> {
    const out: Record<string, string> = {}
    for (const f of this.body?.fields ?? []) {
      const msg = f.messages?.[locale] ?? f.message
      out[f.field] = out[f.field] ? `${out[f.field]} ${msg}` : msg
    }
    return out
  }
}

type Listener = (status: number, url: string) => void
const listeners: Listener[] = []

/** Called on every 401/403 answer (the session store sends the person back to sign-in on 401). */
export function onAuthFailure(listener: Listener): () => void {
  listeners.push(listener)
  return () => {
    const i = listeners.indexOf(listener)
    if (i >= 0) listeners.splice(i, 1)
  }
}

const authWatch: Middleware = {
  onResponse({ response, request }) {
    if (response.status === 401 || response.status === 403) {
      for (const l of listeners) l(response.status, request.url)
    }
    return undefined
  },
}

const origin = typeof window !== 'undefined' && window.location?.origin ? window.location.origin : 'http://localhost'

export const api = createClient<paths>({ baseUrl: origin, credentials: 'same-origin' })
api.use(authWatch)

/** Unwrap an openapi-fetch result: the data, or throw an ApiError carrying the core error body. */
export async function unwrap<T>(
  promise: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await promise
  if (!response.ok) {
    const body = (error && typeof error === 'object' ? error : null) as ApiErrorBody | null
    throw new ApiError(response.status, body)
  }
  return data as T
}
