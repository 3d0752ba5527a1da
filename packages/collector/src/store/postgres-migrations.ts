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

  // 2: the dashboard's rollups (see postgres-insights.ts), written in the insert transaction, and
  // the orders that server events build, joined to browser purchases by transaction id. Events
  // per minute and sessions per hour are kept in slots by backend pid, as the event count is.
  `CREATE TABLE waybill.event_counts (
     minute bigint NOT NULL,
     name   text NOT NULL,
     slot   smallint NOT NULL,
     n      bigint NOT NULL,
     PRIMARY KEY (minute, name, slot)
   );
   CREATE TABLE waybill.consent_sessions (
     hour       bigint NOT NULL,
     session_id text NOT NULL,
     snapshot   text NOT NULL,
     PRIMARY KEY (hour, session_id)
   );
   CREATE TABLE waybill.consent_counts (
     hour     bigint NOT NULL,
     snapshot text NOT NULL,
     slot     smallint NOT NULL,
     sessions bigint NOT NULL,
     PRIMARY KEY (hour, snapshot, slot)
   );
   CREATE TABLE waybill.vitals (
     hour   bigint NOT NULL,
     metric text NOT NULL,
     rating text NOT NULL,
     bin    integer NOT NULL,
     n      bigint NOT NULL,
     PRIMARY KEY (hour, metric, rating, bin)
   );
   CREATE TABLE waybill.orders (
     transaction_id text PRIMARY KEY,
     channel        text,
     created_at     bigint,
     purchase_id    text,
     purchase_at    bigint,
     shipped_at     bigint,
     carrier        text,
     delivered_at   bigint,
     returned_at    bigint,
     refunded_at    bigint,
     refunded_value double precision,
     value          double precision,
     currency       text,
     updated_at     bigint NOT NULL
   );
   CREATE INDEX orders_placed ON waybill.orders ((coalesce(created_at, purchase_at)));
   CREATE INDEX orders_created ON waybill.orders (created_at) WHERE created_at IS NOT NULL;
   CREATE INDEX orders_purchased ON waybill.orders (purchase_at) WHERE purchase_at IS NOT NULL;
   CREATE INDEX orders_in_transit ON waybill.orders (shipped_at) WHERE delivered_at IS NULL AND returned_at IS NULL AND refunded_at IS NULL;
   CREATE TABLE waybill.order_events (
     event_id       text PRIMARY KEY,
     transaction_id text NOT NULL,
     joined         boolean NOT NULL
   );
   CREATE INDEX order_events_unjoined ON waybill.order_events (transaction_id) WHERE NOT joined;
   CREATE TABLE waybill.alerts (
     rule        text PRIMARY KEY,
     firing      boolean NOT NULL,
     since       bigint NOT NULL,
     value       double precision,
     message     text,
     notified    boolean NOT NULL,
     notified_at bigint
   );
   -- What an earlier release stored shows on the dashboard too: its event counts and purchases.
   -- (Consent and web vitals are counted from the upgrade on.)
   INSERT INTO waybill.event_counts (minute, name, slot, n) SELECT received_at / 60000, name, 0, count(*) FROM waybill.events GROUP BY 1, 2;
   INSERT INTO waybill.orders (transaction_id, purchase_id, purchase_at, updated_at)
     SELECT DISTINCT ON (event->'props'->>'transaction_id') event->'props'->>'transaction_id', id, least(ts, received_at)::bigint, received_at
     FROM waybill.events
     WHERE type = 'track' AND name = 'purchase'
       AND (jsonb_typeof(event->'props'->'transaction_id') = 'string' OR (event->'props'->>'transaction_id') ~ '^[0-9]{1,15}$')
     ORDER BY event->'props'->>'transaction_id', seq;`,
];
