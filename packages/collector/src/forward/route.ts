// Which destinations an accepted event gets an outbox row for. The store calls this inside the
// event's own transaction, so an acknowledged event is never missing from the outbox.
import type { WaybillEvent } from '@waybill/core';
import { RESERVED_EVENTS, ga4Event, type Ga4Mapping } from '@waybill/ga4/events';
import type { TikTokMapping } from '@waybill/tiktok/events';
import type { ForwardDestination } from '../outbox';
import { readEvent } from './event';
import { tiktokName } from './tiktok';

/** The mappings of the destinations that are on (configured with their credentials). */
export interface Routes {
  tiktok?: TikTokMapping;
  ga4?: Ga4Mapping;
}

/** Decides, per event, the destinations it is forwarded to. */
export type Router = (event: Record<string, unknown>) => ForwardDestination[];

/**
 * The routing of accepted events. A destination gets an event when all hold:
 * - it is on;
 * - the page asked for it (`context.forward` lists it: the adapter runs in `server` or `both`
 *   mode), so a shop whose page sends to GA4 through gtag.js never gets a second copy, and an
 *   old SDK or a sender without the list gets no forwarding;
 * - the consent the event was collected under allows it: `marketing` granted for TikTok,
 *   `analytics` granted for GA4;
 * - the vendor has an event for it under the mapping (not an identify event, not `web_vital`
 *   unless mapped, not a name GA4 reserves).
 */
export function createRouter(routes: Routes): Router {
  const tiktok = routes.tiktok && tiktokName(routes.tiktok);
  const { ga4 } = routes;
  return (stored) => {
    const e = readEvent(stored);
    const out: ForwardDestination[] = [];
    if (tiktok && e.forward.includes('tiktok') && e.consent.marketing == 'granted' && tiktok(e)) out.push('tiktok');
    if (ga4 && e.forward.includes('ga4') && e.consent.analytics == 'granted') {
      const mapped = ga4Event({ type: e.type, name: e.name, props: {}, context: { page: {} } } as unknown as WaybillEvent, ga4, () => {});
      if (mapped && !RESERVED_EVENTS.has(mapped.name)) out.push('ga4');
    }
    return out;
  };
}
