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

  // 3: the dashboard's rollups, kept in the insert transaction (see sqlite-insights.ts), and the
  // orders that server events build, joined to browser purchases by transaction id.
  `CREATE TABLE event_counts (
     minute INTEGER NOT NULL,
     name   TEXT NOT NULL,
     n      INTEGER NOT NULL,
     PRIMARY KEY (minute, name)
   ) WITHOUT ROWID;
   CREATE TABLE consent_sessions (
     hour       INTEGER NOT NULL,
     session_id TEXT NOT NULL,
     snapshot   TEXT NOT NULL,
     PRIMARY KEY (hour, session_id)
   ) WITHOUT ROWID;
   CREATE TABLE consent_counts (
     hour     INTEGER NOT NULL,
     snapshot TEXT NOT NULL,
     sessions INTEGER NOT NULL,
     PRIMARY KEY (hour, snapshot)
   ) WITHOUT ROWID;
   CREATE TABLE vitals (
     hour   INTEGER NOT NULL,
     metric TEXT NOT NULL,
     rating TEXT NOT NULL,
     bin    INTEGER NOT NULL,
     n      INTEGER NOT NULL,
     PRIMARY KEY (hour, metric, rating, bin)
   ) WITHOUT ROWID;
   CREATE TABLE orders (
     transaction_id TEXT PRIMARY KEY NOT NULL,
     channel        TEXT,
     created_at     INTEGER,
     purchase_id    TEXT,
     purchase_at    INTEGER,
     shipped_at     INTEGER,
     carrier        TEXT,
     delivered_at   INTEGER,
     returned_at    INTEGER,
     refunded_at    INTEGER,
     refunded_value REAL,
     value          REAL,
     currency       TEXT,
     updated_at     INTEGER NOT NULL
   );
   CREATE INDEX orders_placed ON orders (coalesce(created_at, purchase_at));
   CREATE INDEX orders_created ON orders (created_at) WHERE created_at IS NOT NULL;
   CREATE INDEX orders_purchased ON orders (purchase_at) WHERE purchase_at IS NOT NULL;
   CREATE INDEX orders_in_transit ON orders (shipped_at) WHERE delivered_at IS NULL AND returned_at IS NULL AND refunded_at IS NULL;
   CREATE TABLE order_events (
     event_id       TEXT PRIMARY KEY NOT NULL,
     transaction_id TEXT NOT NULL,
     joined         INTEGER NOT NULL
   );
   CREATE INDEX order_events_unjoined ON order_events (transaction_id) WHERE joined = 0;
   CREATE TABLE alerts (
     rule        TEXT PRIMARY KEY NOT NULL,
     firing      INTEGER NOT NULL,
     since       INTEGER NOT NULL,
     value       REAL,
     message     TEXT,
     notified    INTEGER NOT NULL,
     notified_at INTEGER
   );
   -- What an earlier release stored shows on the dashboard too: its event counts and purchases.
   -- (Consent and web vitals are counted from the upgrade on.)
   INSERT INTO event_counts (minute, name, n) SELECT received_at / 60000, name, count(*) FROM events GROUP BY 1, 2;
   INSERT OR IGNORE INTO orders (transaction_id, purchase_id, purchase_at, updated_at)
     SELECT CAST(json_extract(event, '$.props.transaction_id') AS TEXT), id, CAST(min(ts, received_at) AS INTEGER), received_at
     FROM events WHERE type = 'track' AND name = 'purchase' AND json_type(event, '$.props.transaction_id') IN ('text', 'integer')
     ORDER BY rowid;`,

  // 4: forwarding's cost to ingest. The ingest transaction now writes one row per request to
  // outbox_queue (the request's meta and its [event id, destination] pairs), which the store fans
  // out into outbox rows before it reads the outbox (claim, stats, retention, erasure): one row
  // appended instead of, per event and destination, a row and three index entries. The outbox loses
  // its unique index (rows are only made for events stored then: unique by construction) and its
  // index by state (the stats read every row anyway); it is found by event id through a plain
  // index, and its dead letters through a partial one.
  `CREATE TABLE outbox_v4 (
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
     user_agent      TEXT
   );
   INSERT INTO outbox_v4 SELECT key, event_id, destination, state, attempts, next_attempt_at, leased_until, created_at, done_at, last_error, error_at, ip, user_agent FROM outbox;
   DROP TABLE outbox;
   ALTER TABLE outbox_v4 RENAME TO outbox;
   CREATE INDEX outbox_by_event ON outbox (event_id);
   CREATE INDEX outbox_due ON outbox (destination, next_attempt_at) WHERE state = 'pending';
   CREATE INDEX outbox_errors ON outbox (destination, error_at) WHERE error_at IS NOT NULL;
   CREATE INDEX outbox_dead ON outbox (destination) WHERE state = 'dead';
   CREATE TABLE outbox_queue (
     key         INTEGER PRIMARY KEY,
     received_at INTEGER NOT NULL,
     ip          TEXT,
     user_agent  TEXT,
     rows        TEXT NOT NULL
   );`,
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
