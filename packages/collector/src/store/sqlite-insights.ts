// The insights of the SQLite store (see insights.ts): rollups updated inside the insert
// transaction (a few upserts on small, hot tables per batch, not per event), orders joined to
// browser purchases, and the queries of the dashboard.
import type Database from 'better-sqlite3';
import { inherit, isJoined, purchaseTransaction } from '../server-events/join';
import type { ValidEvent } from '../wire';
import {
  HOUR_MS,
  MINUTE_MS,
  consentKey,
  readVital,
  vitalBin,
  type AlertState,
  type InsertHook,
  type Insights,
  type OrderRow,
} from './insights';
import type { StoredEvent } from './store';

type OrderColumns = {
  transaction_id: string;
  channel: string | null;
  created_at: number | null;
  purchase_id: string | null;
  purchase_at: number | null;
  shipped_at: number | null;
  carrier: string | null;
  delivered_at: number | null;
  returned_at: number | null;
  refunded_at: number | null;
  value: number | null;
  currency: string | null;
};
type AlertColumns = { rule: string; firing: number; since: number; value: number | null; message: string | null; notified: number; notified_at: number | null };

const ORDER_COLUMNS = 'transaction_id, channel, created_at, purchase_id, purchase_at, shipped_at, carrier, delivered_at, returned_at, refunded_at, value, currency';

export const toOrder = (r: OrderColumns): OrderRow => ({
  transactionId: r.transaction_id,
  channel: r.channel,
  createdAt: r.created_at,
  purchaseId: r.purchase_id,
  purchaseAt: r.purchase_at,
  shippedAt: r.shipped_at,
  carrier: r.carrier,
  deliveredAt: r.delivered_at,
  returnedAt: r.returned_at,
  refundedAt: r.refunded_at,
  value: r.value,
  currency: r.currency,
});

const toAlert = (r: AlertColumns): AlertState => ({
  rule: r.rule,
  firing: r.firing === 1,
  since: r.since,
  value: r.value,
  message: r.message,
  notified: r.notified === 1,
  notifiedAt: r.notified_at,
});

const list = (values: readonly unknown[]): string => JSON.stringify(values);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The insights of the SQLite database `db` (migrated), and the hook its insert transaction runs. */
export function sqliteInsights(db: Database.Database): { insights: Insights; afterInsert: InsertHook; close(): void } {
  const sql = {
    countEvents: db.prepare(
      'INSERT INTO event_counts (minute, name, n) VALUES (?, ?, ?) ON CONFLICT (minute, name) DO UPDATE SET n = n + excluded.n',
    ),
    sessionConsent: db.prepare('SELECT snapshot FROM consent_sessions WHERE hour = ? AND session_id = ?').pluck(),
    newSession: db.prepare('INSERT INTO consent_sessions (hour, session_id, snapshot) VALUES (?, ?, ?)'),
    changedSession: db.prepare('UPDATE consent_sessions SET snapshot = ? WHERE hour = ? AND session_id = ?'),
    pruneSessions: db.prepare('DELETE FROM consent_sessions WHERE hour < ?'),
    countConsent: db.prepare(
      `INSERT INTO consent_counts (hour, snapshot, sessions) VALUES (?, ?, ?)
       ON CONFLICT (hour, snapshot) DO UPDATE SET sessions = sessions + excluded.sessions`,
    ),
    countVital: db.prepare(
      `INSERT INTO vitals (hour, metric, rating, bin, n) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (hour, metric, rating, bin) DO UPDATE SET n = n + excluded.n`,
    ),
    // The first browser purchase of an order is the one it joins (a second copy under another
    // event id is not a second order).
    purchase: db.prepare(
      `INSERT INTO orders (transaction_id, purchase_id, purchase_at, updated_at) VALUES (@tx, @id, @at, @now)
       ON CONFLICT (transaction_id) DO UPDATE SET purchase_id = excluded.purchase_id, purchase_at = excluded.purchase_at, updated_at = excluded.updated_at
       WHERE orders.purchase_id IS NULL`,
    ),
    unjoined: db.prepare('SELECT event_id FROM order_events WHERE transaction_id = ? AND joined = 0').pluck(),
    orderEvent: db.prepare('INSERT OR IGNORE INTO order_events (event_id, transaction_id, joined) VALUES (?, ?, ?)'),
    markJoined: db.prepare('UPDATE order_events SET joined = 1 WHERE event_id = ?'),
    // Each fact is kept from its first report; refunds add up.
    order: db.prepare(
      `INSERT INTO orders (transaction_id, channel, created_at, shipped_at, carrier, delivered_at, returned_at, refunded_at, refunded_value, value, currency, updated_at)
       VALUES (@tx, @channel, @created, @shipped, @carrier, @delivered, @returned, @refunded, @refundedValue, @value, @currency, @now)
       ON CONFLICT (transaction_id) DO UPDATE SET
         channel = coalesce(orders.channel, excluded.channel),
         created_at = coalesce(orders.created_at, excluded.created_at),
         shipped_at = coalesce(orders.shipped_at, excluded.shipped_at),
         carrier = coalesce(orders.carrier, excluded.carrier),
         delivered_at = coalesce(orders.delivered_at, excluded.delivered_at),
         returned_at = coalesce(orders.returned_at, excluded.returned_at),
         refunded_at = coalesce(orders.refunded_at, excluded.refunded_at),
         refunded_value = CASE WHEN excluded.refunded_value IS NULL THEN orders.refunded_value
                               ELSE coalesce(orders.refunded_value, 0) + excluded.refunded_value END,
         value = coalesce(orders.value, excluded.value),
         currency = coalesce(orders.currency, excluded.currency),
         updated_at = excluded.updated_at
       RETURNING purchase_id`,
    ).pluck(),
    eventJson: db.prepare('SELECT event FROM events WHERE id = ?').pluck(),
    rewrite: db.prepare('UPDATE events SET event = ?, anonymous_id = ?, session_id = ?, user_id = ? WHERE id = ?'),
    // (A server event is joined once; the check keeps it so should it ever be joined again.)
    outbox: db.prepare(
      `INSERT INTO outbox (event_id, destination, next_attempt_at, created_at, ip, user_agent)
       SELECT @id, @destination, @at, @at, @ip, @userAgent
       WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE event_id = @id AND destination = @destination)`,
    ),

    purchasesOf: db.prepare(
      `SELECT o.transaction_id AS tx, e.event, e.received_at FROM orders o JOIN events e ON e.id = o.purchase_id
       WHERE o.transaction_id IN (SELECT value FROM json_each(?))`,
    ),
    // (Bucket starts by `x - x % k`: `%` works on integers, where `/` would divide bound numbers as reals.)
    eventCounts: db.prepare(
      `SELECT minute - minute % @k AS b, name, sum(n) AS n FROM event_counts
       WHERE minute >= @from AND minute < @to GROUP BY b, name ORDER BY b`,
    ),
    lastMinute: db.prepare('SELECT max(minute) FROM event_counts').pluck(),
    consentCounts: db.prepare(
      `SELECT hour - hour % @k AS b, snapshot, sum(sessions) AS n FROM consent_counts
       WHERE hour >= @from AND hour < @to GROUP BY b, snapshot ORDER BY b`,
    ),
    vitalCounts: db.prepare(
      `SELECT hour - hour % @k AS b, metric, rating, bin, sum(n) AS n FROM vitals
       WHERE hour >= @from AND hour < @to GROUP BY b, metric, rating, bin ORDER BY b`,
    ),
    ordersCreated: db.prepare(
      `SELECT created_at - created_at % @k AS b, count(*) AS orders, count(purchase_id) AS tracked FROM orders
       WHERE created_at >= @from AND created_at < @to AND channel = 'web' GROUP BY b`,
    ),
    purchasesMade: db.prepare(
      `SELECT purchase_at - purchase_at % @k AS b, count(*) AS n FROM orders WHERE purchase_at >= @from AND purchase_at < @to GROUP BY b`,
    ),
    orders: db.prepare(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE coalesce(created_at, purchase_at) >= ? AND coalesce(created_at, purchase_at) < ?`,
    ),
    late: db.prepare(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE shipped_at < ? AND delivered_at IS NULL AND returned_at IS NULL AND refunded_at IS NULL
       ORDER BY shipped_at LIMIT ?`,
    ),
    lateCount: db
      .prepare('SELECT count(*) FROM orders WHERE shipped_at < ? AND delivered_at IS NULL AND returned_at IS NULL AND refunded_at IS NULL')
      .pluck(),
    alerts: db.prepare('SELECT * FROM alerts ORDER BY rule'),
    createAlert: db.prepare(
      `INSERT OR IGNORE INTO alerts (rule, firing, since, value, message, notified, notified_at)
       VALUES (@rule, @firing, @since, @value, @message, @notified, @notifiedAt)`,
    ),
    moveAlert: db.prepare(
      `UPDATE alerts SET firing = @firing, since = @since, value = @value, message = @message, notified = @notified, notified_at = @notifiedAt
       WHERE rule = @rule AND firing = @wasFiring AND since = @wasSince`,
    ),
  };

  /** Sessions older than the hour before are never counted again (events are bucketed by arrival). */
  let prunedBefore = 0;

  /** Consent: each session once per hour, under the latest snapshot it sent in that hour. */
  function countConsent(hour: number, session: string, snapshot: string): void {
    const before = sql.sessionConsent.get(hour, session) as string | undefined;
    if (before === snapshot) return;
    if (before === undefined) sql.newSession.run(hour, session, snapshot);
    else {
      sql.changedSession.run(snapshot, hour, session);
      sql.countConsent.run(hour, before, -1);
    }
    sql.countConsent.run(hour, snapshot, 1);
  }

  // The counts wait here and are written once a second in one transaction of their own: written
  // with every batch, their pages would double what each ingest commit writes to the WAL. Reads
  // write them first, so that this process's numbers are always whole; a crash loses at most the
  // last second of counts (never an event).
  let pending = { events: new Map<string, number>(), sessions: new Map<string, string>(), vitals: new Map<string, number>() };
  const SEP = '\u0000';
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  const flush = db.transaction(() => {
    const { events, sessions, vitals } = pending;
    if (events.size === 0 && sessions.size === 0 && vitals.size === 0) return;
    pending = { events: new Map(), sessions: new Map(), vitals: new Map() };
    for (const [key, n] of events) {
      const [minute, name] = key.split(SEP);
      sql.countEvents.run(Number(minute), name, n);
    }
    let latestHour = 0;
    for (const [key, snapshot] of sessions) {
      const cut = key.indexOf(SEP); // (a session id may hold any character: split at the first)
      const hour = Number(key.slice(0, cut));
      countConsent(hour, key.slice(cut + 1), snapshot);
      latestHour = Math.max(latestHour, hour);
    }
    if (latestHour - 1 > prunedBefore) {
      sql.pruneSessions.run(latestHour - 1);
      prunedBefore = latestHour - 1;
    }
    for (const [key, n] of vitals) {
      const [hour, metric, rating, bin] = key.split(SEP);
      sql.countVital.run(Number(hour), metric, rating, Number(bin), n);
    }
  });

  /** Gives a stored server event its purchase's attribution, with the outbox rows its consent allows. */
  function join(eventId: string, purchase: StoredEvent, meta: Parameters<InsertHook>[1], route: Parameters<InsertHook>[2]): void {
    const json = sql.eventJson.get(eventId) as string | undefined;
    if (json === undefined) return; // deleted meanwhile (retention, erasure)
    const event = inherit(JSON.parse(json) as ValidEvent, purchase);
    sql.rewrite.run(JSON.stringify(event), event.anonymousId ?? null, event.sessionId ?? null, event.userId ?? null, eventId);
    sql.markJoined.run(eventId);
    for (const destination of route(event)) {
      sql.outbox.run({ id: eventId, destination, at: meta.receivedAt, ip: meta.ip ?? null, userAgent: meta.userAgent ?? null });
    }
  }

  const afterInsert: InsertHook = (events, meta, route) => {
    if (events.length === 0) return;
    const minute = Math.floor(meta.receivedAt / MINUTE_MS);
    const hour = Math.floor(meta.receivedAt / HOUR_MS);
    for (const e of events) add(pending.events, `${minute}${SEP}${e.name}`);

    if (meta.source === 'server') {
      for (const e of events) {
        const props = e.props as Record<string, unknown>;
        const tx = String(props.transaction_id);
        const joined = isJoined(e);
        sql.orderEvent.run(e.id, tx, joined ? 1 : 0);
        const fact = (name: string) => (e.name === name ? e.ts : null);
        const purchaseId = sql.order.get({
          tx,
          channel: e.name === 'order_created' ? (str(props.channel) ?? 'web') : null,
          created: fact('order_created'),
          shipped: fact('order_shipped'),
          carrier: str(props.carrier),
          delivered: fact('order_delivered'),
          returned: fact('return_requested'),
          refunded: fact('refund'),
          refundedValue: e.name === 'refund' ? num(props.value) : null,
          value: e.name === 'order_created' ? num(props.value) : null,
          currency: e.name === 'order_created' || e.name === 'refund' ? str(props.currency) : null,
          now: meta.receivedAt,
        }) as string | null;
        // The purchase arrived between the API's look-up and this transaction (another process).
        if (!joined && purchaseId !== null) {
          const purchase = sql.eventJson.get(purchaseId) as string | undefined;
          if (purchase !== undefined) join(e.id, JSON.parse(purchase), meta, route);
        }
      }
      return;
    }

    // The latest snapshot of each session in the batch (one session, nearly always): read backwards.
    let last: unknown;
    const seen = new Set<unknown>();
    for (let i = events.length - 1; i >= 0; i--) {
      const { sessionId, context } = events[i]!;
      if (typeof sessionId !== 'string' || sessionId === last || seen.has(sessionId)) continue;
      seen.add((last = sessionId));
      const snapshot = consentKey(context?.consent);
      if (snapshot) pending.sessions.set(`${hour}${SEP}${sessionId}`, snapshot);
    }
    for (const e of events) {
      const vital = readVital(e);
      if (vital) add(pending.vitals, [hour, vital.metric, vital.rating, vitalBin(vital.metric, vital.value)].join(SEP));
      const tx = purchaseTransaction(e);
      if (tx === undefined) continue;
      const at = Math.min(Math.round(e.ts), meta.receivedAt); // a browser clock ahead is not the future
      if (sql.purchase.run({ tx, id: e.id, at, now: meta.receivedAt }).changes === 0) continue;
      // Server events that came first wait for it: they join it now.
      const purchase = { ...(e as unknown as StoredEvent), receivedAt: meta.receivedAt };
      for (const eventId of sql.unjoined.all(tx) as string[]) join(eventId, purchase, meta, route);
    }
  };

  const minutes = (ms: number) => Math.floor(ms / MINUTE_MS);
  const hours = (ms: number) => Math.floor(ms / HOUR_MS);
  const whole = (bucketMs: number, unit: number) => Math.max(1, Math.round(bucketMs / unit));

  const insights: Insights = {
    async purchasesOf(transactionIds) {
      const rows = sql.purchasesOf.all(list([...new Set(transactionIds)])) as { tx: string; event: string; received_at: number }[];
      return new Map(rows.map((r) => [r.tx, { ...JSON.parse(r.event), receivedAt: r.received_at }]));
    },
    async eventCounts(from, to, bucketMs) {
      flush();
      const k = whole(bucketMs, MINUTE_MS);
      const rows = sql.eventCounts.all({ k, from: minutes(from), to: Math.ceil(to / MINUTE_MS) }) as { b: number; name: string; n: number }[];
      return rows.map((r) => ({ bucket: r.b * MINUTE_MS, name: r.name, n: r.n }));
    },
    async lastEventMinute() {
      flush();
      const m = sql.lastMinute.get() as number | null;
      return m === null ? null : m * MINUTE_MS;
    },
    async consentCounts(from, to, bucketMs) {
      flush();
      const k = whole(bucketMs, HOUR_MS);
      const rows = sql.consentCounts.all({ k, from: hours(from), to: Math.ceil(to / HOUR_MS) }) as { b: number; snapshot: string; n: number }[];
      return rows.filter((r) => r.n > 0).map((r) => ({ bucket: r.b * HOUR_MS, snapshot: r.snapshot, sessions: r.n }));
    },
    async vitalCounts(from, to, bucketMs) {
      flush();
      const k = whole(bucketMs, HOUR_MS);
      const rows = sql.vitalCounts.all({ k, from: hours(from), to: Math.ceil(to / HOUR_MS) }) as {
        b: number;
        metric: string;
        rating: string;
        bin: number;
        n: number;
      }[];
      return rows.map((r) => ({ bucket: r.b * HOUR_MS, metric: r.metric, rating: r.rating, bin: r.bin, n: r.n }));
    },
    async coverage(from, to, bucketMs) {
      const k = whole(bucketMs, MINUTE_MS) * MINUTE_MS;
      const buckets = new Map<number, { bucket: number; orders: number; tracked: number; purchases: number }>();
      const at = (b: number) => buckets.get(b) ?? buckets.set(b, { bucket: b, orders: 0, tracked: 0, purchases: 0 }).get(b)!;
      for (const r of sql.ordersCreated.all({ k, from, to }) as { b: number; orders: number; tracked: number }[]) {
        Object.assign(at(r.b), { orders: r.orders, tracked: r.tracked });
      }
      for (const r of sql.purchasesMade.all({ k, from, to }) as { b: number; n: number }[]) at(r.b).purchases = r.n;
      return [...buckets.values()].sort((a, b) => a.bucket - b.bucket);
    },
    async orders(from, to) {
      return (sql.orders.all(from, to) as OrderColumns[]).map(toOrder);
    },
    async lateOrders(shippedBefore, limit) {
      return {
        orders: (sql.late.all(shippedBefore, limit) as OrderColumns[]).map(toOrder),
        total: sql.lateCount.get(shippedBefore) as number,
      };
    },
    async alertStates() {
      return (sql.alerts.all() as AlertColumns[]).map(toAlert);
    },
    async moveAlert(expected, next) {
      const row = { ...next, firing: next.firing ? 1 : 0, notified: next.notified ? 1 : 0 };
      if (expected === null) return sql.createAlert.run(row).changes === 1;
      return sql.moveAlert.run({ ...row, wasFiring: expected.firing ? 1 : 0, wasSince: expected.since }).changes === 1;
    },
  };
  const timer = setInterval(() => flush(), 1000);
  timer.unref();
  /** Writes what waits and stops the timer (before the database closes). */
  const close = () => {
    clearInterval(timer);
    flush();
  };
  return { insights, afterInsert, close };
}
