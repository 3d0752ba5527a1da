import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { WaybillEvent } from '@waybill/core';
import type { ValidEvent } from './validate';

/** A stored event: the object that was sent, plus when the collector received it (ms since the epoch). */
export type StoredEvent = WaybillEvent & { receivedAt: number };

export interface Store {
  /** Stores new events in one transaction; ids already present (or repeated in `events`) are duplicates. */
  insert(events: ValidEvent[], receivedAt: number): { accepted: number; duplicates: number };
  /** Newest first, in receive order. `limit` undefined means all. */
  list(limit: number | undefined, name: string | undefined): StoredEvent[];
  count(): number;
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

/** Opens (creating if needed) the SQLite database that holds the events. */
export function openStore(file: string): Store {
  if (file !== ':memory:' && !file.startsWith('file:')) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // WAL lets readers (the dashboard, /events) run while a batch is being written;
  // NORMAL is durable across application crashes, which is all an analytics log needs.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);

  const insertOne = db.prepare(
    `INSERT OR IGNORE INTO events (id, type, name, ts, received_at, anonymous_id, session_id, user_id, event)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // rowid grows with each insert, so it is the receive order even when the clock steps back.
  const selectAll = db.prepare('SELECT event, received_at FROM events ORDER BY rowid DESC LIMIT ?');
  const selectByName = db.prepare('SELECT event, received_at FROM events WHERE name = ? ORDER BY rowid DESC LIMIT ?');
  const countAll = db.prepare('SELECT count(*) AS n FROM events').pluck();

  const insertAll = db.transaction((events: ValidEvent[], receivedAt: number) => {
    let accepted = 0;
    for (const e of events) {
      const { changes } = insertOne.run(
        e.id,
        e.type,
        e.name,
        e.ts,
        receivedAt,
        e.anonymousId ?? null,
        e.sessionId ?? null,
        e.userId ?? null,
        JSON.stringify(e),
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
    close: () => db.close(),
  };
}
