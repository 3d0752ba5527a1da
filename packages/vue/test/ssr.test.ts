// @vitest-environment node
import { createSSRApp, defineComponent, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { describe, expect, it } from 'vitest';
import { useConsent, useWaybill } from '@waybill/vue';
import { consoleCalls, recorder } from './helpers';
import { SERVER_HTML, shopApp } from './shop-app';

describe('server rendering (@vue/server-renderer, no window)', () => {
  it('runs where there really is no window', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
  });

  it('renders the plugin, the router page views and useConsent with no warning, no error and nothing sent', async () => {
    const calls = consoleCalls();
    const sink = recorder();
    const { app, router } = shopApp({ destinations: [sink] });
    await router.push('/');
    await router.isReady();
    expect(await renderToString(app)).toBe(SERVER_HTML);
    expect(calls).toEqual([]);
    expect(sink.events).toEqual([]);
  });

  it('gives a tracker that does nothing without the plugin too', async () => {
    const calls = consoleCalls();
    const Outside = defineComponent(() => {
      const tracker = useWaybill();
      tracker.track('rendered');
      tracker.identify('u1');
      const consent = useConsent();
      return () => h('i', JSON.stringify(consent.value));
    });
    expect(await renderToString(createSSRApp(Outside))).toBe('<i>{}</i>');
    expect(calls).toEqual([]);
  });
});
