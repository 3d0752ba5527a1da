// What every store's insights must do (see src/store/insights.ts), as one suite: the rollups are
// exact and updated with the events, server events join browser purchases whichever comes first.
// SQLite runs it (insights-sqlite.test.ts); PostgreSQL runs the same.
import { describe, expect, it, onTestFinished } from 'vitest';
import type { AlertState, InsertMeta, Route, Store, StoredEvent } from '@waybill/collector';
import { storedServerEvent } from '../src/server-events/join';
import { parseServerEvent } from '../src/server-events/schema';
import { HOUR_MS, MINUTE_MS, vitalBin } from '../src/store/insights';
import { makeEvent } from './helpers';
import { storable } from './store-contract';

const T0 = Date.UTC(2025, 4, 1, 10, 0, 0); // a whole hour
const none: Route = () => [];
const at = (receivedAt: number): InsertMeta => ({ receivedAt });
const server = (receivedAt: number): InsertMeta => ({ receivedAt, source: 'server' });

const withConsent = (consent: Record<string, string>, fields: Record<string, unknown> = {}) =>
  makeEvent({ ...fields, context: { ...(makeEvent().context as object), consent: { necessary: 'granted', ...consent } } });

/** A browser purchase of order `tx`, with attribution worth inheriting. */
export const purchaseOf = (tx: string | number, fields: Record<string, unknown> = {}) =>
  makeEvent({
    name: 'purchase',
    props: { transaction_id: tx, currency: 'EUR', value: 59, items: [{ item_id: 'SKU1', price: 59, quantity: 1 }] },
    anonymousId: 'anon-buyer',
    sessionId: 'sess-buyer',
    userId: 'user-7',
    traits: { email: 'a'.repeat(64) },
    context: {
      page: { url: 'https://shop.example/checkout/done', path: '/checkout/done', referrer: '', title: 'Thanks' },
      campaign: { utm_source: 'tiktok', utm_campaign: 'spring' },
      clickIds: { ttclid: 'E.C.P.click' },
      consent: { necessary: 'granted', analytics: 'granted', marketing: 'granted' },
      vendorIds: { ttp: 'ttp-cookie' },
      forward: ['tiktok', 'ga4'],
    },
    ...fields,
  });

/** A server event ready for `insert`, joined to `purchase` if given. */
export function serverStorable(raw: Record<string, unknown>, receivedAt: number, purchase?: StoredEvent) {
  const parsed = parseServerEvent(raw, receivedAt);
  if (typeof parsed === 'string') throw new Error(parsed);
  return storedServerEvent(parsed, purchase);
}

export function describeInsights(name: string, open: () => Store | Promise<Store>): void {
  const fresh = async (): Promise<Store> => {
    const store = await open();
    onTestFinished(() => store.close());
    return store;
  };

  describe(`${name}: insights rollups`, () => {
    it('counts events per minute and name as they are stored, duplicates not, in buckets of whole minutes', async () => {
      const store = await fresh();
      const [a, b, c] = [makeEvent({ name: 'page_view' }), makeEvent({ name: 'page_view' }), makeEvent({ name: 'add_to_cart' })];
      await store.insert(storable(a, b, c), at(T0 + 5_000), none);
      await store.insert(storable(a, b), at(T0 + 10_000), none); // duplicates
      await store.insert(storable(makeEvent({ name: 'page_view' })), at(T0 + 3 * MINUTE_MS), none);
      expect(await store.eventCounts(T0, T0 + HOUR_MS, MINUTE_MS)).toEqual([
        { bucket: T0, name: 'add_to_cart', n: 1 },
        { bucket: T0, name: 'page_view', n: 2 },
        { bucket: T0 + 3 * MINUTE_MS, name: 'page_view', n: 1 },
      ]);
      expect(await store.eventCounts(T0, T0 + HOUR_MS, 5 * MINUTE_MS)).toEqual([
        { bucket: T0, name: 'add_to_cart', n: 1 },
        { bucket: T0, name: 'page_view', n: 3 },
      ]);
      expect(await store.eventCounts(T0 + MINUTE_MS, T0 + HOUR_MS, MINUTE_MS)).toHaveLength(1);
      expect(await store.lastEventMinute()).toBe(T0 + 3 * MINUTE_MS);
    });

    it('has no last minute before any event', async () => {
      expect(await (await fresh()).lastEventMinute()).toBeNull();
    });

    it('counts each session once per hour, under the latest consent it sent in that hour', async () => {
      const store = await fresh();
      const granted = { analytics: 'granted', marketing: 'granted' };
      const denied = { analytics: 'granted', marketing: 'denied' };
      await store.insert(storable(withConsent(denied, { sessionId: 's1' }), withConsent(denied, { sessionId: 's1' })), at(T0), none);
      await store.insert(storable(withConsent(denied, { sessionId: 's2' })), at(T0 + 1_000), none);
      await store.insert(storable(withConsent(granted, { sessionId: 's2' })), at(T0 + 2_000), none); // s2 changed its mind
      await store.insert(storable(withConsent(denied, { sessionId: 's1' })), at(T0 + HOUR_MS + 1), none); // next hour: again
      await store.insert(storable(makeEvent({ sessionId: null })), at(T0 + 3_000), none); // no session: not counted
      const key = (c: object) => JSON.stringify(c);
      expect(await store.consentCounts(T0, T0 + 2 * HOUR_MS, HOUR_MS)).toEqual(
        expect.arrayContaining([
          { bucket: T0, snapshot: key(granted), sessions: 1 },
          { bucket: T0, snapshot: key(denied), sessions: 1 },
          { bucket: T0 + HOUR_MS, snapshot: key(denied), sessions: 1 },
        ]),
      );
      expect(await store.consentCounts(T0, T0 + 2 * HOUR_MS, 2 * HOUR_MS)).toEqual(
        expect.arrayContaining([
          { bucket: T0, snapshot: key(granted), sessions: 1 },
          { bucket: T0, snapshot: key(denied), sessions: 2 },
        ]),
      );
    });

    it('keeps a histogram of web vitals per metric and rating; ignores web_vital events without a usable value', async () => {
      const store = await fresh();
      const vital = (metric: string, value: unknown, rating: unknown = 'good') => makeEvent({ name: 'web_vital', props: { metric, value, rating, delta: value, id: 'v1', navigationType: 'navigate' } });
      await store.insert(storable(vital('LCP', 1200), vital('LCP', 1200), vital('CLS', 0.3, 'poor'), vital('LCP', -1), vital('INP', 'x'), vital('LCP', 900, 'great')), at(T0), none);
      const counts = await store.vitalCounts(T0, T0 + HOUR_MS, HOUR_MS);
      expect(counts).toEqual(
        expect.arrayContaining([
          { bucket: T0, metric: 'LCP', rating: 'good', bin: vitalBin('LCP', 1200), n: 2 },
          { bucket: T0, metric: 'CLS', rating: 'poor', bin: vitalBin('CLS', 0.3), n: 1 },
        ]),
      );
      expect(counts).toHaveLength(2);
    });
  });

  describe(`${name}: orders`, () => {
    it('joins a server event to the purchase known at insert, and counts the order tracked', async () => {
      const store = await fresh();
      const purchase = purchaseOf('1001', { ts: T0 + 500 });
      await store.insert(storable(purchase), at(T0 + 1_000), none);
      const purchases = await store.purchasesOf(['1001', '1002']);
      expect([...purchases.keys()]).toEqual(['1001']);
      expect(purchases.get('1001')).toMatchObject({ id: purchase.id, receivedAt: T0 + 1_000 });
      const created = serverStorable({ id: 'created-1001', type: 'order_created', transaction_id: '1001', created_at: T0 + 1_000 }, T0 + 2_000, purchases.get('1001'));
      await store.insert([created], server(T0 + 2_000), none);
      expect(await store.coverage(T0, T0 + HOUR_MS, HOUR_MS)).toEqual([{ bucket: T0, orders: 1, tracked: 1, purchases: 1 }]);
      const [order] = await store.orders(T0, T0 + HOUR_MS);
      expect(order).toMatchObject({ transactionId: '1001', channel: 'web', createdAt: T0 + 1_000, purchaseId: purchase.id, purchaseAt: purchase.ts });
    });

    it('joins server events that came before their purchase when it arrives: attribution inherited, outbox rows by its consent', async () => {
      const store = await fresh();
      const routed: string[] = [];
      const route: Route = (event) => {
        routed.push(event.id);
        return (event.context?.consent as Record<string, string> | undefined)?.marketing === 'granted' ? ['tiktok'] : [];
      };
      const created = serverStorable({ id: 'created-7', type: 'order_created', transaction_id: 7, created_at: T0 }, T0);
      const shipped = serverStorable({ id: 'shipped-7', type: 'order_shipped', transaction_id: '7', carrier: 'DHL', shipped_at: T0 + HOUR_MS }, T0 + HOUR_MS);
      await store.insert([created, shipped], server(T0 + HOUR_MS), route);
      expect(routed).toEqual(['created-7', 'shipped-7']); // without consent: nowhere
      expect(await store.coverage(T0, T0 + HOUR_MS, HOUR_MS)).toEqual([{ bucket: T0, orders: 1, tracked: 0, purchases: 0 }]);
      expect(await store.claim('tiktok', 10, T0 + 2 * HOUR_MS, 1000)).toEqual([]);

      const purchase = purchaseOf(7, { ts: T0 + 500 });
      await store.insert(storable(purchase), { receivedAt: T0 + 2 * HOUR_MS, ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (buyer)' }, route);
      const { events } = await store.list({});
      const joined = events.find((e) => e.id === 'shipped-7')!;
      expect(joined).toMatchObject({
        name: 'order_shipped',
        anonymousId: 'anon-buyer',
        sessionId: 'sess-buyer',
        userId: 'user-7',
        joined: purchase.id,
        context: { clickIds: { ttclid: 'E.C.P.click' }, campaign: { utm_campaign: 'spring' }, consent: { marketing: 'granted' } },
        props: { transaction_id: '7', carrier: 'DHL' },
      });
      const rows = await store.claim('tiktok', 10, T0 + 3 * HOUR_MS, 1000);
      expect(rows.map((r) => r.eventId).sort()).toEqual(['created-7', 'shipped-7', purchase.id].sort());
      expect(rows.find((r) => r.eventId === 'shipped-7')).toMatchObject({ event: { anonymousId: 'anon-buyer' }, meta: { ip: '203.0.113.9' } });
      expect(await store.coverage(T0, T0 + HOUR_MS, HOUR_MS)).toEqual([{ bucket: T0, orders: 1, tracked: 1, purchases: 1 }]);
      expect((await store.eraseUser('user-7')).events).toBe(3); // inherited ids: erased with the buyer
    });

    it('joins in the insert a server event prepared before its purchase was stored (another process stored it meanwhile)', async () => {
      const store = await fresh();
      const shipped = serverStorable({ id: 'shipped-8', type: 'order_shipped', transaction_id: '8', carrier: 'UPS' }, T0);
      await store.insert(storable(purchaseOf('8')), at(T0), none);
      await store.insert([shipped], server(T0 + 1), none);
      expect((await store.list({ limit: 1 })).events[0]).toMatchObject({ id: 'shipped-8', anonymousId: 'anon-buyer', joined: expect.any(String) });
    });

    it('keeps the first report of each fact, adds refunds up, ignores a duplicate, and counts non-web channels apart', async () => {
      const store = await fresh();
      const events = [
        serverStorable({ id: 'c', type: 'order_created', transaction_id: 'A', created_at: T0, value: 80, currency: 'EUR' }, T0),
        serverStorable({ id: 's1', type: 'order_shipped', transaction_id: 'A', carrier: 'DHL', shipped_at: T0 + 1_000 }, T0),
        serverStorable({ id: 's2', type: 'order_shipped', transaction_id: 'A', carrier: 'UPS', shipped_at: T0 + 2_000 }, T0),
        serverStorable({ id: 'r1', type: 'refund', transaction_id: 'A', value: 10, currency: 'EUR', refunded_at: T0 + 3_000 }, T0),
        serverStorable({ id: 'r2', type: 'refund', transaction_id: 'A', value: 5, currency: 'EUR', refunded_at: T0 + 4_000 }, T0),
        serverStorable({ id: 'tts', type: 'order_created', transaction_id: 'B', created_at: T0, channel: 'tiktok_shop' }, T0),
      ];
      await store.insert(events, server(T0 + 5_000), none);
      expect(await store.insert(events.slice(3, 4), server(T0 + 6_000), none)).toEqual({ accepted: 0, duplicates: 1 });
      const orders = await store.orders(T0, T0 + HOUR_MS);
      expect(orders.find((o) => o.transactionId === 'A')).toMatchObject({ shippedAt: T0 + 1_000, carrier: 'DHL', refundedAt: T0 + 3_000, value: 80, currency: 'EUR' });
      expect(orders.find((o) => o.transactionId === 'B')).toMatchObject({ channel: 'tiktok_shop', purchaseId: null });
      expect(await store.coverage(T0, T0 + HOUR_MS, HOUR_MS)).toEqual([{ bucket: T0, orders: 1, tracked: 0, purchases: 0 }]);
    });

    it('lists orders shipped long ago and not delivered, returned or refunded, oldest first', async () => {
      const store = await fresh();
      const ship = (tx: string, shippedAt: number) => serverStorable({ id: `s-${tx}`, type: 'order_shipped', transaction_id: tx, carrier: 'DHL', shipped_at: shippedAt }, T0);
      await store.insert(
        [ship('old', T0 - 9 * 86_400_000), ship('older', T0 - 10 * 86_400_000), ship('recent', T0 - 86_400_000), ship('delivered', T0 - 9 * 86_400_000),
          serverStorable({ id: 'd', type: 'order_delivered', transaction_id: 'delivered', delivered_at: T0 }, T0)],
        server(T0),
        none,
      );
      const late = await store.lateOrders(T0 - 5 * 86_400_000, 1);
      expect(late.total).toBe(2);
      expect(late.orders.map((o) => o.transactionId)).toEqual(['older']);
    });
  });

  describe(`${name}: alert states`, () => {
    it('moves a rule only from the state the caller saw: of two processes, one wins', async () => {
      const store = await fresh();
      const ok: AlertState = { rule: 'coverage', firing: false, since: T0, value: 99, message: null, notified: false, notifiedAt: null };
      expect(await store.moveAlert(null, ok)).toBe(true);
      expect(await store.moveAlert(null, ok)).toBe(false);
      const firing: AlertState = { ...ok, firing: true, since: T0 + 1, value: 40, message: 'coverage 40 %', notified: true, notifiedAt: T0 + 1 };
      expect(await store.moveAlert(ok, firing)).toBe(true);
      expect(await store.moveAlert(ok, { ...firing, since: T0 + 2 })).toBe(false);
      expect(await store.alertStates()).toEqual([firing]);
    });
  });
}
