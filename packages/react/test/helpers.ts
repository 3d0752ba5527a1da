import { onTestFinished, vi } from 'vitest';
import type { Destination, Tracker, TrackerOptions, WaybillEvent } from '@waybill/core';

/** A destination that needs no consent and records every event it is sent. */
export function recorder(): Destination & { events: WaybillEvent[]; pages(): string[] } {
  const events: WaybillEvent[] = [];
  return {
    name: 'recorder',
    category: 'necessary',
    events,
    pages: () => events.filter((e) => e.type == 'page').map((e) => e.context.page.path + new URL(e.context.page.url).search),
    send: (batch) => void events.push(...batch),
  };
}

/** Tracker options that send to a fresh recorder, and the recorder. */
export function recorded(): { options: TrackerOptions; sink: ReturnType<typeof recorder> } {
  const sink = recorder();
  return { options: { destinations: [sink], storage: false }, sink };
}

/**
 * Count the listeners added to `target` less those removed while a test runs, by event type,
 * so a test can prove that an unmount took back everything a mount added. Core calls the
 * global `addEventListener`, which happy-dom keeps apart from `window.addEventListener`: pass `globalThis` for it.
 */
export function listenerLedger(target: EventTarget) {
  const live = new Map<string, number>();
  const add = target.addEventListener.bind(target);
  const remove = target.removeEventListener.bind(target);
  const spies = [
    vi.spyOn(target, 'addEventListener').mockImplementation((type, fn, opts) => {
      live.set(type, (live.get(type) ?? 0) + 1);
      add(type, fn, opts);
    }),
    vi.spyOn(target, 'removeEventListener').mockImplementation((type, fn, opts) => {
      live.set(type, (live.get(type) ?? 0) - 1);
      remove(type, fn, opts);
    }),
  ];
  onTestFinished(() => spies.forEach((spy) => spy.mockRestore()));
  return { count: (type: string) => live.get(type) ?? 0 };
}

/** Console calls of any level during a test; the caller asserts they are none. */
export function consoleCalls(): unknown[][] {
  const calls: unknown[][] = [];
  for (const level of ['error', 'warn', 'log', 'info'] as const) {
    const spy = vi.spyOn(console, level).mockImplementation((...args) => void calls.push([level, ...args]));
    onTestFinished(() => spy.mockRestore());
  }
  return calls;
}

/** `tracker` with a count of its live `consent.on` subscriptions, to prove an unmount unsubscribed. */
export function countingConsent(tracker: Tracker): { tracker: Tracker; live(): number } {
  let live = 0;
  const counting: Tracker = {
    ...tracker,
    consent: {
      ...tracker.consent,
      on(fn) {
        live++;
        const off = tracker.consent.on(fn);
        return () => (live--, off());
      },
    },
  };
  return { tracker: counting, live: () => live };
}
