/** Shapes of the documents API answers (the server returns plain dicts) and small helpers. */
import { ApiError, unwrap } from '@/api/client'

export interface HistoryEntry {
  step: string
  decision: string | null
  opinion: string | null
  actor_id: string | null
  actor_name: string | null
  on_behalf_of: string | null
  on_behalf_of_name: string | null
  at: string
  data: Record<string, unknown> | null
  supervision_item_id: string | null
}

export interface AttachmentRef {
  file_id: string
  name: string
  added_at: string
}

export interface CirculationEntry {
  seq: number
  reader_id: string
  reader_name: string
  received_at: string | null
  read_at: string | null
  remark: string
}

export interface IncomingSummary {
  id: string
  state: string
  sender: string
  recipient: string
  recipient_user_id: string | null
  envelope_no: string
  copies: number
  received_at: string
  personal: boolean
  urgency: string
  opened: boolean
  title: string | null
  classification: number
  doc_number: string | null
  issuing_org: string | null
  destination: string | null
  doc_class: string | null
  year: number | null
  serial: number | null
  serial_label: string | null
  proposal: string | null
  result: string | null
  unit_id: string | null
  due_date: string | null
}

export interface IncomingDetail extends IncomingSummary {
  body: string | null
  handlers: { unit_id: string; role: string }[]
  circulation: CirculationEntry[]
  history: HistoryEntry[]
  readers: unknown
  attachments: AttachmentRef[]
}

export interface OutgoingSummary {
  id: string
  state: string
  doc_type: string
  direction: string
  normative: boolean
  classification: number
  urgency: string
  issuer_mark: string
  issuer_code: string
  doc_number: string | null
  title: string
  main_recipients: string[]
  signature: string
  written_date: string | null
  signer_id: string
  countersigners: string[]
  version: number
  print_copies: number
  due_date: string | null
}

export interface OutgoingDetail extends OutgoingSummary {
  body: string
  history: HistoryEntry[]
  versions: { version: number; title: string; body: string; edited_by: string | null; edited_at: string; reason: string }[]
  recipients: { name: string; copies: number; list_id: string | null }[]
  attachments: AttachmentRef[]
  seals?: { seal_name: string; copies: number; by_name: string; at: string }[]
  dispatches?: { recipient: string; copies: number; copy_numbers: string; receiver_name: string; proxy: boolean; received_at: string }[]
}

export interface Page<T> {
  items: T[]
  total: number
}

export interface NumberEntry {
  id: number
  code: string
  year: number
  seq: number
  status: string
  label: string
  outgoing_id: string | null
  reason: string
  at: string
}

/** Unwrap a documents answer (typed loosely by the OpenAPI schema) as the shape we know. */
export async function call<T>(promise: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
  return (await unwrap(promise)) as T
}

/** Upload a file to core storage for the documents plugin; returns its id. */
export async function uploadFile(file: File, classification = 0): Promise<string> {
  const form = new FormData()
  form.append('file', file, file.name)
  const res = await fetch(`/api/files?plugin=documents&classification=${classification}`, {
    method: 'POST',
    body: form,
    credentials: 'same-origin',
  })
  const body = await res.json().catch(() => null)
  if (!res.ok) throw new ApiError(res.status, body)
  return (body as { id: string }).id
}

/** A query string of the filters that are set. */
export function queryString(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

export const CLASSES = ['办件', '阅件', '抄件', '内刊', '简报'] as const
export const LEVELS = [0, 1, 2, 3] as const
export const INCOMING_STATES = [
  'signed', 'opened', 'registered', 'returned', 'forwarded', 'reviewed', 'classified', 'proposed',
  'instructed', 'handling', 'circulating', 'done',
] as const
export const OUTGOING_STATES = ['draft', 'review', 'countersign', 'legal_review', 'sign', 'signed', 'numbered'] as const
export const DOC_TYPES = [
  '决议', '决定', '命令', '令', '公报', '公告', '通告', '意见', '通知', '通报', '报告', '请示', '批复', '议案', '函', '纪要',
] as const

/** Local date and time for display. */
export function when(v: string | null | undefined, locale: string): string {
  return v ? new Date(v).toLocaleString(locale) : ''
}

export interface Entry {
  recipient: string
  copies: number
}

/** "单位,份数" per line (comma, full-width comma or spaces) → entries; else the first bad line (1-based). */
export function parseEntries(text: string): { entries: Entry[] } | { badLine: number } {
  const entries: Entry[] = []
  const rows = text.split('\n').map((l) => l.trim()).filter(Boolean)
  for (const [i, line] of rows.entries()) {
    const m = line.match(/^(.+?)[,，\s]+(\d+)$/)
    if (!m || Number(m[2]) < 1) return { badLine: i + 1 }
    entries.push({ recipient: m[1]!.trim(), copies: Number(m[2]) })
  }
  return { entries }
}
