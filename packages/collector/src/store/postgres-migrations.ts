/**
 * The PostgreSQL schema, one step per version (`waybill.migrations` lists those that ran). Steps
 * are only ever appended: a database written by any release opens in every later one. Everything
 * lives in the `waybill` schema, so the collector can share a database with the shop's own tables.
 */
export const PG_MIGRATIONS: readonly string[] = [
  // 1: events, their outbox and the event count.
  // - `seq` is the receive order (the cursor of `GET /events`, the walk of retention), `id` the
  //   dedup key. No index on user or anonymous ids: each would cost every insert, and erasure,
  //   which is rare, scans without blocking ingest (readers never block writers here).
  // - `event` is jsonb, so reports can query it; the store replaces what jsonb cannot hold (U+0000,
  //   unpaired surrogates) with U+FFFD.
  // - The count is kept in 16 slots, picked by backend pid: each insert adds to its connection's
  //   slot in its own statement, so that concurrent inserts seldom wait on one row (only
  //   connections whose pids match modulo 16 share one), and the count is exact across any
  //   number of collectors (the sum of 16 rows, never a scan).
  // - `error_at` comes from a sequence, so that the latest error wins across processes.
  `CREATE TABLE waybill.events (
     seq          bigint GENERATED ALWAYS AS IDENTITY,
     id           text PRIMARY KEY,
     type         text NOT NULL,
     name         text NOT NULL,
     ts           double precision NOT NULL,
     received_at  bigint NOT NULL,
     anonymous_id text,
     session_id   text,
     user_id      text,
     event        jsonb NOT NULL
   );
   CREATE UNIQUE INDEX events_by_seq ON waybill.events (seq);
   CREATE INDEX events_by_name ON waybill.events (name, seq);

   CREATE TABLE waybill.outbox (
     key             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     event_id        text NOT NULL,
     destination     text NOT NULL,
     state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead', 'expired')),
     attempts        integer NOT NULL DEFAULT 0,
     next_attempt_at bigint NOT NULL,
     leased_until    bigint NOT NULL DEFAULT 0,
     created_at      bigint NOT NULL,
     done_at         bigint,
     last_error      text,
     error_at        bigint,
     ip              text,
     user_agent      text,
     UNIQUE (event_id, destination)
   );
   CREATE INDEX outbox_due ON waybill.outbox (destination, key) WHERE state = 'pending';
   CREATE INDEX outbox_by_state ON waybill.outbox (destination, state);
   CREATE INDEX outbox_errors ON waybill.outbox (destination, error_at) WHERE error_at IS NOT NULL;
   CREATE SEQUENCE waybill.error_order;

   CREATE TABLE waybill.event_count (slot smallint PRIMARY KEY, events bigint NOT NULL);
   INSERT INTO waybill.event_count SELECT slot, 0 FROM generate_series(0, 15) AS slot;`,
];
