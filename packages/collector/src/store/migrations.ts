import type Database from 'better-sqlite3';

/**
 * The SQLite schema, one step per version (`PRAGMA user_version` holds how many have run).
 * Steps are only ever appended: a database written by any release opens in every later one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the events table of the first release (0.1.0), which set no user_version.
  `CREATE TABLE IF NOT EXISTS events (
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
   CREATE INDEX IF NOT EXISTS events_by_name ON events (name);`,

  // 2: the outbox (one row per event and forwarding destination; the browser's address and
  // user agent live here only, for the vendors' matching). No new index on events: every one
  // costs each insert (an index of random ids about as much as the primary key), while retention
  // and erasure, which are rare, walk the table in rowid (receive) order.
  `CREATE TABLE outbox (
     key             INTEGER PRIMARY KEY,
     event_id        TEXT NOT NULL,
     destination     TEXT NOT NULL,
     state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead', 'expired')),
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     leased_until    INTEGER NOT NULL DEFAULT 0,
     created_at      INTEGER NOT NULL,
     done_at         INTEGER,
     last_error      TEXT,
     error_at        INTEGER,
     ip              TEXT,
     user_agent      TEXT,
     UNIQUE (event_id, destination)
   );
   CREATE INDEX outbox_due ON outbox (destination, next_attempt_at) WHERE state = 'pending';
   CREATE INDEX outbox_by_state ON outbox (destination, state);
   CREATE INDEX outbox_errors ON outbox (destination, error_at) WHERE error_at IS NOT NULL;`,
];

/**
 * Brings the database to the latest schema, in one write transaction that several processes
 * starting at once take in turn (the first migrates; the others find nothing left to do).
 * @throws Error if the database comes from a newer collector than this one
 */
export function migrate(db: Database.Database): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  if (version() === MIGRATIONS.length) return;
  db.transaction(() => {
    const from = version();
    if (from > MIGRATIONS.length) {
      throw new Error(`its schema (version ${from}) is newer than this collector's (${MIGRATIONS.length}): upgrade @waybill/collector`);
    }
    for (const step of MIGRATIONS.slice(from)) db.exec(step);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
