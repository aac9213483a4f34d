// Roles and grants (角色与授权) by the security administrator (安全保密管理员): a new role, a grant, a member.
import { BASE, env, expect, scenario } from './lib.mjs'

const USER = env('E2E_SECADMIN')
const PASSWORD = env('E2E_PASSWORD')
const TENANT_CODE = env('E2E_TENANT_CODE')
const ROLE = env('E2E_ROLE_CODE')
const MEMBER = env('E2E_MEMBER')

await scenario('secadmin', { viewport: { width: 1366, height: 900 } }, async (page, step) => {
  await step('sign in', async () => {
    await page.goto(`${BASE}/login`)
    await page.getByLabel('用户名').fill(USER)
    await page.getByLabel('口令', { exact: true }).fill(PASSWORD)
    await page.getByLabel('单位代码（可不填）').fill(TENANT_CODE)
    await page.click('[data-test="login-submit"]')
    await page.waitForSelector('[data-test="workbench"]')
  })

  await step('create a role', async () => {
    await page.click('[data-menu="core.admin.roles"]')
    await page.getByRole('button', { name: '新建角色' }).click()
    await page.fill('#role-code', ROLE)
    await page.fill('#role-name', '测试角色')
    await page.getByRole('dialog').getByRole('button', { name: '保存' }).click()
    await page.locator('.el-table__row', { hasText: ROLE }).waitFor()
  })

  const row = () => page.locator('.el-table__row', { hasText: ROLE })
  const grants = () => page.getByRole('dialog', { name: /的权限/ })
  const members = () => page.getByRole('dialog', { name: /的成员/ })

  await step('grant it a permission', async () => {
    await row().getByRole('button', { name: '授权' }).click()
    const box = grants().locator('.el-checkbox', { hasText: 'core.org.read' })
    await box.click()
    await grants().getByRole('button', { name: '保存' }).click()
    await grants().waitFor({ state: 'hidden' })
  })

  await step('the grant is there after a reload', async () => {
    await page.reload()
    await row().getByRole('button', { name: '授权' }).click()
    const box = grants().locator('.el-checkbox', { hasText: 'core.org.read' })
    await box.waitFor()
    expect(await box.evaluate((el) => el.classList.contains('is-checked')), 'core.org.read is not granted')
    await page.keyboard.press('Escape')
    await grants().waitFor({ state: 'hidden' })
  })

  await step('add a member', async () => {
    await row().getByRole('button', { name: '成员' }).click()
    await members().locator('.el-select').click()
    await page.keyboard.type(MEMBER)
    await page.locator('.el-select-dropdown__item:visible', { hasText: MEMBER }).click()
    await members().getByRole('button', { name: '添加' }).click()
    await members().locator('.el-table__row', { hasText: MEMBER }).waitFor()
  })
})
