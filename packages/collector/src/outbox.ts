// The contract between the collector's stores (SQLite, PostgreSQL) and the forwarding worker.
// The store keeps one outbox row per accepted event and destination, written in the same
// transaction as the event; the worker claims due rows, sends them, and marks the outcome.

/** A server-side destination the collector forwards to. */
export type ForwardDestination = 'tiktok' | 'ga4';

/** What the collector learned from the browser's request, kept for forwarding only. */
export interface RequestMeta {
  /** Milliseconds since the epoch. */
  receivedAt: number;
  /** The client's address (from the socket, or `X-Forwarded-For` with `trustProxy`). */
  ip?: string;
  userAgent?: string;
}

/** Where an outbox row stands. `expired`: too old for the vendor to take (GA4: 72 h); never sent. */
export type OutboxState = 'pending' | 'sent' | 'dead' | 'expired';

/** One claimed row: an event to send to one destination. */
export interface OutboxRow {
  /** The row's own key (opaque to the worker). */
  key: string;
  destination: ForwardDestination;
  eventId: string;
  /** The event as stored (the JSON the browser sent, validated). */
  event: Record<string, unknown>;
  meta: RequestMeta;
  /** Failed attempts so far. */
  attempts: number;
}

/** Per destination, for `GET /forwarding` and the dashboard. */
export interface OutboxStats {
  pending: number;
  sent: number;
  /** Pending rows that have failed at least once. */
  failed: number;
  dead: number;
  expired: number;
  /** Age in ms of the oldest pending row, or null. */
  oldestPendingMs: number | null;
  lastError: string | null;
}

/** The outbox half of a store. Every method is safe to call from several processes at once. */
export interface Outbox {
  /**
   * Claims up to `limit` due rows of `destination` (pending, `nextAttemptAt <= now`, not leased
   * or lease expired), oldest first, leasing them until `now + leaseMs`. Rows claimed by another
   * process or worker are skipped (PostgreSQL: `FOR UPDATE SKIP LOCKED`). A row whose lease runs
   * out (a crash between send and mark) is claimed again.
   */
  claim(destination: ForwardDestination, limit: number, now: number, leaseMs: number): Promise<OutboxRow[]>;
  /** Sent: never claimed again. */
  sent(keys: string[], now: number): Promise<void>;
  /**
   * Not sent after all (the destination paused meanwhile): the lease is released, so the rows are
   * due again at once rather than when it runs out; attempts stay. Only rows still leased until
   * `leasedUntil` (the lease `claim` gave them) are touched: one whose lease ran out may be another
   * worker's now.
   */
  release(keys: string[], leasedUntil: number): Promise<void>;
  /** Failed, will retry: attempts + 1, lease released, due again at `nextAttemptAt`. */
  failed(keys: string[], error: string, nextAttemptAt: number): Promise<void>;
  /** Given up (permanent error or too many attempts): dead letter, kept for `retryDead`. */
  dead(keys: string[], error: string): Promise<void>;
  /** Too old for the vendor: never sent, counted apart. */
  expired(keys: string[]): Promise<void>;
  /** Puts dead letters (of one destination, or all) back to pending with attempts reset; returns how many. */
  retryDead(destination?: ForwardDestination): Promise<number>;
  stats(now: number): Promise<Record<ForwardDestination, OutboxStats>>;
}
