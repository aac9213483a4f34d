// Shared plumbing for the browser scenarios: Debian chromium driven by playwright-core (from
// frontend/node_modules, no browser download), a step log, and a screenshot when a step fails.
import { createRequire } from 'node:module'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const ROOT = path.resolve(here, '..', '..')
const require = createRequire(path.join(ROOT, 'frontend', 'package.json'))
const { chromium } = require('playwright-core')

export const BASE = process.env.E2E_BASE_URL
if (!BASE) throw new Error('E2E_BASE_URL is not set')
const ARTIFACTS = process.env.E2E_ARTIFACTS || path.join(ROOT, 'test-artifacts', 'e2e')

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

export async function launch() {
  return chromium.launch({
    executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  })
}

/** Run a scenario: `steps(page, step)`; on failure save a screenshot and exit 1. */
export async function scenario(name, contextOptions, steps) {
  const browser = await launch()
  const context = await browser.newContext({ locale: 'zh-CN', ...contextOptions })
  const page = await context.newPage()
  page.setDefaultTimeout(15000)
  const consoleErrors = []
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
  // Errors Vue caught while rendering are only logged; a refused request (401 after sign-out) is expected.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) consoleErrors.push(msg.text())
  })
  let current = 'start'
  const step = async (label, fn) => {
    current = label
    console.log(`[${name}] ${label}`)
    return fn()
  }
  try {
    await steps(page, step)
    if (consoleErrors.length) throw new Error(`uncaught errors in the page: ${consoleErrors.join(' | ')}`)
    console.log(`[${name}] OK`)
  } catch (err) {
    mkdirSync(ARTIFACTS, { recursive: true })
    const shot = path.join(ARTIFACTS, `${name}.png`)
    await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined)
    console.error(`[${name}] FAILED at "${current}": ${err && err.stack ? err.stack : err}`)
    console.error(`[${name}] screenshot: ${shot}; url: ${page.url()}`)
    process.exitCode = 1
  } finally {
    await browser.close()
  }
}

/** A screenshot kept for people reviewing a run (test-artifacts/ is not committed). */
export async function snap(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true })
}

export function expect(cond, message) {
  if (!cond) throw new Error(message)
}

export const env = (name) => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set`)
  return v
}
