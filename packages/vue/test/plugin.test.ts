// @vitest-environment happy-dom
import { createApp, defineComponent, effectScope, h, nextTick } from 'vue';
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createTracker, type Tracker } from '@waybill/core';
import { useConsent, useWaybill, waybill } from '@waybill/vue';
import { consoleCalls, countingConsent, listenerLedger, recorded } from './helpers';
import { Banner } from './shop-app';

/** A component that hands the tracker it injects to `seen`. */
const probe = (seen: (t: Tracker) => void) =>
  defineComponent(() => {
    seen(useWaybill());
    return () => null;
  });

describe('useWaybill without the plugin', () => {
  it('returns a tracker whose every call does nothing and never throws, in setup and outside it, with no warning', async () => {
    const calls = consoleCalls();
    let inSetup: Tracker | undefined;
    mount(probe((t) => (inSetup = t)));
    for (const t of [inSetup!, useWaybill()]) {
      expect(t.page()).toBeUndefined();
      expect(t.track('purchase', { transaction_id: 'T1' })).toBeUndefined();
      expect(() => t.identify('user-1', { email: 'a@example.com' })).not.toThrow();
      expect(() => t.consent.update({ analytics: 'granted' })).not.toThrow();
      expect(t.consent.get()).toEqual({});
      expect(() => t.consent.on(() => {})()).not.toThrow();
      expect(() => t.use({ name: 'x', category: 'necessary', send() {} })).not.toThrow();
      await expect(t.flush()).resolves.toBeUndefined();
    }
    expect(calls).toEqual([]);
  });
});

describe('app.use(waybill, options)', () => {
  it('makes one tracker per app, with only the listeners core adds, and provides it to every component', async () => {
    const win = listenerLedger(globalThis);
    const { options, sink } = recorded();
    const seen = new Set<Tracker>();
    const Probe = probe((t) => seen.add(t));
    const wrapper = mount(defineComponent(() => () => [h(Probe), h(Probe)]), { global: { plugins: [[waybill, options]] } });
    expect(seen.size).toBe(1);
    expect(win.count('pagehide')).toBe(1);
    const [tracker] = seen;
    tracker!.track('one');
    await tracker!.flush();
    expect(sink.events.map((e) => e.name)).toEqual(['one']);
    wrapper.unmount();
  });

  it('provides a ready tracker passed as { tracker }', () => {
    const tracker = createTracker({ storage: false });
    let seen: Tracker | undefined;
    mount(probe((t) => (seen = t)), { global: { plugins: [[waybill, { tracker }]] } });
    expect(seen).toBe(tracker);
  });

  it('lets a child track in its own setup', async () => {
    const tracker = createTracker(recorded().options);
    const { sink } = recorded();
    tracker.use(sink);
    const Product = defineComponent(() => {
      useWaybill().track('view_item', { items: [{ item_id: 'SKU1' }] });
      return () => null;
    });
    mount(Product, { global: { plugins: [[waybill, { tracker }]] } });
    await tracker.flush();
    expect(sink.events.map((e) => e.name)).toEqual(['view_item']);
  });
});

describe('useConsent', () => {
  it('is a ref of the current consent, updated on every change, and unsubscribes on unmount', async () => {
    const calls = consoleCalls();
    const tracker = createTracker({ storage: false });
    const { tracker: counting, live } = countingConsent(tracker);
    const wrapper = mount(Banner, { global: { plugins: [[waybill, { tracker: counting }]] } });
    await nextTick();
    expect(wrapper.find('[role=dialog]').exists()).toBe(true);
    expect(live()).toBe(1);
    await wrapper.find('button').trigger('click');
    expect(wrapper.find('.consent').text()).toBe('granted');
    tracker.consent.update({ analytics: 'denied' });
    await nextTick();
    expect(wrapper.find('.consent').text()).toBe('denied');
    wrapper.unmount();
    expect(live()).toBe(0);
    expect(calls).toEqual([]);
  });

  it('works outside a component (in an effect scope or a store), with no warning', () => {
    const calls = consoleCalls();
    const tracker = createTracker({ storage: false });
    const app = createApp({ render: () => null });
    app.use(waybill, { tracker });
    const consent = app.runWithContext(() => effectScope().run(() => useConsent())!);
    expect(consent.value.analytics).toBe('pending');
    tracker.consent.update({ analytics: 'granted' });
    expect(consent.value.analytics).toBe('granted');
    expect(calls).toEqual([]);
  });
});
