// The audit log is offered to the audit administrator (安全审计员), and lists sign-ins.
import { BASE, env, expect, scenario, snap } from './lib.mjs'

const USER = env('E2E_AUDITOR')
const PASSWORD = env('E2E_PASSWORD')

await scenario('auditor', { viewport: { width: 1366, height: 900 } }, async (page, step) => {
  await step('sign in', async () => {
    await page.goto(`${BASE}/login`)
    await page.getByLabel('用户名').fill(USER)
    await page.getByLabel('口令', { exact: true }).fill(PASSWORD)
    await page.click('[data-test="login-submit"]')
    await page.waitForSelector('[data-test="workbench"]')
  })

  await step('the audit log is in the menu, people management is read-only', async () => {
    expect(await page.locator('[data-menu="core.admin.audit"]').count() === 1, 'audit menu missing')
    await page.goto(`${BASE}/admin/people`)
    await page.getByRole('heading', { name: '人员管理' }).waitFor()
    expect(await page.locator('[data-test="person-create"]').count() === 0, 'create button shown without core.users.manage')
  })

  await step('the audit log lists sign-ins', async () => {
    await page.click('[data-menu="core.admin.audit"]')
    await page.waitForSelector('[data-test="audit-page"]')
    await page.fill('input[aria-label="操作（前缀）"]', 'core.auth.login')
    await page.keyboard.press('Enter')
    await page.locator('.el-table__body', { hasText: 'core.auth.login' }).first().waitFor()
    await snap(page, 'auditor-audit-log')
  })
})
