// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { createTracker } from '@waybill/core';
import { deferred, fakeDestination, isolatePage, useFakeClock } from './helpers';

isolatePage();

const setGpc = (on: boolean) => Object.defineProperty(navigator, 'globalPrivacyControl', { configurable: true, value: on });

describe('consent state', () => {
  it('starts with analytics and marketing pending and necessary granted', () => {
    const t = createTracker();
    expect(t.consent.get()).toEqual({ necessary: 'granted', analytics: 'pending', marketing: 'pending' });
  });

  it('takes initial states from the options', () => {
    const t = createTracker({ consent: { analytics: 'granted', marketing: 'denied' } });
    expect(t.consent.get()).toMatchObject({ analytics: 'granted', marketing: 'denied' });
  });

  it('merges an update into the current state', () => {
    const t = createTracker();
    t.consent.update({ analytics: 'granted' });
    t.consent.update({ marketing: 'denied' });
    expect(t.consent.get()).toEqual({ necessary: 'granted', analytics: 'granted', marketing: 'denied' });
  });

  it('keeps necessary granted whatever the options or updates say', () => {
    const t = createTracker({ consent: { necessary: 'denied' } });
    t.consent.update({ necessary: 'denied' });
    expect(t.consent.get().necessary).toBe('granted');
  });

  it('ignores states other than granted, denied and pending', () => {
    const t = createTracker();
    t.consent.update({ analytics: 'yes' as never });
    expect(t.consent.get().analytics).toBe('pending');
  });

  it('rejects a non-string state that merely stringifies to a valid one', () => {
    const t = createTracker();
    t.consent.update({ analytics: ['granted'] as never });
    expect(t.consent.get().analytics).toBe('pending');
  });

  it('returns a copy from get(), so changing it changes nothing', () => {
    const t = createTracker();
    t.consent.get().analytics = 'granted';
    expect(t.consent.get().analytics).toBe('pending');
  });

  it('accepts categories of its own (extensible)', () => {
    const t = createTracker({ consent: { functional: 'granted' } });
    expect(t.consent.get().functional).toBe('granted');
  });
});

describe('Global Privacy Control', () => {
  it('denies marketing when navigator.globalPrivacyControl is true', () => {
    setGpc(true);
    const t = createTracker({ consent: { marketing: 'granted' } });
    expect(t.consent.get().marketing).toBe('denied');
  });

  it('keeps marketing denied against a later grant', () => {
    setGpc(true);
    const t = createTracker();
    t.consent.update({ marketing: 'granted' });
    expect(t.consent.get().marketing).toBe('denied');
  });

  it('leaves analytics alone', () => {
    setGpc(true);
    const t = createTracker();
    t.consent.update({ analytics: 'granted' });
    expect(t.consent.get().analytics).toBe('granted');
  });

  it('is ignored with respectGpc: false', () => {
    setGpc(true);
    const t = createTracker({ respectGpc: false });
    expect(t.consent.get().marketing).toBe('pending');
    t.consent.update({ marketing: 'granted' });
    expect(t.consent.get().marketing).toBe('granted');
  });

  it('does nothing when the signal is off', () => {
    setGpc(false);
    expect(createTracker().consent.get().marketing).toBe('pending');
  });

  it('drops events for marketing destinations', async () => {
    setGpc(true);
    const marketing = fakeDestination({ category: 'marketing' });
    const t = createTracker({ destinations: [marketing] });
    t.track('view_item');
    await t.flush();
    expect(marketing.calls).toHaveLength(0);
  });
});

describe('consent listeners', () => {
  it('calls a listener with the new state after a change', () => {
    const t = createTracker();
    const listener = vi.fn();
    t.consent.on(listener);
    t.consent.update({ analytics: 'granted' });
    expect(listener).toHaveBeenCalledOnce();
    expect(listener).toHaveBeenCalledWith({ necessary: 'granted', analytics: 'granted', marketing: 'pending' });
  });

  it('gives each listener its own copy of the state', () => {
    const t = createTracker();
    t.consent.on((state) => (state.marketing = 'granted'));
    t.consent.update({ analytics: 'granted' });
    expect(t.consent.get().marketing).toBe('pending');
  });

  it('does not call listeners when nothing changed', () => {
    const t = createTracker({ consent: { analytics: 'granted' } });
    const listener = vi.fn();
    t.consent.on(listener);
    t.consent.update({ analytics: 'granted' });
    expect(listener).not.toHaveBeenCalled();
  });

  it('stops calling a listener after its unsubscribe', () => {
    const t = createTracker();
    const listener = vi.fn();
    const off = t.consent.on(listener);
    off();
    t.consent.update({ analytics: 'granted' });
    expect(listener).not.toHaveBeenCalled();
  });

  it('keeps the gate and the other listeners working when a listener throws', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    const after = vi.fn();
    t.consent.on(() => {
      throw new Error('shop bug');
    });
    t.consent.on(after);
    t.track('view_item');
    expect(() => t.consent.update({ analytics: 'granted' })).not.toThrow();
    await t.flush();
    expect(d.names()).toEqual(['view_item']);
    expect(after).toHaveBeenCalledOnce();
  });

  it('lets listeners see the gate already applied (the gate runs first)', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    t.track('early');
    // a banner might track right after the grant; it must come after the replayed event
    t.consent.on(() => t.track('from_listener'));
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(d.names()).toEqual(['early', 'from_listener']);
  });
});

describe('the consent gate', () => {
  it('sends nothing while the category is pending', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    t.page();
    t.track('view_item');
    await t.flush();
    expect(d.calls).toHaveLength(0);
  });

  it('replays waiting events in order on grant', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    t.page();
    t.track('view_item');
    t.track('add_to_cart');
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(d.names()).toEqual(['page_view', 'view_item', 'add_to_cart']);
  });

  it('marks replayed events with the consent they are sent under', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    t.track('view_item');
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(d.sent()[0].context.consent.analytics).toBe('granted');
  });

  it('keeps at most maxPending waiting events, dropping the oldest', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], maxPending: 3 });
    for (let i = 1; i <= 5; i++) t.track('e' + i);
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(d.names()).toEqual(['e3', 'e4', 'e5']);
  });

  it('keeps 100 waiting events by default', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    for (let i = 1; i <= 101; i++) t.track('e' + i);
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(d.names()).toHaveLength(100);
    expect(d.names()[0]).toBe('e2');
  });

  it('drops waiting events on deny', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    t.track('view_item');
    t.consent.update({ analytics: 'denied' });
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(d.calls).toHaveLength(0);
  });

  it('drops events tracked while denied', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: { analytics: 'denied' } });
    t.track('view_item');
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(d.calls).toHaveLength(0);
  });

  it('still returns an event id while events wait or are denied', () => {
    const t = createTracker({ destinations: [fakeDestination()], consent: { analytics: 'denied' } });
    expect(t.track('view_item')).toEqual(expect.any(String));
  });

  it('drops queued, unsent events on revoke', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: { analytics: 'granted' } });
    t.track('view_item');
    t.consent.update({ analytics: 'denied' });
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(d.calls).toHaveLength(0);
  });

  it('drops queued, unsent events on a revoke to pending too, and keeps what waits after it', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: { analytics: 'granted' } });
    t.track('before_revoke');
    t.consent.update({ analytics: 'pending' });
    t.track('while_pending');
    t.consent.update({ analytics: 'granted' });
    await t.flush();
    expect(d.names()).toEqual(['while_pending']);
  });

  it('does not put back a batch that was out while consent was revoked and granted again', async () => {
    useFakeClock();
    const out = deferred();
    const d = fakeDestination({ replies: [() => out.promise, 'ok'] });
    const t = createTracker({ destinations: [d], consent: { analytics: 'granted' }, flushInterval: 100 });
    t.track('before_revoke');
    await vi.advanceTimersByTimeAsync(100);
    expect(d.calls).toHaveLength(1);
    t.consent.update({ analytics: 'pending' });
    t.consent.update({ analytics: 'granted' });
    t.track('after_grant');
    out.resolve('retry');
    await vi.advanceTimersByTimeAsync(120_000);
    await t.flush();
    expect(d.names()).toEqual(['before_revoke', 'after_grant']);
  });

  it('sends to a necessary destination at once, without any consent', async () => {
    const d = fakeDestination({ category: 'necessary' });
    const t = createTracker({ destinations: [d] });
    t.track('order_shipped', { transaction_id: 'T1' });
    await t.flush();
    expect(d.names()).toEqual(['order_shipped']);
  });

  it('treats a category nobody set as pending', async () => {
    const d = fakeDestination({ category: 'functional' });
    const t = createTracker({ destinations: [d] });
    t.track('view_item');
    await t.flush();
    expect(d.calls).toHaveLength(0);
    t.consent.update({ functional: 'granted' });
    await t.flush();
    expect(d.names()).toEqual(['view_item']);
  });

  it('gates each destination by its own category', async () => {
    const analytics = fakeDestination({ name: 'a', category: 'analytics' });
    const marketing = fakeDestination({ name: 'm', category: 'marketing' });
    const t = createTracker({ destinations: [analytics, marketing] });
    t.track('view_item');
    t.consent.update({ analytics: 'granted', marketing: 'denied' });
    await t.flush();
    expect(analytics.names()).toEqual(['view_item']);
    expect(marketing.calls).toHaveLength(0);
  });

  it('calls init once, when the category is first granted, and passes consent changes on', () => {
    const init = vi.fn();
    const consent = vi.fn();
    const d = { ...fakeDestination({ category: 'marketing' }), init, consent };
    const t = createTracker({ destinations: [d] });
    expect(init).not.toHaveBeenCalled();
    t.consent.update({ marketing: 'granted' });
    t.consent.update({ analytics: 'granted' });
    expect(init).toHaveBeenCalledOnce();
    expect(consent).toHaveBeenLastCalledWith(expect.objectContaining({ marketing: 'granted', analytics: 'granted' }));
  });

  it('opens a destination added later with use() when its category is granted', async () => {
    const t = createTracker({ consent: { analytics: 'granted' } });
    const d = fakeDestination();
    t.use(d);
    t.track('view_item');
    await t.flush();
    expect(d.names()).toEqual(['view_item']);
  });
});
