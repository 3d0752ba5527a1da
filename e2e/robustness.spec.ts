// Never break the host page: bad input to every public call is dropped without a throw,
// an unhandled rejection or a lost valid event.
import { MODES, expect, flush, sdkReady, test, waitForEvents } from './fixtures';

// Page-side code (a string, so the values are made in the page). `makeBad()` returns inputs
// a shop's code could pass by mistake; `hammer(api, record)` feeds each one to every public
// call and records (label) whatever throws or rejects instead of staying silent.
const BAD = `
  function makeBad() {
    const circular = { name: 'loop' };
    circular.self = circular;
    const huge = 'x'.repeat(1024 * 1024);
    return [
      undefined, null, 0, 42, -1, NaN, Infinity, true, '', huge,
      circular, [circular], { big: huge }, { n: 10n },
      () => 1, Symbol('s'), { s: Symbol('s') }, Object.create(null),
      { toJSON() { throw new Error('toJSON throws'); } },
      { get boom() { throw new Error('getter throws'); } },
      [], new Date(NaN), { analytics: 'yes' }, { analytics: circular },
      { email: 42, phone: {} }, { email: huge, phone: huge },
    ];
  }
  function hammer(api, record) {
    const calls = {
      'track(b)': (b) => api.track(b),
      'track(name, b)': (b) => api.track('bad_props', b),
      'track(name, {}, b)': (b) => api.track('bad_options', {}, b),
      'page(b)': (b) => api.page(b),
      'page({}, b)': (b) => api.page({}, b),
      'identify(b)': (b) => api.identify(b),
      'identify(id, b)': (b) => api.identify('user-1', b),
      'flush(b)': (b) => api.flush(b),
      ...api.extra,
    };
    const bad = makeBad();
    const settled = [];
    for (const [label, call] of Object.entries(calls)) {
      bad.forEach((b, i) => {
        try {
          const result = call(b);
          if (result && typeof result.then === 'function') {
            settled.push(result.then(null, (e) => record('rejects: ' + label + ' #' + i + ': ' + e)));
          }
        } catch (e) {
          record('throws: ' + label + ' #' + i + ': ' + e);
        }
      });
    }
    return Promise.all(settled);
  }
`;

/** Before load, through the stub: the raw `waybill(...)` calls of a shop, no try/catch. */
const STUB_CALLS = `
  ${BAD}
  wb('consent', { analytics: 'granted' });
  wb('track', 'before_bad', { ok: true });
  for (const b of makeBad()) {
    waybill(b); waybill(b, b, b);
    waybill('track', b); waybill('track', 'bad_props', b); waybill('track', 'bad_options', {}, b);
    waybill('page', b); waybill('page', {}, b);
    waybill('identify', b); waybill('identify', 'user-1', b);
    waybill('consent', b); waybill('flush', b);
  }
  waybill();
`;

/** npm mode: the same calls straight on the tracker, plus the factories, no try/catch. */
const NPM_CALLS = `
  ${BAD}
  wb('consent', { analytics: 'granted' });
  wb('track', 'before_bad', { ok: true });
  for (const b of makeBad()) {
    tracker.track(b); tracker.track('bad_props', b); tracker.track('bad_options', {}, b);
    tracker.page(b); tracker.page({}, b);
    tracker.identify(b); tracker.identify('user-1', b);
    tracker.consent.update(b); tracker.consent.on(b); tracker.consent.get(b);
    tracker.flush(b).then(null, () => { window.rejected = true; });
    tracker.use(b);
    createTracker(b);
  }
`;

for (const mode of MODES) {
  test.describe(`robustness (${mode})`, () => {
    test.use({ mode });

    test('bad input to every public call: the page script goes on, nothing throws, valid events still arrive', async ({
      page,
      site,
      shop,
    }) => {
      await page.goto(shop({ flushInterval: 200, script: mode === 'script' ? STUB_CALLS : NPM_CALLS }));
      await sdkReady(page);
      expect(await page.evaluate(() => window.pageScriptDone), 'marker set after the calls').toBe(true);

      // After load: every method of the public surface, each bad value, each call guarded here
      // only to name the ones that throw.
      await page.addScriptTag({ content: BAD });
      const thrown = await page.evaluate(async (npm) => {
        const out: string[] = [];
        const w = window as unknown as {
          hammer(api: unknown, record: (s: string) => void): Promise<unknown>;
          createTracker(o: unknown): unknown;
          firstParty(o: unknown): unknown;
        };
        const t = window.sdk()!;
        const any = (fn: unknown) => fn as (...args: unknown[]) => unknown;
        const extra: Record<string, (b: unknown) => unknown> = {
          'consent.update(b)': (b) => any(t.consent.update)(b),
          'consent.on(b)': (b) => any(t.consent.on)(b),
          'consent.get(b)': (b) => any(t.consent.get)(b),
          'use(b)': (b) => any(t.use)(b),
        };
        if (npm) {
          extra['createTracker(b)'] = (b) => w.createTracker(b);
          extra['firstParty(b)'] = (b) => w.firstParty(b);
        } else {
          // The script tag's command function, after load.
          extra['waybill(b)'] = (b) => window.waybill(b);
          extra['waybill(b, b, b)'] = (b) => window.waybill(b, b, b);
          extra["waybill('track', b)"] = (b) => window.waybill('track', b);
          extra["waybill('consent', b)"] = (b) => window.waybill('consent', b);
          extra["waybill('identify', 'user-1', b)"] = (b) => window.waybill('identify', 'user-1', b);
          extra["waybill('flush', b)"] = (b) => window.waybill('flush', b);
        }
        await w.hammer({ track: t.track, page: t.page, identify: t.identify, flush: t.flush, extra }, (s) => out.push(s));
        return out;
      }, mode === 'npm');
      expect(thrown, 'public calls that threw or rejected').toEqual([]);
      expect(await page.evaluate(() => (window as { rejected?: boolean }).rejected), 'flush() rejected').toBeUndefined();

      // Consent is still as the shop set it, and tracking still works.
      expect(await page.evaluate(() => window.sdk()!.consent.get().analytics)).toBe('granted');
      await page.evaluate(() => window.wb('track', 'after_bad', { ok: true }));
      await flush(page);
      await waitForEvents(site, 1, 'before_bad');
      await waitForEvents(site, 1, 'after_bad');
      // Bad input was dropped in the page, not sent for the collector to refuse.
      expect(site.stats().rejected, 'events the collector refused').toBe(0);
      expect(site.requests.map((r) => r.status).filter((s) => s !== 200), 'non-200 answers').toEqual([]);
    });
  });
}
