// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { createTracker } from '@waybill/core';
import { fakeDestination, isolatePage, useFakeClock, type FakeDestination } from './helpers';

isolatePage();

const granted = { analytics: 'granted' } as const;

/** Gaps between consecutive sends, in fake milliseconds. */
const gaps = (d: FakeDestination) => d.calls.slice(1).map((c, i) => c.at - d.calls[i].at);

/** A tracker whose one event has just been sent once (at fake time 0 of the test). */
async function sentOnce(d: FakeDestination) {
  const t = createTracker({ destinations: [d], consent: granted });
  t.track('view_item');
  await t.flush();
  expect(d.calls).toHaveLength(1);
  return t;
}

describe('retry', () => {
  it('retries a failed batch with exponential backoff, capped at 60 seconds', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(1); // no jitter: the full delay
    const d = fakeDestination({ replies: ['retry'] });
    await sentOnce(d);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(gaps(d).slice(0, 9)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });

  it('adds jitter: each delay lies between half and all of the backoff', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const d = fakeDestination({ replies: ['retry'] });
    await sentOnce(d);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(gaps(d).slice(0, 4)).toEqual([500, 1000, 2000, 4000]);
  });

  it('does not send again before the backoff is over', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const d = fakeDestination({ replies: ['retry', 'ok'] });
    const t = await sentOnce(d);
    t.track('more');
    await t.flush();
    await vi.advanceTimersByTimeAsync(999);
    expect(d.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(d.calls).toHaveLength(2);
  });

  it('honours a Retry-After (a number of milliseconds)', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const d = fakeDestination({ replies: [30_000, 'ok'] });
    await sentOnce(d);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(d.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(d.calls).toHaveLength(2);
    expect(d.calls[1].events.map((e) => e.name)).toEqual(['view_item']);
  });

  it('waits for the backoff when a Retry-After is shorter', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const d = fakeDestination({ replies: ['retry', 10, 'ok'] });
    await sentOnce(d);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gaps(d)).toEqual([1000, 2000]);
  });

  it('caps a huge Retry-After at one hour', async () => {
    useFakeClock();
    const d = fakeDestination({ replies: [1e12, 'ok'] });
    await sentOnce(d);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(d.calls).toHaveLength(2);
  });

  it('treats a send that throws or rejects as a failure to retry', async () => {
    useFakeClock();
    const d = fakeDestination({ replies: [new Error('boom'), () => Promise.reject(new Error('boom')), 'ok'] });
    await sentOnce(d);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(d.calls.map((c) => c.events.map((e) => e.name))).toEqual([['view_item'], ['view_item'], ['view_item']]);
  });

  it("gives up on a batch answered 'drop', and keeps sending later events", async () => {
    useFakeClock();
    const d = fakeDestination({ replies: ['drop', 'ok'] });
    const t = await sentOnce(d);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(d.calls).toHaveLength(1);
    t.track('later');
    await t.flush();
    expect(d.calls.map((c) => c.events.map((e) => e.name))).toEqual([['view_item'], ['later']]);
  });

  it('keeps the order of events across a retry', async () => {
    useFakeClock();
    const d = fakeDestination({ replies: ['retry', 'ok'] });
    const t = createTracker({ destinations: [d], consent: granted });
    t.track('a');
    t.track('b');
    await t.flush();
    t.track('c');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(d.calls[1].events.map((e) => e.name)).toEqual(['a', 'b', 'c']);
  });

  it('starts again from a short delay after a success', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const d = fakeDestination({ replies: ['retry', 'retry', 'retry', 'ok', 'retry', 'ok'] });
    const t = await sentOnce(d);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(d.calls).toHaveLength(4);
    t.track('next');
    await t.flush();
    const failedAt = d.calls[4].at;
    await vi.advanceTimersByTimeAsync(1000);
    expect(d.calls).toHaveLength(6);
    expect(d.calls[5].at - failedAt).toBe(1000);
  });

  it('cannot storm: a destination that always fails is called a bounded number of times', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(0); // the shortest delays jitter allows
    let inFlight = 0;
    let maxInFlight = 0;
    const d = fakeDestination({
      replies: [
        async () => {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await Promise.resolve();
          inFlight--;
          return 'retry' as const;
        },
      ],
    });
    const t = createTracker({ destinations: [d], consent: granted, batchSize: 5 });
    // a busy shopper: one event a second for 10 minutes, and the shop calling flush() now and then
    for (let s = 0; s < 600; s++) {
      t.track('e' + s);
      if (s % 60 == 0) void t.flush();
      await vi.advanceTimersByTimeAsync(1000);
    }
    // 500 ms, 1 s, 2 s, … 30 s, then every 30 s: about 26 calls in 10 minutes
    expect(d.calls.length).toBeGreaterThan(10);
    expect(d.calls.length).toBeLessThanOrEqual(30);
    expect(maxInFlight).toBe(1);
  });

  it('retries at once when the browser comes back online, not at the end of the backoff', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const d = fakeDestination({ replies: ['retry', 'retry', 'retry', 'retry', 'retry', 'retry', 'ok'] });
    await sentOnce(d);
    await vi.advanceTimersByTimeAsync(60_000); // backing off: the next try is 32 s away
    const calls = d.calls.length;
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(d.calls).toHaveLength(calls + 1);
  });

  it('does nothing on online when nothing is backing off', async () => {
    useFakeClock();
    const d = fakeDestination();
    await sentOnce(d);
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(d.calls).toHaveLength(1);
  });
});
