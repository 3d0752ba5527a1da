import { askKnown, sendBatch, type Category, type ConsentSnapshot, type Destination, type WaybillEvent } from '@waybill/core';

export interface FirstPartyOptions {
  /** The collector's URL, e.g. `/collect` or `https://collect.example.com/collect`. */
  endpoint: string;
  /** Consent category this destination needs. Default `'analytics'`. */
  category?: Category;
  /** Extra request headers, on the `fetch` path only (`sendBeacon` cannot set headers). */
  headers?: Record<string, string>;
}

/** A cookie's value, or nothing. */
const cookie = (name: string) => document.cookie.match('(^|; )' + name + '=([^;]+)')?.[2];

/**
 * The brand's own collector: batches in wire format v1, `sendBeacon` on page hide,
 * `fetch` with retry otherwise; events are kept in IndexedDB until the collector has them
 * (a 2xx, or its answer to `known` on a later page). Without an `endpoint` it says so in the
 * console, once, and drops what it is given.
 *
 * An event the collector is asked to forward (`context.forward`) also carries the vendor's
 * own cookie, when its script set one, for matching (`context.vendorIds`): TikTok's `_ttp` with
 * marketing consent, Google's `_ga` with analytics consent, both when the event was collected
 * and now.
 */
export const firstParty = (options: FirstPartyOptions): Destination => {
  const { endpoint, category = 'analytics', headers } = options || ({} as FirstPartyOptions);
  const url = typeof endpoint == 'string' && endpoint;
  let now: ConsentSnapshot = {};
  const withIds = (e: WaybillEvent) => {
    const { forward, consent } = e.context;
    const read = (vendor: string, purpose: string, name: string) =>
      (forward?.includes(vendor) && consent[purpose] == 'granted' && now[purpose] == 'granted' && cookie(name)) || undefined;
    const ttp = read('tiktok', 'marketing', '_ttp');
    const ga = read('ga4', 'analytics', '_ga');
    // A copy: the same event object is also in other destinations' queues.
    return ttp || ga ? { ...e, context: { ...e.context, vendorIds: { ttp, ga } } } : e;
  };
  return {
    name: 'first-party',
    category,
    persist: true,
    init: () => url || console.warn('[waybill] first-party: no endpoint, events go nowhere'),
    consent: (state) => void (now = state),
    send: (events, unload) => (url ? sendBatch(url, events.map(withIds), unload, headers) : 'drop'),
    known: (ids) => (url ? askKnown(url, ids, headers) : undefined),
  };
};
