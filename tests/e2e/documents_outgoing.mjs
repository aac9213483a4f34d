// 发文 (outgoing): the drafting form shows the server's field errors per field; 送审 → 核稿 → 签发 by the
// leader → 编号; the GB/T 9704 PDF is offered; the number ledger and the overdue board open.
import { BASE, env, expect, scenario, snap } from './lib.mjs'

const CLERK = env('E2E_CLERK')
const LEADER = env('E2E_LEADER')
const LEADER_NAME = env('E2E_LEADER_NAME')
const PASSWORD = env('E2E_PASSWORD')
const TENANT_CODE = env('E2E_TENANT_CODE')
const TITLE = env('E2E_TITLE')
const CODE = env('E2E_ISSUER_CODE')
const OVERDUE_TITLE = env('E2E_OVERDUE_TITLE')
const OVERDUE_UNIT = env('E2E_OVERDUE_UNIT')

async function signIn(page, user) {
  await page.goto(`${BASE}/login`)
  await page.getByLabel('用户名').fill(user)
  await page.getByLabel('口令', { exact: true }).fill(PASSWORD)
  await page.getByLabel('单位代码（可不填）').fill(TENANT_CODE)
  await page.click('[data-test="login-submit"]')
  await page.waitForSelector('[data-test="workbench"]')
}

async function switchUser(page, user) {
  await page.request.post(`${BASE}/api/auth/logout`)
  await signIn(page, user)
}

const state = (page, text) => page.locator('[data-test="outgoing-state"]', { hasText: text }).waitFor()
// The field is marked and its server message shown under it.
const fieldError = (page, label) =>
  page.locator('.el-form-item.is-error', { hasText: label }).locator('.el-form-item__error').waitFor()

await scenario('documents-outgoing', { viewport: { width: 1440, height: 1000 } }, async (page, step) => {
  let docUrl = ''

  await step('clerk opens the drafting form', async () => {
    await signIn(page, CLERK)
    await page.goto(`${BASE}/documents/outgoing`)
    await page.click('[data-test="outgoing-new"]')
    await page.waitForURL(/\/documents\/outgoing\/new$/)
  })

  await step('the server refuses a bad draft and names the fields', async () => {
    await page.fill('#out-issuer-mark', '测试县人民政府办公室文件')
    await page.fill('#out-issuer-code', 'ab')
    await page.fill('#out-main', '各乡镇人民政府\n县直各单位')
    await page.fill('#out-body', '为做好年度预算编制工作，现将有关事项通知如下。')
    await page.fill('#out-signature', '测试县人民政府办公室')
    await page.locator('[data-test="out-signer"]').click()
    await page.keyboard.type(LEADER_NAME)
    await page.locator('.el-select-dropdown__item:visible', { hasText: LEADER_NAME }).click()
    await page.click('[data-test="outgoing-save"]')
    await fieldError(page, '机关代字')
    await fieldError(page, '标题')
    await snap(page, 'documents-outgoing-field-errors')
  })

  await step('a valid draft is saved', async () => {
    await page.fill('#out-issuer-code', CODE)
    await page.fill('#out-title', TITLE)
    await page.click('[data-test="outgoing-save"]')
    await page.waitForURL(/\/documents\/outgoing\/[0-9a-f-]{36}$/)
    docUrl = page.url()
    await state(page, '草稿')
    expect((await page.locator('[data-test="outgoing-versions"]').innerText()).includes(TITLE), 'version 1 missing')
  })

  await step('送审 and 核稿', async () => {
    await page.click('[data-test="outgoing-submit"]')
    await state(page, '核稿中')
    await page.fill('#step-opinion', '文字已核')
    await page.click('[data-test="step-approve"]')
    await state(page, '待签发')
  })

  await step('the leader signs it off', async () => {
    await switchUser(page, LEADER)
    await page.goto(docUrl)
    await state(page, '待签发')
    await page.fill('#step-opinion', '同意印发')
    await page.click('[data-test="step-approve"]')
    await state(page, '已签发')
  })

  await step('the clerk allocates the number; the PDF is laid out', async () => {
    await switchUser(page, CLERK)
    await page.goto(docUrl)
    await page.click('[data-test="outgoing-number"]')
    await state(page, '已编号')
    const pdf = page.locator('[data-test="outgoing-pdf"] object')
    await pdf.waitFor({ state: 'attached' })
    const url = new URL(await pdf.getAttribute('data'), BASE).toString()
    const r = await page.request.get(url)
    expect(r.status() === 200, `PDF answered ${r.status()}: ${(await r.text()).slice(0, 300)}`)
    expect((r.headers()['content-type'] || '').includes('application/pdf'), 'not a PDF')
    expect((await r.body()).subarray(0, 5).toString() === '%PDF-', 'not a PDF body')
    const history = page.locator('[data-test="doc-history"]')
    for (const s of ['submit', 'review', 'sign', 'number']) {
      expect(await history.locator(`[data-step="${s}"]`).count() >= 1, `history lacks ${s}`)
    }
    await snap(page, 'documents-outgoing-numbered')
  })

  await step('distribution sets the print copies; seal and dispatch are recorded', async () => {
    const box = page.locator('[data-test="outgoing-dispatch"]')
    await box.locator('textarea').first().fill('各乡镇人民政府\n')
    await page.click('[data-test="set-distribution"]')
    await box.locator('.el-form-item.is-error', { hasText: '第 1 行格式应为' }).waitFor()
    await box.locator('textarea').first().fill('各乡镇人民政府,5\n县直各单位，3')
    await page.click('[data-test="set-distribution"]')
    // 8 copies for recipients + 2 for the archive (the office's defaults).
    await page.locator('[data-test="print-copies"]', { hasText: '10' }).waitFor()
    await page.fill('#seal-name', '测试县人民政府办公室印')
    await page.locator('[data-test="seal-copies"] input').fill('10')
    await page.click('[data-test="seal-save"]')
    await box.locator('.el-table__row', { hasText: '测试县人民政府办公室印' }).waitFor()
    await page.fill('#dispatch-recipient', '各乡镇人民政府')
    await page.locator('[data-test="dispatch-copies"] input').fill('5')
    await page.fill('#dispatch-receiver', '张收发')
    await page.click('[data-test="dispatch-save"]')
    await box.locator('.el-table__row', { hasText: '张收发' }).waitFor()
  })

  await step('the number ledger shows the number without gaps', async () => {
    await page.goto(`${BASE}/documents/numbering`)
    await page.fill('#num-code', CODE)
    await page.click('[data-test="num-load"]')
    await page.locator('.el-table__row', { hasText: `${CODE}〔` }).waitFor()
    expect((await page.locator('[data-test="num-gaps"]').innerText()).includes('无空号'), 'gaps reported')
  })

  await step('预留 a number, then 废号 it, each with a reason', async () => {
    const prompt = async (reason) => {
      const box = page.locator('.el-message-box:visible')
      await box.locator('input').fill(reason)
      await box.getByRole('button', { name: '确定' }).click()
      await box.waitFor({ state: 'hidden' })
    }
    await page.click('[data-test="num-reserve"]')
    await prompt('为县政府常务会议纪要预留')
    const reserved = page.locator('.el-table__row', { hasText: `${CODE}〔` }).filter({ hasText: '预留' })
    await reserved.waitFor()
    await reserved.getByRole('button', { name: '废号' }).click()
    await prompt('会议取消')
    await page.locator('.el-table__row', { hasText: '已作废' }).waitFor()
  })

  await step('the overdue board charts the overdue document under its unit', async () => {
    await page.goto(`${BASE}/documents/overdue`)
    await page.locator('[data-test="overdue-chart"] canvas').waitFor()
    const row = page.locator('[data-test="overdue-board"] .el-table__row', { hasText: OVERDUE_TITLE })
    await row.waitFor()
    expect((await row.innerText()).includes(OVERDUE_UNIT), 'the unit is not named')
    await snap(page, 'documents-overdue')
    await row.click()
    await page.waitForURL(/\/documents\/incoming\/[0-9a-f-]{36}$/)
    await page.locator('[data-test="incoming-title"]', { hasText: OVERDUE_TITLE }).waitFor()
  })
})
