// Each alert rule firing, not firing and resolving, against a real local webhook receiver; at
// most one message per rule per window; the state shared by collectors on one database.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCollector, type AlertMessage, type AlertsConfig, type Collector, type Forwarding, type Outbox } from '@waybill/collector';
import { makeEvent, tempDir } from './helpers';
import { purchaseOf } from './insights-contract';

const NOW = Date.UTC(2025, 4, 10, 12, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;

/** A webhook receiver on 127.0.0.1 that records what it gets, answering `status` (200). */
async function receiver() {
  const got: AlertMessage[] = [];
  const state = { status: 200 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c)).on('end', () => {
      got.push(JSON.parse(body));
      res.writeHead(state.status).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, state };
}

async function collectorWith(rules: AlertsConfig['rules'], options: { db?: string; forward?: Forwarding } = {}) {
  const hook = await receiver();
  const collector = createCollector({ db: options.db ?? ':memory:', forward: options.forward, alerts: { webhook: hook.url, dashboardUrl: 'https://shop.example/dashboard', rules } });
  onTestFinished(() => collector.close());
  return { collector, hook };
}
const firing = (c: Collector) => c.alerts.report().then((r) => r.rules.filter((x) => x.firing).map((x) => x.rule));

const order = (tx: string, at: number) => ({ id: `created-${tx}`, type: 'order_created', transaction_id: tx, created_at: at });

describe('alert rules', () => {
  it('coverage: fires below the threshold over the hour (the newest minutes left to arrive), once, and resolves', async () => {
    const { collector, hook } = await collectorWith({ coverage: { belowPercent: 90, overMinutes: 60, graceMinutes: 10, minOrders: 5 } });
    const at = NOW - 30 * MIN;
    await collector.ingestServerEvents(['a', 'b', 'c', 'd', 'e'].map((tx) => order(tx, at)), { receivedAt: at });
    await collector.ingest(['a', 'b', 'c', 'd'].map((tx) => purchaseOf(tx, { ts: at })), { receivedAt: at });
    await collector.ingestServerEvents([order('late', NOW - 5 * MIN)], { receivedAt: NOW - 5 * MIN }); // in the grace minutes: not judged yet
    await collector.alerts.evaluate(NOW);
    expect(hook.got).toEqual([
      expect.objectContaining({
        status: 'firing',
        rule: 'coverage',
        value: 80,
        text: '[FIRING] Waybill: Tracking coverage: tracking coverage is 80 % over the last 60 min (4 of 5 orders had a browser purchase; alert below 90 %) <https://shop.example/dashboard>',
      }),
    ]);
    await collector.alerts.evaluate(NOW + MIN);
    expect(hook.got).toHaveLength(1);
    await collector.ingest([purchaseOf('e', { ts: at })], { receivedAt: NOW + MIN }); // the missing purchase arrives: joined
    await collector.alerts.evaluate(NOW + 2 * MIN);
    expect(hook.got[1]).toMatchObject({ status: 'resolved', rule: 'coverage', value: 100, text: expect.stringMatching(/^\[RESOLVED\] Waybill: Tracking coverage: back to normal/) });
    expect(await firing(collector)).toEqual([]);
  });

  it('coverage: does not fire when tracking is whole, nor on too few orders', async () => {
    const { collector, hook } = await collectorWith({ coverage: { belowPercent: 90, minOrders: 3 } });
    const at = NOW - 30 * MIN;
    await collector.ingestServerEvents([order('a', at), order('b', at)], { receivedAt: at });
    await collector.alerts.evaluate(NOW);
    await collector.ingestServerEvents([order('c', at)], { receivedAt: at });
    await collector.ingest(['a', 'b', 'c'].map((tx) => purchaseOf(tx, { ts: at })), { receivedAt: at });
    await collector.alerts.evaluate(NOW + MIN);
    expect(hook.got).toEqual([]);
    expect((await collector.alerts.report()).rules).toEqual([expect.objectContaining({ rule: 'coverage', firing: false, value: 100 })]);
  });

  it('deadLetters: fires when forwarding gives up on an event, resolves once they are retried', async () => {
    let outbox: Outbox | undefined;
    const forward: Forwarding = { route: () => ['ga4'], start: (o) => ((outbox = o), async () => {}) };
    const { collector, hook } = await collectorWith({ deadLetters: { above: 0 } }, { forward });
    await collector.ingest([makeEvent(), makeEvent()], { receivedAt: NOW });
    await collector.alerts.evaluate(NOW);
    const [row] = await outbox!.claim('ga4', 1, NOW, 1000);
    await outbox!.dead([row!.key], '400: bad currency');
    await collector.alerts.evaluate(NOW + MIN);
    expect(hook.got).toEqual([expect.objectContaining({ status: 'firing', rule: 'deadLetters', value: 1, message: expect.stringContaining('ga4 1 (last error: 400: bad currency)') })]);
    await outbox!.retryDead();
    await collector.alerts.evaluate(NOW + 2 * MIN);
    expect(hook.got.map((m) => m.status)).toEqual(['firing', 'resolved']);
  });

  it('lateDelivery: fires for an order shipped and not delivered after N days, not for a recent one, resolves on delivery', async () => {
    const { collector, hook } = await collectorWith({ lateDelivery: { afterDays: 5 } });
    const ship = (tx: string, at: number) => ({ id: `s-${tx}`, type: 'order_shipped', transaction_id: tx, carrier: 'UPS', shipped_at: at });
    await collector.ingestServerEvents([ship('recent', NOW - 2 * DAY)], { receivedAt: NOW - 2 * DAY });
    await collector.alerts.evaluate(NOW);
    expect(hook.got).toEqual([]);
    await collector.ingestServerEvents([ship('slow', NOW - 6 * DAY)], { receivedAt: NOW - 6 * DAY });
    await collector.alerts.evaluate(NOW + MIN);
    expect(hook.got).toEqual([expect.objectContaining({ status: 'firing', rule: 'lateDelivery', value: 1, message: '1 order shipped more than 5 days ago and not delivered, such as slow (UPS, 6 days)' })]);
    await collector.ingestServerEvents([{ id: 'd-slow', type: 'order_delivered', transaction_id: 'slow' }], { receivedAt: NOW + 2 * MIN });
    await collector.alerts.evaluate(NOW + 3 * MIN);
    expect(hook.got.map((m) => m.status)).toEqual(['firing', 'resolved']);
  });

  it('noEvents: quiet before any event; fires after M minutes without one; resolves when events come back', async () => {
    const { collector, hook } = await collectorWith({ noEvents: { forMinutes: 30 } });
    await collector.alerts.evaluate(NOW);
    await collector.ingest([makeEvent()], { receivedAt: NOW - 20 * MIN });
    await collector.alerts.evaluate(NOW);
    expect(hook.got).toEqual([]);
    await collector.alerts.evaluate(NOW + 15 * MIN);
    expect(hook.got).toEqual([expect.objectContaining({ status: 'firing', rule: 'noEvents', value: 34 })]);
    await collector.ingest([makeEvent()], { receivedAt: NOW + 16 * MIN });
    await collector.alerts.evaluate(NOW + 17 * MIN);
    expect(hook.got.map((m) => m.status)).toEqual(['firing', 'resolved']);
  });

  it('consentDenied: fires when denials jump day over day, not on a small change, resolves when it settles', async () => {
    const { collector, hook } = await collectorWith({ consentDenied: { jumpPoints: 10, minSessions: 20 } });
    const sessions = async (day: number, count: number, deniedShare: number, tag: string) => {
      for (let i = 0; i < count; i++) {
        const marketing = i < count * deniedShare ? 'denied' : 'granted';
        const event = makeEvent({ sessionId: `${tag}-${i}`, context: { ...(makeEvent().context as object), consent: { analytics: 'granted', marketing } } });
        await collector.ingest([event], { receivedAt: NOW - day * DAY + 3_600_000 });
      }
    };
    await sessions(2, 40, 0.2, 'before'); // the day before the last 24 hours
    await sessions(1, 40, 0.25, 'small'); // +5 points
    await collector.alerts.evaluate(NOW);
    expect(hook.got).toEqual([]);
    await sessions(1, 40, 0.75, 'jump'); // the last day: (10 + 30) of 80 denied = 50 %, +30 points
    await collector.alerts.evaluate(NOW + MIN);
    expect(hook.got).toEqual([expect.objectContaining({ status: 'firing', rule: 'consentDenied', value: 30, message: expect.stringMatching(/^marketing consent denied by 50 % of sessions in the last 24 h, against 20 % the day before/) })]);
    await collector.alerts.evaluate(NOW + 3 * DAY); // days later, without sessions: nothing to compare
    expect(hook.got.map((m) => m.status)).toEqual(['firing', 'resolved']);
  });
});

describe('alert delivery', () => {
  it('notifies at most once per rule per window: a flapping rule is shown but not sent again until the window is over', async () => {
    const { collector, hook } = await collectorWith({ noEvents: { forMinutes: 10, windowMinutes: 60 } });
    await collector.ingest([makeEvent()], { receivedAt: NOW });
    await collector.alerts.evaluate(NOW + 20 * MIN); // fires: sent
    await collector.ingest([makeEvent()], { receivedAt: NOW + 21 * MIN });
    await collector.alerts.evaluate(NOW + 21 * MIN); // resolves: sent
    await collector.alerts.evaluate(NOW + 40 * MIN); // fires again within the hour: shown, not sent
    expect(await firing(collector)).toEqual(['noEvents']);
    expect(hook.got.map((m) => m.status)).toEqual(['firing', 'resolved']);
    await collector.alerts.evaluate(NOW + 81 * MIN); // still firing, the window is over: sent now
    expect(hook.got.map((m) => m.status)).toEqual(['firing', 'resolved', 'firing']);
  });

  it('tries again at the next evaluation when the webhook fails', async () => {
    const { collector, hook } = await collectorWith({ lateDelivery: { afterDays: 1 } });
    hook.state.status = 500;
    await collector.ingestServerEvents([{ id: 's', type: 'order_shipped', transaction_id: '1', carrier: 'DHL', shipped_at: NOW - 2 * DAY }]);
    await collector.alerts.evaluate(NOW);
    hook.state.status = 200;
    await collector.alerts.evaluate(NOW + MIN);
    expect(hook.got.map((m) => m.status)).toEqual(['firing', 'firing']);
    await collector.alerts.evaluate(NOW + 2 * MIN);
    expect(hook.got).toHaveLength(2);
  });

  it('two collectors on one database notify once', async () => {
    const db = join(tempDir(), 'shared.db');
    const a = await collectorWith({ lateDelivery: { afterDays: 1 } }, { db });
    const b = createCollector({ db, alerts: { webhook: a.hook.url, rules: { lateDelivery: { afterDays: 1 } } } });
    onTestFinished(() => b.close());
    await a.collector.ingestServerEvents([{ id: 's', type: 'order_shipped', transaction_id: '1', carrier: 'DHL', shipped_at: NOW - 2 * DAY }]);
    await Promise.all([a.collector.alerts.evaluate(NOW), b.alerts.evaluate(NOW)]);
    await b.alerts.evaluate(NOW + MIN);
    expect(a.hook.got).toHaveLength(1);
  });

  it('refuses a bad configuration, naming what is wrong', () => {
    expect(() => createCollector({ db: ':memory:', alerts: { rules: { coverage: {} } } as never })).toThrow(/coverage.belowPercent must be a percentage from 0 to 100/);
    expect(() => createCollector({ db: ':memory:', alerts: { rules: { noEvent: {} } } as never })).toThrow(/rules.noEvent is not a field of an object of rules/);
    expect(() => createCollector({ db: ':memory:', alerts: { webhook: 'slack', rules: {} } })).toThrow(/webhook must be an http\(s\) URL/);
  });
});
