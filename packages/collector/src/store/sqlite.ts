import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { ForwardDestination, OutboxRow } from '../outbox';
import { migrate } from './migrations';
import { sqliteInsights } from './sqlite-insights';
import { DESTINATIONS, emptyStats } from './stats';
import type { EventsPage, Store, StoredEvent } from './store';
import type { ValidEvent } from '../wire';

/**
 * How long a statement waits for a lock held by another process. SQLite waits synchronously, so
 * the whole server waits with it: better a quick 500, which the SDK retries.
 */
const BUSY_TIMEOUT_MS = 250;
/** At open, a lock is worth waiting longer for: another process may be finishing a write or a migration. */
const OPEN_BUSY_TIMEOUT_MS = 5000;
/** Rows of each step of an erasure scan: a few milliseconds of work between two batches. */
const ERASE_SLICE = 20_000;
/**
 * Queue rows (requests, of up to 500 events each) fanned out into outbox rows in one transaction: short
 * enough that ingest goes on between two (the worker fans out a slice per claim, and claims until
 * nothing is due).
 */
const FAN_OUT_SLICE = 20;
/** Cursors are rowids, which only grow. */
const CURSOR = /^[1-9]\d{0,15}$/;

/**
 * Creates `dir` and its missing parents. Node's recursive `mkdirSync` can loop forever on a
 * folder that cannot be made (under /proc, say), so this climbs to the nearest existing folder
 * and makes each level in turn, failing at the first that cannot be made.
 */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Opens the database, brings its schema up to date and checks that it can be written. */
function open(file: string): Database.Database {
  if (file !== ':memory:' && !file.startsWith('file:')) makeFolder(dirname(file));
  const db = new Database(file, { timeout: OPEN_BUSY_TIMEOUT_MS });
  try {
    // WAL lets readers (the dashboard, /events) run while a batch is being written;
    // NORMAL is durable across application crashes, which is all an analytics log needs.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db);
    // A read-only file opens and reads without complaint, then fails every batch: write a row
    // now (its id is one no event can have) and roll it back.
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(`INSERT INTO events (id, type, name, ts, received_at, event) VALUES ('write check', 'track', 'x', 1, 0, '{}')`);
    } finally {
      db.exec('ROLLBACK');
    }
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

type EventRow = { seq: number; event: string; received_at: number };
type ClaimRow = {
  key: number;
  destination: ForwardDestination;
  event_id: string;
  attempts: number;
  ip: string | null;
  user_agent: string | null;
  event: string | null;
  received_at: number;
};
type StatsRow = { destination: string; state: string; n: number; failed: number; oldest: number | null };

const toStored = (row: EventRow): StoredEvent => ({ ...JSON.parse(row.event), receivedAt: row.received_at });
/** Statement parameter: a list as one JSON array, read back with `json_each`. */
const list = (values: readonly unknown[]): string => JSON.stringify(values);

/**
 * Opens (creating if needed) the SQLite store: events, their outbox and a counter, in one file
 * that any SQLite client can read. Throws if the file cannot be created, opened or written.
 */
export function openSqliteStore(file: string): Store {
  let db: Database.Database;
  try {
    db = open(file);
  } catch (error) {
    throw new Error(`cannot use the database ${file}: ${(error as Error).message}`, { cause: error });
  }

  const sql = {
    insertEvent: db.prepare(
      `INSERT OR IGNORE INTO events (id, type, name, ts, received_at, anonymous_id, session_id, user_id, event)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // A request's outbox rows, as one queue row: its meta and a list of [event id, destination].
    enqueue: db.prepare('INSERT INTO outbox_queue (received_at, ip, user_agent, rows) VALUES (?, ?, ?, ?)'),
    firstQueued: db.prepare('SELECT min(key) FROM outbox_queue').pluck(),
    lastQueued: db.prepare('SELECT max(key) FROM outbox_queue').pluck(),
    // The oldest queue rows fanned out into outbox rows, in the order they came (keys grow with it).
    fanOut: db.prepare(
      `INSERT INTO outbox (event_id, destination, next_attempt_at, created_at, ip, user_agent)
       SELECT r.value ->> 0, r.value ->> 1, q.received_at, q.received_at, q.ip, q.user_agent
       FROM (SELECT * FROM outbox_queue ORDER BY key LIMIT ?) q, json_each(q.rows) r
       ORDER BY q.key, r.key`,
    ),
    dequeue: db.prepare('DELETE FROM outbox_queue WHERE key IN (SELECT key FROM outbox_queue ORDER BY key LIMIT ?)'),
    count: db.prepare('SELECT count(*) FROM events').pluck(),
    alive: db.prepare('SELECT 1'),
    // rowid grows with each insert, so it is the receive order even when the clock steps back.
    page: db.prepare('SELECT rowid AS seq, event, received_at FROM events WHERE rowid < ? ORDER BY rowid DESC LIMIT ?'),
    pageByName: db.prepare(
      'SELECT rowid AS seq, event, received_at FROM events WHERE name = ? AND rowid < ? ORDER BY rowid DESC LIMIT ?',
    ),
    known: db.prepare('SELECT value FROM json_each(?) WHERE value IN (SELECT id FROM events) ORDER BY key').pluck(),
    // The oldest `limit` rows in receive order, of which those received before the cutoff. (A
    // clock that ran ahead can leave rows here that are not old yet: they go once they are.)
    oldest: db
      .prepare('SELECT id FROM (SELECT id, received_at FROM events ORDER BY rowid LIMIT @limit) WHERE received_at < @before')
      .pluck(),
    lastRowid: db.prepare('SELECT max(rowid) FROM events').pluck(),
    // Erasure scans in slices of rowids, so that ingest goes on between them.
    linkedAnonymousIds: db
      .prepare('SELECT DISTINCT anonymous_id FROM events WHERE rowid > ? AND rowid <= ? AND user_id = ? AND anonymous_id IS NOT NULL')
      .pluck(),
    ofPerson: db
      .prepare(
        `SELECT id FROM events WHERE rowid > @from AND rowid <= @to
         AND (user_id = @id OR (anonymous_id IN (SELECT value FROM json_each(@anonymousIds)) AND (user_id IS NULL OR user_id = @id)))`,
      )
      .pluck(),
    deletePendingOutbox: db.prepare(`DELETE FROM outbox WHERE state = 'pending' AND event_id IN (SELECT value FROM json_each(?))`),
    deleteOutbox: db.prepare('DELETE FROM outbox WHERE event_id IN (SELECT value FROM json_each(?))'),
    deleteEvents: db.prepare('DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))'),
    // In due order, as outbox_due holds them (rowid last): the index is walked and the walk stops
    // at the limit. ORDER BY key alone sorted every due row, joined to its event, on each claim:
    // slower the longer the backlog.
    due: db.prepare(
      `SELECT o.key, o.destination, o.event_id, o.attempts, o.ip, o.user_agent, e.event, e.received_at
       FROM outbox o LEFT JOIN events e ON e.id = o.event_id
       WHERE o.destination = @destination AND o.state = 'pending' AND o.next_attempt_at <= @now AND o.leased_until <= @now
       ORDER BY o.next_attempt_at, o.key LIMIT @limit`,
    ),
    deleteRows: db.prepare('DELETE FROM outbox WHERE key IN (SELECT value FROM json_each(?))'),
    lease: db.prepare('UPDATE outbox SET leased_until = ? WHERE key IN (SELECT value FROM json_each(?))'),
    sent: db.prepare(
      `UPDATE outbox SET state = 'sent', done_at = ?, leased_until = 0, ip = NULL, user_agent = NULL
       WHERE key IN (SELECT value FROM json_each(?)) AND state <> 'sent'`,
    ),
    release: db.prepare(
      `UPDATE outbox SET leased_until = 0 WHERE key IN (SELECT value FROM json_each(?)) AND leased_until = ? AND state = 'pending'`,
    ),
    failed: db.prepare(
      `UPDATE outbox SET attempts = attempts + 1, last_error = ?, error_at = ?, next_attempt_at = ?, leased_until = 0
       WHERE key IN (SELECT value FROM json_each(?)) AND state = 'pending'`,
    ),
    dead: db.prepare(
      `UPDATE outbox SET state = 'dead', last_error = @error, error_at = @at, done_at = @at, leased_until = 0
       WHERE key IN (SELECT value FROM json_each(@keys)) AND state = 'pending'`,
    ),
    expired: db.prepare(
      `UPDATE outbox SET state = 'expired', done_at = ?, leased_until = 0, ip = NULL, user_agent = NULL
       WHERE key IN (SELECT value FROM json_each(?)) AND state = 'pending'`,
    ),
    retryDead: db.prepare(
      `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = 0, leased_until = 0, done_at = NULL
       WHERE state = 'dead' AND (@destination IS NULL OR destination = @destination)`,
    ),
    // (Read after the queue is fanned out: what was queued counts as pending.)
    stats: db.prepare(
      `SELECT destination, state, count(*) AS n, sum(attempts > 0) AS failed, min(created_at) AS oldest
       FROM outbox GROUP BY destination, state`,
    ),
    lastError: db
      .prepare('SELECT last_error FROM outbox WHERE destination = ? AND error_at IS NOT NULL ORDER BY error_at DESC LIMIT 1')
      .pluck(),
  };

  // Counted once here, then kept up to date by this process's writes, so that /health costs no
  // scan. (Writes of another process on the same file are not seen: run one collector per SQLite
  // file, and PostgreSQL for several.)
  let stored = sql.count.get() as number;
  const { insights, afterInsert, close: closeInsights } = sqliteInsights(db);

  const insert = db.transaction((...[events, meta, route]: Parameters<Store['insert']>) => {
    let accepted = 0;
    const fresh: ValidEvent[] = [];
    const outbox: [string, ForwardDestination][] = [];
    for (const { event: e, json } of events) {
      const { changes } = sql.insertEvent.run(
        e.id, e.type, e.name, e.ts, meta.receivedAt, e.anonymousId ?? null, e.sessionId ?? null, e.userId ?? null, json,
      );
      if (changes === 0) continue;
      accepted++;
      fresh.push(e);
      for (const destination of route(e)) outbox.push([e.id, destination]);
    }
    if (outbox.length > 0) sql.enqueue.run(meta.receivedAt, meta.ip ?? null, meta.userAgent ?? null, list(outbox));
    afterInsert(fresh, meta, route); // the dashboard's rollups and the orders, in the same transaction
    stored += accepted;
    return { accepted, duplicates: events.length - accepted };
  });

  /**
   * Fans the queue out into outbox rows, a slice of requests at a time (each its own transaction,
   * taken at once so that another process's write cannot come between its read and its write).
   */
  const fanOutSlice = db.transaction(() => {
    sql.fanOut.run(FAN_OUT_SLICE);
    sql.dequeue.run(FAN_OUT_SLICE);
  });
  /** Fans out one slice, if any is queued; says whether it did. */
  const fanOutSome = (): boolean => sql.firstQueued.get() !== null && (fanOutSlice.immediate(), true);
  /**
   * Fans out the queue as it stands now, a slice at a time, serving requests between two: after a
   * vendor outage it may hold a great many. (What is queued meanwhile is left to the worker.)
   */
  const fanOut = async (): Promise<void> => {
    const last = sql.lastQueued.get() as number | null;
    if (last === null) return;
    for (let first; (first = sql.firstQueued.get() as number | null) !== null && first <= last; ) {
      fanOutSlice.immediate();
      await nextTurn();
    }
  };

  /** Deletes events and their outbox rows; returns how many pending rows went with them. */
  const removeRows = db.transaction((ids: string[]): number => {
    const pending = sql.deletePendingOutbox.run(list(ids)).changes;
    sql.deleteOutbox.run(list(ids));
    stored -= sql.deleteEvents.run(list(ids)).changes;
    return pending;
  });
  const remove = async (ids: string[]): Promise<number> => {
    await fanOut(); // the queue's rows of these events too: they were queued with the events, so before now
    return removeRows(ids);
  };

  const claim = db.transaction((destination: ForwardDestination, limit: number, now: number, leaseMs: number): OutboxRow[] => {
    const due = sql.due.all({ destination, now, limit }) as ClaimRow[];
    // A row whose event is gone (retention or erasure came first) is nothing to send.
    const rows = due.filter((r) => r.event !== null);
    if (rows.length < due.length) sql.deleteRows.run(list(due.filter((r) => r.event === null).map((r) => r.key)));
    sql.lease.run(now + leaseMs, list(rows.map((r) => r.key)));
    return rows.map((r) => ({
      key: String(r.key),
      destination: r.destination,
      eventId: r.event_id,
      event: JSON.parse(r.event!),
      meta: { receivedAt: r.received_at, ...(r.ip !== null && { ip: r.ip }), ...(r.user_agent !== null && { userAgent: r.user_agent }) },
      attempts: r.attempts,
    }));
  });

  // When an error was recorded, for `lastError`: strictly increasing here, so that of two errors
  // in one millisecond the later still wins.
  let lastStamp = 0;
  const stamp = () => (lastStamp = Math.max(Date.now(), lastStamp + 1));

  /** Keys are the rowids `claim` handed out; anything else matches no row. */
  const keys = (values: string[]): string => list(values.map(Number).filter(Number.isSafeInteger));

  return {
    ...insights,
    insert: async (events, meta, route) => insert(events, meta, route),

    async list({ limit, name, before }): Promise<EventsPage> {
      if (before !== undefined && !CURSOR.test(before)) throw new RangeError(`${JSON.stringify(before)} is not a cursor from this store`);
      const cursor = before === undefined ? Number.MAX_SAFE_INTEGER : Number(before);
      const max = limit === undefined ? -1 : limit + 1; // one more says whether there is a next page; -1: no limit
      const rows = (name === undefined ? sql.page.all(cursor, max) : sql.pageByName.all(name, cursor, max)) as EventRow[];
      const more = limit !== undefined && rows.length > limit;
      if (more) rows.length = limit;
      return { events: rows.map(toStored), next: more && rows.length > 0 ? String(rows[rows.length - 1]!.seq) : null };
    },

    count: async () => {
      sql.alive.get(); // throws if the database is gone: a health check must not say ok then
      return stored;
    },

    known: async (ids) => sql.known.all(list([...new Set(ids)])) as string[],

    deleteOlderThan: async (before, limit) => {
      const ids = sql.oldest.all({ before, limit }) as string[];
      if (ids.length > 0) await remove(ids);
      return ids.length;
    },

    async eraseUser(id) {
      // The person is `id` as a user id or an anonymous id, and the anonymous ids their signed-in
      // events carry: the same person before signing in (but not the events of another user on
      // that browser). Two passes over the events there when erasure started, a slice at a time.
      const last = (sql.lastRowid.get() as number | null) ?? 0;
      const slices = async function* () {
        for (let from = 0; from < last; from += ERASE_SLICE) {
          yield [from, Math.min(from + ERASE_SLICE, last)] as const;
          await nextTurn();
        }
      };
      const anonymousIds = new Set([id]);
      for await (const [from, to] of slices()) {
        for (const anonymousId of sql.linkedAnonymousIds.all(from, to, id) as string[]) anonymousIds.add(anonymousId);
      }
      const ids: string[] = [];
      for await (const [from, to] of slices()) ids.push(...(sql.ofPerson.all({ from, to, id, anonymousIds: list([...anonymousIds]) }) as string[]));
      const outbox = ids.length > 0 ? await remove(ids) : 0;
      return { events: ids.length, outbox };
    },

    claim: async (destination, limit, now, leaseMs) => {
      fanOutSome(); // a slice per claim: the worker keeps its share of the time
      return claim(destination, limit, now, leaseMs);
    },

    async sent(values, now) {
      sql.sent.run(now, keys(values));
    },

    async release(values, leasedUntil) {
      sql.release.run(keys(values), leasedUntil);
    },

    async failed(values, error, nextAttemptAt) {
      sql.failed.run(error, stamp(), nextAttemptAt, keys(values));
    },

    async dead(values, error) {
      sql.dead.run({ error, at: stamp(), keys: keys(values) });
    },

    async expired(values) {
      sql.expired.run(Date.now(), keys(values));
    },

    retryDead: async (destination) => sql.retryDead.run({ destination: destination ?? null }).changes,

    async stats(now) {
      await fanOut();
      const stats = emptyStats();
      for (const row of sql.stats.all() as StatsRow[]) {
        const entry = stats[row.destination as ForwardDestination];
        if (!entry) continue; // a destination this version no longer forwards to
        entry[row.state as 'pending' | 'sent' | 'dead' | 'expired'] = row.n;
        if (row.state === 'pending') {
          entry.failed = row.failed;
          entry.oldestPendingMs = row.oldest === null ? null : Math.max(0, now - row.oldest);
        }
      }
      for (const d of DESTINATIONS) stats[d].lastError = (sql.lastError.get(d) as string | undefined) ?? null;
      return stats;
    },

    async close() {
      closeInsights();
      db.close();
    },
  };
}
