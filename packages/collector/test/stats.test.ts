// The /v1/stats endpoints over a real collector, on SQLite and on PostgreSQL: the numbers a shop's
// own tools read, from known traffic (events, consent, web vitals, orders, a late delivery).
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCollector, type Collector } from '@waybill/collector';
import { makeEvent } from './helpers';
import { purchaseOf } from './insights-contract';
import { usePostgres, withPostgres } from './postgres';

const TOKEN = 'stats-admin-token-0123456789';
const DAY = 86_400_000;
const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };

const consented = (fields: Record<string, unknown>) =>
  makeEvent({ sessionId: 'sess-1', ...fields, context: { ...(makeEvent().context as object), consent: { necessary: 'granted', analytics: 'granted', marketing: 'denied' } } });
const vital = (value: number) => consented({ name: 'web_vital', props: { metric: 'LCP', value, rating: value <= 2500 ? 'good' : 'needs-improvement', delta: value, id: `v-${value}`, navigationType: 'navigate' } });

/** A collector on `db` with known traffic: 8 browser events in the last minutes, 2 web orders (1 tracked), 1 late delivery. */
async function seeded(db: string): Promise<{ collector: Collector; url: string; now: number }> {
  const collector = createCollector({ db, adminToken: TOKEN, alerts: { rules: { lateDelivery: { afterDays: 5 } } } });
  onTestFinished(() => collector.close());
  const url = await collector.listen(0, '127.0.0.1');
  const now = Date.now();
  const browser = [
    consented({ name: 'page_view', type: 'page' }),
    consented({ name: 'page_view', type: 'page' }),
    consented({ name: 'view_item' }),
    vital(1000),
    vital(2000),
    vital(3000),
    vital(4000),
    purchaseOf('A', { ts: now - 5 * 60_000 }),
  ];
  expect((await collector.ingest(browser, { receivedAt: now - 5 * 60_000 })).accepted).toBe(8);
  const server = await collector.ingestServerEvents(
    [
      { id: 'created-A', type: 'order_created', transaction_id: 'A', created_at: now - 4 * 60_000, value: 59, currency: 'EUR' },
      { id: 'created-B', type: 'order_created', transaction_id: 'B', created_at: now - 4 * 60_000, value: 20, currency: 'EUR' },
      { id: 'created-C', type: 'order_created', transaction_id: 'C', created_at: now - 9 * DAY },
      { id: 'shipped-C', type: 'order_shipped', transaction_id: 'C', carrier: 'UPS', shipped_at: now - 8 * DAY },
      { id: 'shipped-A', type: 'order_shipped', transaction_id: 'A', carrier: 'DHL', shipped_at: now - 2 * 60_000 },
    ],
    { receivedAt: now - 3 * 60_000 },
  );
  expect(server).toMatchObject({ accepted: 5, untracked: ['B', 'C'] });
  await collector.alerts.evaluate();
  return { collector, url, now };
}

const get = async (url: string, path: string) => {
  const res = await fetch(`${url}/v1/stats/${path}`, auth);
  expect(res.status).toBe(200);
  return res.json();
};

function describeStats(name: string, database: () => Promise<string>) {
  describe(`/v1/stats on ${name}`, () => {
    it('answer what was stored: cards, events by name, consent, web vitals, coverage, fulfilment and alerts', async () => {
      const { url } = await seeded(await database());
      expect(await get(url, 'summary?range=24h')).toMatchObject({
        events: 13,
        purchases: 1,
        orders: 2,
        untracked: 1,
        coverage: 50,
        lateOrders: 1,
        lateAfterDays: 5,
        alertsFiring: 1,
        forwarding: { pending: 0, dead: 0 },
      });
      const events = await get(url, 'events?range=1h');
      expect(events.buckets).toHaveLength(60);
      const totals = Object.fromEntries(events.series.map((s: { name: string; total: number }) => [s.name, s.total]));
      expect(totals).toMatchObject({ web_vital: 4, page_view: 2, view_item: 1, purchase: 1, order_created: 3, order_shipped: 2 });
      expect(events.total).toBe(13);

      const consent = await get(url, 'consent?range=24h');
      // Two sessions: the browsing one denied marketing, the buyer's granted it.
      expect(consent.categories.marketing.total).toEqual({ sessions: 2, denied: 50, granted: 50, pending: 0 });
      expect(consent.categories.analytics.total).toMatchObject({ granted: 100 });

      const { metrics } = await get(url, 'vitals?range=24h');
      expect(metrics.LCP.count).toBe(4);
      expect(Math.abs(metrics.LCP.p75 - 3000) / 3000).toBeLessThan(0.02); // read from 3 % histogram bins
      expect(metrics.LCP).toMatchObject({ rating: 'needs-improvement', thresholds: [2500, 4000], ratings: { good: 50, 'needs-improvement': 50, poor: 0 } });

      const week = await get(url, 'vitals?range=7d');
      expect(week).toMatchObject({ bucketMs: 6 * 3_600_000, metrics: { LCP: { count: 4 } } });
      expect(week.metrics.LCP.hourly).toHaveLength(week.buckets.length);

      expect((await get(url, 'coverage?range=24h')).total).toEqual({ orders: 2, tracked: 1, untracked: 1, purchases: 1, coverage: 50 });

      const fulfilment = await get(url, 'fulfilment?days=30');
      expect(fulfilment.states).toEqual({ placed: 1, shipped: 2, delivered: 0, returned: 0, refunded: 0 });
      expect(fulfilment.late).toMatchObject({ afterDays: 5, total: 1, orders: [{ transactionId: 'C', carrier: 'UPS', daysInTransit: 8, tracked: false }] });
      expect(fulfilment.timing.carriers.map((c: { carrier: string }) => c.carrier).sort()).toEqual(['DHL', 'UPS']);

      const alerts = await get(url, 'alerts');
      expect(alerts.rules.filter((r: { firing: boolean }) => r.firing).map((r: { rule: string }) => r.rule)).toEqual(['lateDelivery']);
      expect(await get(url, 'forwarding')).toMatchObject({ destinations: { tiktok: { pending: 0 }, ga4: { pending: 0 } } });
    });

    it('need the admin token and answer bad parameters with a 400', async () => {
      const { url } = await seeded(await database());
      expect((await fetch(`${url}/v1/stats/summary`)).status).toBe(401);
      expect((await fetch(`${url}/v1/stats/summary`, { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const bad = await fetch(`${url}/v1/stats/events?range=2y`, auth);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ error: 'range must be one of 1h, 24h, 7d' });
      expect((await fetch(`${url}/v1/stats/fulfilment?days=0`, auth)).status).toBe(400);
      expect((await fetch(`${url}/v1/stats/nothing`, auth)).status).toBe(404);
      expect((await fetch(`${url}/v1/stats/summary`, { method: 'POST', ...auth })).status).toBe(405);
    });
  });
}

describeStats('SQLite', async () => ':memory:');

describe.skipIf(!withPostgres)('PostgreSQL', () => {
  const pg = usePostgres();
  describeStats('PostgreSQL', () => pg.database());
});
