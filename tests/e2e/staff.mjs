// Staff console: sign-in → workbench → administration creates a unit and a person; the audit log is
// not offered to the system administrator; an ended session sends the person back to sign-in.
import { BASE, env, expect, scenario, snap } from './lib.mjs'

const USER = env('E2E_SYSADMIN')
const PASSWORD = env('E2E_PASSWORD')
const UNIT_CODE = env('E2E_UNIT_CODE')
const UNIT_NAME = env('E2E_UNIT_NAME')
const PERSON = env('E2E_PERSON')
const OTHER_TENANT = env('E2E_OTHER_TENANT_NAME')
const TENANT_CODE = env('E2E_TENANT_CODE')
const DEADLINE = env('E2E_DEADLINE')
const NOTIFICATION = env('E2E_NOTIFICATION')

async function signIn(page, user, password) {
  await page.goto(`${BASE}/`)
  await page.waitForURL(/\/login/)
  await page.getByLabel('用户名').fill(user)
  await page.getByLabel('口令', { exact: true }).fill(password)
  await page.getByLabel('单位代码（可不填）').fill(TENANT_CODE)
  await page.click('[data-test="login-submit"]')
  await page.waitForSelector('[data-test="workbench"]')
}

await scenario('staff', { viewport: { width: 1366, height: 900 } }, async (page, step) => {
  await step('wrong password shows the server message', async () => {
    await page.goto(`${BASE}/login`)
    await page.getByLabel('用户名').fill(USER)
    await page.getByLabel('口令', { exact: true }).fill('wrong-password')
    await page.click('[data-test="login-submit"]')
    const alert = page.locator('[data-test="login-error"]')
    await alert.waitFor()
    expect((await alert.innerText()).trim().length > 0, 'no error message')
  })

  await step('sign in lands on the workbench', async () => {
    await signIn(page, USER, PASSWORD)
    const text = await page.locator('[data-test="workbench"]').innerText()
    expect(text.includes('工作台'), 'workbench title missing')
    expect(text.includes('我的待办时限'), 'deadline block missing')
  })

  await step('the workbench shows my overdue deadline and my notification', async () => {
    const wb = page.locator('[data-test="workbench"]')
    const row = wb.locator('.el-table__row', { hasText: DEADLINE }).first()
    await row.waitFor()
    expect((await row.innerText()).includes('已逾期'), 'the deadline is not marked overdue')
    const note = wb.locator('li', { hasText: NOTIFICATION })
    await note.waitFor()
    await note.getByRole('button', { name: '标为已读' }).click()
    await wb.getByText('通知（未读 0）').waitFor()
    await snap(page, 'staff-workbench')
  })

  await step('menu: administration without the audit log', async () => {
    expect(await page.locator('[data-menu="core.admin.units"]').count() === 1, 'units menu missing')
    expect(await page.locator('[data-menu="core.admin.people"]').count() === 1, 'people menu missing')
    expect(await page.locator('[data-menu="core.admin.audit"]').count() === 0, 'audit menu shown to sysadmin')
  })

  await step('the audit page answers 403 for the system administrator', async () => {
    await page.goto(`${BASE}/admin/audit`)
    await page.waitForSelector('[data-test="forbidden"]')
  })

  await step('unknown page answers 404', async () => {
    await page.goto(`${BASE}/no/such/page`)
    await page.waitForSelector('[data-test="not-found"]')
  })

  await step('create a unit', async () => {
    await page.goto(`${BASE}/admin/units`)
    await page.click('[data-test="unit-create"]')
    await page.fill('#unit-code', UNIT_CODE)
    await page.fill('#unit-name', UNIT_NAME)
    await page.click('[data-test="unit-save"]')
    await page.locator('[data-test="unit-tree"] .node', { hasText: UNIT_NAME }).waitFor()
  })

  await step('create a person in that unit', async () => {
    await page.goto(`${BASE}/admin/people`)
    await page.click('[data-test="person-create"]')
    await page.fill('#person-username', PERSON)
    await page.fill('#person-name', '测试科员')
    await page.fill('#person-password', 'Ceshi-Pass-2026!')
    await page.click('[data-test="person-unit"]')
    await page.locator('.el-select-dropdown__item:visible', { hasText: UNIT_NAME }).click()
    await page.fill('#person-title', '科员')
    await page.click('[data-test="person-save"]')
    await page.locator('.el-table__body', { hasText: PERSON }).waitFor()
    await snap(page, 'staff-people')
  })

  await step('export the people list as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test="export-csv"]')])
    expect(download.suggestedFilename() === 'people.csv', `file named ${download.suggestedFilename()}`)
    const chunks = []
    for await (const c of await download.createReadStream()) chunks.push(c)
    const text = Buffer.concat(chunks).toString('utf8')
    expect(text.startsWith('\ufeff用户名,姓名'), `CSV header: ${text.slice(0, 40)}`)
    expect(text.includes(`${PERSON},测试科员`), 'the new person is not in the CSV')
  })

  await step('install, enable and disable a plugin for this office', async () => {
    await page.click('[data-menu="core.admin.plugins"]')
    const row = page.locator('[data-test="plugins-table"] .el-table__row', { hasText: 'sample' })
    await row.waitFor()
    // Installing also enables it.
    for (const [action, state] of [['安装', '已启用'], ['停用', '已停用'], ['启用', '已启用'], ['停用', '已停用']]) {
      await row.getByRole('button', { name: action, exact: true }).click()
      await row.locator('.el-tag', { hasText: state }).waitFor()
    }
  })

  await step('switch to the other office where the person also holds a post', async () => {
    const before = await page.locator('[data-test="tenant-name"]').innerText()
    expect(before !== OTHER_TENANT, 'already in the other office')
    await page.click('[data-test="switch-tenant"]')
    await page.locator('.el-dropdown-menu__item:visible', { hasText: OTHER_TENANT }).click()
    await page.waitForSelector('[data-test="workbench"]')
    await page.locator('[data-test="tenant-name"]', { hasText: OTHER_TENANT }).waitFor()
    // The other office's units: the unit created above belongs to the first office only.
    await page.goto(`${BASE}/admin/units`)
    await page.locator('[data-test="unit-tree"]').waitFor()
    await page.waitForLoadState('networkidle')
    expect(await page.locator('[data-test="unit-tree"] .node', { hasText: UNIT_NAME }).count() === 0, 'a unit of the first office shows in the other')
    await page.click('[data-test="switch-tenant"]')
    await page.locator('.el-dropdown-menu__item:visible', { hasText: before }).click()
    await page.locator('[data-test="tenant-name"]', { hasText: before }).waitFor()
  })

  await step('English on request', async () => {
    await page.goto(`${BASE}/admin/people`)
    await page.getByRole('button', { name: 'English' }).click()
    await page.getByRole('heading', { name: 'People' }).waitFor()
    await page.getByRole('button', { name: '中文' }).click()
  })

  await step('an ended session: back to sign-in, then back where the person was', async () => {
    // End the session on the server (as another tab would), then open a page.
    const r = await page.request.post(`${BASE}/api/auth/logout`)
    expect(r.status() === 204, `logout answered ${r.status()}`)
    await page.goto(`${BASE}/admin/units`)
    await page.waitForURL(/\/login\?redirect=/)
    await page.getByLabel('用户名').fill(USER)
    await page.getByLabel('口令', { exact: true }).fill(PASSWORD)
    await page.getByLabel('单位代码（可不填）').fill(TENANT_CODE)
    await page.click('[data-test="login-submit"]')
    await page.waitForURL(/\/admin\/units$/)
    await page.locator('[data-test="unit-tree"] .node', { hasText: UNIT_NAME }).waitFor()
  })

  await step('a 401 while working shows the expiry notice', async () => {
    const r = await page.request.post(`${BASE}/api/auth/logout`)
    expect(r.status() === 204, `logout answered ${r.status()}`)
    // The next API call of the open page gets 401: refresh the tree.
    await page.getByRole('button', { name: '刷新' }).click()
    await page.waitForURL(/\/login/)
    const notice = await page.locator('[data-test="login-notice"]').innerText()
    expect(notice.includes('登录已过期'), `notice was "${notice}"`)
  })
})
