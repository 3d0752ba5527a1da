// @vitest-environment happy-dom
import { createApp, defineComponent, h, nextTick } from 'vue';
import { createRouter, createWebHistory, RouterView } from 'vue-router';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTracker } from '@waybill/core';
import { waybill } from '@waybill/vue';
import { consoleCalls, recorded } from './helpers';

beforeEach(() => history.replaceState(null, '', '/'));
let unmount = () => {};
afterEach(() => unmount());

const Page = (title?: string) =>
  defineComponent(() => {
    // As a route component sets its title: after the navigation resolved, when it mounts.
    if (title) document.title = title;
    return () => h('p', title ?? 'page');
  });

async function shop(start = '/') {
  history.replaceState(null, '', start);
  const { options, sink } = recorded();
  const tracker = createTracker(options);
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/', component: Page() },
      { path: '/p/:id', component: Page('Tee') },
      { path: '/cart', component: Page() },
      { path: '/old-cart', redirect: '/cart' },
      { path: '/admin', component: Page(), beforeEnter: () => false },
      { path: '/account', component: Page(), beforeEnter: () => '/login' },
      { path: '/login', component: Page() },
    ],
  });
  const app = createApp({ render: () => h(RouterView) });
  app.use(router);
  app.use(waybill, { tracker, router });
  await router.isReady();
  app.mount(document.createElement('div'));
  unmount = () => app.unmount();
  const pages = async () => {
    await nextTick();
    await tracker.flush();
    return sink.pages();
  };
  return { router, sink, pages, app };
}

describe('vue-router page views', () => {
  it('sends one page view per navigation, after the route rendered its title', async () => {
    const quiet = consoleCalls();
    const { router, sink, pages } = await shop();
    await router.push('/p/tee');
    await router.push('/cart');
    await router.push('/');
    await nextTick();
    const back = new Promise((done) => router.afterEach(done));
    router.back();
    await back;
    expect(await pages()).toEqual(['/', '/p/tee', '/cart', '/', '/cart']);
    expect(sink.events.find((e) => e.context.page.path == '/p/tee')!.context.page.title).toBe('Tee');
    expect(quiet).toEqual([]);
  });

  it('sends none for a replace of the same route, a push of the current one, or a change of hash only', async () => {
    const { router, pages } = await shop('/cart');
    await router.replace('/cart');
    await router.push('/cart');
    await router.push('/cart#summary');
    await router.push('/cart?coupon=SPRING');
    expect(await pages()).toEqual(['/cart', '/cart?coupon=SPRING']);
  });

  it('sends one page view for a redirect (route record or guard), for the URL it lands on, and none for an aborted navigation', async () => {
    const { router, pages } = await shop('/old-cart');
    expect(location.pathname).toBe('/cart');
    await router.push('/admin'); // aborted by its guard
    await router.push('/account'); // redirected by its guard
    expect(await pages()).toEqual(['/cart', '/login']);
  });

  it('stops when the app is unmounted', async () => {
    const { router, pages, app } = await shop();
    app.unmount();
    unmount = () => {};
    await router.push('/cart');
    expect(await pages()).toEqual(['/']);
  });
});
