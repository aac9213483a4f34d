// 信访 on a 360×740 phone: a citizen writes a letter with a photo (the page solves the proof-of-work
// itself), keeps the query code shown once, tracks the letter; a staff member accepts it in the console;
// the citizen's tracking shows the new status. Keyboard-only use of the form; nothing wider than 360 px.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import os from 'node:os'
import { BASE, env, expect, scenario, snap } from './lib.mjs'

const OFFICE = env('E2E_TENANT_CODE')
const STAFF = env('E2E_STAFF')
const PROOFREADER = env('E2E_PROOFREADER')
const MAIL_SUBJECT = '建议增加公交班次'
const MAIL_REPLY = '已请公交公司自下月起早高峰加密 3 路班次。'
const PASSWORD = env('E2E_PASSWORD')
const PHONE = env('E2E_PHONE')
const TITLE = env('E2E_TITLE')
const ANSWER = '已安排养护单位于本月内修复路面，修复前设置警示标志。'

// A real (tiny) PNG photo to attach.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
const photo = path.join(os.tmpdir(), `pet-e2e-${process.pid}.png`)
writeFileSync(photo, PNG)

async function checkLayout(page, what) {
  const { scroll, unlabeled } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    unlabeled: [...document.querySelectorAll('input, textarea, select')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      .map((el) => el.id || el.name || el.outerHTML.slice(0, 60)),
  }))
  expect(scroll <= 360, `${what}: page is ${scroll}px wide on a 360px screen`)
  expect(unlabeled.length === 0, `${what}: fields without a label: ${unlabeled.join(', ')}`)
}

async function signIn(staff, user) {
  await staff.goto(`${BASE}/login`)
  await staff.getByLabel('用户名').fill(user)
  await staff.getByLabel('口令', { exact: true }).fill(PASSWORD)
  await staff.getByLabel('单位代码（可不填）').fill(OFFICE)
  await staff.click('[data-test="login-submit"]')
  await staff.waitForSelector('[data-test="workbench"]')
}

const focusedId = (page) => page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.getAttribute('data-test') || document.activeElement.tagName))

const stash = {}

await scenario('petitions-portal', { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }, async (page, step) => {
  let code = ''
  let number = ''

  await step('the letter form fits a phone and every field is labelled', async () => {
    await page.goto(`${BASE}/portal/letters/new?office=${encodeURIComponent(OFFICE)}`)
    await page.getByRole('heading', { level: 1, name: '我要写信' }).waitFor()
    await page.locator('#name').waitFor()
    await checkLayout(page, 'letter form')
    const hint = await page.locator('#files-hint').innerText()
    expect(hint.includes('10 MB') && hint.includes('PDF'), `file hint was "${hint}"`)
  })

  await step('keyboard only: Tab reaches every field in order, then the submit button', async () => {
    await page.locator('h1').click() // start from the top of the content, as after the skip link
    const seen = []
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab')
      const id = await focusedId(page)
      seen.push(id)
      if (id === 'letter-submit') break
    }
    const fields = ['name', 'phone', 'id_number', 'address', 'title', 'category', 'request', 'facts', 'reasons', 'files', 'letter-submit']
    const order = seen.filter((x) => fields.includes(x))
    expect(JSON.stringify(order) === JSON.stringify(fields), `tab order was ${seen.join(' → ')}`)
  })

  await step('keyboard only: an empty submit explains the error and focuses the first field', async () => {
    await page.keyboard.press('Enter')
    await page.locator('#name-error').waitFor()
    expect((await focusedId(page)) === 'name', `focus went to ${await focusedId(page)}`)
    const described = await page.locator('#name').getAttribute('aria-describedby')
    expect(described && described.includes('name-error'), `#name aria-describedby is "${described}"`)
    expect((await page.locator('#name').getAttribute('aria-invalid')) === 'true', 'name not marked invalid')
  })

  await step('keyboard only: fill the letter', async () => {
    const type = async (text) => page.keyboard.type(text)
    const tab = async () => page.keyboard.press('Tab')
    await type('李四')
    await tab(); await type(PHONE)
    await tab() // ID number stays empty
    await tab(); await type('甘泉县城关镇解放路12号')
    await tab(); await type(TITLE)
    await tab(); await page.keyboard.press('ArrowDown') // category: the next one in the list
    await tab(); await type('请求修复小区门前破损路面')
    await tab(); await type('解放路12号门前路面塌陷已三个月，雨天积水，老人出行困难')
    await tab(); await type('道路养护是主管部门的职责')
    await tab()
    expect((await focusedId(page)) === 'files', `focus is on ${await focusedId(page)}, not the file picker`)
    await page.locator('#files').setInputFiles(photo) // the OS file dialog is not part of the page
    await page.locator('.file-list li').waitFor()
    await checkLayout(page, 'letter form with a file')
    await snap(page, 'petitions-letter-filled')
  })

  await step('submit: the page solves the challenge and shows the query code once', async () => {
    await page.locator('[data-test="letter-submit"]').focus()
    await page.keyboard.press('Enter')
    await page.locator('[data-test="query-code"]').waitFor({ timeout: 60000 })
    code = (await page.locator('[data-test="query-code"]').innerText()).trim()
    expect(code.length >= 16, `query code "${code}"`)
    const text = await page.locator('[data-test="code-once"]').innerText()
    expect(text.includes('只显示这一次'), 'no "save it" message')
    number = (text.match(/信件编号：(\S+)/) || [])[1] || ''
    expect(number, `no case number in "${text}"`)
    expect((await focusedId(page)) === 'code-once-title', `focus is on ${await focusedId(page)}`)
    await checkLayout(page, 'query code')
    await snap(page, 'petitions-query-code')
  })

  await step('track with the code and the last 4 digits', async () => {
    await page.click('[data-test="go-track"]')
    await page.waitForURL(/\/portal\/letters\/track/)
    await page.locator('#query_code').fill(code)
    await page.locator('#last4').fill(PHONE.slice(-4))
    await page.click('[data-test="track-submit"]')
    const status = page.locator('[data-test="track-status"]')
    await status.waitFor()
    expect((await status.getAttribute('data-status')) === 'registered', `status ${await status.getAttribute('data-status')}`)
    expect((await status.innerText()).includes('已登记'), 'status text')
    await checkLayout(page, 'tracking')
  })

  await step('a wrong last-4 is refused without saying which factor was wrong', async () => {
    await page.locator('#last4').fill('0000' === PHONE.slice(-4) ? '1111' : '0000')
    await page.click('[data-test="track-submit"]')
    const err = await page.locator('[data-test="portal-error"]').innerText()
    expect(err.includes('查询码或验证信息不正确'), `error was "${err}"`)
    await page.locator('#last4').fill(PHONE.slice(-4))
  })

  await step('staff accepts the letter in the console', async () => {
    const browser = page.context().browser()
    const staffCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } })
    const staff = await staffCtx.newPage()
    staff.setDefaultTimeout(15000)
    try {
      await signIn(staff, STAFF)
      await staff.goto(`${BASE}/petitions/cases`)
      await staff.locator(`[data-test="open-${number}"]`).click()
      await staff.locator('[data-test="case-status"][data-status="registered"]').waitFor()
      // personal data visible to the holder of petitions.personal.read
      expect((await staff.locator('[data-test="case-facts"]').innerText()).includes(PHONE), 'phone not shown in full')
      await staff.locator('[data-test="legal-clock"] li[data-kind="accept"]').waitFor()
      await staff.click('[data-test="action-accept"]')
      await staff.click('[data-test="action-confirm"]')
      await staff.locator('[data-test="case-status"][data-status="accepted"]').waitFor()
      await staff.locator('[data-test="legal-clock"] li[data-kind="handle"]').waitFor()
      // the citizen's photo and the notice of acceptance, both downloadable by staff
      const links = staff.locator('[data-test="case-files"] a')
      await links.nth(1).waitFor()
      expect((await links.count()) === 2, `${await links.count()} file links`)
      const photoResp = await staff.request.get(`${BASE}${await links.first().getAttribute('href')}`)
      expect(photoResp.ok(), `attachment download answered ${photoResp.status()}`)
      expect((await photoResp.body()).subarray(1, 4).toString() === 'PNG', 'attachment is not the PNG sent')
      await snap(staff, 'petitions-case-accepted')
      stash.staff = staff
      stash.ctx = staffCtx
    } catch (e) {
      await snap(staff, 'petitions-staff-failed').catch(() => undefined)
      await staffCtx.close()
      throw e
    }
  })

  await step('the citizen sees the new status and the notice of acceptance', async () => {
    await page.click('[data-test="track-submit"]')
    await page.locator('[data-test="track-status"][data-status="accepted"]').waitFor()
    const text = await page.locator('[data-test="track-result"]').innerText()
    expect(text.includes('已受理') && text.includes('受理告知书'), `tracking shows "${text.slice(0, 300)}"`)
    await checkLayout(page, 'tracking after acceptance')
    await snap(page, 'petitions-tracking-accepted')
  })

  await step('the notice of acceptance downloads as a PDF', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /受理告知书/ }).click()])
    const file = await download.path()
    const head = (await import('node:fs')).readFileSync(file).subarray(0, 5).toString()
    expect(head === '%PDF-', `download starts with "${head}"`)
  })

  await step('staff answers the letter', async () => {
    const staff = stash.staff
    try {
      await staff.click('[data-test="action-answer"]')
      await staff.getByRole('dialog').getByLabel('答复意见').fill(ANSWER)
      await staff.getByRole('dialog').getByLabel('依据').fill('《城市道路管理条例》第三十条')
      await staff.click('[data-test="action-confirm"]')
      await staff.locator('[data-test="case-status"][data-status="answered"]').waitFor()
    } finally {
      await stash.ctx.close()
    }
  })

  await step('the citizen reads the answer and rates it', async () => {
    await page.click('[data-test="track-submit"]')
    await page.locator('[data-test="track-status"][data-status="answered"]').waitFor()
    expect((await page.locator('[data-test="track-result"]').innerText()).includes(ANSWER), 'answer not shown')
    await page.getByLabel('满意', { exact: true }).check()
    await page.locator('[data-test="rating-form"] button[type="submit"]').click()
    await page.getByText('您的评价：满意').waitFor()
    await checkLayout(page, 'rated')
  })

  await step('tracking works in English too, still within 360 px', async () => {
    await page.getByRole('button', { name: 'English' }).click()
    await page.getByRole('heading', { level: 1, name: 'Track a letter' }).waitFor()
    await page.click('[data-test="track-submit"]')
    const status = page.locator('[data-test="track-status"][data-status="answered"]')
    await status.waitFor()
    expect((await status.innerText()) === 'Answered', `status "${await status.innerText()}"`)
    expect((await page.locator('[data-test="track-result"]').innerText()).includes('Your rating: Satisfied'), 'rating not shown in English')
    await checkLayout(page, 'tracking in English')
    await snap(page, 'petitions-tracking-en')
    await page.getByRole('button', { name: '中文' }).click()
    await page.getByRole('heading', { level: 1, name: '办理查询' }).waitFor()
  })

  await step("the leader's mailbox takes a message and shows its code once", async () => {
    await page.goto(`${BASE}/portal/mail`)
    await page.locator('#name').fill('李四')
    await page.locator('#phone').fill(PHONE)
    await page.locator('#subject').fill(MAIL_SUBJECT)
    await page.locator('#body').fill('早高峰 3 路公交间隔太长，建议加密班次。')
    await page.locator('#allow_publish').check()
    await checkLayout(page, 'mailbox form')
    await page.click('[data-test="mail-submit"]')
    await page.locator('[data-test="query-code"]').waitFor({ timeout: 60000 })
  })

  await step('staff reply, a second person proof-reads and publishes', async () => {
    const browser = page.context().browser()
    for (const [user, work] of [
      [STAFF, async (staff) => {
        await staff.locator('textarea[data-test="mail-reply"], [data-test="mail-reply"] textarea').fill(MAIL_REPLY)
        await staff.click('[data-test="mail-send-proof"]')
        await staff.locator('[data-test="mail-status"][data-status="proofreading"]').waitFor()
      }],
      [PROOFREADER, async (staff) => {
        await staff.click('[data-test="mail-proofread"]')
        await staff.locator('[data-test="mail-status"][data-status="replied"]').waitFor()
        await staff.click('[data-test="mail-publish"]')
        await staff.locator('[data-test="mail-status"][data-status="published"]').waitFor()
        await snap(staff, 'petitions-mail-published')
      }],
    ]) {
      const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } })
      const staff = await ctx.newPage()
      staff.setDefaultTimeout(15000)
      try {
        await signIn(staff, user)
        await staff.goto(`${BASE}/petitions/mail`)
        await staff.locator('tr', { hasText: MAIL_SUBJECT }).getByRole('button', { name: '打开' }).click()
        await work(staff)
      } catch (e) {
        await snap(staff, 'petitions-mail-failed').catch(() => undefined)
        throw e
      } finally {
        await ctx.close()
      }
    }
  })

  await step('the published reply is in the public Q&A', async () => {
    await page.goto(`${BASE}/portal/qa`)
    const list = page.locator('[data-test="qa-list"]')
    await list.waitFor()
    const text = await list.innerText()
    expect(text.includes(MAIL_SUBJECT) && text.includes(MAIL_REPLY), `Q&A shows "${text.slice(0, 200)}"`)
    expect(!text.includes(PHONE) && !text.includes('李四'), 'Q&A shows personal data')
    await checkLayout(page, 'Q&A')
    await snap(page, 'petitions-qa')
  })
})
