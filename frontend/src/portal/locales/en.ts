/** Portal messages, English. Keys must match zh-CN.ts (a test checks). */
export default {
  site: {
    title: 'Public Service Portal', skip: 'Skip to content', nav: 'Site navigation',
    footer: "Run by the county (city) government office. For help, call the 12345 public service hotline.",
  },
  nav: { home: 'Home', letter: 'Write a letter', track: 'Track a letter', qa: 'Public replies', account: 'My account', login: 'Sign in', register: 'Register' },
  home: {
    title: 'Welcome', intro: 'Write to the government, track how your letter is handled and read public replies.',
    letter: 'Report a problem or make a suggestion; we handle and answer it on time as the law requires.', letterGo: 'Start a letter',
    track: 'Use the query code you received to see the progress.', trackGo: 'Track progress',
    qa: 'Letters and replies published with the writer’s consent.', qaGo: 'Read replies',
  },
  login: {
    title: 'Sign in', login: 'Phone number or e-mail', loginHint: 'The phone number or e-mail you registered with', password: 'Password',
    submit: 'Sign in', noAccount: 'No account yet?', loginRequired: 'Enter your phone number or e-mail', passwordRequired: 'Enter your password',
  },
  register: {
    title: 'Register', intro: 'With an account you can write letters online and see the results. Give a phone number or an e-mail address.', name: 'Name',
    phone: 'Phone number', email: 'E-mail', contactHint: 'Give at least a phone number or an e-mail address', password: 'Password',
    passwordHint: 'At least 10 characters, with three of: upper case, lower case, digits, other characters', again: 'Password again',
    submit: 'Register', haveAccount: 'Already registered?', contactRequired: 'Enter a phone number or an e-mail address',
    phoneInvalid: 'This phone number is not valid', emailInvalid: 'This e-mail address is not valid', passwordShort: 'At least 10 characters', mismatch: 'The passwords differ',
  },
  letter: {
    title: 'Write a letter', intro: 'Please describe your matter truthfully. You will receive a query code to track it.', subject: 'Subject',
    content: 'Your letter', contentHint: 'What happened, what you ask for, where and when', address: 'Postal address', submit: 'Submit',
    notYet: 'Writing letters online opens soon.',
  },
  track: {
    title: 'Track a letter', intro: 'Enter the query code you received when you submitted your letter.', code: 'Query code', codeHint: 'Letters and digits',
    submit: 'Track', required: 'Enter the query code', notYet: 'Tracking opens soon.',
  },
  qa: { title: 'Public replies', intro: 'Letters and replies published with the writer’s consent.', empty: 'No public replies yet.' },
  account: { title: 'My account', welcome: 'Hello, {name}! You are signed in.', signOut: 'Sign out' },
  notFound: { title: 'Page not found', text: 'This page does not exist.' },
  errors: { network: 'Network error, please try again later' },
}
