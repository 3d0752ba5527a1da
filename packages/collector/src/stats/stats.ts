// The JSON of the /v1/stats endpoints, computed from a store's insights (any store): what every
// dashboard chart draws, and what a shop's own tools can read.
import type { ForwardDestination, OutboxStats } from '../outbox';
import { DAY_MS, HOUR_MS, RATINGS, binValue, type OrderRow } from '../store/insights';
import type { Store } from '../store/store';
import { binPercentile, percentile } from './percentile';
import { bucketStarts, fineWindow, hourlyWindow, type RangeName, type Window } from './range';

/** Names drawn on their own in the events chart; the rest add up as "other". */
const TOP_NAMES = 8;

const windowOf = (w: Window) => ({ range: w.range, from: w.from, to: w.to, bucketMs: w.bucketMs, buckets: bucketStarts(w) });
const share = (part: number, whole: number): number | null => (whole > 0 ? Math.round((1000 * part) / whole) / 10 : null);

/** `GET /v1/stats/events`: events received per bucket, for the most frequent names. */
export async function eventsStats(store: Store, range: RangeName, now: number) {
  const w = fineWindow(range, now);
  const base = windowOf(w);
  const index = new Map(base.buckets.map((t, i) => [t, i]));
  const byName = new Map<string, number[]>();
  for (const { bucket, name, n } of await store.eventCounts(w.from, w.to, w.bucketMs)) {
    const i = index.get(bucket);
    if (i === undefined) continue;
    const counts = byName.get(name) ?? byName.set(name, base.buckets.map(() => 0)).get(name)!;
    counts[i] += n;
  }
  const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
  const ranked = [...byName].map(([name, counts]) => ({ name, counts, total: total(counts) })).sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
  const series = ranked.slice(0, TOP_NAMES);
  const rest = ranked.slice(TOP_NAMES);
  if (rest.length > 0) {
    const counts = base.buckets.map((_, i) => rest.reduce((sum, s) => sum + s.counts[i]!, 0));
    series.push({ name: `other (${rest.length} names)`, counts, total: total(counts) });
  }
  return { ...base, total: ranked.reduce((sum, s) => sum + s.total, 0), series, lastEventAt: await store.lastEventMinute() };
}

/** `GET /v1/stats/consent`: per category, the share of sessions granted, denied, pending, per hour. */
export async function consentStats(store: Store, range: RangeName, now: number) {
  const w = hourlyWindow(range, now);
  const base = windowOf(w);
  const index = new Map(base.buckets.map((t, i) => [t, i]));
  const counts = new Map<string, Record<string, number[]>>();
  const sessions = base.buckets.map(() => 0);
  for (const { bucket, snapshot, sessions: n } of await store.consentCounts(w.from, w.to, w.bucketMs)) {
    const i = index.get(bucket);
    if (i === undefined) continue;
    sessions[i] += n;
    for (const [category, state] of Object.entries(JSON.parse(snapshot) as Record<string, string>)) {
      const states = counts.get(category) ?? counts.set(category, { granted: base.buckets.map(() => 0), denied: base.buckets.map(() => 0), pending: base.buckets.map(() => 0) }).get(category)!;
      if (states[state]) states[state][i] += n;
    }
  }
  const categories = Object.fromEntries(
    [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([category, states]) => {
      const seen = base.buckets.map((_, i) => states.granted![i]! + states.denied![i]! + states.pending![i]!);
      const total = (s: number[]) => s.reduce((a, b) => a + b, 0);
      const all = total(seen);
      return [
        category,
        {
          granted: states.granted!.map((n, i) => share(n, seen[i]!)),
          denied: states.denied!.map((n, i) => share(n, seen[i]!)),
          pending: states.pending!.map((n, i) => share(n, seen[i]!)),
          sessions: seen,
          total: { sessions: all, granted: share(total(states.granted!), all), denied: share(total(states.denied!), all), pending: share(total(states.pending!), all) },
        },
      ];
    }),
  );
  return { ...base, sessions, categories };
}

/** `GET /v1/stats/forwarding`: the outbox per destination. */
export async function forwardingStats(store: Store, now: number): Promise<{ destinations: Record<ForwardDestination, OutboxStats> }> {
  return { destinations: await store.stats(now) };
}

/** Browser purchases and web orders per bucket, and the share of orders no browser purchase was seen for. */
export async function coverageStats(store: Store, range: RangeName, now: number) {
  const w = range === '1h' ? { ...fineWindow('1h', now), bucketMs: 10 * 60_000 } : hourlyWindow(range, now);
  const aligned = { ...w, from: Math.ceil(w.from / w.bucketMs) * w.bucketMs };
  const base = windowOf(aligned);
  const rows = new Map((await store.coverage(aligned.from, aligned.to, aligned.bucketMs)).map((r) => [r.bucket, r]));
  const pick = (key: 'orders' | 'tracked' | 'purchases') => base.buckets.map((t) => rows.get(t)?.[key] ?? 0);
  const orders = pick('orders');
  const tracked = pick('tracked');
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const [allOrders, allTracked] = [sum(orders), sum(tracked)];
  return {
    ...base,
    orders,
    tracked,
    purchases: pick('purchases'),
    /** Per bucket: the % of orders created with no browser purchase (null: no orders). */
    gap: orders.map((n, i) => (n > 0 ? share(n - tracked[i]!, n) : null)),
    total: { orders: allOrders, tracked: allTracked, untracked: allOrders - allTracked, purchases: sum(pick('purchases')), coverage: share(allTracked, allOrders) },
  };
}

/** Core Web Vitals thresholds (good up to the first, poor above the second), as web.dev sets them. */
export const VITAL_THRESHOLDS: Record<string, [number, number]> = {
  LCP: [2500, 4000],
  INP: [200, 500],
  CLS: [0.1, 0.25],
  FCP: [1800, 3000],
  TTFB: [800, 1800],
};
const rate = (metric: string, value: number | null) => {
  const t = VITAL_THRESHOLDS[metric];
  if (value === null || !t) return null;
  return value <= t[0] ? 'good' : value <= t[1] ? 'needs-improvement' : 'poor';
};
/** A percentile read from a bin, rounded as the metric is shown. */
const shown = (metric: string, bin: number | null) => (bin === null ? null : metric === 'CLS' ? Math.round(binValue(metric, bin) * 1000) / 1000 : Math.round(binValue(metric, bin)));

/** `GET /v1/stats/vitals`: p75 per metric over the window and per hour, and the share of each rating. */
export async function vitalsStats(store: Store, range: RangeName, now: number) {
  // A week of hourly histograms is ~130k rows at a busy shop: a point every 6 hours reads 6 times fewer.
  const w = range === '7d' ? sixHourly(now) : hourlyWindow(range, now);
  const base = windowOf(w);
  const index = new Map(base.buckets.map((t, i) => [t, i]));
  const perMetric = new Map<string, { all: Map<number, number>; hours: Map<number, number>[]; ratings: Record<string, number> }>();
  for (const { bucket, metric, rating, bin, n } of await store.vitalCounts(w.from, w.to, w.bucketMs)) {
    const i = index.get(bucket);
    if (i === undefined) continue;
    const m = perMetric.get(metric) ?? perMetric.set(metric, { all: new Map(), hours: base.buckets.map(() => new Map()), ratings: Object.fromEntries(RATINGS.map((r) => [r, 0])) }).get(metric)!;
    m.all.set(bin, (m.all.get(bin) ?? 0) + n);
    m.hours[i]!.set(bin, (m.hours[i]!.get(bin) ?? 0) + n);
    m.ratings[rating] = (m.ratings[rating] ?? 0) + n;
  }
  const order = Object.keys(VITAL_THRESHOLDS);
  const metrics = Object.fromEntries(
    [...perMetric].sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99)).map(([metric, m]) => {
      const count = [...m.all.values()].reduce((a, b) => a + b, 0);
      const p75 = shown(metric, binPercentile(m.all, 0.75));
      return [
        metric,
        {
          p75,
          rating: rate(metric, p75),
          count,
          thresholds: VITAL_THRESHOLDS[metric] ?? null,
          ratings: Object.fromEntries(RATINGS.map((r) => [r, share(m.ratings[r]!, count)])),
          /** p75 per bucket (hourly; every 6 hours over a week). */
          hourly: m.hours.map((bins) => shown(metric, binPercentile(bins, 0.75))),
        },
      ];
    }),
  );
  return { ...base, metrics };
}

/** The week in 6-hour buckets (aligned to 00:00, 06:00, 12:00 and 18:00 UTC). */
function sixHourly(now: number): Window {
  const bucketMs = 6 * HOUR_MS;
  return { range: '7d', from: Math.floor((now - 7 * DAY_MS) / bucketMs) * bucketMs + bucketMs, to: now, bucketMs };
}

/** An order's state: the furthest it has gone. */
export function orderState(o: OrderRow): 'refunded' | 'returned' | 'delivered' | 'shipped' | 'placed' {
  if (o.refundedAt !== null) return 'refunded';
  if (o.returnedAt !== null) return 'returned';
  if (o.deliveredAt !== null) return 'delivered';
  if (o.shippedAt !== null) return 'shipped';
  return 'placed';
}

const hours = (ms: number) => Math.round((ms / HOUR_MS) * 10) / 10;
const timing = (values: number[]) => ({ count: values.length, median: nullable(percentile(values, 0.5)), p90: nullable(percentile(values, 0.9)) });
const nullable = (ms: number | null) => (ms === null ? null : hours(ms));

/** A late order, as listed. */
const lateEntry = (o: OrderRow, now: number) => ({
  transactionId: o.transactionId,
  carrier: o.carrier,
  shippedAt: o.shippedAt,
  daysInTransit: Math.floor((now - o.shippedAt!) / DAY_MS),
  tracked: o.purchaseId !== null,
});

/** `GET /v1/stats/fulfilment`: orders placed in the last `days` by state; time to ship and to deliver by carrier; late orders. */
export async function fulfilmentStats(store: Store, days: number, lateAfterDays: number, now: number) {
  const from = now - days * DAY_MS;
  const orders = await store.orders(from, now);
  const states = { placed: 0, shipped: 0, delivered: 0, returned: 0, refunded: 0 };
  const carriers = new Map<string, { shipped: number[]; delivered: number[] }>();
  const all = { shipped: [] as number[], delivered: [] as number[] };
  for (const o of orders) {
    states[orderState(o)]++;
    const placedAt = o.purchaseAt ?? o.createdAt;
    if (placedAt === null || o.shippedAt === null) continue;
    const c = carriers.get(o.carrier ?? 'unknown') ?? carriers.set(o.carrier ?? 'unknown', { shipped: [], delivered: [] }).get(o.carrier ?? 'unknown')!;
    c.shipped.push(o.shippedAt - placedAt);
    all.shipped.push(o.shippedAt - placedAt);
    if (o.deliveredAt !== null) {
      c.delivered.push(o.deliveredAt - placedAt);
      all.delivered.push(o.deliveredAt - placedAt);
    }
  }
  const late = await store.lateOrders(now - lateAfterDays * DAY_MS, 50);
  return {
    from,
    to: now,
    days,
    orders: orders.length,
    states,
    /** Hours from the purchase (or the order's creation) to shipping and to delivery. */
    timing: {
      all: { toShipped: timing(all.shipped), toDelivered: timing(all.delivered) },
      carriers: [...carriers]
        .map(([carrier, c]) => ({ carrier, toShipped: timing(c.shipped), toDelivered: timing(c.delivered) }))
        .sort((a, b) => b.toShipped.count - a.toShipped.count || (a.carrier < b.carrier ? -1 : 1)),
    },
    late: { afterDays: lateAfterDays, total: late.total, orders: late.orders.map((o) => lateEntry(o, now)) },
  };
}

/** `GET /v1/stats/summary`: the dashboard's cards, over the range. */
export async function summaryStats(store: Store, range: RangeName, lateAfterDays: number, now: number) {
  const w = fineWindow(range, now);
  const counts = await store.eventCounts(w.from, w.to, w.bucketMs);
  const coverage = await store.coverage(w.from, w.to, 60_000);
  const sum = (key: 'orders' | 'tracked' | 'purchases') => coverage.reduce((n, r) => n + r[key], 0);
  const outbox = await store.stats(now);
  const destinations = Object.values(outbox);
  const alerts = await store.alertStates();
  return {
    range,
    from: w.from,
    to: w.to,
    events: counts.reduce((n, r) => n + r.n, 0),
    purchases: sum('purchases'),
    orders: sum('orders'),
    untracked: sum('orders') - sum('tracked'),
    coverage: share(sum('tracked'), sum('orders')),
    forwarding: {
      pending: destinations.reduce((n, d) => n + d.pending, 0),
      dead: destinations.reduce((n, d) => n + d.dead, 0),
    },
    lateOrders: (await store.lateOrders(now - lateAfterDays * DAY_MS, 0)).total,
    lateAfterDays,
    alertsFiring: alerts.filter((a) => a.firing).length,
    lastEventAt: await store.lastEventMinute(),
  };
}
