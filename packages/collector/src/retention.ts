// Retention: a timer that deletes events past their age, in bounded batches, while ingest goes on.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Log } from './log';
import type { Outbox } from './outbox';
import type { Store } from './store/store';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Events per delete: a few milliseconds of SQLite's time, between which requests are served. */
export const RETENTION_BATCH = 1000;
/** How often the old events are looked for, after the first time (at start). */
export const RETENTION_EVERY_MS = 60 * 60 * 1000;

/**
 * Deletes events received more than `days` ago, with their outbox rows: now, then every
 * {@link RETENTION_EVERY_MS}. Several collectors on one database may all run it: a batch
 * another one deleted first is just not counted twice. Returns the function that stops it
 * (waiting for the batch under way).
 */
export function startRetention(store: Store, days: number, log: Log): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;

  async function sweep(): Promise<void> {
    const before = Date.now() - days * DAY_MS;
    let deleted = 0;
    try {
      while (!stopped) {
        const n = await store.deleteOlderThan(before, RETENTION_BATCH);
        deleted += n;
        if (n === 0) break;
        await nextTurn(); // requests get their turn between batches
      }
      if (deleted > 0) log(`retention: deleted ${deleted} event(s) received before ${new Date(before).toISOString()}`, 'info');
    } catch (error) {
      log(`retention: ${(error as Error).stack ?? error}`, 'error');
    }
  }

  const run = () => {
    sweeping = sweep().finally(() => {
      if (stopped) return;
      timer = setTimeout(run, RETENTION_EVERY_MS);
      timer.unref(); // the timer alone does not keep a process alive
    });
  };
  run();

  return async () => {
    stopped = true;
    clearTimeout(timer);
    await sweeping;
  };
}

/**
 * The outbox as the forwarding worker sees it under retention: an event past its retention is
 * never sent, even when its row is still pending (its vendor was down) or claimed before the
 * retention pass at start reached it. Such rows are marked expired at claim; retention then
 * deletes them with their events.
 */
export function retainedOutbox(outbox: Outbox, days: number): Outbox {
  return {
    ...outbox,
    async claim(destination, limit, now, leaseMs) {
      const cutoff = now - days * DAY_MS;
      for (;;) {
        const rows = await outbox.claim(destination, limit, now, leaseMs);
        const kept = rows.filter((row) => row.meta.receivedAt >= cutoff);
        if (kept.length === rows.length) return rows;
        await outbox.expired(rows.filter((row) => row.meta.receivedAt < cutoff).map((row) => row.key));
        if (kept.length > 0) return kept;
        // All of it expired: claim again (the worker would think nothing due), after letting
        // requests in: a long backlog past retention must not hold the server (at start, before it listens).
        await nextTurn();
      }
    },
  };
}
