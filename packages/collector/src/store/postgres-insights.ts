// The insights of the PostgreSQL store (see insights.ts): the same rollups, orders and alert
// states as sqlite-insights.ts, written inside the transaction of each insert, so they are exact
// across any number of collectors. The hot counters (events per minute and name, sessions per
// hour and consent snapshot) are kept in slots by backend pid, as the event count is: concurrent
// inserts seldom wait on one row, and a read sums the slots.
import type postgres from 'postgres';
import { inherit, isJoined, purchaseTransaction } from '../server-events/join';
import type { ValidEvent } from '../wire';
import { HOUR_MS, MINUTE_MS, consentKey, readVital, vitalBin, type AlertState, type InsertMeta, type Insights, type OrderRow } from './insights';
import type { Route, StoredEvent } from './store';

/** Slots of the hot counters (see the migration). */
const SLOTS = 16;

type Sql = postgres.Sql | postgres.TransactionSql;
type OrderColumns = {
  transaction_id: string;
  channel: string | null;
  created_at: string | null;
  purchase_id: string | null;
  purchase_at: string | null;
  shipped_at: string | null;
  carrier: string | null;
  delivered_at: string | null;
  returned_at: string | null;
  refunded_at: string | null;
  value: number | null;
  currency: string | null;
};

const n = (value: string | number | null): number | null => (value === null ? null : Number(value));
const toOrder = (r: OrderColumns): OrderRow => ({
  transactionId: r.transaction_id,
  channel: r.channel,
  createdAt: n(r.created_at),
  purchaseId: r.purchase_id,
  purchaseAt: n(r.purchase_at),
  shippedAt: n(r.shipped_at),
  carrier: r.carrier,
  deliveredAt: n(r.delivered_at),
  returnedAt: n(r.returned_at),
  refundedAt: n(r.refunded_at),
  value: r.value,
  currency: r.currency,
});
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const sorted = <T>(map: Map<string, T>): [string, T][] => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const SEP = '\u0000';

/**
 * Writes the rollups and orders of `events` (the ones just stored by this transaction). Rows are
 * written in key order, so that two collectors' transactions never take the same rows in
 * opposite orders (a deadlock).
 */
export async function pgAfterInsert(tx: postgres.TransactionSql, events: ValidEvent[], meta: InsertMeta, route: Route): Promise<void> {
  if (events.length === 0) return;
  const minute = Math.floor(meta.receivedAt / MINUTE_MS);
  const hour = Math.floor(meta.receivedAt / HOUR_MS);
  const names = new Map<string, number>();
  for (const e of events) names.set(e.name, (names.get(e.name) ?? 0) + 1);
  const counted = sorted(names);
  await tx`
    INSERT INTO waybill.event_counts (minute, name, slot, n)
    SELECT ${minute}::bigint, c.name, pg_backend_pid() % ${SLOTS}, c.n
    FROM unnest(${counted.map(([name]) => name)}::text[], ${counted.map(([, c]) => c)}::int[]) AS c (name, n)
    ON CONFLICT (minute, name, slot) DO UPDATE SET n = waybill.event_counts.n + excluded.n`;

  if (meta.source === 'server') {
    for (const e of events) await serverEvent(tx, e, meta, route);
    return;
  }

  // The latest snapshot of each session in the batch.
  const sessions = new Map<string, string>();
  for (const { sessionId, context } of events) {
    const snapshot = consentKey(context?.consent);
    if (typeof sessionId === 'string' && snapshot) sessions.set(sessionId, snapshot);
  }
  for (const [session, snapshot] of sorted(sessions)) await countConsent(tx, hour, session, snapshot);

  const vitals = new Map<string, number>();
  for (const e of events) {
    const vital = readVital(e);
    if (vital) {
      const key = [vital.metric, vital.rating, vitalBin(vital.metric, vital.value)].join(SEP);
      vitals.set(key, (vitals.get(key) ?? 0) + 1);
    }
  }
  if (vitals.size > 0) {
    const rows = sorted(vitals).map(([key, count]) => [...key.split(SEP), count] as [string, string, string, number]);
    await tx`
      INSERT INTO waybill.vitals (hour, metric, rating, bin, n)
      SELECT ${hour}::bigint, v.metric, v.rating, v.bin, v.n
      FROM unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::text[], ${rows.map((r) => Number(r[2]))}::int[], ${rows.map((r) => r[3])}::int[])
        AS v (metric, rating, bin, n)
      ON CONFLICT (hour, metric, rating, bin) DO UPDATE SET n = waybill.vitals.n + excluded.n`;
  }

  for (const e of events) {
    const transactionId = purchaseTransaction(e);
    if (transactionId === undefined) continue;
    const at = Math.min(Math.round(e.ts), meta.receivedAt); // a browser clock ahead is not the future
    // The first browser purchase of an order is the one it joins.
    const won = await tx`
      INSERT INTO waybill.orders (transaction_id, purchase_id, purchase_at, updated_at) VALUES (${transactionId}, ${e.id}, ${at}, ${meta.receivedAt})
      ON CONFLICT (transaction_id) DO UPDATE SET purchase_id = excluded.purchase_id, purchase_at = excluded.purchase_at, updated_at = excluded.updated_at
      WHERE waybill.orders.purchase_id IS NULL
      RETURNING transaction_id`;
    if (won.length === 0) continue;
    // Server events that came first wait for it: they join it now.
    const purchase = { ...(e as unknown as StoredEvent), receivedAt: meta.receivedAt };
    const waiting = await tx<{ event_id: string }[]>`
      SELECT event_id FROM waybill.order_events WHERE transaction_id = ${transactionId} AND NOT joined ORDER BY event_id FOR UPDATE`;
    for (const { event_id } of waiting) await join(tx, event_id, purchase, meta, route);
  }
}

/** Consent: each session once per hour, under the latest snapshot it sent in that hour. */
async function countConsent(tx: postgres.TransactionSql, hour: number, session: string, snapshot: string): Promise<void> {
  const inserted = await tx`
    INSERT INTO waybill.consent_sessions (hour, session_id, snapshot) VALUES (${hour}, ${session}, ${snapshot})
    ON CONFLICT (hour, session_id) DO NOTHING RETURNING 1`;
  const deltas: [string, number][] = [];
  if (inserted.length === 1) deltas.push([snapshot, 1]);
  else {
    const [before] = await tx<{ snapshot: string }[]>`
      SELECT snapshot FROM waybill.consent_sessions WHERE hour = ${hour} AND session_id = ${session} FOR UPDATE`;
    if (!before || before.snapshot === snapshot) return;
    await tx`UPDATE waybill.consent_sessions SET snapshot = ${snapshot} WHERE hour = ${hour} AND session_id = ${session}`;
    deltas.push([before.snapshot, -1], [snapshot, 1]);
  }
  deltas.sort(([a], [b]) => (a < b ? -1 : 1));
  await tx`
    INSERT INTO waybill.consent_counts (hour, snapshot, slot, sessions)
    SELECT ${hour}::bigint, d.snapshot, pg_backend_pid() % ${SLOTS}, d.n
    FROM unnest(${deltas.map(([s]) => s)}::text[], ${deltas.map(([, d]) => d)}::int[]) AS d (snapshot, n)
    ON CONFLICT (hour, snapshot, slot) DO UPDATE SET sessions = waybill.consent_counts.sessions + excluded.sessions`;
}

/** The order facts of one server event, and its join when its purchase was stored meanwhile. */
async function serverEvent(tx: postgres.TransactionSql, e: ValidEvent, meta: InsertMeta, route: Route): Promise<void> {
  const props = e.props as Record<string, unknown>;
  const transactionId = String(props.transaction_id);
  const joined = isJoined(e);
  await tx`INSERT INTO waybill.order_events (event_id, transaction_id, joined) VALUES (${e.id}, ${transactionId}, ${joined}) ON CONFLICT DO NOTHING`;
  const fact = (name: string) => (e.name === name ? Math.round(e.ts) : null);
  const refundedValue = e.name === 'refund' ? num(props.value) : null;
  // Each fact is kept from its first report; refunds add up.
  const [order] = await tx<{ purchase_id: string | null }[]>`
    INSERT INTO waybill.orders (transaction_id, channel, created_at, shipped_at, carrier, delivered_at, returned_at, refunded_at, refunded_value, value, currency, updated_at)
    VALUES (${transactionId}, ${e.name === 'order_created' ? (str(props.channel) ?? 'web') : null}, ${fact('order_created')}, ${fact('order_shipped')},
            ${str(props.carrier)}, ${fact('order_delivered')}, ${fact('return_requested')}, ${fact('refund')}, ${refundedValue}::float8,
            ${e.name === 'order_created' ? num(props.value) : null}::float8, ${e.name === 'order_created' || e.name === 'refund' ? str(props.currency) : null},
            ${meta.receivedAt})
    ON CONFLICT (transaction_id) DO UPDATE SET
      channel = coalesce(waybill.orders.channel, excluded.channel),
      created_at = coalesce(waybill.orders.created_at, excluded.created_at),
      shipped_at = coalesce(waybill.orders.shipped_at, excluded.shipped_at),
      carrier = coalesce(waybill.orders.carrier, excluded.carrier),
      delivered_at = coalesce(waybill.orders.delivered_at, excluded.delivered_at),
      returned_at = coalesce(waybill.orders.returned_at, excluded.returned_at),
      refunded_at = coalesce(waybill.orders.refunded_at, excluded.refunded_at),
      refunded_value = CASE WHEN excluded.refunded_value IS NULL THEN waybill.orders.refunded_value
                            ELSE coalesce(waybill.orders.refunded_value, 0) + excluded.refunded_value END,
      value = coalesce(waybill.orders.value, excluded.value),
      currency = coalesce(waybill.orders.currency, excluded.currency),
      updated_at = excluded.updated_at
    RETURNING purchase_id`;
  // The purchase arrived between the API's look-up and this transaction (another collector).
  if (!joined && order?.purchase_id) {
    const [purchase] = await tx<{ event: StoredEvent; received_at: string }[]>`SELECT event, received_at FROM waybill.events WHERE id = ${order.purchase_id}`;
    if (purchase) await join(tx, e.id, { ...purchase.event, receivedAt: Number(purchase.received_at) }, meta, route);
  }
}

/** Gives a stored server event its purchase's attribution, with the outbox rows its consent allows. */
async function join(tx: postgres.TransactionSql, eventId: string, purchase: StoredEvent, meta: InsertMeta, route: Route): Promise<void> {
  const [row] = await tx<{ event: ValidEvent }[]>`SELECT event FROM waybill.events WHERE id = ${eventId} FOR UPDATE`;
  if (!row) return; // deleted meanwhile (retention, erasure)
  const event = inherit(row.event, purchase);
  await tx`
    UPDATE waybill.events SET event = ${JSON.stringify(event)}::text::jsonb, anonymous_id = ${event.anonymousId ?? null},
      session_id = ${event.sessionId ?? null}, user_id = ${event.userId ?? null}
    WHERE id = ${eventId}`;
  await tx`UPDATE waybill.order_events SET joined = true WHERE event_id = ${eventId}`;
  const destinations = route(event);
  if (destinations.length === 0) return;
  await tx`
    INSERT INTO waybill.outbox (event_id, destination, next_attempt_at, created_at, ip, user_agent)
    SELECT ${eventId}, d, ${meta.receivedAt}::bigint, ${meta.receivedAt}::bigint, ${meta.ip ?? null}::text, ${meta.userAgent ?? null}::text
    FROM unnest(${destinations}::text[]) AS d
    ON CONFLICT (event_id, destination) DO NOTHING`;
}

/** How often (at most) the sessions of hours that are over are deleted. */
const PRUNE_EVERY_MS = 10 * MINUTE_MS;

/** The queries of the PostgreSQL store's insights. */
export function pgInsights(sql: Sql): Insights {
  const whole = (bucketMs: number, unit: number) => Math.max(1, Math.round(bucketMs / unit));
  const minutes = (ms: number) => Math.floor(ms / MINUTE_MS);
  const hours = (ms: number) => Math.floor(ms / HOUR_MS);
  let prunedAt = 0;
  const ORDER_COLUMNS = sql`transaction_id, channel, created_at, purchase_id, purchase_at, shipped_at, carrier, delivered_at, returned_at, refunded_at, value, currency`;
  return {
    async purchasesOf(transactionIds) {
      const rows = await sql<{ tx: string; event: StoredEvent; received_at: string }[]>`
        SELECT o.transaction_id AS tx, e.event, e.received_at FROM waybill.orders o JOIN waybill.events e ON e.id = o.purchase_id
        WHERE o.transaction_id = ANY(${[...new Set(transactionIds)]}::text[])`;
      return new Map(rows.map((r) => [r.tx, { ...r.event, receivedAt: Number(r.received_at) }]));
    },
    async eventCounts(from, to, bucketMs) {
      const k = whole(bucketMs, MINUTE_MS);
      const rows = await sql<{ b: string; name: string; n: string }[]>`
        SELECT minute - minute % ${k} AS b, name, sum(n) AS n FROM waybill.event_counts
        WHERE minute >= ${minutes(from)} AND minute < ${Math.ceil(to / MINUTE_MS)} GROUP BY b, name ORDER BY b, name`;
      return rows.map((r) => ({ bucket: Number(r.b) * MINUTE_MS, name: r.name, n: Number(r.n) }));
    },
    async lastEventMinute() {
      const [{ m }] = await sql<[{ m: string | null }]>`SELECT max(minute) AS m FROM waybill.event_counts`;
      return m === null ? null : Number(m) * MINUTE_MS;
    },
    async consentCounts(from, to, bucketMs) {
      const now = Date.now();
      if (now - prunedAt > PRUNE_EVERY_MS) {
        // Sessions of hours that are over are never counted again (events are bucketed by arrival).
        prunedAt = now;
        await sql`DELETE FROM waybill.consent_sessions WHERE hour < ${hours(now) - 1}`;
      }
      const k = whole(bucketMs, HOUR_MS);
      const rows = await sql<{ b: string; snapshot: string; n: string }[]>`
        SELECT hour - hour % ${k} AS b, snapshot, sum(sessions) AS n FROM waybill.consent_counts
        WHERE hour >= ${hours(from)} AND hour < ${Math.ceil(to / HOUR_MS)} GROUP BY b, snapshot HAVING sum(sessions) > 0 ORDER BY b, snapshot`;
      return rows.map((r) => ({ bucket: Number(r.b) * HOUR_MS, snapshot: r.snapshot, sessions: Number(r.n) }));
    },
    async vitalCounts(from, to, bucketMs) {
      const k = whole(bucketMs, HOUR_MS);
      const rows = await sql<{ b: string; metric: string; rating: string; bin: number; n: string }[]>`
        SELECT hour - hour % ${k} AS b, metric, rating, bin, sum(n) AS n FROM waybill.vitals
        WHERE hour >= ${hours(from)} AND hour < ${Math.ceil(to / HOUR_MS)} GROUP BY b, metric, rating, bin ORDER BY b`;
      return rows.map((r) => ({ bucket: Number(r.b) * HOUR_MS, metric: r.metric, rating: r.rating, bin: r.bin, n: Number(r.n) }));
    },
    async coverage(from, to, bucketMs) {
      const k = whole(bucketMs, MINUTE_MS) * MINUTE_MS;
      const rows = await sql<{ b: string; orders: number; tracked: number; purchases: number }[]>`
        WITH created AS (
          SELECT created_at - created_at % ${k} AS b, count(*)::int AS orders, count(purchase_id)::int AS tracked FROM waybill.orders
          WHERE created_at >= ${from} AND created_at < ${to} AND channel = 'web' GROUP BY 1
        ), purchased AS (
          SELECT purchase_at - purchase_at % ${k} AS b, count(*)::int AS purchases FROM waybill.orders
          WHERE purchase_at >= ${from} AND purchase_at < ${to} GROUP BY 1
        )
        SELECT b, coalesce(c.orders, 0) AS orders, coalesce(c.tracked, 0) AS tracked, coalesce(p.purchases, 0) AS purchases
        FROM created c FULL JOIN purchased p USING (b) ORDER BY b`;
      return rows.map((r) => ({ bucket: Number(r.b), orders: r.orders, tracked: r.tracked, purchases: r.purchases }));
    },
    async orders(from, to) {
      const rows = await sql<OrderColumns[]>`
        SELECT ${ORDER_COLUMNS} FROM waybill.orders WHERE coalesce(created_at, purchase_at) >= ${from} AND coalesce(created_at, purchase_at) < ${to}`;
      return rows.map(toOrder);
    },
    async lateOrders(shippedBefore, limit) {
      const rows = await sql<OrderColumns[]>`
        SELECT ${ORDER_COLUMNS} FROM waybill.orders
        WHERE shipped_at < ${shippedBefore} AND delivered_at IS NULL AND returned_at IS NULL AND refunded_at IS NULL
        ORDER BY shipped_at LIMIT ${limit}`;
      const [{ total }] = await sql<[{ total: number }]>`
        SELECT count(*)::int AS total FROM waybill.orders
        WHERE shipped_at < ${shippedBefore} AND delivered_at IS NULL AND returned_at IS NULL AND refunded_at IS NULL`;
      return { orders: rows.map(toOrder), total };
    },
    async alertStates() {
      const rows = await sql<{ rule: string; firing: boolean; since: string; value: number | null; message: string | null; notified: boolean; notified_at: string | null }[]>`
        SELECT * FROM waybill.alerts ORDER BY rule`;
      return rows.map(
        (r): AlertState => ({ rule: r.rule, firing: r.firing, since: Number(r.since), value: r.value, message: r.message, notified: r.notified, notifiedAt: n(r.notified_at) }),
      );
    },
    async moveAlert(expected, next) {
      if (expected === null) {
        const { count } = await sql`
          INSERT INTO waybill.alerts (rule, firing, since, value, message, notified, notified_at)
          VALUES (${next.rule}, ${next.firing}, ${next.since}, ${next.value}::float8, ${next.message}, ${next.notified}, ${next.notifiedAt}::bigint)
          ON CONFLICT (rule) DO NOTHING`;
        return count === 1;
      }
      const { count } = await sql`
        UPDATE waybill.alerts SET firing = ${next.firing}, since = ${next.since}, value = ${next.value}::float8, message = ${next.message},
          notified = ${next.notified}, notified_at = ${next.notifiedAt}::bigint
        WHERE rule = ${next.rule} AND firing = ${expected.firing} AND since = ${expected.since}`;
      return count === 1;
    },
  };
}
