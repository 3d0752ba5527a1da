import { loadScript, sha256, type Category, type Destination, type DestinationContext } from '@waybill/core';
import { TIKTOK_EVENTS, params, tiktokNaming, type TikTokMapping } from './events';
import { METHODS, type Ttq, type TtqWindow } from './pixel';

export { TIKTOK_EVENTS };
export type { TikTokMapping };

// A type for the page's `window` (a declaration only: it emits nothing).
declare const window: TtqWindow;

export interface TikTokOptions extends TikTokMapping {
  /** The pixel code from TikTok Events Manager, e.g. `C0000000000`. */
  pixelId: string;
  /**
   * Who sends events to TikTok: `'pixel'`, the browser only; `'server'`, the collector only
   * (through the Events API: no TikTok script, no TikTok cookie on the page); `'both'` (the
   * default), the pixel and the collector, which TikTok deduplicates by event name and
   * `event_id`. The collector sends its copy only when it has TikTok credentials, and only
   * for events collected under marketing consent.
   */
  mode?: 'pixel' | 'server' | 'both';
  /** events.js without its query (the adapter appends `?sdkid=<pixelId>&lib=ttq`). Default TikTok's own URL. */
  scriptUrl?: string;
  /** Consent category this destination needs. Default `'marketing'`. */
  category?: Category;
}

/**
 * TikTok: the pixel, the collector's Events API copy, or both (`mode`, default `'both'`).
 * events.js is injected only once the adapter's category is granted, and never in `'server'`
 * mode; before that there is no `ttq` global, no request and no cookie. Every pixel call carries
 * `event_id` = the Waybill event id, so TikTok deduplicates it against the Events API copy.
 * Email and phone reach `ttq.identify` only as SHA-256 digests (hashed by the core), and the
 * user id only as its SHA-256 (`external_id`).
 */
export const tiktok = (options: TikTokOptions): Destination => {
  const { pixelId, scriptUrl = 'https://analytics.tiktok.com/i18n/pixel/events.js', category = 'marketing', mode } = options;
  // Anything but 'pixel' asks the collector for its copy (context.forward on every event).
  const forward = mode != 'pixel' ? 'tiktok' : undefined;
  // The collector alone: nothing to do in the page.
  if (mode == 'server') return { name: 'tiktok', category, forward, send() {} };
  const nameOf = tiktokNaming(options);
  let warn: DestinationContext['warn'];
  /** What the pixel was last told about consent; unset until it is loaded. */
  let granted: boolean | undefined;
  /** The advanced-matching fields last given to `ttq.identify`, as JSON. */
  let matched = '{}';
  /** SHA-256 of each user id: hashing is asynchronous, and the same id comes with every event. */
  const hashed: Record<string, string> = {};
  /** Tell the pixel the consent state, if it changed. */
  const tell = (now: boolean) => now != granted && window.ttq[(granted = now) ? 'grantConsent' : 'revokeConsent']();
  /** The delivery of the batches so far. */
  let queue: Promise<unknown> = Promise.resolve();

  return {
    name: 'tiktok',
    // The pixel queues calls itself: hand each event over at once.
    batchSize: 1,
    category,
    forward,
    init(ctx) {
      warn = ctx.warn;
      // What TikTok's base code does for `ttq.load(pixelId)`, with our own script URL: define the
      // queueing global (or reuse one already on the page), record the pixel where events.js
      // looks for it, then insert events.js.
      window.TiktokAnalyticsObject = 'ttq';
      const q = (window.ttq ||= [] as unknown as Ttq);
      for (const m of METHODS) q[m] ||= (...args: unknown[]) => q.push([m, ...args]);
      // The pixel's entry: an empty array that carries the script URL.
      const entry: Ttq = ((q._i ||= {})[pixelId] = [] as unknown as Ttq);
      entry._u = scriptUrl;
      (q._t ||= {})[pixelId] = Date.now();
      (q._o ||= {})[pixelId] = {};
      // Through core's loader: it carries the page's CSP nonce and a Trusted Types policy.
      loadScript(scriptUrl + '?sdkid=' + pixelId + '&lib=ttq');
      tell(true);
    },
    consent(state) {
      // Before init the pixel does not exist, and must not be created just to be told "no".
      if (granted != null) tell(state[category] == 'granted');
    },
    send(events) {
      // Batches are delivered one after another, so a batch waiting for a hash keeps its place.
      queue = queue
        .then(async () => {
          for (const e of events) {
            const { userId: user, traits = {} } = e;
            if (user && hashed[user] == null) hashed[user] = await sha256(user.trim()).catch(() => '');
            // Match keys travel with every event; the pixel is told again only when they change.
            const fields = JSON.stringify({ email: traits.email, phone_number: traits.phone, external_id: hashed[user!] || undefined });
            if (fields != matched) window.ttq.identify(JSON.parse((matched = fields)));
            // An identify event (type 'identify') only updates the match keys above.
            const name = nameOf(e, (bad) => warn('tiktok: bad name', bad));
            if (name) window.ttq.track(name, params(e.props), { event_id: e.id });
          }
        })
        .catch((err) => warn('tiktok: send failed', err));
    },
  };
};
