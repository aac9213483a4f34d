/** Shapes and helpers of the 信访 staff API (the server types some answers loosely). */
import { api, unwrap } from '@/api/client'

export const STATUSES = [
  'registered', 'referred', 'received', 'accepted', 'not_accepted', 'returned', 'withdrawn', 'merged',
  'answered', 'review_requested', 'review_answered', 'recheck_requested', 'rechecked',
] as const
export const CHANNELS = ['letter', 'phone', 'fax', 'visit', 'web'] as const
export const CATEGORIES = ['urban', 'land', 'labour', 'social', 'environment', 'education', 'health', 'law', 'other']
export const MAIL_STATUSES = ['received', 'handling', 'proofreading', 'replied', 'published'] as const

export interface CaseEvent { kind: string; text: string; public: boolean; at: string }
export interface Routing {
  id: number; mode: string; target_unit_id: string | null; target_tenant_id: string | null; state: string
  target_status: string | null; sent_on: string | null; received_on: string | null; closed_on: string | null
}
export interface Case {
  id: string; number: string; channel: string; status: string; category: string; title: string
  request: string; facts: string; reasons: string; name: string; address: string; phone: string | null; id_number: string | null
  is_group: boolean; headcount: number; representatives: { name: string; phone?: string | null }[]
  received_on: string; unit_id: string | null; decided_on: string | null; decision_reason: string | null
  handle_due: string | null; extended_days: number; extension_state: string | null; extension_reason: string | null
  answer_type: string | null; answer_text: string | null; answer_basis: string | null; answered_on: string | null
  review_stage: string | null; rating: string | null; redo_count: number; is_repeat: boolean
  related_to: string | null; merged_into: string | null; origin_case_id: string | null
  events?: CaseEvent[]; routings?: Routing[]; attachments?: string[]; query_code?: string | null
}
export interface Duplicate { id: string; number: string; title: string; status: string; received_on: string; same_person: boolean; similarity: number }
export interface Deadline {
  id: number; object_id: string; kind: string; title: string; basis_date: string | null; due_date: string
  state: string; overdue: boolean; missed: boolean; rule: string; amount: number | null
}
export interface Mail {
  id: string; category: string; subject: string; body: string; name: string; phone: string; status: string
  unit_id: string | null; reply_text: string | null; replied_by: string | null; proofread_by: string | null
  proofread_note: string | null; published_at: string | null; allow_publish: boolean; rating: string | null
  redo_count: number; received_on: string
}
export interface StatRow {
  key: string; total: number; accepted: number; answered: number; on_time: number; rated: number; satisfied: number
  group_batches: number; group_people: number; repeats: number
  answer_rate: number | null; on_time_rate: number | null; satisfaction_rate: number | null
}
export interface Summary { from: string; to: string; by: string; rows: StatRow[]; total: Partial<StatRow>; year_on_year: Record<string, { current: number; last_year: number; change: number | null }> }
export interface HotTopic { category: string; recent: number; before: number; growth: number | null }

/** Any request through the typed client, answered as T (or an ApiError thrown). */
export function call<T>(p: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
  return unwrap(p) as Promise<T>
}

export const getCase = (id: string) => call<Case>(api.GET('/api/petitions/cases/{case_id}', { params: { path: { case_id: id } } }))

export function newKey(): string {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

export const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`)

/** Working days after `from` up to and including `to` (the office calendar, 调休 included). */
export async function workdaysBetween(from: string, to: string): Promise<number | null> {
  if (to <= from) return 0
  try {
    const days = await call<{ date: string; is_workday: boolean }[]>(api.GET('/api/calendar/days', { params: { query: { start: from, end: to } } }))
    return days.filter((d) => d.date > from && d.is_workday).length
  } catch {
    return null
  }
}

/** The deadlines of one case from the core deadline engine (needs core.deadlines.read_all or assignment). */
export async function caseDeadlines(caseId: string): Promise<Deadline[]> {
  const out: Deadline[] = []
  for (let page = 1; page <= 5; page++) {
    const res = await call<{ items: Deadline[]; total: number }>(
      api.GET('/api/deadlines', { params: { query: { owner_plugin: 'petitions', page, page_size: 200 } } }),
    )
    out.push(...res.items.filter((d) => d.object_id === caseId))
    if (page * 200 >= res.total) break
  }
  return out
}

export function todayIso(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** Warning colour of a deadline (see LegalClock). */
export function clockLevel(d: { state: string; overdue: boolean; basis_date: string | null; due_date: string }, left: number | null, today: string): 'danger' | 'warning' | 'success' | 'info' {
  if (d.state !== 'open') return 'info'
  if (d.overdue || d.due_date < today) return 'danger'
  if (left !== null && left <= 2) return 'warning'
  if (d.basis_date) {
    const span = Date.parse(d.due_date) - Date.parse(d.basis_date)
    if (span > 0 && (Date.parse(today) - Date.parse(d.basis_date)) / span >= 0.8) return 'warning'
  }
  return 'success'
}
