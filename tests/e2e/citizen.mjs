// Citizen portal on a 360×740 phone: register, see the account, sign out, sign in again; keyboard
// reachable, every field labelled, nothing wider than the screen.
import { BASE, env, expect, scenario, snap } from './lib.mjs'

const PHONE = env('E2E_CITIZEN_PHONE')
const PASSWORD = 'Gongzhong-2026!'

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

await scenario('citizen', { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }, async (page, step) => {
  await step('home page fits the screen', async () => {
    await page.goto(`${BASE}/portal/`)
    await page.getByRole('heading', { level: 1 }).waitFor()
    await checkLayout(page, 'home')
  })

  await step('skip link is the first thing the keyboard reaches', async () => {
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.className)
    expect(focused === 'skip-link', `first focus was "${focused}"`)
  })

  await step('registration explains a missing contact', async () => {
    await page.goto(`${BASE}/portal/register`)
    await checkLayout(page, 'register')
    await page.click('[data-test="portal-register"]')
    const err = await page.locator('#phone-error').innerText()
    expect(err.length > 0, 'no error for the missing contact')
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id)
    expect(focused === 'phone', `focus went to "${focused}" instead of the first bad field`)
    await snap(page, 'citizen-register-errors')
  })

  await step('register with a phone number', async () => {
    await page.getByLabel('姓名或称呼').fill('王先生')
    await page.getByLabel('手机号').fill(PHONE)
    await page.locator('#password').fill(PASSWORD)
    await page.locator('#again').fill(PASSWORD)
    await page.click('[data-test="portal-register"]')
    await page.waitForURL(/\/portal\/account$/)
    const hello = await page.locator('[data-test="portal-welcome"]').innerText()
    expect(hello.includes('王先生'), `welcome was "${hello}"`)
    await checkLayout(page, 'account')
    await snap(page, 'citizen-account')
  })

  await step('registering the same phone again is refused', async () => {
    const r = await page.request.post(`${BASE}/api/portal/auth/register`, {
      data: { phone: PHONE, password: PASSWORD, display_name: 'x' },
    })
    expect(r.status() === 409, `second registration answered ${r.status()}`)
  })

  await step('sign out', async () => {
    await page.click('[data-test="portal-logout"]')
    await page.waitForURL(/\/portal\/?$/)
  })

  await step('the account page needs sign-in', async () => {
    await page.goto(`${BASE}/portal/account`)
    await page.waitForURL(/\/portal\/login\?redirect=/)
  })

  await step('wrong password shows the server message', async () => {
    await page.getByLabel('手机号或电子邮箱').fill(PHONE)
    await page.locator('#password').fill('Wrong-Pass-2026!')
    await page.click('[data-test="portal-login"]')
    await page.locator('[data-test="portal-error"]').waitFor()
  })

  await step('sign in with the keyboard only', async () => {
    await page.locator('#password').fill(PASSWORD)
    await page.locator('#password').press('Enter')
    await page.waitForURL(/\/portal\/account$/)
    await page.locator('[data-test="portal-welcome"]').waitFor()
  })

  await step('letter, tracking and Q&A pages are in place', async () => {
    for (const [path, heading] of [['/portal/letters/new', '我要写信'], ['/portal/letters/track', '办理查询'], ['/portal/qa', '公开答复']]) {
      await page.goto(`${BASE}${path}`)
      await page.getByRole('heading', { level: 1, name: heading }).waitFor()
      await checkLayout(page, path)
    }
  })
})
