import postgres from 'postgres';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCollector, type Store } from '@waybill/collector';
import { PG_MIGRATIONS } from '../src/store/postgres-migrations';
import { openPostgresStore } from '../src/store/postgres';
import { batch, expectError, makeEvent, post, stored } from './helpers';
import { usePostgres, withPostgres } from './postgres';
import { describeInsights } from './insights-contract';
import { describeStore, storable } from './store-contract';

describe.skipIf(!withPostgres)('PostgreSQL', () => {
  const pg = usePostgres();
  describeStore('PostgreSQL', async () => openPostgresStore(await pg.database(), { pool: 2 }));
  describeInsights('PostgreSQL', async () => openPostgresStore(await pg.database(), { pool: 2 }));

  /** Opens `n` stores on one database, as `n` collector processes would (each its own pool); closed after the test. */
  const stores = async (url: string, n: number): Promise<Store[]> => {
    const opened = await Promise.all(Array.from({ length: n }, () => openPostgresStore(url, { pool: 3 })));
    onTestFinished(async () => void (await Promise.all(opened.map((s) => s.close()))));
    return opened;
  };
  /** A plain client on `url`, ended after the test. */
  const client = (url: string) => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    onTestFinished(() => sql.end({ timeout: 1 }));
    return sql;
  };

  describe('schema migrations', () => {
    it('migrate once when several collectors start together on an empty database, in the waybill schema', async () => {
      const url = await pg.database();
      const [first] = await stores(url, 5);
      await first!.insert(storable(makeEvent()), { receivedAt: 1 }, () => []);
      const sql = client(url);
      expect(await sql`SELECT version FROM waybill.migrations ORDER BY version`).toEqual(PG_MIGRATIONS.map((_, i) => ({ version: i + 1 })));
      const tables = await sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`;
      expect(tables).toEqual([]); // nothing in the shop's own schema
      const [again] = await stores(url, 1);
      expect(await again!.count()).toBe(1);
    });

    it('refuse a database from a newer collector, saying so', async () => {
      const url = await pg.database();
      await (await openPostgresStore(url)).close();
      await client(url)`INSERT INTO waybill.migrations (version) VALUES (${PG_MIGRATIONS.length + 1})`;
      await expect(openPostgresStore(url)).rejects.toThrow(
        `its schema (version ${PG_MIGRATIONS.length + 1}) is newer than this collector's (${PG_MIGRATIONS.length}): upgrade @waybill/collector`,
      );
    });

    it('upgrade a database of the first PostgreSQL release: its events show on the dashboard (counts per minute, purchases as orders)', async () => {
      const url = await pg.database();
      const sql = client(url);
      // The first release's schema, as it migrated: step 1 only.
      await sql.begin(async (tx) => {
        await tx`CREATE SCHEMA waybill`;
        await tx`CREATE TABLE waybill.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
        await tx.unsafe(PG_MIGRATIONS[0]!);
        await tx`INSERT INTO waybill.migrations (version) VALUES (1)`;
      });
      const purchase = makeEvent({ name: 'purchase', props: { transaction_id: 1001, currency: 'EUR', value: 9 }, ts: 60_500 });
      const again = makeEvent({ name: 'purchase', props: { transaction_id: '1001' }, ts: 61_000 }); // the same order: not a second one
      for (const [e, at] of [[makeEvent({ name: 'page_view' }), 60_000], [purchase, 61_000], [again, 125_000]] as const) {
        const { id, type, name, ts } = e as { id: string; type: string; name: string; ts: number };
        await sql`INSERT INTO waybill.events (id, type, name, ts, received_at, event) VALUES (${id}, ${type}, ${name}, ${ts}, ${at}, ${JSON.stringify(e)}::text::jsonb)`;
      }
      const [store] = await stores(url, 1);
      expect(await store!.eventCounts(0, 180_000, 60_000)).toEqual([
        { bucket: 60_000, name: 'page_view', n: 1 },
        { bucket: 60_000, name: 'purchase', n: 1 },
        { bucket: 120_000, name: 'purchase', n: 1 },
      ]);
      expect([...(await store!.purchasesOf(['1001'])).values()].map((p) => p.id)).toEqual([purchase.id]);
    });
  });

  it('forgets the browser address and user agent of an outbox row once it is sent or expired', async () => {
    const url = await pg.database();
    const [store] = await stores(url, 1);
    const [sent, expired, waiting] = [makeEvent(), makeEvent(), makeEvent()];
    await store!.insert(storable(sent, expired, waiting), { receivedAt: 1, ip: '203.0.113.9', userAgent: 'Mobile Safari' }, () => ['tiktok']);
    const rows = await store!.claim('tiktok', 3, 2, 60_000);
    const keyOf = (e: Record<string, unknown>) => rows.find((r) => r.eventId === e.id)!.key;
    await store!.sent([keyOf(sent)], 3);
    await store!.expired([keyOf(expired)]);
    const left = await client(url)`SELECT event_id, ip, user_agent FROM waybill.outbox ORDER BY key`;
    expect([...left]).toEqual([
      { event_id: sent.id, ip: null, user_agent: null },
      { event_id: expired.id, ip: null, user_agent: null },
      { event_id: waiting.id, ip: '203.0.113.9', user_agent: 'Mobile Safari' },
    ]);
  });

  describe('several collectors on one database', () => {
    it('store a batch posted to two of them at once once, and all count every event', async () => {
      const url = await pg.database();
      const [a, b, c] = await stores(url, 3);
      const events = storable(...Array.from({ length: 50 }, () => makeEvent()));
      const results = await Promise.all([a!, b!, a!, b!].map((s) => s.insert(events, { receivedAt: 1 }, () => ['ga4'])));
      expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(50);
      expect(results.reduce((sum, r) => sum + r.duplicates, 0)).toBe(150);
      for (const s of [a!, b!, c!]) expect(await s.count()).toBe(50);
      expect(await c!.claim('ga4', 100, 2, 1000)).toHaveLength(50); // one outbox row each
      await a!.deleteOlderThan(2, 10);
      await b!.eraseUser('anon-1'); // makeEvent's anonymous id: every event left
      for (const s of [a!, b!, c!]) expect(await s.count()).toBe(0);
    });

    // PostgreSQL finds a deadlock only after its deadlock_timeout (1 s): a round may wait that long.
    it('store batches of the same new ids in opposite orders, sent to two at once, once each (no deadlock reaches the page)', { timeout: 60_000 }, async () => {
      const [a, b] = await stores(await pg.database(), 2);
      for (let round = 0; round < 20; round++) {
        const events = storable(...Array.from({ length: 30 }, () => makeEvent()));
        const results = await Promise.all([a!.insert(events, { receivedAt: 1 }, () => []), b!.insert([...events].reverse(), { receivedAt: 1 }, () => [])]);
        expect(results[0].accepted + results[1].accepted).toBe(30);
      }
      expect(await a!.count()).toBe(600);
    });

    it('never hand one outbox row to two workers claiming at once', async () => {
      const url = await pg.database();
      const workers = await stores(url, 3);
      const rows = storable(...Array.from({ length: 300 }, () => makeEvent()));
      await workers[0]!.insert(rows, { receivedAt: 1 }, () => ['tiktok']);
      const claimed: string[] = [];
      await Promise.all(
        workers.flatMap((store) =>
          Array.from({ length: 3 }, async () => {
            for (let batch; (batch = await store.claim('tiktok', 7, 2, 60_000)).length > 0; ) claimed.push(...batch.map((r) => r.eventId));
          }),
        ),
      );
      expect(claimed).toHaveLength(300);
      expect(new Set(claimed).size).toBe(300);
    });
  });

  it('stores text jsonb cannot hold (U+0000, unpaired surrogates in props) as U+FFFD instead of failing the batch', async () => {
    const store = (await stores(await pg.database(), 1))[0]!;
    const event = makeEvent({ props: { note: 'a\u0000b', cut: 'emoji \ud83d', ['k\u0000']: 1, fine: 'sock 🧦 \\u0000' } });
    expect(await store.insert(storable(event, makeEvent()), { receivedAt: 1 }, () => [])).toEqual({ accepted: 2, duplicates: 0 });
    const { events } = await store.list({});
    expect(events[1]!.props).toEqual({ note: 'a\uFFFDb', cut: 'emoji \uFFFD', ['k\uFFFD']: 1, fine: 'sock 🧦 \\u0000' });
  });

  describe('the collector on PostgreSQL', () => {
    it('serves with db: postgres://… and counts across restarts', async () => {
      const db = await pg.database();
      const collector = createCollector({ db, dbPool: 2 });
      const url = await collector.listen(0);
      const e = makeEvent();
      expect(await (await post(url, batch([e, e]))).json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
      await collector.close();
      const again = createCollector({ db });
      onTestFinished(() => again.close());
      const url2 = await again.listen(0);
      expect(await (await fetch(`${url2}/health`)).json()).toMatchObject({ ok: true, events: 1 });
      expect((await stored(again)).map((s) => s.id)).toEqual([e.id]);
    });

    it('does not listen without its database, and names it without the password', async () => {
      const free = pg.url.replace(/waybill@127\.0\.0\.1:\d+/, 'waybill:s3cret@127.0.0.1:9'); // port 9: nothing there
      const collector = createCollector({ db: free });
      onTestFinished(() => collector.close());
      const failure = await collector.listen(0).catch((error: Error) => error);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/^cannot use the database postgres:\/\/waybill:\*\*\*@127\.0\.0\.1:9\/postgres: .*ECONNREFUSED/);
      expect((failure as Error).message).not.toContain('s3cret');
    });

    it('answers 500 while the database is unreachable, and stores once it is back', async () => {
      const db = await pg.database();
      const collector = createCollector({ db });
      onTestFinished(() => collector.close());
      const url = await collector.listen(0);
      const sql = client(pg.url);
      const name = new URL(db).pathname.slice(1);
      await sql`ALTER DATABASE ${sql(name)} WITH ALLOW_CONNECTIONS false`;
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name}`;
      await expectError(await post(url, batch([makeEvent()])), 500, /internal error/);
      await sql`ALTER DATABASE ${sql(name)} WITH ALLOW_CONNECTIONS true`;
      expect(await (await post(url, batch([makeEvent()]))).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    });
  });
});
