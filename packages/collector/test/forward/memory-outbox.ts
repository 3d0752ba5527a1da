// The outbox contract (src/outbox.ts) in memory, for the worker's tests: leases, attempts,
// due times, dead letters and stats exactly as the contract says, nothing more.
import type { ForwardDestination, Outbox, OutboxRow, OutboxState, OutboxStats, RequestMeta } from '../../src/outbox';

/** A row as the memory outbox keeps it. */
export interface MemoryRow {
  key: string;
  destination: ForwardDestination;
  eventId: string;
  event: Record<string, unknown>;
  meta: RequestMeta;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  leasedUntil: number;
  lastError: string | null;
  createdAt: number;
  /** Times it was marked sent (the contract says: at most once). */
  sentCount: number;
}

export interface MemoryOutbox extends Outbox {
  rows: MemoryRow[];
  /** Adds a pending row for `event` (keyed by destination and event id; a second add is ignored). */
  add(destination: ForwardDestination, event: Record<string, unknown>, meta?: Partial<RequestMeta>): void;
  row(destination: ForwardDestination, eventId: string): MemoryRow | undefined;
}

export function memoryOutbox(): MemoryOutbox {
  const rows: MemoryRow[] = [];
  const byKey = (keys: string[]) => rows.filter((r) => keys.includes(r.key));
  return {
    rows,
    add(destination, event, meta = {}) {
      const key = `${destination} ${String(event.id)}`;
      if (rows.some((r) => r.key == key)) return;
      const createdAt = meta.receivedAt ?? Date.now();
      rows.push({
        key,
        destination,
        eventId: String(event.id),
        event,
        meta: { receivedAt: createdAt, ...meta },
        state: 'pending',
        attempts: 0,
        nextAttemptAt: 0,
        leasedUntil: 0,
        lastError: null,
        createdAt,
        sentCount: 0,
      });
    },
    row: (destination, eventId) => rows.find((r) => r.destination == destination && r.eventId == eventId),
    async claim(destination, limit, now, leaseMs) {
      const due = rows.filter((r) => r.destination == destination && r.state == 'pending' && r.nextAttemptAt <= now && r.leasedUntil <= now).slice(0, limit);
      for (const r of due) r.leasedUntil = now + leaseMs;
      return due.map(({ key, destination: d, eventId, event, meta, attempts }): OutboxRow => ({ key, destination: d, eventId, event, meta, attempts }));
    },
    async sent(keys) {
      for (const r of byKey(keys)) {
        r.state = 'sent';
        r.sentCount++;
        r.leasedUntil = 0;
      }
    },
    async release(keys, leasedUntil) {
      for (const r of byKey(keys)) if (r.state == 'pending' && r.leasedUntil == leasedUntil) r.leasedUntil = 0;
    },
    async failed(keys, error, nextAttemptAt) {
      for (const r of byKey(keys)) {
        r.attempts++;
        r.lastError = error;
        r.nextAttemptAt = nextAttemptAt;
        r.leasedUntil = 0;
      }
    },
    async dead(keys, error) {
      for (const r of byKey(keys)) {
        r.state = 'dead';
        r.lastError = error;
        r.leasedUntil = 0;
      }
    },
    async expired(keys) {
      for (const r of byKey(keys)) r.state = 'expired';
    },
    async retryDead(destination) {
      const dead = rows.filter((r) => r.state == 'dead' && (!destination || r.destination == destination));
      for (const r of dead) Object.assign(r, { state: 'pending', attempts: 0, nextAttemptAt: 0, leasedUntil: 0 });
      return dead.length;
    },
    async stats(now) {
      const of = (d: ForwardDestination): OutboxStats => {
        const mine = rows.filter((r) => r.destination == d);
        const pending = mine.filter((r) => r.state == 'pending');
        const oldest = Math.min(...pending.map((r) => r.createdAt));
        return {
          pending: pending.length,
          sent: mine.filter((r) => r.state == 'sent').length,
          failed: pending.filter((r) => r.attempts > 0).length,
          dead: mine.filter((r) => r.state == 'dead').length,
          expired: mine.filter((r) => r.state == 'expired').length,
          oldestPendingMs: pending.length ? now - oldest : null,
          lastError: mine.filter((r) => r.lastError).at(-1)?.lastError ?? null,
        };
      };
      return { tiktok: of('tiktok'), ga4: of('ga4') };
    },
  };
}
