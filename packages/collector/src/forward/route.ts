// Which destinations an accepted event gets an outbox row for. The store calls this inside the
// event's own transaction, so an acknowledged event is never missing from the outbox.
import type { WaybillEvent } from '@waybill/core';
import { RESERVED_EVENTS, ga4Event, type Ga4Mapping } from '@waybill/ga4/events';
import type { TikTokMapping } from '@waybill/tiktok/events';
import type { ForwardDestination } from '../outbox';
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
/** Names remembered per destination; past this many (names a sender made up), the memory starts over. */
const REMEMBERED_NAMES = 1000;

/**
 * Whether a destination has an event for a type and name, remembered: routing runs for every
 * accepted event, inside the ingest transaction, and a shop sends few distinct names.
 */
function byName(has: (type: string, name: string) => boolean): (type: string, name: string) => boolean {
  const known = new Map<string, boolean>();
  return (type, name) => {
    const key = `${type} ${name}`;
    let answer = known.get(key);
    if (answer === undefined) {
      if (known.size >= REMEMBERED_NAMES) known.clear();
      known.set(key, (answer = has(type, name)));
    }
    return answer;
  };
}

const object = (value: unknown): Record<string, unknown> =>
  typeof value == 'object' && value !== null ? (value as Record<string, unknown>) : {};

export function createRouter(routes: Routes): Router {
  const tiktokNames = routes.tiktok && tiktokName(routes.tiktok);
  const tiktok = tiktokNames && byName((type, name) => Boolean(tiktokNames({ type, name })));
  const { ga4: mapping } = routes;
  const ga4 =
    mapping &&
    byName((type, name) => {
      const mapped = ga4Event({ type, name, props: {}, context: { page: {} } } as unknown as WaybillEvent, mapping, () => {});
      return mapped !== undefined && !RESERVED_EVENTS.has(mapped.name);
    });
  return (stored) => {
    // Only what routing reads: the page's list, the consent and the name (see readEvent for the rest).
    const context = object(stored.context);
    const forward = Array.isArray(context.forward) ? context.forward : [];
    const consent = object(context.consent);
    const type = String(stored.type);
    const name = String(stored.name);
    const out: ForwardDestination[] = [];
    if (tiktok && forward.includes('tiktok') && consent.marketing == 'granted' && tiktok(type, name)) out.push('tiktok');
    if (ga4 && forward.includes('ga4') && consent.analytics == 'granted' && ga4(type, name)) out.push('ga4');
    return out;
  };
}
