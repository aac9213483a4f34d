/** Portal messages, Simplified Chinese (default). Keys must match en.ts (a test checks). */
export default {
  site: {
    title: '政务服务公众门户', skip: '跳到正文', nav: '网站导航',
    footer: '本网站由县（市）人民政府办公室主办。如需帮助，请拨打 12345 政务服务便民热线。',
  },
  nav: { home: '首页', letter: '我要写信', track: '办理查询', qa: '公开答复', account: '我的账号', login: '登录', register: '注册' },
  home: {
    title: '欢迎访问', intro: '您可以在这里向政府写信、查询办理进度、查看公开答复。',
    letter: '反映问题、提出建议，我们将依法按时办理并答复。', letterGo: '开始写信',
    track: '凭提交时获得的查询码查看办理进度。', trackGo: '查询进度',
    qa: '查看经本人同意公开的来信及答复。', qaGo: '查看答复',
  },
  login: {
    title: '登录', login: '手机号或电子邮箱', loginHint: '注册时填写的手机号或电子邮箱', password: '口令',
    submit: '登录', noAccount: '还没有账号？', loginRequired: '请填写手机号或电子邮箱', passwordRequired: '请填写口令',
  },
  register: {
    title: '注册', intro: '注册后可以在线写信并查看办理结果。手机号和电子邮箱至少填写一项。', name: '姓名或称呼',
    phone: '手机号', email: '电子邮箱', contactHint: '手机号和电子邮箱至少填写一项', password: '口令',
    passwordHint: '至少 10 位，包含大写字母、小写字母、数字、特殊字符中的至少三类', again: '再次输入口令',
    submit: '注册', haveAccount: '已有账号？', contactRequired: '请填写手机号或电子邮箱',
    phoneInvalid: '手机号格式不正确', emailInvalid: '电子邮箱格式不正确', passwordShort: '口令至少 10 位', mismatch: '两次输入的口令不一致',
  },
  letter: {
    title: '我要写信', intro: '请如实填写来信内容。提交后您将获得查询码，用于查询办理进度。', subject: '标题',
    content: '来信内容', contentHint: '请写明事情经过、诉求和相关地点时间', address: '联系地址', submit: '提交',
    notYet: '在线写信功能即将开通，敬请期待。',
  },
  track: {
    title: '办理查询', intro: '输入提交来信时获得的查询码。', code: '查询码', codeHint: '查询码由字母和数字组成',
    submit: '查询', required: '请填写查询码', notYet: '查询功能即将开通，敬请期待。',
  },
  qa: { title: '公开答复', intro: '以下来信及答复经来信人同意公开。', empty: '暂无公开答复。' },
  account: { title: '我的账号', welcome: '{name}，您好！您已登录。', signOut: '退出登录' },
  notFound: { title: '页面不存在', text: '您访问的页面不存在。' },
  errors: { network: '网络错误，请稍后重试' },
}
