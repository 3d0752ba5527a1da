// The worker on the real stores (SQLite, and a real PostgreSQL server), where the memory outbox of
// worker.test.ts stands in elsewhere: a crash between send and mark, and two workers on one outbox.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { startEventsApi, startMeasurementProtocol, type EventsApi, type MeasurementProtocol } from '../../../../e2e/stand-ins/vendor-apis.mjs';
import { ga4Vendor } from '../../src/forward/ga4';
import { tiktokVendor } from '../../src/forward/tiktok';
import type { Vendor } from '../../src/forward/vendor';
import { createWorker } from '../../src/forward/worker';
import type { Outbox } from '../../src/outbox';
import { openPostgresStore } from '../../src/store/postgres';
import { openSqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/store';
import { tempDir } from '../helpers';
import { usePostgres, withPostgres } from '../postgres';
import { storable } from '../store-contract';
import { META, storedEvent } from './fixtures';

const LEASE = 60_000;
let tiktokApi: EventsApi;
let mp: MeasurementProtocol;
beforeEach(async () => {
  [tiktokApi, mp] = await Promise.all([startEventsApi({ pixel: 'CPIXEL0001', token: 'token' }), startMeasurementProtocol({ measurementId: 'G-TEST0001', apiSecret: 'secret' })]);
});
afterEach(() => Promise.all([tiktokApi.close(), mp.close()]));

const tiktok = (): Vendor => tiktokVendor({ pixelCode: 'CPIXEL0001', accessToken: 'token', apiUrl: tiktokApi.url }) as Vendor;
const ga4 = (): Vendor => ga4Vendor({ measurementId: 'G-TEST0001', apiSecret: 'secret', apiUrl: mp.url }) as Vendor;

function describeWorkerOn(name: string, open: () => Promise<Store>) {
  describe(`the forwarding worker on ${name}`, () => {
    /** A store with `n` purchases due to both vendors, stamped now (GA4 takes 72 hours back at most); their ids. */
    async function seeded(n: number) {
      const store = await open();
      onTestFinished(() => store.close());
      const events = Array.from({ length: n }, (_, i) => storedEvent('purchase', { transaction_id: `T-${i}`, currency: 'USD', value: i + 1 }, { ts: Date.now(), anonymousId: `browser-${i % 4}` }));
      await store.insert(storable(...(events as unknown as Record<string, unknown>[])), { ...META, receivedAt: Date.now() }, () => ['tiktok', 'ga4']);
      return { store, ids: events.map((e) => e.id) };
    }

    it('killed between send and mark: after the lease a new worker sends the unmarked rows again (same event_id), never a row marked sent', async () => {
      const { store, ids } = await seeded(100);
      let clock = Date.now();
      // The first process marks its first call sent, then dies before marking the second: its marks never come.
      let marks = 0;
      const dying: Outbox = { ...store, sent: (keys, now) => (++marks == 1 ? store.sent(keys, now) : new Promise(() => {})) };
      void createWorker({ outbox: dying, vendors: [tiktok()], now: () => clock, concurrency: 1, leaseMs: LEASE }).runOnce();
      await expect.poll(() => tiktokApi.requests.length).toBe(2);
      await expect.poll(async () => (await store.stats(clock)).tiktok.sent).toBe(50);
      const markedSent = tiktokApi.requests[0]!.body.data.map((e: { event_id: string }) => e.event_id) as string[];

      const next = createWorker({ outbox: store, vendors: [tiktok()], now: () => clock, leaseMs: LEASE });
      expect(await next.runOnce()).toBe(0); // leased to the dead worker
      clock += LEASE;
      expect(await next.runOnce()).toBe(50);
      const sent = tiktokApi.events().map((e) => e.event_id);
      expect(new Set(sent)).toEqual(new Set(ids));
      for (const id of markedSent) expect(sent.filter((s) => s == id), `${id} was marked sent`).toHaveLength(1);
      expect(sent).toHaveLength(150);
      expect((await store.stats(clock)).tiktok).toMatchObject({ pending: 0, sent: 100, dead: 0 });
    });

    it('a vendor failing: the rows wait out their backoff (with its random jitter), attempts counted, then go once', async () => {
      const { store, ids } = await seeded(3);
      let clock = Date.now();
      tiktokApi.failNext(2, 500);
      const worker = createWorker({ outbox: store, vendors: [tiktok()], now: () => clock, leaseMs: LEASE, baseMs: 1_000 });
      await worker.runOnce();
      expect(await store.stats(clock)).toMatchObject({ tiktok: { pending: 3, failed: 3, lastError: expect.stringContaining('500') } });
      expect(await store.claim('tiktok', 10, clock + 499, LEASE)).toEqual([]); // at least half the base delay away
      for (let i = 0; i < 2; i++) {
        clock += 120_000; // past any pause and backoff
        await worker.runOnce();
      }
      expect(tiktokApi.events().map((e) => e.event_id).sort()).toEqual([...ids].sort());
      expect(tiktokApi.requests.map((r) => r.status ?? 200)).toEqual([500, 500, 200]);
      expect((await store.stats(clock)).tiktok).toMatchObject({ pending: 0, sent: 3, dead: 0 });
    });

    it('two workers at once on one outbox: each row is claimed by one of them, and each event reaches each vendor once', async () => {
      const { store, ids } = await seeded(600);
      const workers = [0, 1].map(() => createWorker({ outbox: store, vendors: [tiktok(), ga4()], leaseMs: LEASE }));
      for (let handled = 1; handled > 0; ) handled = (await Promise.all(workers.map((w) => w.runOnce()))).reduce((a, b) => a + b, 0);
      expect(tiktokApi.events().map((e) => e.event_id).sort()).toEqual([...ids].sort());
      expect(mp.events().map((e) => e.params.transaction_id).sort()).toEqual(ids.map((_, i) => `T-${i}`).sort());
      expect(await store.stats(Date.now())).toMatchObject({ tiktok: { pending: 0, sent: 600 }, ga4: { pending: 0, sent: 600 } });
    });
  });
}

describeWorkerOn('SQLite', async () => openSqliteStore(join(tempDir(), 'collector.db')));

describe.skipIf(!withPostgres)('PostgreSQL', () => {
  const pg = usePostgres();
  describeWorkerOn('PostgreSQL', async () => openPostgresStore(await pg.database()));
});
