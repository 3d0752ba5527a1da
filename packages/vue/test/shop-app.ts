// One small app rendered on the server (ssr.test.ts, no window) and hydrated in the browser
// (hydrate.test.ts): SERVER_HTML is what the server sends, asserted on both sides.
import { createSSRApp, defineComponent, h } from 'vue';
import { createMemoryHistory, createRouter, createWebHistory, RouterView, type RouterHistory } from 'vue-router';
import { useConsent, useWaybill, waybill, type WaybillPluginOptions } from '@waybill/vue';

export const Banner = defineComponent(() => {
  const consent = useConsent();
  const tracker = useWaybill();
  return () =>
    consent.value.analytics !== 'pending'
      ? h('p', { class: 'consent' }, consent.value.analytics ?? 'unknown')
      : h('div', { role: 'dialog' }, h('button', { onClick: () => tracker.consent.update({ analytics: 'granted' }) }, 'Accept'));
});

const Home = defineComponent(() => {
  const tracker = useWaybill();
  return () => h('button', { class: 'add', onClick: () => tracker.track('add_to_cart') }, 'Add to cart');
});

/** The app with a router on `history` (memory on the server, web history in the browser). */
export function shopApp(options: WaybillPluginOptions, history: RouterHistory = typeof window == 'undefined' ? createMemoryHistory() : createWebHistory()) {
  const router = createRouter({ history, routes: [{ path: '/', component: Home }] });
  const app = createSSRApp({ render: () => h('main', [h(RouterView), h(Banner)]) });
  app.use(router);
  app.use(waybill, { ...options, router });
  return { app, router };
}

/** What `renderToString(shopApp())` gives on a server for `/`. */
export const SERVER_HTML = '<main><button class="add">Add to cart</button><p class="consent">unknown</p></main>';
