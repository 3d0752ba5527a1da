import { createApp } from 'vue';
import { createRouter, createWebHistory } from 'vue-router';
import { waybill } from '@waybill/vue';
import '../../storefront/css/shop.css';
import '../../spa-common/banner.css';
import App from './App.vue';
import { options } from './waybill';

const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: () => import('./pages/Home.vue') },
    { path: '/product/:id', component: () => import('./pages/Product.vue') },
    // Old storefront links (/product.html?id=…) redirect: one page view, for the product's route.
    { path: '/product.html', redirect: (to) => ({ path: `/product/${encodeURIComponent(String(to.query.id ?? ''))}`, query: {} }) },
    { path: '/cart', component: () => import('./pages/Cart.vue') },
    { path: '/checkout', component: () => import('./pages/Checkout.vue') },
    { path: '/thanks', component: () => import('./pages/Thanks.vue') },
    { path: '/:rest(.*)*', component: () => import('./pages/NotFound.vue') },
  ],
  scrollBehavior: () => ({ top: 0 }),
});

createApp(App).use(router).use(waybill, { ...options, router }).mount('#app');
