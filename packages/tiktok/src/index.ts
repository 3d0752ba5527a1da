import { loadScript, sha256, type Category, type Destination, type DestinationContext, type EventName } from '@waybill/core';
import { CUSTOM_NAME, TIKTOK_EVENTS, params } from './events';
import { METHODS, type Ttq, type TtqWindow } from './pixel';

export { TIKTOK_EVENTS };

// A type for the page's `window` (a declaration only: it emits nothing).
declare const window: TtqWindow;

export interface TikTokOptions {
  /** The pixel code from TikTok Events Manager, e.g. `C0000000000`. */
  pixelId: string;
  /** events.js without its query (the adapter appends `?sdkid=<pixelId>&lib=ttq`). Default TikTok's own URL. */
  scriptUrl?: string;
  /** Consent category this destination needs. Default `'marketing'`. */
  category?: Category;
  /** Send each Waybill `page()` as a TikTok page view. Default `true`. */
  autoPageView?: boolean;
  /**
   * TikTok event name per Waybill event name, over the defaults (see `TIKTOK_EVENTS`), e.g.
   * `{ purchase: 'CompletePayment' }` for an account still optimising on the old name, or
   * `{ login: 'Contact' }`; `false` stops sending that event.
   */
  eventNames?: Partial<Record<EventName, string | false>>;
  /** Send events TikTok has no standard event for as custom events, under their own names. Default `false`. */
  forwardCustom?: boolean;
}

/**
 * The TikTok pixel. events.js is injected only once the adapter's category is granted;
 * before that there is no `ttq` global, no request and no cookie. Every call carries
 * `event_id` = the Waybill event id, so TikTok deduplicates it against an Events API copy.
 * Email and phone reach `ttq.identify` only as SHA-256 digests (hashed by the core), and the
 * user id only as its SHA-256 (`external_id`).
 */
export const tiktok = ({
  pixelId,
  scriptUrl = 'https://analytics.tiktok.com/i18n/pixel/events.js',
  category = 'marketing',
  autoPageView = true,
  eventNames,
  forwardCustom,
}: TikTokOptions): Destination => {
  const names: Record<string, string | false | undefined> = { ...TIKTOK_EVENTS, ...(!autoPageView && { page_view: false }), ...eventNames };
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
            const name = names[e.name] ?? (forwardCustom && e.type == 'track' && (CUSTOM_NAME.test(e.name) || warn('tiktok: bad name', e.name)) && e.name);
            if (name) window.ttq.track(name, params(e.props), { event_id: e.id });
          }
        })
        .catch((err) => warn('tiktok: send failed', err));
    },
  };
};
