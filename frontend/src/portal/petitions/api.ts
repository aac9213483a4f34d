/** The 信访 public API for the portal: every call names the office (X-Fuban-Tenant) from ?office=. */
import { api, unwrap, type Schemas } from '@/api/client'
import { officeCode } from '../citizen'
import { solveChallenge } from './pow'

export type TrackOut = Schemas['TrackOut']
export type MailTrackOut = Schemas['MailTrackOut']
export type SubmittedOut = Schemas['SubmittedOut']
export type PublishedPage = Schemas['PublishedPage']
export type Rating = 'satisfied' | 'basically' | 'dissatisfied'

export const MAX_FILES = 5
export const MAX_MB = 10
export const FILE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'application/pdf']
export const CATEGORIES = ['urban', 'land', 'labour', 'social', 'environment', 'education', 'health', 'law', 'other']

export function tenantHeaders(): Record<string, string> {
  const code = officeCode()
  return code ? { 'X-Fuban-Tenant': code } : {}
}

/** A fresh key per form, so a retried submission is not stored twice. */
export function newKey(): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Fetch a challenge and solve it without blocking the page. */
export async function solvedChallenge(): Promise<{ challenge_id: string; solution: string }> {
  const c = await unwrap(api.GET('/api/petitions/public/challenge', { headers: tenantHeaders() }))
  return { challenge_id: c.challenge_id, solution: await solveChallenge(c.salt, c.bits) }
}

export function fileToBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''))
    r.onerror = () => reject(r.error)
    r.readAsDataURL(file)
  })
}

/** Why a chosen file cannot be sent ('' when it can): type and size, as the server checks too. */
export function fileProblem(file: { type: string; size: number }, maxMb = MAX_MB): 'type' | 'size' | '' {
  if (!FILE_TYPES.includes(file.type)) return 'type'
  if (file.size > maxMb * 1024 * 1024) return 'size'
  return ''
}

export interface LetterInput {
  name: string
  address: string
  phone: string
  id_number: string
  title: string
  category: string
  request: string
  facts: string
  reasons: string
  files: File[]
}

export async function submitLetter(input: LetterInput, key: string): Promise<SubmittedOut> {
  const attachments = await Promise.all(
    input.files.map(async (f) => ({ name: f.name.slice(-120), content_base64: await fileToBase64(f) })),
  )
  const body = {
    name: input.name.trim(),
    address: input.address.trim(),
    phone: input.phone.trim() || null,
    id_number: input.id_number.trim() || null,
    title: input.title.trim(),
    category: input.category,
    request: input.request.trim(),
    facts: input.facts.trim(),
    reasons: input.reasons.trim(),
    attachments,
    idempotency_key: key,
    ...(await solvedChallenge()),
  }
  return unwrap(api.POST('/api/petitions/public/cases', { body, headers: tenantHeaders() }))
}

export async function submitMail(
  input: { name: string; phone: string; category: string; subject: string; body: string; allow_publish: boolean },
  key: string,
): Promise<SubmittedOut> {
  const body = {
    name: input.name.trim(),
    phone: input.phone.trim(),
    category: input.category,
    subject: input.subject.trim(),
    body: input.body.trim(),
    allow_publish: input.allow_publish,
    idempotency_key: key,
    ...(await solvedChallenge()),
  }
  return unwrap(api.POST('/api/petitions/public/mail', { body, headers: tenantHeaders() }))
}

export interface Factors { query_code: string; last4: string }

export const trackLetter = (f: Factors) =>
  unwrap(api.POST('/api/petitions/public/track', { body: f, headers: tenantHeaders() }))
export const trackMail = (f: Factors) =>
  unwrap(api.POST('/api/petitions/public/mail/track', { body: f, headers: tenantHeaders() }))
export const rateLetter = (f: Factors, rating: Rating, comment: string) =>
  unwrap(api.POST('/api/petitions/public/rate', { body: { ...f, rating, comment: comment.trim() || null }, headers: tenantHeaders() }))
export const rateMail = (f: Factors, rating: Rating, comment: string) =>
  unwrap(api.POST('/api/petitions/public/mail/rate', { body: { ...f, rating, comment: comment.trim() || null }, headers: tenantHeaders() }))
export const requestReview = (f: Factors, reasons: string) =>
  unwrap(api.POST('/api/petitions/public/review', { body: { ...f, reasons: reasons.trim() }, headers: tenantHeaders() }))
export const publishedMail = (page: number, category?: string) =>
  unwrap(
    api.GET('/api/petitions/public/mail', {
      params: { query: { page, page_size: 10, ...(category ? { category } : {}) } },
      headers: tenantHeaders(),
    }),
  )

/** A written notice as a PDF download (POST, so the code never lands in a URL or a log). */
export async function downloadNotice(f: Factors, noticeId: number): Promise<void> {
  const r = await fetch('/api/petitions/public/notice', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...tenantHeaders() },
    body: JSON.stringify({ ...f, notice_id: noticeId }),
  })
  if (!r.ok) throw new Error(`HTTP ${r.status}`)
  const url = URL.createObjectURL(await r.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = `notice-${noticeId}.pdf`
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** A signed-in citizen's own letters (404 where the module is not enabled: the caller hides the list). */
export const myLetters = () => unwrap(api.GET('/api/petitions/portal/cases', { headers: tenantHeaders() }))
