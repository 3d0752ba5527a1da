import { createTracker, loadScript, type Destination, type Tracker } from '@waybill/core';
import { firstParty } from '@waybill/first-party';
import { tiktok } from '@waybill/tiktok';
import { ga4 } from '@waybill/ga4';
import { cookieConsent, cookiebot, oneTrust, tcf } from '@waybill/consent';

type Api = ((method: string, ...args: unknown[]) => unknown) & Tracker & { q?: ArrayLike<unknown>[] };

const w = window as unknown as { waybill?: Api };
const existing = w.waybill;

// Loading the bundle twice changes nothing: the first copy keeps running.
if (!existing?.track) {
  const script = (document.currentScript || document.querySelector('script[data-endpoint]')) as HTMLScriptElement | null;
  const data = script?.dataset || {};
  // Missing, empty, zero or not a number: the default.
  const num = (value?: string) => +value! || undefined;
  const debug = data.debug != null && data.debug != 'false';
  /** A `data-*-mode` value, if it is one of `modes`; else the adapter's default, said even without debug (a typo must not go unseen). */
  const mode = <M extends string>(value: string | undefined, modes: M[]) =>
    value == null || modes.includes(value as M) ? (value as M | undefined) : void console.warn('[waybill] unknown mode', value);
  const destinations: Destination[] = [];
  if (data.endpoint) destinations.push(firstParty({ endpoint: data.endpoint }));
  // data-tiktok="<pixel id>"; data-tiktok-src: events.js from elsewhere (a first-party proxy, a test stand-in);
  // data-tiktok-mode="pixel|server|both".
  if (data.tiktok) destinations.push(tiktok({ pixelId: data.tiktok, scriptUrl: data.tiktokSrc, mode: mode(data.tiktokMode, ['pixel', 'server', 'both']) }));
  // data-ga4="G-…"; data-ga4-src: gtag.js from elsewhere; data-ga4-consent-mode="advanced"; data-ga4-mode="gtag|server".
  if (data.ga4) {
    const consentMode = data.ga4ConsentMode == 'advanced' ? 'advanced' : 'basic';
    destinations.push(ga4({ measurementId: data.ga4, scriptUrl: data.ga4Src, consentMode, mode: mode(data.ga4Mode, ['gtag', 'server']) }));
  }
  const tracker = createTracker({
    destinations,
    debug,
    batchSize: num(data.batchSize),
    flushInterval: num(data.flushInterval),
    respectGpc: data.respectGpc != 'false',
  });
  // A setup mistake, said even without data-debug: a tag with nowhere to send to.
  if (!destinations.length) console.warn('[waybill] the script tag has no data-endpoint (nor data-tiktok, data-ga4): events go nowhere');
  else if (debug && !data.endpoint) console.warn('[waybill] no data-endpoint on the script tag: events go to the vendors only');

  // data-consent picks the banner bridge before the queue is drained, so a stored choice the
  // banner already knows applies to the queued calls; "manual" (the default) means the page
  // calls waybill('consent', …) itself.
  try {
    ({ tcf, onetrust: oneTrust, cookiebot, cookieconsent: cookieConsent })[data.consent as 'tcf'](tracker);
  } catch {
    // No bridge of that name: none, "manual", or a typo (or "__proto__": the lookup must not break the page).
    if (debug && data.consent && data.consent != 'manual') console.warn('[waybill] unknown data-consent', data.consent);
  }

  /** `waybill('track', name, props)` → `tracker.track(name, props)`; `waybill('consent', state)` → `tracker.consent.update(state)`. */
  const call = (method: unknown, ...args: unknown[]) => {
    try {
      if (method == 'consent') return tracker.consent.update(args[0] as never);
      // The tracker's own methods only: not `use`, nor what every object inherits (`toString`).
      const fn = Object.hasOwn(tracker, method as string) && (tracker as unknown as Record<string, unknown>)[method as string];
      if (typeof fn == 'function' && method != 'use') return fn(...args);
      if (debug) console.warn('[waybill] unknown call', method);
    } catch {}
  };
  const api = Object.assign(call, tracker) as Api;
  w.waybill = api;
  for (const args of existing?.q || []) call(...(Array.from(args) as [unknown]));

  // data-web-vitals (="attribution": with the element behind LCP, INP and CLS): Core Web Vitals
  // from an add-on beside this file, or at data-web-vitals-src, so the web-vitals library (3 kB)
  // costs nothing to shops that do not ask for it. It reports to `window.waybill`, set above.
  if (data.webVitals != null && data.webVitals != 'false') {
    try {
      loadScript(data.webVitalsSrc || new URL(data.webVitals == 'attribution' ? 'waybill-vitals-attribution.min.js' : 'waybill-vitals.min.js', script!.src).href);
    } catch {
      // An inline copy of this bundle has no URL to find the add-on beside: data-web-vitals-src is needed.
      if (debug) console.warn('[waybill] data-web-vitals: no data-web-vitals-src');
    }
  }
}
