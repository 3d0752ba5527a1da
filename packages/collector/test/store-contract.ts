// What every store must do, as one suite, run on SQLite (store.test.ts) and on a real PostgreSQL
// server (postgres-store.test.ts). Time is passed in (`now`), never waited for.
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ForwardDestination, RequestMeta, Route, Store } from '@waybill/collector';
import { prepareEvent, type StorableEvent } from '../src/wire';
import { makeEvent } from './helpers';

/** Events ready for `insert`, built from wire events. */
export const storable = (...events: Record<string, unknown>[]): StorableEvent[] =>
  events.map((e) => {
    const prepared = prepareEvent(e);
    if (typeof prepared === 'string') throw new Error(prepared);
    return prepared;
  });

const META: RequestMeta = { receivedAt: 1_000, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)' };
const none: Route = () => [];
const both: Route = () => ['tiktok', 'ga4'];
const LEASE = 30_000;

export function describeStore(name: string, open: () => Store | Promise<Store>): void {
  const fresh = async (): Promise<Store> => {
    const store = await open();
    onTestFinished(() => store.close());
    return store;
  };
  /** A store holding `count` events (received at 1000, 1001, ...), each with a row per destination of `route`. */
  const seeded = async (count: number, route: Route = both) => {
    const store = await fresh();
    const events = Array.from({ length: count }, () => makeEvent());
    for (const [i, e] of events.entries()) await store.insert(storable(e), { ...META, receivedAt: 1_000 + i }, route);
    return { store, ids: events.map((e) => e.id as string) };
  };
  const claimIds = async (store: Store, destination: ForwardDestination, now: number, limit = 100) =>
    (await store.claim(destination, limit, now, LEASE)).map((row) => row.eventId);

  describe(`${name}: events`, () => {
    it('stores new events once: an id stored before, or earlier in the batch, is a duplicate', async () => {
      const store = await fresh();
      const [a, b] = [makeEvent(), makeEvent()];
      expect(await store.insert(storable(a, a), META, none)).toEqual({ accepted: 1, duplicates: 1 });
      expect(await store.insert(storable(a, b), META, none)).toEqual({ accepted: 1, duplicates: 1 });
      expect(await store.count()).toBe(2);
      const { events } = await store.list({});
      expect(events.map((e) => e.id)).toEqual([b.id, a.id]);
      expect(events[1]).toEqual({ ...a, receivedAt: META.receivedAt });
    });

    it('pages newest first with a cursor, by name too, and refuses a cursor it did not give', async () => {
      const store = await fresh();
      const events = Array.from({ length: 7 }, (_, i) => makeEvent({ name: i % 2 ? 'odd' : 'even' }));
      await store.insert(storable(...events), META, none);
      const ids = events.map((e) => e.id as string).reverse();
      const first = await store.list({ limit: 3 });
      expect(first.events.map((e) => e.id)).toEqual(ids.slice(0, 3));
      const second = await store.list({ limit: 3, before: first.next! });
      expect(second.events.map((e) => e.id)).toEqual(ids.slice(3, 6));
      expect(await store.list({ limit: 3, before: second.next! })).toMatchObject({ next: null, events: [{ id: ids[6] }] });
      expect((await store.list({ limit: 4 })).next).not.toBeNull();
      expect((await store.list({ limit: 7 })).next).toBeNull();
      const odd = await store.list({ name: 'odd', limit: 2 });
      expect(odd.events.map((e) => e.name)).toEqual(['odd', 'odd']);
      expect((await store.list({ name: 'odd', before: odd.next! })).events).toHaveLength(1);
      await expect(store.list({ before: 'not a cursor' })).rejects.toThrow(RangeError);
    });

    it('says which ids it holds, each once, in the order asked', async () => {
      const { store, ids } = await seeded(3, none);
      expect(await store.known([ids[2]!, 'never-sent', ids[0]!, ids[2]!])).toEqual([ids[2], ids[0]]);
      expect(await store.known([])).toEqual([]);
    });

    it('retention: deletes the oldest received before the cutoff, a bounded batch at a time, with their outbox rows', async () => {
      const { store, ids } = await seeded(5);
      expect(await store.deleteOlderThan(1_003, 2)).toBe(2);
      expect(await store.deleteOlderThan(1_003, 2)).toBe(1);
      expect(await store.deleteOlderThan(1_003, 2)).toBe(0);
      expect((await store.list({})).events.map((e) => e.id)).toEqual([ids[4], ids[3]]);
      expect(await store.count()).toBe(2);
      expect(await claimIds(store, 'tiktok', 2_000)).toEqual([ids[3], ids[4]]);
    });

    it('erasure: every event of a person, as user or anonymous id, before and after signing in; not another user on the same browser', async () => {
      const store = await fresh();
      const before = makeEvent({ anonymousId: 'browser-1' });
      const signedIn = makeEvent({ anonymousId: 'browser-1', userId: 'user-42' });
      const elsewhere = makeEvent({ anonymousId: 'browser-2', userId: 'user-42' });
      const sibling = makeEvent({ anonymousId: 'browser-1', userId: 'user-7' });
      const stranger = makeEvent({ anonymousId: 'browser-3' });
      await store.insert(storable(before, signedIn, elsewhere, sibling, stranger), META, both);
      await store.sent((await store.claim('tiktok', 1, 2_000, LEASE)).map((row) => row.key), 2_000); // `before`, to TikTok
      expect(await store.eraseUser('user-42')).toEqual({ events: 3, outbox: 5 });
      expect((await store.list({})).events.map((e) => e.id)).toEqual([stranger.id, sibling.id]);
      expect(await store.count()).toBe(2);
      expect(await store.known([before.id as string, signedIn.id as string, elsewhere.id as string])).toEqual([]);
      expect(await store.eraseUser('browser-3')).toEqual({ events: 1, outbox: 2 });
      expect(await store.eraseUser('nobody')).toEqual({ events: 0, outbox: 0 });
    });
  });

  describe(`${name}: outbox`, () => {
    it('writes one row per destination the route gives, with the request meta; a duplicate adds none', async () => {
      const store = await fresh();
      const routed: string[] = [];
      const route: Route = (event) => (routed.push(event.id), event.name === 'purchase' ? ['tiktok', 'ga4'] : ['ga4']);
      const [view, purchase] = [makeEvent({ name: 'view_item' }), makeEvent({ name: 'purchase' })];
      await store.insert(storable(view, purchase), META, route);
      await store.insert(storable(view, purchase), META, route);
      expect(new Set(routed)).toEqual(new Set([view.id, purchase.id])); // a store may route a duplicate too, and throw that away
      const tiktok = await store.claim('tiktok', 10, 2_000, LEASE);
      expect(tiktok).toEqual([{ key: expect.any(String), destination: 'tiktok', eventId: purchase.id, event: purchase, meta: META, attempts: 0 }]);
      expect(await claimIds(store, 'ga4', 2_000)).toEqual([view.id, purchase.id]);
    });

    it("keeps a duplicate's rows as they were, whatever the route says of it now", async () => {
      const store = await fresh();
      const event = makeEvent();
      await store.insert(storable(event), META, () => ['ga4']);
      expect(await store.insert(storable(event), META, both)).toEqual({ accepted: 0, duplicates: 1 });
      expect(await claimIds(store, 'tiktok', 2_000)).toEqual([]);
      expect(await claimIds(store, 'ga4', 2_000)).toEqual([event.id]);
    });

    it('writes nothing of a batch whose route throws', async () => {
      const store = await fresh();
      const route: Route = (event) => {
        if (event.name === 'boom') throw new Error('route failed');
        return ['ga4'];
      };
      await expect(store.insert(storable(makeEvent(), makeEvent({ name: 'boom' })), META, route)).rejects.toThrow('route failed');
      expect(await store.count()).toBe(0);
      expect((await store.list({})).events).toEqual([]);
      expect(await claimIds(store, 'ga4', 2_000)).toEqual([]);
    });

    it('claims due rows oldest first, up to the limit, of one destination', async () => {
      const { store, ids } = await seeded(4, () => ['ga4']);
      expect(await claimIds(store, 'ga4', 2_000, 3)).toEqual(ids.slice(0, 3));
      expect(await claimIds(store, 'tiktok', 2_000)).toEqual([]);
    });

    it('skips leased rows, and claims a row again once its lease ran out (a worker died before marking it)', async () => {
      const { store, ids } = await seeded(3, () => ['ga4']);
      const first = await store.claim('ga4', 2, 2_000, LEASE);
      expect(first.map((r) => r.eventId)).toEqual(ids.slice(0, 2));
      expect(await claimIds(store, 'ga4', 2_001)).toEqual([ids[2]]);
      expect(await claimIds(store, 'ga4', 2_000 + LEASE - 1)).toEqual([]);
      expect(await claimIds(store, 'ga4', 2_001 + LEASE)).toEqual(ids); // both leases ran out
    });

    it('a released row is due again at once, attempts unchanged; a release under a lease the row no longer has changes nothing', async () => {
      const { store, ids } = await seeded(2, () => ['ga4']);
      const [first, second] = await store.claim('ga4', 2, 2_000, LEASE);
      await store.release([first!.key], 2_000 + LEASE);
      expect(await store.claim('ga4', 2, 2_001, LEASE)).toMatchObject([{ eventId: ids[0], attempts: 0 }]);
      // The second's lease ran out and another worker claimed it: the first worker's late release is not the row's lease any more.
      expect(await claimIds(store, 'ga4', 2_000 + LEASE)).toEqual([second!.eventId]);
      await store.release([second!.key], 2_000 + LEASE);
      expect(await claimIds(store, 'ga4', 2_000 + LEASE)).toEqual([]);
      expect((await store.stats(2_000 + LEASE)).ga4).toMatchObject({ pending: 2, failed: 0 });
    });

    it('never claims a sent row again, nor lets a late failure or dead letter undo it', async () => {
      const { store } = await seeded(1, () => ['ga4']);
      const [row] = await store.claim('ga4', 1, 2_000, LEASE);
      await store.sent([row!.key], 2_100);
      await store.failed([row!.key], 'late timeout', 0);
      await store.dead([row!.key], 'late 400');
      await store.expired([row!.key]);
      expect(await store.retryDead()).toBe(0);
      expect(await claimIds(store, 'ga4', 10_000_000)).toEqual([]);
      expect((await store.stats(10_000_000)).ga4).toMatchObject({ pending: 0, sent: 1, dead: 0, expired: 0 });
    });

    it('a failed row is due again at nextAttemptAt, not before, with its attempts counted', async () => {
      const { store, ids } = await seeded(1, () => ['ga4']);
      const [row] = await store.claim('ga4', 1, 2_000, LEASE);
      await store.failed([row!.key], '503 from GA4', 5_000);
      expect(await claimIds(store, 'ga4', 4_999)).toEqual([]);
      const [again] = await store.claim('ga4', 1, 5_000, LEASE); // the lease is released: nextAttemptAt rules
      expect(again).toMatchObject({ eventId: ids[0], attempts: 1 });
      await store.failed([again!.key], '429 from GA4', 9_000);
      expect((await store.claim('ga4', 1, 9_000, LEASE))[0]?.attempts).toBe(2);
      expect((await store.stats(9_000)).ga4).toMatchObject({ pending: 1, failed: 1, lastError: '429 from GA4' });
    });

    it('dead letters wait for retryDead, per destination or all, which makes them due at once with attempts reset', async () => {
      const { store, ids } = await seeded(2);
      for (const destination of ['tiktok', 'ga4'] as const) {
        const rows = await store.claim(destination, 10, 2_000, LEASE);
        await store.failed(rows.map((r) => r.key), 'timeout', 2_500);
        await store.dead((await store.claim(destination, 10, 2_500, LEASE)).map((r) => r.key), `${destination}: 401 bad token`);
      }
      expect(await claimIds(store, 'tiktok', 10_000_000)).toEqual([]);
      expect((await store.stats(3_000)).tiktok).toMatchObject({ pending: 0, dead: 2, lastError: 'tiktok: 401 bad token' });
      expect(await store.retryDead('tiktok')).toBe(2);
      expect(await store.retryDead('tiktok')).toBe(0);
      const retried = await store.claim('tiktok', 10, 3_000, LEASE);
      expect(retried.map((r) => [r.eventId, r.attempts])).toEqual([[ids[0], 0], [ids[1], 0]]);
      expect(await claimIds(store, 'ga4', 3_000)).toEqual([]);
      expect(await store.retryDead()).toBe(2);
      expect(await claimIds(store, 'ga4', 3_000)).toEqual(ids);
    });

    it('expired rows are never claimed, and counted apart', async () => {
      const { store } = await seeded(2, () => ['ga4']);
      const rows = await store.claim('ga4', 1, 2_000, LEASE);
      await store.expired(rows.map((r) => r.key));
      expect(await claimIds(store, 'ga4', 10_000_000)).toHaveLength(1);
      expect(await store.retryDead()).toBe(0);
      expect((await store.stats(2_000)).ga4).toMatchObject({ expired: 1, pending: 1 });
    });

    it('stats per destination: pending, sent, failed, dead, expired, oldest pending age, last error', async () => {
      const store = await fresh();
      expect(await store.stats(0)).toEqual({
        tiktok: { pending: 0, sent: 0, failed: 0, dead: 0, expired: 0, oldestPendingMs: null, lastError: null },
        ga4: { pending: 0, sent: 0, failed: 0, dead: 0, expired: 0, oldestPendingMs: null, lastError: null },
      });
      for (let i = 0; i < 5; i++) await store.insert(storable(makeEvent()), { ...META, receivedAt: 1_000 + i }, () => ['ga4']);
      const [a, b, c, d] = await store.claim('ga4', 4, 2_000, LEASE);
      await store.sent([a!.key], 2_000);
      await store.failed([b!.key], 'first error', 2_500);
      await store.dead([c!.key], 'second error');
      await store.expired([d!.key]);
      expect(await store.stats(11_001)).toEqual({
        tiktok: { pending: 0, sent: 0, failed: 0, dead: 0, expired: 0, oldestPendingMs: null, lastError: null },
        ga4: { pending: 2, sent: 1, failed: 1, dead: 1, expired: 1, oldestPendingMs: 10_000, lastError: 'second error' },
      });
    });

    it('marks keys it never gave out as nothing', async () => {
      const { store } = await seeded(1, () => ['ga4']);
      await store.sent(['nope', '-1', '1.5'], 2_000);
      expect(await claimIds(store, 'ga4', 2_000)).toHaveLength(1);
    });
  });
}
