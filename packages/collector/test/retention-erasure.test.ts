// Retention (--retention-days) and erasure (DELETE /users/{id}), through the collector, on both stores.
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCollector, forwarding, type CollectorOptions, type Forwarding, type Outbox, type Route } from '@waybill/collector';
import { startEventsApi } from '../../../e2e/stand-ins/vendor-apis.mjs';
import { retainedOutbox } from '../src/retention';
import { openStore } from '../src/store/open';
import { memoryOutbox } from './forward/memory-outbox';
import { batch, expectError, makeEvent, post, stored, tempDir } from './helpers';
import { usePostgres, withPostgres } from './postgres';
import { storable } from './store-contract';

const DAY = 24 * 60 * 60 * 1000;
const TOKEN = 'test-admin-token-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

const pg = withPostgres ? usePostgres() : undefined;
const stores: [string, () => Promise<string>][] = [
  ['SQLite', async () => join(tempDir(), 'waybill.db')],
  ...(pg ? [['PostgreSQL', () => pg.database()] as [string, () => Promise<string>]] : []),
];

/** Writes `events` to the database `db` as received at `receivedAt`, each with a GA4 outbox row (or those `route` says). */
async function seed(db: string, events: Record<string, unknown>[], receivedAt: number, route: Route = () => ['ga4']): Promise<void> {
  const { store, ready } = openStore(db);
  await ready?.();
  for (let i = 0; i < events.length; i += 500) await store.insert(storable(...events.slice(i, i + 500)), { receivedAt }, route);
  await store.close();
}

/** A collector on `db` whose every accepted event gets a GA4 outbox row, and that outbox to look into. */
async function start(db: string, options: CollectorOptions = {}) {
  let outbox: Outbox | undefined;
  const forward: Forwarding = { route: () => ['ga4'], start: (o) => ((outbox = o), async () => {}) };
  const collector = createCollector({ db, forward, ...options });
  onTestFinished(() => collector.close());
  const url = await collector.listen(0);
  /** Event ids of the outbox rows due now, oldest first. */
  const due = async () => (await outbox!.claim('ga4', 10_000, Date.now(), 1)).map((row) => row.eventId);
  return { collector, url, outbox: outbox!, due };
}

describe.each(stores)('%s', (_, database) => {
  describe('retention', () => {
    it('deletes the events received before the cutoff with their outbox rows, a batch at a time, while ingest goes on', { timeout: 60_000 }, async () => {
      const db = await database();
      const old = Array.from({ length: 2_500 }, () => makeEvent()); // two and a half batches
      const recent = [makeEvent(), makeEvent()];
      await seed(db, old, Date.now() - 40 * DAY);
      await seed(db, recent, Date.now() - 29 * DAY);
      const lines: string[] = [];
      const { collector, url, due } = await start(db, { retentionDays: 30, log: (line) => lines.push(line) });
      const fresh = makeEvent();
      expect(await (await post(url, batch([fresh]))).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });

      await expect.poll(async () => (await fetch(`${url}/health`).then((r) => r.json())).events, { timeout: 30_000 }).toBe(3);
      expect((await stored(collector)).map((e) => e.id)).toEqual([fresh.id, recent[1]!.id, recent[0]!.id]);
      expect(await due()).toEqual([recent[0]!.id, recent[1]!.id, fresh.id]);
      await expect.poll(() => lines.find((line) => line.startsWith('retention: '))).toMatch(/^retention: deleted 2500 event\(s\) received before \d{4}-/);
    });

    it('never forwards an event past retention, not even one still pending when the collector starts', async () => {
      const db = await database();
      const api = await startEventsApi({ pixel: 'CPIXEL0001', token: 'tiktok-token' });
      onTestFinished(() => api.close());
      const tiktok = { pixelCode: 'CPIXEL0001', accessToken: 'tiktok-token', apiUrl: api.url };
      // Left pending while TikTok was unreachable: 120 events past 30 days, then 2 within them.
      const toTikTok: Route = () => ['tiktok'];
      const old = Array.from({ length: 120 }, () => makeEvent({ ts: Date.now() - 40 * DAY }));
      const recent = [makeEvent({ ts: Date.now() - 29 * DAY }), makeEvent({ ts: Date.now() - 29 * DAY })];
      await seed(db, old, Date.now() - 40 * DAY, toTikTok);
      await seed(db, recent, Date.now() - 29 * DAY, toTikTok);
      const { collector } = await start(db, { retentionDays: 30, adminToken: TOKEN, forward: forwarding({ tiktok, announce: false }) });

      const sent = () => api.requests.flatMap((r) => (r.body.data as { event_id: string }[]).map((e) => e.event_id));
      await expect.poll(sent, { timeout: 30_000 }).toEqual(recent.map((e) => e.id));
      await expect.poll(async () => (await stored(collector)).length, { timeout: 30_000 }).toBe(2);
      expect(sent()).toEqual(recent.map((e) => e.id));
    });

    it('keeps everything without retentionDays', async () => {
      const db = await database();
      const old = [makeEvent()];
      await seed(db, old, Date.now() - 4000 * DAY);
      const { collector } = await start(db);
      expect((await stored(collector)).map((e) => e.id)).toEqual([old[0]!.id]);
    });
  });

  describe('erasure: DELETE /users/{id}', () => {
    it("deletes a person's events (before and after signing in) and pending outbox rows, and says how many", async () => {
      const { collector, url, outbox, due } = await start(await database(), { adminToken: TOKEN });
      const browsing = makeEvent({ anonymousId: 'browser-1' });
      const signedIn = makeEvent({ anonymousId: 'browser-1', userId: 'shop/42' });
      const stranger = makeEvent({ anonymousId: 'browser-2' });
      await post(url, batch([browsing, signedIn, stranger]));
      const [first] = await outbox.claim('ga4', 1, Date.now(), 60_000);
      await outbox.sent([first!.key], Date.now()); // `browsing` was forwarded already: not pending any more

      const res = await fetch(`${url}/users/${encodeURIComponent('shop/42')}`, { method: 'DELETE', headers: auth });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ events: 2, outbox: 1 });
      expect((await stored(collector)).map((e) => e.id)).toEqual([stranger.id]);
      expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ events: 1 });
      expect(await due()).toEqual([stranger.id]);
      expect(await (await post(url, JSON.stringify({ v: 1, known: [browsing.id, signedIn.id, stranger.id] }))).json()).toEqual({ known: [stranger.id] });

      expect(await (await fetch(`${url}/users/shop%2F42`, { method: 'DELETE', headers: auth })).json()).toEqual({ events: 0, outbox: 0 });
      expect(await collector.eraseUser('browser-2')).toEqual({ events: 1, outbox: 1 });
    });
  });
});

describe('retention and forwarding', () => {
  it('expires a long backlog past retention a claim at a time, letting other work in between, and hands out the first event within it', async () => {
    const outbox = memoryOutbox();
    for (let i = 0; i < 1000; i++) outbox.add('tiktok', makeEvent(), { receivedAt: Date.now() - 40 * DAY });
    const fresh = makeEvent();
    outbox.add('tiktok', fresh, { receivedAt: Date.now() - 29 * DAY });
    let done = false;
    let turns = 0;
    const claiming = retainedOutbox(outbox, 30).claim('tiktok', 50, Date.now(), 60_000).finally(() => (done = true));
    const turn = () => {
      if (done) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn);
    expect((await claiming).map((row) => row.eventId)).toEqual([fresh.id]);
    expect(turns).toBeGreaterThan(1); // (a collector starting on such a backlog listens meanwhile)
    expect(outbox.rows.filter((row) => row.state == 'expired')).toHaveLength(1000);
  });
});

describe('erasure: the route', () => {
  it('needs the admin token, and refuses to run without one configured', async () => {
    const event = makeEvent({ userId: 'user-42' });
    const guarded = await start(':memory:', { adminToken: TOKEN });
    await post(guarded.url, batch([event]));
    await expectError(await fetch(`${guarded.url}/users/user-42`, { method: 'DELETE' }), 401, /admin token/);
    await expectError(await fetch(`${guarded.url}/users/user-42`, { method: 'GET', headers: auth }), 405);
    await expectError(await fetch(`${guarded.url}/users/${'x'.repeat(257)}`, { method: 'DELETE', headers: auth }), 400, /at most 256/);
    expect(await stored(guarded.collector)).toHaveLength(1);

    const open = await start(':memory:');
    await post(open.url, batch([event]));
    await expectError(await fetch(`${open.url}/users/user-42`, { method: 'DELETE' }), 403, /erasure needs an admin token: .*WAYBILL_ADMIN_TOKEN/);
    expect(await stored(open.collector)).toHaveLength(1);
  });
});

describe('options', () => {
  it.each([[0], [-1], [1.5], ['30'], [Number.NaN]])('refuses retentionDays %j', (retentionDays) => {
    expect(() => createCollector({ db: ':memory:', retentionDays: retentionDays as number })).toThrow(/^retentionDays must be a whole number of at least 1/);
  });

  it('refuses dbPool for SQLite, and a database URL of another kind', () => {
    expect(() => createCollector({ db: ':memory:', dbPool: 4 })).toThrow('dbPool is for a PostgreSQL db (postgres://...) only');
    expect(() => createCollector({ db: 'postgres://x@127.0.0.1:9/db', dbPool: 0 })).toThrow(/^dbPool must be a whole number/);
    expect(() => createCollector({ db: 'mysql://shop:secret@db/shop' })).toThrow('db must be a SQLite file or a postgres:// URL, not "mysql://shop:***@db/shop"');
  });
});
