import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/theme-chalk/base.css'
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import App from './App.vue'
import { createConsoleRouter } from './router'
import { consoleI18n } from './i18n'
import { canDirective } from './can'
import { onAuthFailure } from '@/api/client'
import { useSessionStore } from './stores/session'
import { useMenuStore } from './stores/menu'
import './console.css'

const app = createApp(App)
const pinia = createPinia()
const router = createConsoleRouter()
app.use(pinia).use(router).use(consoleI18n)
document.documentElement.lang = consoleI18n.global.locale.value
app.directive('can', canDirective)

// An expired or revoked session: back to sign-in with a message, then back to where the person was.
onAuthFailure((status, url) => {
  const session = useSessionStore(pinia)
  if (status !== 401 || !session.me || url.includes('/api/auth/login')) return
  session.expire('expired')
  useMenuStore(pinia).reset()
  const here = router.currentRoute.value
  if (here.name !== 'login') void router.push({ name: 'login', query: { redirect: here.fullPath } })
})

app.mount('#app')
