/** Console messages, Simplified Chinese (default). Keys must match en.ts (a test checks). */
export default {
  common: {
    ok: '确定', cancel: '取消', save: '保存', add: '添加', remove: '移除', edit: '编辑', delete: '删除',
    refresh: '刷新', exportCsv: '导出 CSV', actions: '操作', empty: '暂无数据', yes: '是', no: '否',
    saved: '已保存', deleted: '已删除', confirm: '请确认', quickFilter: '在本页中筛选',
  },
  shell: {
    appName: '府办', navigation: '主菜单', skipToContent: '跳到正文', switchTenant: '切换单位',
    tenantSwitched: '已切换到 {name}', mySessions: '我的会话', changePassword: '修改口令',
  },
  auth: {
    title: '府办 · 工作人员登录', username: '用户名', password: '口令', tenantOptional: '单位代码（可不填）',
    signIn: '登录', signOut: '退出登录', required: '请输入用户名和口令',
    expired: '登录已过期，请重新登录。', idle: '长时间未操作，已自动退出，请重新登录。', signedOut: '您已退出登录。',
    mustChange: '管理员重置了您的口令，请先设置新口令。',
  },
  core: {
    menu: {
      home: '工作台', admin: '系统管理', plugins: '插件管理', calendar: '工作日历', units: '机构管理',
      people: '人员管理', roles: '角色与授权', sessions: '登录会话', audit: '审计日志',
    },
  },
  errors: {
    pendingTitle: '功能建设中', pendingText: '该模块已启用，此页面正在建设中，敬请期待。',
    forbiddenTitle: '无权访问', forbiddenText: '您没有访问此页面的权限。', notFoundTitle: '页面不存在',
    notFoundText: '您访问的页面不存在，或该功能未对本单位启用。', backHome: '返回工作台', network: '网络错误，请稍后重试',
  },
  workbench: {
    title: '工作台', hello: '{name}，您好', myDeadlines: '我的待办时限（{n}）', overdueAll: '本单位逾期事项（{n}）',
    notifications: '通知（未读 {n}）', markRead: '标为已读', markAllRead: '全部已读', item: '事项', due: '期限',
    state: '状态', module: '模块', overdue: '已逾期', onTime: '未逾期', chart: '我的时限概况',
    noDeadlines: '没有待办时限', noOverdue: '没有逾期事项', noNotifications: '没有通知',
  },
  units: {
    title: '机构管理', create: '新建机构', edit: '编辑机构', addChild: '添加下级', code: '代码', name: '名称',
    parent: '上级机构', path: '完整路径', noParent: '（无，顶级）', sort: '排序', confirmDelete: '确定删除机构“{name}”？',
  },
  people: {
    title: '人员管理', create: '新建人员', edit: '编辑人员', created: '已创建人员', search: '姓名或用户名',
    username: '用户名', displayName: '姓名', phone: '手机号', email: '电子邮箱', clearance: '密级', active: '在用',
    lockedUntil: '锁定至', password: '初始口令', passwordHint: '留空则自动生成临时口令', unit: '所在机构',
    postTitle: '职务', leader: '领导职务', resetPassword: '重置口令', unlock: '解锁',
    temporaryPassword: '临时口令：{password}（仅显示一次，请告知本人，首次登录须修改）',
    confirmReset: '确定重置“{name}”的口令？', confirmRemove: '确定移除“{name}”？',
    clearancePrompt: '密级（0 非密，1 秘密，2 机密，3 绝密）', clearanceInvalid: '请输入 0 至 3',
  },
  roles: {
    title: '角色与授权', create: '新建角色', edit: '编辑角色', search: '代码或名称', code: '代码', name: '名称',
    nameEn: '英文名称', description: '说明', builtin: '内置', grants: '授权', members: '成员',
    grantsOf: '“{name}”的权限', membersOf: '“{name}”的成员', addMember: '搜索并选择人员',
    confirmDelete: '确定删除角色“{name}”？',
  },
  plugins: {
    title: '插件管理', name: '标识', pluginTitle: '名称', version: '版本', stateLabel: '状态', description: '说明',
    confirmUninstall: '确定卸载“{name}”？',
    state: { enabled: '已启用', disabled: '已停用', not_installed: '未安装' },
    action: { install: '安装', enable: '启用', disable: '停用', uninstall: '卸载' },
  },
  calendar: {
    title: '工作日历', years: '已导入年份', year: '年份', source: '来源', holidays: '放假天数', makeup: '调休上班天数',
    version: '版本', importedAt: '导入时间', view: '查看', import: '导入年度放假安排',
    hint: '按国务院办公厅放假通知逐日填写：每行“日期,类型,名称”，类型为 holiday（放假）或 workday（调休上班）。',
    file: '文件', days: '日期', importN: '导入 {n} 天', badLine: '第 {n} 行格式不对：{line}', daysOf: '{year} 年节假日与调休',
    date: '日期', kind: '类型', name: '名称', provisional: '暂定',
    kinds: { holiday: '放假', makeup_workday: '调休上班', workday: '工作日', weekend: '周末' },
  },
  audit: {
    title: '审计日志', at: '时间', actor: '操作人', actorId: '操作人 ID', action: '操作', actionPrefix: '操作（前缀）',
    objectType: '对象类型', objectId: '对象 ID', summary: '摘要', ip: 'IP 地址', from: '开始时间', to: '结束时间',
    details: '详情', onBehalfOf: '代理对象', userAgent: '客户端', hash: '哈希', before: '变更前', after: '变更后',
  },
  sessions: {
    title: '登录会话', user: '人员 ID', userId: '按人员 ID 筛选', kind: '类型', created: '登录时间', lastSeen: '最近活动',
    expires: '到期时间', ip: 'IP 地址', userAgent: '客户端', revoke: '强制下线', confirmRevoke: '确定让该会话下线？',
    current: '当前会话', logoutAll: '退出所有设备', confirmLogoutAll: '确定在所有设备上退出登录？',
  },
  password: {
    current: '当前口令', new: '新口令', again: '再次输入新口令', mismatch: '两次输入的新口令不一致', changed: '口令已修改',
  },
}
