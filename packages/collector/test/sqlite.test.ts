import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCollector } from '@waybill/collector';
import { MIGRATIONS } from '../src/store/migrations';
import { openSqliteStore } from '../src/store/sqlite';
import { batch, makeEvent, post, startCollector, stored, tempDir } from './helpers';
import type { Store } from '../src/store/store';
import { describeStore, storable } from './store-contract';

describeStore('SQLite', () => openSqliteStore(':memory:'));
describeStore('SQLite in a file', () => openSqliteStore(join(tempDir(), 'events.db')));

/** The database exactly as the first release (0.1.0) made and wrote it, with `events` in it (its DDL copied, not imported from the migrations: this is what that release wrote). */
function firstReleaseDatabase(file: string, events: Record<string, unknown>[]): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      id           TEXT PRIMARY KEY NOT NULL,
      type         TEXT NOT NULL,
      name         TEXT NOT NULL,
      ts           REAL NOT NULL,
      received_at  INTEGER NOT NULL,
      anonymous_id TEXT,
      session_id   TEXT,
      user_id      TEXT,
      event        TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS events_by_name ON events (name);
  `);
  const insert = db.prepare(
    `INSERT OR IGNORE INTO events (id, type, name, ts, received_at, anonymous_id, session_id, user_id, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const [i, e] of events.entries()) {
    insert.run(e.id, e.type, e.name, e.ts, 1_700_000_000_000 + i, e.anonymousId ?? null, e.sessionId ?? null, e.userId ?? null, JSON.stringify(e));
  }
  db.close();
}

describe('SQLite schema migrations', () => {
  it("opens a database of the first release and keeps its events, ids and order; dedup goes on", async () => {
    const file = join(tempDir(), 'waybill.db');
    const old = [makeEvent({ name: 'view_item' }), makeEvent({ name: 'purchase', userId: 'user-42' })];
    firstReleaseDatabase(file, old);

    const { collector, url } = await startCollector({ db: file });
    expect((await stored(collector)).map((e) => e.id)).toEqual([old[1]!.id, old[0]!.id]);
    expect((await stored(collector))[1]).toEqual({ ...old[0], receivedAt: 1_700_000_000_000 });
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ events: 2 });
    const fresh = makeEvent();
    expect(await (await post(url, batch([old[1], fresh]))).json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ events: 3 });

    const reader = new Database(file, { readonly: true });
    onTestFinished(() => void reader.close());
    expect(reader.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('migrates once: opening again changes nothing', async () => {
    const file = join(tempDir(), 'waybill.db');
    firstReleaseDatabase(file, [makeEvent()]);
    (await openSqliteStore(file).close());
    const store = openSqliteStore(file);
    onTestFinished(() => store.close());
    expect(await store.count()).toBe(1);
    await store.insert(storable(makeEvent()), { receivedAt: 1 }, () => ['ga4']);
    expect(await store.count()).toBe(2);
    expect(await store.claim('ga4', 10, 2, 1000)).toHaveLength(1);
  });

  it('keeps the outbox of a version-3 database (before the outbox was keyed by event): pending rows go, the rest is counted', async () => {
    const file = join(tempDir(), 'waybill.db');
    const [waiting, failed, sent, dead] = [makeEvent(), makeEvent(), makeEvent(), makeEvent()];
    const old = new Database(file);
    for (const step of MIGRATIONS.slice(0, 3)) old.exec(step);
    old.pragma('user_version = 3');
    const event = old.prepare(`INSERT INTO events (id, type, name, ts, received_at, event) VALUES (?, 'track', 'purchase', 1, 1000, ?)`);
    const row = old.prepare(
      `INSERT INTO outbox (event_id, destination, state, attempts, next_attempt_at, created_at, last_error, error_at, ip, user_agent)
       VALUES (?, ?, ?, ?, 1000, 1000, ?, ?, ?, ?)`,
    );
    for (const e of [waiting, failed, sent, dead]) event.run(e.id, JSON.stringify(e));
    row.run(waiting.id, 'tiktok', 'pending', 0, null, null, '203.0.113.7', 'Mozilla/5.0 (old)');
    row.run(waiting.id, 'ga4', 'pending', 0, null, null, '203.0.113.7', 'Mozilla/5.0 (old)');
    row.run(failed.id, 'ga4', 'pending', 2, '503 from GA4', 1500, null, null);
    row.run(sent.id, 'ga4', 'sent', 0, null, null, null, null);
    row.run(dead.id, 'tiktok', 'dead', 5, '401 bad token', 1600, null, null);
    old.close();

    const store = openSqliteStore(file);
    onTestFinished(() => store.close());
    expect(await store.stats(2_000)).toMatchObject({
      tiktok: { pending: 1, sent: 0, dead: 1, lastError: '401 bad token' },
      ga4: { pending: 2, sent: 1, failed: 1, dead: 0, lastError: '503 from GA4' },
    });
    const ga4 = await store.claim('ga4', 10, 2_000, 30_000);
    expect(ga4.map((r) => [r.eventId, r.attempts])).toEqual([[waiting.id, 0], [failed.id, 2]]);
    expect(ga4[0]).toMatchObject({ event: waiting, meta: { receivedAt: 1000, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (old)' } });
    await store.sent(ga4.map((r) => r.key), 2_000);
    expect(await store.claim('ga4', 10, 100_000, 30_000)).toEqual([]);
    expect(await store.retryDead('tiktok')).toBe(1);
    expect((await store.claim('tiktok', 10, 2_000, 30_000)).map((r) => r.eventId)).toEqual([dead.id, waiting.id]); // a retried dead letter is due at once
    // A duplicate of a migrated event adds no row.
    expect(await store.insert(storable(waiting), { receivedAt: 3_000 }, () => ['tiktok', 'ga4'])).toEqual({ accepted: 0, duplicates: 1 });
    expect((await store.stats(3_000)).ga4).toMatchObject({ pending: 0, sent: 3 });
  });

  it("keeps an acknowledged event's outbox rows through a restart before the worker saw them, and hands them out oldest first", async () => {
    const file = join(tempDir(), 'waybill.db');
    const writer = openSqliteStore(file);
    const events = Array.from({ length: 450 }, () => makeEvent());
    // One request each: 450 queue rows, more than one slice of the fan-out.
    for (const [i, e] of events.entries()) await writer.insert(storable(e), { receivedAt: 1_000 + i }, () => ['tiktok', 'ga4']);
    await writer.close(); // as if the process died here

    const store = openSqliteStore(file);
    onTestFinished(() => store.close());
    // Counted while still queued.
    expect(await store.stats(5_000)).toMatchObject({ tiktok: { pending: 450, oldestPendingMs: 4_000 }, ga4: { pending: 450 } });
    const claimed: string[] = [];
    for (let rows; (rows = await store.claim('ga4', 100, 5_000, 30_000)).length > 0; ) claimed.push(...rows.map((r) => r.eventId));
    expect(claimed).toEqual(events.map((e) => e.id));
    expect(await store.stats(5_000)).toMatchObject({ tiktok: { pending: 450, oldestPendingMs: 4_000 }, ga4: { pending: 450 } });
  });

  it.each([
    ['an erasure', (store: Store) => store.eraseUser('erased-user')],
    ['a retention pass', (store: Store) => store.deleteOlderThan(1_001, 1000)],
    ['the forwarding stats', (store: Store) => store.stats(5_000)],
  ])('fans a long queue out a slice at a time for %s, taking requests in between', async (what, run) => {
    const file = join(tempDir(), 'waybill.db');
    const store = openSqliteStore(file);
    onTestFinished(() => store.close());
    // 300 requests queued (after a vendor outage, say): many slices of the fan-out.
    const queued = 300;
    await store.insert(storable(makeEvent({ userId: 'erased-user', anonymousId: 'anon-erased' })), { receivedAt: 1_000 }, () => ['tiktok', 'ga4']);
    for (let i = 1; i < queued; i++) await store.insert(storable(makeEvent()), { receivedAt: 2_000 + i }, () => ['tiktok', 'ga4']);
    const reader = new Database(file, { readonly: true });
    onTestFinished(() => void reader.close());
    const queueLength = () => reader.prepare('SELECT count(*) FROM outbox_queue').pluck().get() as number;

    // Requests keep coming while it runs; each sees the queue as the fan-out has left it.
    let done = false;
    const result = run(store).finally(() => (done = true));
    const seen: number[] = [];
    while (!done) {
      await store.insert(storable(makeEvent()), { receivedAt: 9_000 }, () => []);
      seen.push(queueLength());
      await new Promise((next) => setImmediate(next));
    }
    await result;
    expect(seen.some((n) => n > 0 && n < queued)).toBe(true);
    expect(queueLength()).toBe(0);
    const stats = await store.stats(5_000);
    const left = what === 'the forwarding stats' ? queued : queued - 1;
    expect(stats).toMatchObject({ tiktok: { pending: left }, ga4: { pending: left } });
  });

  it('drops at claim an outbox row whose event is gone, rather than hand it out or leave it pending', async () => {
    const file = join(tempDir(), 'waybill.db');
    const store = openSqliteStore(file);
    onTestFinished(() => store.close());
    const [kept, gone] = [makeEvent(), makeEvent()];
    await store.insert(storable(kept, gone), { receivedAt: 1 }, () => ['ga4']);
    const other = new Database(file);
    other.prepare('DELETE FROM events WHERE id = ?').run(gone.id);
    other.close();
    expect((await store.claim('ga4', 10, 2, 60_000)).map((r) => r.eventId)).toEqual([kept.id]);
    expect((await store.stats(2)).ga4).toMatchObject({ pending: 1 });
  });

  it('refuses a database from a newer collector, saying so', () => {
    const file = join(tempDir(), 'waybill.db');
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => createCollector({ db: file })).toThrow(
      `cannot use the database ${file}: its schema (version ${MIGRATIONS.length + 1}) is newer than this collector's (${MIGRATIONS.length}): upgrade @waybill/collector`,
    );
  });

  it("keeps the browser's address and user agent in the outbox only, not with the events", async () => {
    const file = join(tempDir(), 'waybill.db');
    const store = openSqliteStore(file);
    onTestFinished(() => store.close());
    const event = makeEvent();
    await store.insert(storable(event), { receivedAt: 5, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (secret agent)' }, () => ['tiktok']);
    const reader = new Database(file, { readonly: true });
    onTestFinished(() => void reader.close());
    const eventsTable = JSON.stringify(reader.prepare('SELECT * FROM events').all());
    expect(eventsTable).toContain(event.id);
    expect(eventsTable).not.toContain('203.0.113.7');
    expect(eventsTable).not.toContain('secret agent');
    // In the request's queue row until the worker fans it out, then in the outbox row.
    const outbox = () => reader.prepare('SELECT ip, user_agent FROM outbox UNION ALL SELECT ip, user_agent FROM outbox_queue').all();
    expect(outbox()).toEqual([{ ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (secret agent)' }]);
    expect(await store.claim('tiktok', 10, 5, 1000)).toMatchObject([{ meta: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (secret agent)' } }]);
    expect(outbox()).toEqual([{ ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (secret agent)' }]);
  });
});
