import type { Destination, WaybillEvent } from '@waybill/core';
import type { Metric, Observe } from '../src/types';

/**
 * A stand-in for the web-vitals library: records what each `on…` function was given and lets
 * a test report a metric the way the library would (same callback, same metric object).
 */
export function fakeLibrary() {
  const callbacks: Partial<Record<Metric['name'], (metric: Metric) => void>> = {};
  const options: Partial<Record<Metric['name'], unknown>> = {};
  const registered: Metric['name'][] = [];
  const on =
    (name: Metric['name']): Observe =>
    (report, opts) => {
      registered.push(name);
      callbacks[name] = report;
      options[name] = opts;
    };
  return {
    onINP: on('INP'),
    others: [on('CLS'), on('FCP'), on('LCP'), on('TTFB')],
    /** Names of the `on…` functions called, in order (once per registration). */
    registered,
    options,
    /** Report `metric` through the callback given to its `on…` function. */
    report(metric: Metric) {
      callbacks[metric.name]!(metric);
    },
  };
}

let count = 0;

/** A metric as the library makes it: a fresh id unless given. */
export const metric = (name: Metric['name'], more: Partial<Metric> = {}): Metric => ({
  name,
  value: name == 'CLS' ? 0.12 : 1234.5,
  rating: 'needs-improvement',
  id: `v6-1764050000000-${1000000000000 + ++count}`,
  navigationType: 'navigate',
  ...more,
});

/** A tracker stand-in that records `track` calls. */
export function fakeTracker() {
  const calls: { name: string; props: Record<string, unknown> }[] = [];
  return {
    calls,
    track(name: string, props?: Record<string, unknown>) {
      calls.push({ name, props: props! });
      return 'id';
    },
  };
}

/** A destination that records every event it is sent (a copy). */
export function recorder(): Destination & { events: WaybillEvent[] } {
  const events: WaybillEvent[] = [];
  return {
    name: 'recorder',
    category: 'analytics',
    events,
    send(batch) {
      events.push(...JSON.parse(JSON.stringify(batch)));
    },
  };
}

/** The page is hidden (tab switch, navigation): the event fires at the document and bubbles to the window, as in browsers. */
export function hidePage() {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
}

/** The shopper comes back to the tab. */
export function showPage() {
  delete (document as { visibilityState?: unknown }).visibilityState;
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
}
