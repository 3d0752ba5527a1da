// @vitest-environment happy-dom
// The plugin's own logic over a stand-in library (what it sends, once, when), and through the
// real core tracker (the consent gate). The real library in a real browser: e2e/web-vitals.spec.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTracker, type WaybillEvent } from '@waybill/core';
import { reporter } from '../src/report';
import type { Metric, Targets } from '../src/types';
import { webVitals } from '../src/index';
import { webVitals as webVitalsWithAttribution } from '../src/attribution';
import { fakeLibrary, fakeTracker, hidePage, metric, recorder, showPage } from './helpers';

afterEach(() => {
  delete (document as { visibilityState?: unknown }).visibilityState;
  vi.restoreAllMocks();
});

/** A plugin over a stand-in library; `target` as the attribution entry passes it. */
function setUp(target?: (m: Metric) => string | undefined) {
  const lib = fakeLibrary();
  return { lib, webVitals: reporter(lib.onINP, lib.others, target) };
}

const attributionTarget = (m: Metric) => {
  const a = m.attribution as Targets | undefined;
  return a && (a.target || a.interactionTarget || a.largestShiftTarget);
};

describe('what is sent', () => {
  it.each([
    ['LCP', { value: 2345.6, rating: 'good' }],
    ['FCP', { value: 812.3, rating: 'good' }],
    ['TTFB', { value: 95.1, rating: 'good', navigationType: 'reload' }],
    ['CLS', { value: 0.31, rating: 'poor', navigationType: 'back-forward' }],
    ['INP', { value: 264, rating: 'needs-improvement', navigationType: 'prerender' }],
  ] as const)('%s: one web_vital event with metric, value, rating, delta, id and navigationType', (name, more) => {
    const { lib, webVitals } = setUp();
    const t = fakeTracker();
    webVitals(t);
    const m = metric(name, { ...more });
    lib.report(m);
    // INP goes when the page is hidden (below); the others as soon as the library reports them.
    if (name == 'INP') hidePage();
    expect(t.calls).toEqual([
      { name: 'web_vital', props: { metric: name, value: more.value, rating: more.rating, delta: more.value, id: m.id, navigationType: m.navigationType } },
    ]);
  });

  it.each([
    ['LCP', { target: 'main>img.hero' }, 'main>img.hero'],
    ['INP', { interactionTarget: '#add-to-cart', interactionType: 'pointer' }, '#add-to-cart'],
    ['CLS', { largestShiftTarget: 'html>body>div.banner', largestShiftValue: 0.2 }, 'html>body>div.banner'],
    ['FCP', { timeToFirstByte: 80, firstByteToFCP: 400 }, undefined],
    ['TTFB', { waitingDuration: 3, requestDuration: 60 }, undefined],
    ['LCP', {}, undefined],
  ] as const)('attribution: %s %o names its element as target: %s', (name, attribution, target) => {
    const { lib, webVitals } = setUp(attributionTarget);
    const t = fakeTracker();
    webVitals(t);
    lib.report(metric(name, { attribution }));
    if (name == 'INP') hidePage();
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0]!.props.target).toBe(target);
    // No key at all when there is nothing to name.
    expect('target' in t.calls[0]!.props).toBe(target !== undefined);
  });

  it('attribution: false leaves the target out, and the plain build never sends one', () => {
    for (const [webVitals, options] of [
      [setUp(attributionTarget), { attribution: false }],
      [setUp(), { attribution: true }],
    ] as const) {
      const t = fakeTracker();
      webVitals.webVitals(t, options);
      webVitals.lib.report(metric('LCP', { attribution: { target: 'main>img' } }));
      expect(t.calls[0]!.props).not.toHaveProperty('target');
    }
  });

  it('asks the library for every INP change and for the other metrics as it reports them', () => {
    const { lib, webVitals } = setUp();
    webVitals(fakeTracker());
    expect(lib.registered).toEqual(['INP', 'CLS', 'FCP', 'LCP', 'TTFB']);
    expect(lib.options).toEqual({ INP: { reportAllChanges: true }, CLS: undefined, FCP: undefined, LCP: undefined, TTFB: undefined });
  });
});

describe('each metric once per page lifecycle', () => {
  it('CLS reported again at a later hide (new value, same id) is not sent again', () => {
    const { lib, webVitals } = setUp();
    const t = fakeTracker();
    webVitals(t);
    const cls = metric('CLS', { value: 0.05 });
    lib.report(cls);
    lib.report({ ...cls, value: 0.4, rating: 'poor' });
    expect(t.calls.map((c) => c.props.value)).toEqual([0.05]);
  });

  it('INP: changes while the page is visible are held; the latest goes at the first hide, once', () => {
    const { lib, webVitals } = setUp();
    const t = fakeTracker();
    webVitals(t);
    const inp = metric('INP', { value: 48, rating: 'good' });
    lib.report(inp);
    // The library updates its metric object in place and reports the same object again.
    Object.assign(inp, { value: 312, rating: 'needs-improvement' });
    lib.report(inp);
    expect(t.calls, 'while visible').toEqual([]);
    hidePage();
    expect(t.calls.map((c) => [c.props.value, c.props.delta, c.props.rating])).toEqual([[312, 312, 'needs-improvement']]);
    // The shopper comes back, clicks again, leaves again: the page's INP was already counted.
    showPage();
    lib.report(Object.assign(inp, { value: 700, rating: 'poor' }));
    hidePage();
    expect(t.calls).toHaveLength(1);
  });

  it('INP reported while the page is already hidden (entries taken at hide) is sent at once', () => {
    const { lib, webVitals } = setUp();
    const t = fakeTracker();
    webVitals(t);
    hidePage();
    lib.report(metric('INP', { value: 180, rating: 'good' }));
    expect(t.calls.map((c) => c.props.value)).toEqual([180]);
  });

  it('no interaction: nothing for INP at hide', () => {
    const { webVitals } = setUp();
    const t = fakeTracker();
    webVitals(t);
    hidePage();
    expect(t.calls).toEqual([]);
  });

  it('a restore from the back/forward cache is a new lifecycle: its metrics (new ids) are sent too', () => {
    const { lib, webVitals } = setUp();
    const t = fakeTracker();
    webVitals(t);
    lib.report(metric('FCP'));
    lib.report(metric('FCP', { navigationType: 'back-forward-cache', value: 16 }));
    expect(t.calls.map((c) => c.props.navigationType)).toEqual(['navigate', 'back-forward-cache']);
  });

  it('calling webVitals twice for one tracker observes and reports once', () => {
    const { lib, webVitals } = setUp();
    const t = fakeTracker();
    webVitals(t);
    webVitals(t, { attribution: true });
    expect(lib.registered).toEqual(['INP', 'CLS', 'FCP', 'LCP', 'TTFB']);
    lib.report(metric('TTFB'));
    expect(t.calls).toHaveLength(1);
  });

  it('the plain and the attribution entries share one registry: the first call for a tracker wins', () => {
    const plain = setUp();
    const withTarget = setUp(attributionTarget);
    const t = fakeTracker();
    plain.webVitals(t);
    withTarget.webVitals(t);
    expect(withTarget.lib.registered).toEqual([]);
    // Another tracker on the same page gets its own reports.
    withTarget.webVitals(fakeTracker());
    expect(withTarget.lib.registered).toHaveLength(5);
  });
});

describe('consent: through the real tracker', () => {
  const reportAll = (lib: ReturnType<typeof fakeLibrary>) => {
    for (const name of ['TTFB', 'FCP', 'LCP', 'CLS', 'INP'] as const) lib.report(metric(name));
  };

  it('while analytics is pending nothing is sent; on grant every metric goes, in order, under the new consent', async () => {
    const { lib, webVitals } = setUp();
    const dest = recorder();
    const tracker = createTracker({ destinations: [dest], storage: false });
    webVitals(tracker);
    reportAll(lib);
    // Hidden while pending (a tab switch): CLS and INP are reported, and wait like the rest.
    hidePage();
    await tracker.flush();
    expect(dest.events).toEqual([]);
    showPage();
    tracker.consent.update({ analytics: 'granted' });
    await tracker.flush();
    expect(dest.events.map((e) => e.props.metric)).toEqual(['TTFB', 'FCP', 'LCP', 'CLS', 'INP']);
    expect(dest.events.every((e) => e.name == 'web_vital' && e.type == 'track' && e.context.consent.analytics == 'granted')).toBe(true);
  });

  it('denied: nothing is ever sent', async () => {
    const { lib, webVitals } = setUp();
    const dest = recorder();
    const tracker = createTracker({ destinations: [dest], storage: false, consent: { analytics: 'denied' } });
    webVitals(tracker);
    reportAll(lib);
    hidePage();
    await tracker.flush();
    expect(dest.events).toEqual([]);
  });

  it('granted: CLS and INP reported at hide go out in the beacon at that same hide', () => {
    const { lib, webVitals } = setUp();
    const sends: { unload: boolean; metrics: unknown[] }[] = [];
    const dest = { ...recorder(), send: (events: WaybillEvent[], unload: boolean) => void sends.push({ unload, metrics: events.map((e) => e.props.metric) }) };
    const tracker = createTracker({ destinations: [dest], storage: false, consent: { analytics: 'granted' } });
    webVitals(tracker);
    lib.report(metric('INP'));
    // As the library does at hide: its listener on window (capture) reports CLS before the tracker's beacon.
    addEventListener('visibilitychange', () => lib.report(metric('CLS')), { capture: true, once: true });
    hidePage();
    expect(sends).toEqual([{ unload: true, metrics: ['CLS', 'INP'] }]);
  });
});

describe('never breaks the page', () => {
  it.each([undefined, null, {}, 'waybill', 42, { track: 'not a function' }])('not a tracker (%o): nothing happens', (tracker) => {
    const { lib, webVitals } = setUp();
    expect(() => webVitals(tracker as never)).not.toThrow();
    if (!(tracker as { track?: unknown })?.track) expect(lib.registered).toEqual([]);
    // A track that is not a function is called like one: the error stays inside.
    else expect(() => lib.report(metric('FCP'))).not.toThrow();
  });

  it('an on… function that throws (a browser without its API) leaves the others reporting', () => {
    const lib = fakeLibrary();
    const broken = () => {
      throw new TypeError('PerformanceObserver is not defined');
    };
    const t = fakeTracker();
    expect(() => reporter(broken, [lib.others[0]!, broken, ...lib.others.slice(1)])(t)).not.toThrow();
    lib.report(metric('CLS'));
    lib.report(metric('TTFB'));
    expect(t.calls.map((c) => c.props.metric)).toEqual(['CLS', 'TTFB']);
  });

  it('a tracker whose track throws does not throw into the library', () => {
    const { lib, webVitals } = setUp();
    webVitals({
      track: () => {
        throw new Error('broken');
      },
    });
    expect(() => lib.report(metric('LCP'))).not.toThrow();
  });

  it('the real library here (happy-dom has no web performance entries), and without PerformanceObserver: no throw, no console output', () => {
    const spies = (['log', 'warn', 'error'] as const).map((level) => vi.spyOn(console, level));
    const t = fakeTracker();
    expect(() => webVitals(t)).not.toThrow();
    const observer = globalThis.PerformanceObserver;
    try {
      delete (globalThis as { PerformanceObserver?: unknown }).PerformanceObserver;
      expect(() => webVitalsWithAttribution(fakeTracker())).not.toThrow();
      expect(() => webVitals(fakeTracker(), { attribution: false })).not.toThrow();
      hidePage();
    } finally {
      globalThis.PerformanceObserver = observer;
    }
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
