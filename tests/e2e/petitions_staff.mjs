// 信访 console: a clerk registers a group visit (集体访) with two representatives and the headcount,
// sees the query code once and the case page; the statistics page draws its chart and exports Excel.
import { readFileSync } from 'node:fs'
import { BASE, env, expect, scenario, snap } from './lib.mjs'

const OFFICE = env('E2E_TENANT_CODE')
const STAFF = env('E2E_STAFF')
const PASSWORD = env('E2E_PASSWORD')
const TITLE = env('E2E_TITLE')

await scenario('petitions-staff', { viewport: { width: 1366, height: 900 } }, async (page, step) => {
  await step('sign in', async () => {
    await page.goto(`${BASE}/login`)
    await page.getByLabel('用户名').fill(STAFF)
    await page.getByLabel('口令', { exact: true }).fill(PASSWORD)
    await page.getByLabel('单位代码（可不填）').fill(OFFICE)
    await page.click('[data-test="login-submit"]')
    await page.waitForSelector('[data-test="workbench"]')
  })

  await step('register a group visit with representatives', async () => {
    await page.goto(`${BASE}/petitions/cases`)
    await page.click('[data-test="petitions-new"]')
    await page.locator('[data-test="petitions-intake"]').waitFor()
    await page.getByText('来访', { exact: true }).click()
    await page.getByLabel('姓名', { exact: true }).fill('赵六')
    await page.getByLabel('电话', { exact: true }).fill('13700001111')
    await page.getByLabel('住址', { exact: true }).fill('甘泉县东关村')
    await page.getByLabel('标题', { exact: true }).fill(TITLE)
    await page.getByLabel('诉求', { exact: true }).fill('请求落实征地补偿款')
    await page.getByLabel('事实', { exact: true }).fill('2025 年征地后补偿款至今未发放到户')
    await page.getByLabel('理由', { exact: true }).fill('补偿协议已签订')
    await page.click('[data-test="intake-group"]')
    await page.getByRole('spinbutton').fill('23')
    for (const [i, name] of [[1, '赵六'], [2, '钱七']]) {
      await page.getByRole('button', { name: '添加代表' }).click()
      await page.getByLabel(`姓名 ${i}`).fill(name)
    }
    await page.click('[data-test="intake-submit"]')
    const code = (await page.locator('[data-test="intake-code"]').innerText()).trim()
    expect(code.length >= 16, `query code "${code}"`)
    await snap(page, 'petitions-intake-done')
  })

  await step('the case page shows the group and its legal clock', async () => {
    await page.getByRole('button', { name: '打开' }).click()
    await page.locator('[data-test="case-status"][data-status="registered"]').waitFor()
    const facts = await page.locator('[data-test="case-facts"]').innerText()
    expect(facts.includes('23') && facts.includes('钱七') && facts.includes('来访'), `facts: ${facts.slice(0, 300)}`)
    await page.locator('[data-test="legal-clock"] li[data-kind="route"]').waitFor()
    const clock = await page.locator('[data-test="legal-clock"]').innerText()
    expect(/剩 \d+ 个工作日/.test(clock), `clock: ${clock}`)
  })

  await step('the case list masks personal data', async () => {
    await page.goto(`${BASE}/petitions/cases`)
    const row = page.locator('tr', { hasText: TITLE })
    await row.waitFor()
    const text = await row.innerText()
    expect(text.includes('赵*') && !text.includes('13700001111'), `row: ${text}`)
  })

  await step('a 12345 hotline call is written down and gets a query code', async () => {
    await page.goto(`${BASE}/petitions/mail`)
    await page.click('[data-test="hotline-new"]')
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('姓名', { exact: true }).fill('孙八')
    await dialog.getByLabel('电话', { exact: true }).fill('13900002222')
    await dialog.getByLabel('标题', { exact: true }).fill(`路灯不亮${TITLE}`)
    await dialog.getByLabel('来电内容').fill('东关村口路灯已坏一周')
    await dialog.getByRole('button', { name: '登记' }).click()
    const code = (await page.locator('[data-test="hotline-code"]').innerText()).trim()
    expect(code.length >= 16, `hotline query code "${code}"`)
  })

  await step('statistics draw a chart and export Excel', async () => {
    await page.goto(`${BASE}/petitions/stats`)
    await page.locator('[data-test="rate-chart"] canvas').waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test="stats-export"]')])
    const head = readFileSync(await download.path()).subarray(0, 2).toString()
    expect(head === 'PK', `export starts with "${head}"`)
    await snap(page, 'petitions-stats')
  })
})
