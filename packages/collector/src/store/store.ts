// The interface every store implements (SQLite, PostgreSQL), so the HTTP layer and the
// forwarding worker never know which one runs. Every method is async, because a networked
// database is; the SQLite store answers at once.
import type { WaybillEvent } from '@waybill/core';
import type { ForwardDestination, Outbox } from '../outbox';
import type { StorableEvent, ValidEvent } from '../wire';
import type { InsertMeta, Insights } from './insights';

/** A stored event: the object that was sent, plus when the collector received it (ms since the epoch). */
export type StoredEvent = WaybillEvent & { receivedAt: number };

/**
 * Which outbox rows an accepted event gets: one per destination returned. A function of the event
 * alone: a store may call it for every event of a batch before it knows which are duplicates.
 */
export type Route = (event: ValidEvent) => ForwardDestination[];

/** What {@link Store.insert} did with a batch. */
export interface InsertResult {
  /** Events stored now. */
  accepted: number;
  /** Events not stored because their id was already stored (or came earlier in the same batch). */
  duplicates: number;
}

/** A page of {@link Store.list}. */
export interface ListQuery {
  /** At most this many events; `undefined`: all. */
  limit?: number;
  /** Only events with this `name`. */
  name?: string;
  /** Only events stored before the one this cursor (a page's `next`) points at. */
  before?: string;
}

/** Events, newest first, and the cursor of the page after them. */
export interface EventsPage {
  events: StoredEvent[];
  /** Pass as `before` for the next (older) page; `null` when there is none. */
  next: string | null;
}

/** What {@link Store.eraseUser} removed. */
export interface Erased {
  events: number;
  /** Outbox rows not sent yet (sent ones are gone with their event). */
  outbox: number;
}

/** Storage of events and of their outbox. Safe to share by several collector processes. */
export interface Store extends Outbox, Insights {
  /**
   * Stores the events that are new, in one transaction, each with one outbox row per destination
   * `route` returns (`meta` goes in those rows only). An id already stored, or repeated in
   * `events`, is a duplicate: nothing is written for it, outbox included. The insights' rollups
   * and orders (see insights.ts) are updated in the same transaction.
   */
  insert(events: StorableEvent[], meta: InsertMeta, route: Route): Promise<InsertResult>;
  /**
   * Stored events, newest first (in the order they were received).
   * @throws RangeError if `before` is not a cursor this store handed out
   */
  list(query: ListQuery): Promise<EventsPage>;
  /** How many events are stored; kept as a counter, so that it costs no scan. */
  count(): Promise<number>;
  /** Which of `ids` are stored (each once, in the order given). */
  known(ids: string[]): Promise<string[]>;
  /**
   * Retention: deletes up to `limit` events received before `before` (ms since the epoch), the
   * oldest first, with their outbox rows; returns how many went. Call again while it returns
   * more than 0: bounded batches leave ingest free to go on in between.
   */
  deleteOlderThan(before: number, limit: number): Promise<number>;
  /**
   * Erasure (GDPR/CCPA): deletes every event of one person, with their outbox rows: `id` as a user
   * id or an anonymous id, and the anonymous ids their signed-in events carry (the same person
   * before signing in; not another user's events on that browser). Events that arrive meanwhile may stay.
   */
  eraseUser(id: string): Promise<Erased>;
  close(): Promise<void>;
}

