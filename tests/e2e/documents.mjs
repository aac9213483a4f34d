// 公文 (documents), the bar of issue #6: a clerk signs in (签收) and registers an incoming document,
// proposes 拟办 to a leader; the leader opens it and writes a 批示; the history shows it.
import { BASE, env, expect, scenario, snap } from './lib.mjs'

const CLERK = env('E2E_CLERK')
const LEADER = env('E2E_LEADER')
const LEADER_NAME = env('E2E_LEADER_NAME')
const PASSWORD = env('E2E_PASSWORD')
const TENANT_CODE = env('E2E_TENANT_CODE')
const SENDER = env('E2E_SENDER')
const TITLE = env('E2E_TITLE')
const DOC_NUMBER = env('E2E_DOC_NUMBER')
const PROPOSAL = env('E2E_PROPOSAL')
const INSTRUCTION = env('E2E_INSTRUCTION')
const SUPERVISED = env('E2E_SUPERVISED')
const UNIT_NAME = env('E2E_UNIT_NAME')
const ATTACHMENT = env('E2E_ATTACHMENT')

async function signIn(page, user) {
  await page.goto(`${BASE}/login`)
  await page.getByLabel('用户名').fill(user)
  await page.getByLabel('口令', { exact: true }).fill(PASSWORD)
  await page.getByLabel('单位代码（可不填）').fill(TENANT_CODE)
  await page.click('[data-test="login-submit"]')
  await page.waitForSelector('[data-test="workbench"]')
}

const state = (page) => page.locator('[data-test="incoming-state"]')

await scenario('documents', { viewport: { width: 1440, height: 1000 } }, async (page, step) => {
  let docUrl = ''

  await step('clerk signs in and opens the incoming register from the menu', async () => {
    await signIn(page, CLERK)
    const item = page.locator('[data-menu="documents.incoming"]')
    if (!(await item.isVisible())) await page.locator('.el-sub-menu__title', { hasText: '公文管理' }).click()
    await item.click()
    await page.waitForURL(/\/documents\/incoming$/)
    await page.locator('[data-test="incoming-register"]').waitFor()
  })

  await step('签收: the envelope is checked and signed in', async () => {
    await page.click('[data-test="incoming-sign-in"]')
    await page.fill('#in-sender', SENDER)
    await page.fill('#in-recipient', '办公室')
    await page.fill('#in-envelope', 'E2E-001')
    await page.click('[data-test="incoming-sign-in-save"]')
    await page.waitForURL(/\/documents\/incoming\/[0-9a-f-]{36}$/)
    docUrl = page.url()
    await state(page).filter({ hasText: '已签收' }).waitFor()
  })

  await step('拆封 and 登记 with a field error first', async () => {
    await page.click('[data-test="act-open"]')
    await state(page).filter({ hasText: '已拆封' }).waitFor()
    // An empty title: the server's field error shows under the title input.
    await page.fill('#reg-title', '')
    await page.click('[data-test="reg-save"]')
    await page.locator('[data-test="register-form"] .el-form-item.is-error', { hasText: '标题' }).waitFor()
    expect((await page.inputValue('#reg-issuing-org')) === SENDER, 'the issuing office is not prefilled from the envelope')
    await page.fill('#reg-title', TITLE)
    await page.fill('#reg-doc-number', DOC_NUMBER)
    await page.click('[data-test="reg-save"]')
    await state(page).filter({ hasText: '已登记' }).waitFor()
  })

  await step('attach a scan: upload to /api/files, then attach', async () => {
    await page.setInputFiles('[data-test="attach-file"]', {
      name: ATTACHMENT,
      mimeType: 'text/plain',
      buffer: Buffer.from('来文扫描件（测试）\n', 'utf8'),
    })
    await page.locator('[data-test="attachments"] li', { hasText: ATTACHMENT }).waitFor()
  })

  await step('初审: 退文 without a reason is refused in the form', async () => {
    await page.locator('[data-test="review-decision"]').getByText('退文').click()
    await page.click('[data-test="review-save"]')
    await page.locator('[data-test="review-form"]', { hasText: '退文或转办须写明理由' }).waitFor()
    await page.locator('[data-test="review-decision"]').getByText('通过').click()
    await page.click('[data-test="review-save"]')
    await state(page).filter({ hasText: '已初审' }).waitFor()
  })

  await step('分类 as 办件', async () => {
    await page.locator('[data-test="classify-class"]').getByText('办件', { exact: true }).click()
    await page.click('[data-test="classify-save"]')
    await state(page).filter({ hasText: '已分类' }).waitFor()
    const facts = await page.locator('[data-test="incoming-facts"]').innerText()
    expect(/办件〔\d{4}〕\d{4}/.test(facts), `no 办件 serial in: ${facts}`)
  })

  await step('拟办 to the leader', async () => {
    await page.fill('#prop-opinion', PROPOSAL)
    await page.locator('[data-test="prop-leaders"]').click()
    await page.keyboard.type(LEADER_NAME)
    await page.locator('.el-select-dropdown__item:visible', { hasText: LEADER_NAME }).click()
    await page.keyboard.press('Escape')
    await page.click('[data-test="propose-save"]')
    await state(page).filter({ hasText: '待批示' }).waitFor()
    await snap(page, 'documents-clerk-proposed')
  })

  await step('the register finds it by full-text search', async () => {
    await page.goto(`${BASE}/documents/incoming`)
    await page.fill('[data-test="incoming-search"]', '预算编制')
    await page.keyboard.press('Enter')
    await page.locator('.el-table__row', { hasText: TITLE }).waitFor()
  })

  await step('the register exports to Excel', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test="incoming-export"]')])
    expect(download.suggestedFilename().endsWith('.xlsx'), `file named ${download.suggestedFilename()}`)
    const chunks = []
    for await (const c of await download.createReadStream()) chunks.push(c)
    expect(Buffer.concat(chunks).subarray(0, 2).toString() === 'PK', 'not an xlsx (zip) file')
  })

  await step('the register speaks English on request', async () => {
    await page.getByRole('button', { name: 'English' }).click()
    await page.getByRole('heading', { name: 'Incoming register' }).waitFor()
    await page.locator('.el-table__row', { hasText: 'Awaiting instruction' }).waitFor()
    await page.getByRole('button', { name: '中文' }).click()
    await page.getByRole('heading', { name: '收文登记簿' }).waitFor()
  })

  await step('leader signs in and opens the document', async () => {
    await page.request.post(`${BASE}/api/auth/logout`)
    await signIn(page, LEADER)
    await page.goto(docUrl)
    await page.locator('[data-test="incoming-title"]', { hasText: TITLE }).waitFor()
    await state(page).filter({ hasText: '待批示' }).waitFor()
    // The leader may not register: no clerk forms.
    expect(await page.locator('[data-test="register-form"], [data-test="propose-form"]').count() === 0, 'clerk forms shown to the leader')
  })

  await step('批示', async () => {
    const form = page.locator('[data-test="instruct-form"]')
    expect((await form.innerText()).includes(PROPOSAL), 'the proposal is not shown to the leader')
    await page.fill('#ins-opinion', INSTRUCTION)
    await page.click('[data-test="instruct-save"]')
    await state(page).filter({ hasText: '已批示' }).waitFor()
  })

  await step('a second 批示 puts it under supervision (督办)', async () => {
    await page.fill('#ins-opinion', SUPERVISED)
    await page.locator('[data-test="ins-supervise"]').click()
    // No lead unit yet: the server names the field and nothing is recorded.
    await page.click('[data-test="instruct-save"]')
    await page.locator('[data-test="instruct-form"] .el-form-item.is-error', { hasText: '牵头单位' }).waitFor()
    await page.locator('[data-test="sup-lead"]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: UNIT_NAME }).click()
    await page.click('[data-test="instruct-save"]')
    await page.locator('[data-test="doc-history"] [data-step="instruct"]', { hasText: SUPERVISED }).waitFor()
  })

  await step('the history shows every step and the instruction', async () => {
    const history = page.locator('[data-test="doc-history"]')
    const entries = history.locator('[data-step="instruct"]')
    expect(await entries.count() === 2, 'two instructions expected')
    expect((await entries.nth(0).innerText()).includes(INSTRUCTION), 'the instruction text is not in the history')
    expect((await entries.nth(1).innerText()).includes('督办'), 'the supervised instruction is not marked')
    for (const s of ['sign_in', 'open', 'attach', 'register', 'review', 'classify', 'propose']) {
      expect(await history.locator(`[data-step="${s}"]`).count() === 1, `history lacks ${s}`)
    }
    await snap(page, 'documents-leader-instructed')
  })

  await step('传阅: the clerk routes it to the leader, who receives it and signs off', async () => {
    await page.request.post(`${BASE}/api/auth/logout`)
    await signIn(page, CLERK)
    await page.goto(docUrl)
    await page.locator('[data-test="circ-readers"]').click()
    await page.keyboard.type(LEADER_NAME)
    await page.locator('.el-select-dropdown__item:visible', { hasText: LEADER_NAME }).click()
    await page.keyboard.press('Escape')
    await page.click('[data-test="circ-add"]')
    await page.locator('[data-test="circulation"] .el-table__row', { hasText: LEADER_NAME }).waitFor()
    await state(page).filter({ hasText: '传阅中' }).waitFor()
    await page.request.post(`${BASE}/api/auth/logout`)
    await signIn(page, LEADER)
    await page.goto(docUrl)
    await page.click('[data-test="circ-receive"]')
    await page.fill('#circ-remark', '已阅')
    await page.click('[data-test="circ-read"]')
    await page.locator('[data-test="doc-history"] [data-step="circulation_read"]', { hasText: '已阅' }).waitFor()
  })
})
