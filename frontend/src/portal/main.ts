import { createApp } from 'vue'
import PortalApp from './PortalApp.vue'
import { createPortalRouter } from './router'
import { portalI18n } from './i18n'
import './portal.css'

createApp(PortalApp).use(createPortalRouter()).use(portalI18n).mount('#app')
