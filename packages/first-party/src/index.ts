import { askKnown, sendBatch, type Category, type Destination } from '@waybill/core';

export interface FirstPartyOptions {
  /** The collector's URL, e.g. `/collect` or `https://collect.example.com/collect`. */
  endpoint: string;
  /** Consent category this destination needs. Default `'analytics'`. */
  category?: Category;
  /** Extra request headers, on the `fetch` path only (`sendBeacon` cannot set headers). */
  headers?: Record<string, string>;
}

/**
 * The brand's own collector: batches in wire format v1, `sendBeacon` on page hide,
 * `fetch` with retry otherwise; events are kept in IndexedDB until the collector has them
 * (a 2xx, or its answer to `known` on a later page). Without an `endpoint` it says so in the
 * console, once, and drops what it is given.
 */
export const firstParty = (options: FirstPartyOptions): Destination => {
  const { endpoint, category = 'analytics', headers } = options || ({} as FirstPartyOptions);
  const url = typeof endpoint == 'string' && endpoint;
  return {
    name: 'first-party',
    category,
    persist: true,
    init: () => url || console.warn('[waybill] first-party: no endpoint, events go nowhere'),
    send: (events, unload) => (url ? sendBatch(url, events, unload, headers) : 'drop'),
    known: (ids) => (url ? askKnown(url, ids, headers) : undefined),
  };
};
