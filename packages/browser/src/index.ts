import { createTracker, type Tracker } from '@waybill/core';
import { firstParty } from '@waybill/first-party';
import { cookieConsent, cookiebot, oneTrust, tcf } from '@waybill/consent';

type Api = ((method: string, ...args: unknown[]) => unknown) & Tracker & { q?: ArrayLike<unknown>[] };

const w = window as unknown as { waybill?: Api };
const existing = w.waybill;

// Loading the bundle twice changes nothing: the first copy keeps running.
if (!existing?.track) {
  const script = (document.currentScript || document.querySelector('script[data-endpoint]')) as HTMLScriptElement | null;
  const data = script?.dataset || {};
  const num = (value?: string) => (value ? +value || undefined : undefined);
  const debug = data.debug != null && data.debug != 'false';
  const tracker = createTracker({
    destinations: data.endpoint ? [firstParty({ endpoint: data.endpoint })] : [],
    debug,
    batchSize: num(data.batchSize),
    flushInterval: num(data.flushInterval),
    respectGpc: data.respectGpc != 'false',
  });
  if (debug && !data.endpoint) console.warn('[waybill] no data-endpoint on the script tag: events go nowhere');

  // data-consent picks the banner bridge before the queue is drained, so a stored choice the
  // banner already knows applies to the queued calls; "manual" (the default) means the page
  // calls waybill('consent', …) itself.
  const bridge = { tcf, onetrust: oneTrust, cookiebot, cookieconsent: cookieConsent }[data.consent as 'tcf'];
  if (bridge) bridge(tracker);
  else if (debug && data.consent && data.consent != 'manual') console.warn('[waybill] unknown data-consent', data.consent);

  /** `waybill('track', name, props)` → `tracker.track(name, props)`; `waybill('consent', state)` → `tracker.consent.update(state)`. */
  const call = (method: unknown, ...args: unknown[]) => {
    try {
      if (method == 'consent') return tracker.consent.update(args[0] as never);
      const fn = (tracker as unknown as Record<string, unknown>)[method as string];
      if (typeof fn == 'function' && method != 'use') return fn(...args);
      if (debug) console.warn('[waybill] unknown call', method);
    } catch {}
  };
  const api = Object.assign(call, tracker) as Api;
  w.waybill = api;
  for (const args of existing?.q || []) call(...(Array.from(args) as [unknown]));
}
