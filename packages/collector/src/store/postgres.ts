import postgres from 'postgres';
import type { ForwardDestination, OutboxRow, OutboxStats } from '../outbox';
import type { StorableEvent } from '../wire';
import { pgAfterInsert, pgInsights } from './postgres-insights';
import { PG_MIGRATIONS } from './postgres-migrations';
import { DESTINATIONS, emptyStats } from './stats';
import type { EventsPage, Store, StoredEvent } from './store';

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** Connections this process keeps at most. Default 10. */
  pool?: number;
}

/** Any two collectors migrating at once take this lock in turn (an arbitrary constant: "Wayb"). */
const MIGRATION_LOCK = 0x57617962;
/** Cursors and outbox keys are identity values, which only grow. */
const POSITIVE = /^[1-9]\d{0,17}$/;
/** Slots of the event count; one per connection, by backend pid (see the migration). */
const COUNT_SLOTS = 16;

/**
 * A database URL as it may be shown: without its password.
 * @example redacted('postgres://shop:secret@db:5432/waybill') // 'postgres://shop:***@db:5432/waybill'
 */
export const redacted = (url: string): string => url.replace(/^([a-z][\w+.-]*:\/\/[^:/@]*):[^@]*@/i, '$1:***@');

/** U+0000, and a surrogate that is not half of a pair. */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * What jsonb cannot hold, made so: it refuses U+0000 and unpaired surrogates (which JSON text
 * may escape, and the wire format allows in `props`), so they become U+FFFD, as they would in
 * any UTF-8 text. Most events have neither: a cheap look at the JSON text decides.
 */
function jsonbSafe(json: string): string {
  if (!json.includes('\\u0000') && !/\\ud[89a-f]/i.test(json)) return json;
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(UNSTORABLE, '\uFFFD');
    if (Array.isArray(value)) return value.map(clean);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [clean(k), clean(v)]));
    return value;
  };
  return JSON.stringify(clean(JSON.parse(json)));
}

type EventRow = { seq: string; event: Record<string, unknown>; received_at: string };

/** Tries of a batch that PostgreSQL chose as a deadlock's victim. */
const DEADLOCK_TRIES = 5;

/**
 * Runs `statement` again when PostgreSQL broke a deadlock by failing it. Two batches holding the
 * same new ids in different orders (a page's retry reaching another collector while the first
 * copy is being stored) each wait for the other's rows; one is failed, and its second try finds
 * the other's committed rows as duplicates.
 */
async function retryDeadlock<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt >= DEADLOCK_TRIES) throw error;
    }
  }
}

/**
 * Opens the PostgreSQL store at `url` (`postgres://user:password@host:port/database`; the
 * usual `PG*` environment variables fill in what it leaves out), and brings its schema up to date
 * first, under an advisory lock, so that collectors starting together migrate once.
 * @throws Error if the server cannot be reached, the schema cannot be made, or it is newer than this collector's
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const sql = postgres(url, {
    max: options.pool ?? 10,
    onnotice: () => {}, // "schema already exists, skipping" and the like
    connection: { application_name: 'waybill-collector' },
  });
  try {
    await migrate(sql);
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw new Error(`cannot use the database ${redacted(url)}: ${(error as Error).message}`, { cause: error });
  }

  /** Keys `claim` handed out; anything else matches no row. */
  const keys = (values: string[]): string[] => values.filter((k) => POSITIVE.test(k));
  const toStored = (row: EventRow): StoredEvent => ({ ...row.event, receivedAt: Number(row.received_at) }) as StoredEvent;

  return {
    ...pgInsights(sql),
    async insert(events, meta, route) {
      // Routed up front (a duplicate's route is thrown away), so that the whole batch is one
      // statement: one round trip, atomic, events, outbox rows and count together.
      const routed: { ids: string[]; destinations: string[] } = { ids: [], destinations: [] };
      const seen = new Set<string>();
      for (const { event } of events) {
        if (seen.has(event.id)) continue;
        seen.add(event.id);
        for (const destination of route(event)) {
          routed.ids.push(event.id);
          routed.destinations.push(destination);
        }
      }
      if (events.length === 0) return { accepted: 0, duplicates: 0 };
      const batch = `[${events.map(({ json }: StorableEvent) => jsonbSafe(json)).join(',')}]`;
      // The rollups and orders (postgres-insights.ts) in the same transaction as the events they count.
      const accepted = await retryDeadlock(() => sql.begin(async (tx) => {
        const added = await tx<{ id: string }[]>`
        WITH batch AS (
          SELECT e, ord FROM jsonb_array_elements(${batch}::text::jsonb) WITH ORDINALITY AS b (e, ord)
        ), added AS (
          INSERT INTO waybill.events (id, type, name, ts, received_at, anonymous_id, session_id, user_id, event)
          SELECT e->>'id', e->>'type', e->>'name', (e->>'ts')::float8, ${meta.receivedAt}::bigint, e->>'anonymousId', e->>'sessionId', e->>'userId', e
          FROM batch ORDER BY ord
          ON CONFLICT (id) DO NOTHING
          RETURNING id
        ), outbox AS (
          INSERT INTO waybill.outbox (event_id, destination, next_attempt_at, created_at, ip, user_agent)
          SELECT r.event_id, r.destination, ${meta.receivedAt}::bigint, ${meta.receivedAt}::bigint, ${meta.ip ?? null}::text, ${meta.userAgent ?? null}::text
          FROM unnest(${routed.ids}::text[], ${routed.destinations}::text[]) WITH ORDINALITY AS r (event_id, destination, ord)
          WHERE r.event_id IN (SELECT id FROM added)
          ORDER BY r.ord
        ), counted AS (
          UPDATE waybill.event_count SET events = events + (SELECT count(*) FROM added) WHERE slot = pg_backend_pid() % ${COUNT_SLOTS}
        )
        SELECT id FROM added`;
        const fresh = new Set(added.map((r) => r.id));
        await pgAfterInsert(tx, events.filter(({ event }) => fresh.delete(event.id)).map(({ event }) => event), meta, route);
        return added.length;
      }));
      return { accepted, duplicates: events.length - accepted };
    },

    async list({ limit, name, before }): Promise<EventsPage> {
      if (before !== undefined && !POSITIVE.test(before)) throw new RangeError(`${JSON.stringify(before)} is not a cursor from this store`);
      // One more than asked says whether there is a next page.
      const rows = await sql<EventRow[]>`
        SELECT seq, event, received_at FROM waybill.events
        WHERE seq < ${before ?? '9223372036854775807'}::bigint ${name === undefined ? sql`` : sql`AND name = ${name}`}
        ORDER BY seq DESC ${limit === undefined ? sql`` : sql`LIMIT ${limit + 1}`}`;
      const page = limit === undefined ? rows : rows.slice(0, limit);
      const more = limit !== undefined && rows.length > limit;
      return { events: page.map(toStored), next: more && page.length > 0 ? page[page.length - 1]!.seq : null };
    },

    async count() {
      const [{ events }] = await sql<[{ events: string }]>`SELECT sum(events) AS events FROM waybill.event_count`;
      return Number(events);
    },

    async known(ids) {
      const rows = await sql<{ id: string }[]>`
        SELECT u.id FROM unnest(${[...new Set(ids)]}::text[]) WITH ORDINALITY AS u (id, ord)
        WHERE EXISTS (SELECT 1 FROM waybill.events e WHERE e.id = u.id)
        ORDER BY u.ord`;
      return rows.map((r) => r.id);
    },

    async deleteOlderThan(before, limit) {
      // The oldest `limit` in receive order, of which those received before the cutoff (a clock
      // that ran ahead can leave rows here that are not old yet: they go once they are). Bounded:
      // never a walk of the whole table looking for old rows when there are none. Rows another
      // collector is deleting are left to it (SKIP LOCKED), rather than waited for.
      const [{ deleted }] = await sql<[{ deleted: number }]>`
        WITH doomed AS (
          SELECT id FROM waybill.events
          WHERE seq IN (SELECT seq FROM waybill.events ORDER BY seq LIMIT ${limit}) AND received_at < ${before}
          FOR UPDATE SKIP LOCKED
        ), gone AS (
          DELETE FROM waybill.events WHERE id IN (SELECT id FROM doomed) RETURNING id
        ), outbox AS (
          DELETE FROM waybill.outbox WHERE event_id IN (SELECT id FROM gone)
        ), counted AS (
          UPDATE waybill.event_count SET events = events - (SELECT count(*) FROM gone) WHERE slot = pg_backend_pid() % ${COUNT_SLOTS}
        )
        SELECT count(*)::int AS deleted FROM gone`;
      return deleted;
    },

    async eraseUser(id) {
      // The person is `id` as a user id or an anonymous id, and the anonymous ids their signed-in
      // events carry (the same person before signing in; not another user on that browser). One
      // statement: a scan, which ingest does not wait for, and only this person's rows locked.
      const [erased] = await sql<[{ events: number; outbox: number }]>`
        WITH browsers AS (
          SELECT ${id}::text AS anonymous_id
          UNION SELECT DISTINCT anonymous_id FROM waybill.events WHERE user_id = ${id} AND anonymous_id IS NOT NULL
        ), gone AS (
          DELETE FROM waybill.events
          WHERE user_id = ${id} OR (anonymous_id IN (SELECT anonymous_id FROM browsers) AND (user_id IS NULL OR user_id = ${id}))
          RETURNING id
        ), outbox AS (
          DELETE FROM waybill.outbox WHERE event_id IN (SELECT id FROM gone) RETURNING state
        ), counted AS (
          UPDATE waybill.event_count SET events = events - (SELECT count(*) FROM gone) WHERE slot = pg_backend_pid() % ${COUNT_SLOTS}
        )
        SELECT (SELECT count(*)::int FROM gone) AS events, (SELECT count(*)::int FROM outbox WHERE state = 'pending') AS outbox`;
      return { events: erased.events, outbox: erased.outbox };
    },

    async claim(destination, limit, now, leaseMs) {
      // Rows another worker is claiming right now are skipped, not waited for; once its lease is
      // committed, `leased_until` keeps them out (PostgreSQL re-checks it on the newest version).
      const rows = await sql<
        { key: string; destination: ForwardDestination; event_id: string; attempts: number; ip: string | null; user_agent: string | null; event: Record<string, unknown>; received_at: string }[]
      >`
        WITH due AS (
          SELECT key FROM waybill.outbox
          WHERE destination = ${destination} AND state = 'pending' AND next_attempt_at <= ${now} AND leased_until <= ${now}
          ORDER BY key LIMIT ${limit}
          FOR UPDATE SKIP LOCKED
        ), leased AS (
          UPDATE waybill.outbox o SET leased_until = ${now + leaseMs} FROM due WHERE o.key = due.key
          RETURNING o.key, o.destination, o.event_id, o.attempts, o.ip, o.user_agent
        )
        SELECT l.*, e.event, e.received_at FROM leased l JOIN waybill.events e ON e.id = l.event_id ORDER BY l.key`;
      return rows.map(
        (r): OutboxRow => ({
          key: r.key,
          destination: r.destination,
          eventId: r.event_id,
          event: r.event,
          meta: { receivedAt: Number(r.received_at), ...(r.ip !== null && { ip: r.ip }), ...(r.user_agent !== null && { userAgent: r.user_agent }) },
          attempts: r.attempts,
        }),
      );
    },

    async sent(values, now) {
      await sql`UPDATE waybill.outbox SET state = 'sent', done_at = ${now}, leased_until = 0, ip = NULL, user_agent = NULL
                WHERE key = ANY(${keys(values)}::bigint[]) AND state <> 'sent'`;
    },

    async release(values, leasedUntil) {
      await sql`UPDATE waybill.outbox SET leased_until = 0
                WHERE key = ANY(${keys(values)}::bigint[]) AND leased_until = ${leasedUntil} AND state = 'pending'`;
    },

    async failed(values, error, nextAttemptAt) {
      await sql`UPDATE waybill.outbox
                SET attempts = attempts + 1, last_error = ${error}, error_at = nextval('waybill.error_order'), next_attempt_at = ${Math.ceil(nextAttemptAt)}, leased_until = 0
                WHERE key = ANY(${keys(values)}::bigint[]) AND state = 'pending'`;
    },

    async dead(values, error) {
      await sql`UPDATE waybill.outbox
                SET state = 'dead', last_error = ${error}, error_at = nextval('waybill.error_order'), done_at = ${Date.now()}, leased_until = 0
                WHERE key = ANY(${keys(values)}::bigint[]) AND state = 'pending'`;
    },

    async expired(values) {
      await sql`UPDATE waybill.outbox SET state = 'expired', done_at = ${Date.now()}, leased_until = 0, ip = NULL, user_agent = NULL
                WHERE key = ANY(${keys(values)}::bigint[]) AND state = 'pending'`;
    },

    async retryDead(destination) {
      const { count } = await sql`
        UPDATE waybill.outbox SET state = 'pending', attempts = 0, next_attempt_at = 0, leased_until = 0, done_at = NULL
        WHERE state = 'dead' ${destination === undefined ? sql`` : sql`AND destination = ${destination}`}`;
      return count;
    },

    async stats(now) {
      const stats = emptyStats();
      const rows = await sql<{ destination: string; state: string; n: number; failed: number; oldest: string | null }[]>`
        SELECT destination, state, count(*)::int AS n, count(*) FILTER (WHERE attempts > 0)::int AS failed, min(created_at) AS oldest
        FROM waybill.outbox GROUP BY destination, state`;
      for (const row of rows) {
        const entry = stats[row.destination as ForwardDestination];
        if (!entry) continue; // a destination this version no longer forwards to
        entry[row.state as 'pending' | 'sent' | 'dead' | 'expired'] = row.n;
        if (row.state === 'pending') {
          entry.failed = row.failed;
          entry.oldestPendingMs = row.oldest === null ? null : Math.max(0, now - Number(row.oldest));
        }
      }
      const errors = await sql<{ destination: ForwardDestination; last_error: string }[]>`
        SELECT d.destination, (SELECT last_error FROM waybill.outbox o WHERE o.destination = d.destination AND error_at IS NOT NULL
                               ORDER BY error_at DESC LIMIT 1) AS last_error
        FROM unnest(${DESTINATIONS as ForwardDestination[]}::text[]) AS d (destination)`;
      for (const { destination, last_error } of errors) stats[destination].lastError = last_error;
      return stats satisfies Record<ForwardDestination, OutboxStats>;
    },

    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

/**
 * Runs the steps of {@link PG_MIGRATIONS} not run yet, in one transaction under an advisory lock:
 * of several collectors starting at once, the first migrates and the others find nothing to do.
 */
async function migrate(sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE SCHEMA IF NOT EXISTS waybill`;
    await tx`CREATE TABLE IF NOT EXISTS waybill.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const [{ version }] = await tx<[{ version: number }]>`SELECT coalesce(max(version), 0) AS version FROM waybill.migrations`;
    if (version > PG_MIGRATIONS.length) {
      throw new Error(`its schema (version ${version}) is newer than this collector's (${PG_MIGRATIONS.length}): upgrade @waybill/collector`);
    }
    for (const [i, step] of PG_MIGRATIONS.entries()) {
      if (i < version) continue;
      await tx.unsafe(step);
      await tx`INSERT INTO waybill.migrations (version) VALUES (${i + 1})`;
    }
  });
}
