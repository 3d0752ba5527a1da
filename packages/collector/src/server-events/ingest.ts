// Storing a batch of server events: validated one by one, joined to the browser purchases their
// orders have so far, and inserted with the rest of the events (deduplicated by id, with their
// outbox rows by the inherited consent); the store joins later the ones whose purchase comes later.
import type { Route, Store } from '../store/store';
import { MAX_EVENT_BYTES, type StorableEvent } from '../wire';
import { storedServerEvent } from './join';
import { parseServerEvent, type ServerEvent } from './schema';

/** The answer to a batch of server events. */
export interface ServerEventsResult {
  /** Events stored now. */
  accepted: number;
  /** Events whose id was stored before (a retry): nothing was written for them. */
  duplicates: number;
  /** Events refused, by their index in the batch, with every bad field named. */
  rejected: { index: number; error: string }[];
  /**
   * Transaction ids of this batch's orders that have no browser purchase (yet): untracked orders,
   * unless the purchase arrives later, when their server events join it.
   */
  untracked: string[];
}

/** Validates, joins and stores `raw` (the `events` of a request), received at `receivedAt`. */
export async function ingestServerEvents(store: Store, route: Route, raw: unknown[], receivedAt: number): Promise<ServerEventsResult> {
  const rejected: ServerEventsResult['rejected'] = [];
  const valid: { index: number; event: ServerEvent }[] = [];
  raw.forEach((value, index) => {
    const event = parseServerEvent(value, receivedAt);
    if (typeof event === 'string') rejected.push({ index, error: event });
    else valid.push({ index, event });
  });
  const purchases = valid.length > 0 ? await store.purchasesOf(valid.map((v) => v.event.transactionId)) : new Map();
  const good: StorableEvent[] = [];
  for (const { index, event } of valid) {
    const storable = storedServerEvent(event, purchases.get(event.transactionId));
    const bytes = Buffer.byteLength(storable.json);
    if (bytes > MAX_EVENT_BYTES) rejected.push({ index, error: `event is too large: ${bytes} bytes as stored JSON (at most ${MAX_EVENT_BYTES})` });
    else good.push(storable);
  }
  rejected.sort((a, b) => a.index - b.index);
  const { accepted, duplicates } = await store.insert(good, { receivedAt, source: 'server' }, route);
  const untracked = [...new Set(good.filter((s) => typeof s.event.joined !== 'string').map((s) => String((s.event.props as { transaction_id: string }).transaction_id)))];
  return { accepted, duplicates, rejected, untracked };
}
