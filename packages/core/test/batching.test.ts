// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { createTracker } from '@waybill/core';
import { deferred, fakeDestination, hidePage, isolatePage, leavePage, tick, until, useFakeClock } from './helpers';

isolatePage();

const granted = { analytics: 'granted' } as const;
const trackMany = (t: ReturnType<typeof createTracker>, n: number, prefix = 'e') => {
  for (let i = 1; i <= n; i++) t.track(prefix + i);
};

describe('batching', () => {
  it('sends a batch as soon as batchSize events wait', async () => {
    useFakeClock();
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: granted, batchSize: 5 });
    trackMany(t, 4);
    await vi.advanceTimersByTimeAsync(0);
    expect(d.calls).toHaveLength(0);
    t.track('e5');
    await vi.advanceTimersByTimeAsync(0);
    expect(d.calls).toHaveLength(1);
    expect(d.names()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(d.calls[0].unload).toBe(false);
  });

  it('uses a batch size of 20 by default', async () => {
    useFakeClock();
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: granted });
    trackMany(t, 19);
    await vi.advanceTimersByTimeAsync(0);
    expect(d.calls).toHaveLength(0);
    t.track('e20');
    await vi.advanceTimersByTimeAsync(0);
    expect(d.calls.map((c) => c.events.length)).toEqual([20]);
  });

  it('sends when the oldest waiting event is flushInterval old', async () => {
    useFakeClock();
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: granted, flushInterval: 5000 });
    t.track('first');
    await vi.advanceTimersByTimeAsync(3000);
    t.track('second');
    await vi.advanceTimersByTimeAsync(1999);
    expect(d.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(d.names()).toEqual(['first', 'second']);
  });

  it('waits 5 seconds by default', async () => {
    useFakeClock();
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: granted });
    t.track('view_item');
    await vi.advanceTimersByTimeAsync(4999);
    expect(d.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(d.calls).toHaveLength(1);
  });

  it('sends events replayed on grant within flushInterval, without a flush() call', async () => {
    useFakeClock();
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    t.track('waited');
    t.consent.update(granted);
    await vi.advanceTimersByTimeAsync(5000);
    expect(d.names()).toEqual(['waited']);
  });

  it('still sends after flushInterval once consent is withdrawn and granted again', async () => {
    useFakeClock();
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: granted });
    t.track('before_deny');
    t.consent.update({ analytics: 'denied' });
    await vi.advanceTimersByTimeAsync(5000);
    t.consent.update(granted);
    t.track('after_regrant');
    await vi.advanceTimersByTimeAsync(5000);
    expect(d.names()).toEqual(['after_regrant']);
  });

  it('sends 50 events in a burst in at most 3 requests, in order', async () => {
    useFakeClock();
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: granted });
    trackMany(t, 50);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(d.calls.length).toBeLessThanOrEqual(3);
    expect(d.names()).toEqual(Array.from({ length: 50 }, (_, i) => 'e' + (i + 1)));
  });

  it('sends a backlog in one request: batchSize says when to send, not how much', async () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: granted, batchSize: 4 });
    trackMany(t, 10);
    await t.flush();
    expect(d.calls.map((c) => c.events.length)).toEqual([10]);
  });

  it('sends at most 500 events a request, and at most the batchSize of a destination that sets one', async () => {
    const big = fakeDestination({ name: 'big' });
    const small = { ...fakeDestination({ name: 'small' }), batchSize: 4 };
    const t = createTracker({ destinations: [big, small], consent: granted, maxPending: 2000, storage: { maxEvents: 2000 } });
    trackMany(t, 1200);
    await t.flush();
    expect(big.calls.map((c) => c.events.length)).toEqual([500, 500, 200]);
    expect(small.calls.slice(0, 3).map((c) => c.events.length)).toEqual([4, 4, 4]);
    expect(small.calls).toHaveLength(300);
  });

  it('keeps one request in flight per destination', async () => {
    const pending = deferred();
    const d = fakeDestination({ replies: [() => pending.promise, 'ok'] });
    const t = createTracker({ destinations: [d], consent: granted, batchSize: 2 });
    trackMany(t, 2);
    await until(() => d.calls.length == 1, 'the first request out');
    trackMany(t, 4, 'later');
    for (let i = 0; i < 20; i++) await tick();
    expect(d.calls).toHaveLength(1);
    pending.resolve('ok');
    await t.flush();
    expect(d.calls).toHaveLength(2);
    expect(d.names()).toEqual(['e1', 'e2', 'later1', 'later2', 'later3', 'later4']);
  });

  it('does not let a slow destination hold up another', async () => {
    const slow = fakeDestination({ name: 'slow', replies: [() => new Promise(() => {})] });
    const fast = fakeDestination({ name: 'fast' });
    const t = createTracker({ destinations: [slow, fast], consent: granted, batchSize: 1 });
    t.track('view_item');
    await tick();
    expect(fast.names()).toEqual(['view_item']);
  });
});

describe('flush when the page is hidden', () => {
  it('hands waiting events to send(events, unload = true) on visibilitychange to hidden, synchronously', () => {
    const d = fakeDestination({ replies: ['beacon'] });
    const t = createTracker({ destinations: [d], consent: granted });
    t.track('view_item');
    t.track('add_to_cart');
    hidePage();
    expect(d.calls).toHaveLength(1);
    expect(d.calls[0].unload).toBe(true);
    expect(d.names()).toEqual(['view_item', 'add_to_cart']);
  });

  it('does the same on pagehide', () => {
    const d = fakeDestination({ replies: ['beacon'] });
    const t = createTracker({ destinations: [d], consent: granted });
    t.track('view_item');
    leavePage();
    expect(d.calls).toEqual([expect.objectContaining({ unload: true })]);
  });

  it('sends each event once when visibilitychange and pagehide both fire', () => {
    const d = fakeDestination({ replies: ['beacon'] });
    const t = createTracker({ destinations: [d], consent: granted });
    t.track('view_item');
    hidePage();
    leavePage();
    expect(d.names()).toEqual(['view_item']);
  });

  it('does not flush when the page becomes visible', () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d], consent: granted });
    t.track('view_item');
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    expect(d.calls).toHaveLength(0);
  });

  it('hands the whole queue over in one call (the transport splits it under the beacon quota), or per batchSize of a destination that sets one', () => {
    const d = fakeDestination({ replies: ['beacon'] });
    const pixel = { ...fakeDestination({ name: 'pixel' }), batchSize: 3 };
    const t = createTracker({ destinations: [d, pixel], consent: granted, batchSize: 30 });
    trackMany(t, 7);
    leavePage();
    expect(d.calls.map((c) => c.events.length)).toEqual([7]);
    expect(d.names()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
    expect(pixel.calls.map((c) => c.events.length)).toEqual([3, 3, 1]);
  });

  it('sends nothing for a destination whose consent is pending', () => {
    const d = fakeDestination();
    const t = createTracker({ destinations: [d] });
    t.track('view_item');
    leavePage();
    expect(d.calls).toHaveLength(0);
  });

  it('still beacons while a destination is backing off after a failure', async () => {
    useFakeClock();
    const d = fakeDestination({ replies: ['retry', 'beacon'] });
    const t = createTracker({ destinations: [d], consent: granted });
    t.track('failed_once');
    await t.flush();
    t.track('later');
    leavePage();
    expect(d.calls[1]).toMatchObject({ unload: true });
    expect(d.calls[1].events.map((e) => e.name)).toEqual(['failed_once', 'later']);
  });

  it('does not throw into the page when send throws during unload', () => {
    const d = fakeDestination({ replies: [new Error('boom')] });
    const t = createTracker({ destinations: [d], consent: granted });
    t.track('view_item');
    expect(() => leavePage()).not.toThrow();
  });
});
