import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { WaybillEvent } from '@waybill/core';
import type { StorableEvent } from './validate';

/** A stored event: the object that was sent, plus when the collector received it (ms since the epoch). */
export type StoredEvent = WaybillEvent & { receivedAt: number };

export interface Store {
  /** Stores new events in one transaction; ids already present (or repeated in `events`) are duplicates. */
  insert(events: StorableEvent[], receivedAt: number): { accepted: number; duplicates: number };
  /** Newest first, in receive order. `limit` undefined means all. */
  list(limit: number | undefined, name: string | undefined): StoredEvent[];
  count(): number;
  /** The ids of `ids` that are stored (answers the SDK's `{"v": 1, "known": [...]}`). */
  has(ids: string[]): string[];
  close(): void;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    id           TEXT PRIMARY KEY NOT NULL,
    type         TEXT NOT NULL,
    name         TEXT NOT NULL,
    ts           REAL NOT NULL,
    received_at  INTEGER NOT NULL,
    anonymous_id TEXT,
    session_id   TEXT,
    user_id      TEXT,
    event        TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS events_by_name ON events (name);
`;

/**
 * How long a statement waits for a lock held by another process. SQLite waits synchronously, so
 * the whole server waits with it: better a quick 500, which the SDK retries.
 */
const BUSY_TIMEOUT_MS = 250;
/** At open, a lock is worth waiting longer for: another process may be finishing a write. */
const OPEN_BUSY_TIMEOUT_MS = 5000;

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

/** Opens the database, creates the schema and checks that it can be written. */
function open(file: string): Database.Database {
  if (file !== ':memory:' && !file.startsWith('file:')) makeFolder(dirname(file));
  const db = new Database(file, { timeout: OPEN_BUSY_TIMEOUT_MS });
  try {
    // WAL lets readers (the dashboard, /events) run while a batch is being written;
    // NORMAL is durable across application crashes, which is all an analytics log needs.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
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

/** Opens (creating if needed) the SQLite database that holds the events; throws if it cannot be written. */
export function openStore(file: string): Store {
  let db: Database.Database;
  try {
    db = open(file);
  } catch (error) {
    throw new Error(`cannot use the database ${file}: ${(error as Error).message}`, { cause: error });
  }

  const insertOne = db.prepare(
    `INSERT OR IGNORE INTO events (id, type, name, ts, received_at, anonymous_id, session_id, user_id, event)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // rowid grows with each insert, so it is the receive order even when the clock steps back.
  const selectAll = db.prepare('SELECT event, received_at FROM events ORDER BY rowid DESC LIMIT ?');
  const selectByName = db.prepare('SELECT event, received_at FROM events WHERE name = ? ORDER BY rowid DESC LIMIT ?');
  const countAll = db.prepare('SELECT count(*) AS n FROM events').pluck();
  const hasOne = db.prepare('SELECT 1 FROM events WHERE id = ?').pluck();

  const insertAll = db.transaction((events: StorableEvent[], receivedAt: number) => {
    let accepted = 0;
    for (const { event: e, json } of events) {
      const { changes } = insertOne.run(
        e.id,
        e.type,
        e.name,
        e.ts,
        receivedAt,
        e.anonymousId ?? null,
        e.sessionId ?? null,
        e.userId ?? null,
        json,
      );
      accepted += changes;
    }
    return { accepted, duplicates: events.length - accepted };
  });

  type Row = { event: string; received_at: number };
  const toStored = (row: Row): StoredEvent => ({ ...JSON.parse(row.event), receivedAt: row.received_at });

  return {
    insert: (events, receivedAt) => insertAll(events, receivedAt),
    list(limit, name) {
      const max = limit ?? -1; // SQLite reads a negative LIMIT as "no limit"
      const rows = (name === undefined ? selectAll.all(max) : selectByName.all(name, max)) as Row[];
      return rows.map(toStored);
    },
    count: () => countAll.get() as number,
    has: (ids) => ids.filter((id) => hasOne.get(id) !== undefined),
    close: () => db.close(),
  };
}
