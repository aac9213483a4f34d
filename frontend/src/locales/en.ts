/** Console messages, English. Keys must match zh-CN.ts (a test checks). */
export default {
  common: {
    ok: 'OK', cancel: 'Cancel', save: 'Save', add: 'Add', remove: 'Remove', edit: 'Edit', delete: 'Delete',
    refresh: 'Refresh', exportCsv: 'Export CSV', actions: 'Actions', empty: 'No data', yes: 'Yes', no: 'No',
    saved: 'Saved', deleted: 'Deleted', confirm: 'Please confirm', quickFilter: 'Filter this page',
  },
  shell: {
    appName: 'fuban', navigation: 'Main menu', skipToContent: 'Skip to content', switchTenant: 'Switch office',
    tenantSwitched: 'Now working in {name}', mySessions: 'My sessions', changePassword: 'Change password',
  },
  auth: {
    title: 'fuban · Staff sign-in', username: 'Username', password: 'Password', tenantOptional: 'Office code (optional)',
    signIn: 'Sign in', signOut: 'Sign out', required: 'Enter your username and password',
    expired: 'Your session has expired. Please sign in again.',
    idle: 'You were signed out after a period of inactivity. Please sign in again.',
    signedOut: 'You have signed out.',
    mustChange: 'An administrator reset your password. Please choose a new one first.',
  },
  core: {
    menu: {
      home: 'Workbench', admin: 'Administration', plugins: 'Plugins', calendar: 'Working-day calendar', units: 'Units',
      people: 'People', roles: 'Roles and grants', sessions: 'Sessions', audit: 'Audit log',
    },
  },
  errors: {
    pendingTitle: 'Coming soon', pendingText: 'This module is enabled; its page is still being built.',
    forbiddenTitle: 'Access denied', forbiddenText: 'You do not have permission to open this page.',
    notFoundTitle: 'Page not found', notFoundText: 'This page does not exist, or the module is not enabled for your office.',
    backHome: 'Back to the workbench', network: 'Network error, please try again later',
  },
  workbench: {
    title: 'Workbench', hello: 'Hello, {name}', myDeadlines: 'My open deadlines ({n})', overdueAll: 'Overdue in this office ({n})',
    notifications: 'Notifications ({n} unread)', markRead: 'Mark as read', markAllRead: 'Mark all as read', item: 'Item',
    due: 'Due', state: 'State', module: 'Module', overdue: 'Overdue', onTime: 'On time', chart: 'My deadlines at a glance',
    noDeadlines: 'No open deadlines', noOverdue: 'Nothing overdue', noNotifications: 'No notifications',
  },
  units: {
    title: 'Units', create: 'New unit', edit: 'Edit unit', addChild: 'Add sub-unit', code: 'Code', name: 'Name',
    parent: 'Parent unit', path: 'Full path', noParent: '(none, top level)', sort: 'Order', confirmDelete: 'Delete the unit "{name}"?',
  },
  people: {
    title: 'People', create: 'New person', edit: 'Edit person', created: 'Person created', search: 'Name or username',
    username: 'Username', displayName: 'Name', phone: 'Phone', email: 'E-mail', clearance: 'Clearance', active: 'Active',
    lockedUntil: 'Locked until', password: 'Initial password', passwordHint: 'Leave empty to generate a temporary password',
    unit: 'Unit', postTitle: 'Post title', leader: 'Leading post', resetPassword: 'Reset password', unlock: 'Unlock',
    temporaryPassword: 'Temporary password: {password} (shown once; the person must change it at first sign-in)',
    confirmReset: 'Reset the password of "{name}"?', confirmRemove: 'Remove "{name}"?',
    clearancePrompt: 'Clearance (0 none, 1 secret, 2 confidential, 3 top secret)', clearanceInvalid: 'Enter 0 to 3',
  },
  roles: {
    title: 'Roles and grants', create: 'New role', edit: 'Edit role', search: 'Code or name', code: 'Code', name: 'Name',
    nameEn: 'English name', description: 'Description', builtin: 'Built-in', grants: 'Grants', members: 'Members',
    grantsOf: 'Permissions of "{name}"', membersOf: 'Members of "{name}"', addMember: 'Search and pick a person',
    confirmDelete: 'Delete the role "{name}"?',
  },
  plugins: {
    title: 'Plugins', name: 'Name', pluginTitle: 'Title', version: 'Version', stateLabel: 'State', description: 'Description',
    confirmUninstall: 'Uninstall "{name}"?',
    state: { enabled: 'Enabled', disabled: 'Disabled', not_installed: 'Not installed' },
    action: { install: 'Install', enable: 'Enable', disable: 'Disable', uninstall: 'Uninstall' },
  },
  calendar: {
    title: 'Working-day calendar', years: 'Imported years', year: 'Year', source: 'Source', holidays: 'Holidays',
    makeup: 'Make-up workdays', version: 'Version', importedAt: 'Imported at', view: 'View', import: "Import a year's holiday schedule",
    hint: 'One line per day from the State Council notice: "date,kind,name", kind being holiday or workday (make-up workday).',
    file: 'File', days: 'Days', importN: 'Import {n} days', badLine: 'Line {n} is malformed: {line}', daysOf: 'Holidays and make-up workdays in {year}',
    date: 'Date', kind: 'Kind', name: 'Name', provisional: 'Provisional',
    kinds: { holiday: 'Holiday', makeup_workday: 'Make-up workday', workday: 'Workday', weekend: 'Weekend' },
  },
  audit: {
    title: 'Audit log', at: 'Time', actor: 'Actor', actorId: 'Actor ID', action: 'Action', actionPrefix: 'Action (prefix)',
    objectType: 'Object type', objectId: 'Object ID', summary: 'Summary', ip: 'IP address', from: 'From', to: 'To',
    details: 'Details', onBehalfOf: 'On behalf of', userAgent: 'Client', hash: 'Hash', before: 'Before', after: 'After',
  },
  sessions: {
    title: 'Sessions', user: 'Person ID', userId: 'Filter by person ID', kind: 'Kind', created: 'Signed in', lastSeen: 'Last activity',
    expires: 'Expires', ip: 'IP address', userAgent: 'Client', revoke: 'Revoke', confirmRevoke: 'Sign this session out?',
    current: 'This session', logoutAll: 'Sign out everywhere', confirmLogoutAll: 'Sign out on every device?',
  },
  password: {
    current: 'Current password', new: 'New password', again: 'New password again', mismatch: 'The new passwords differ',
    changed: 'Password changed',
  },
}
