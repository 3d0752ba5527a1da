import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCollector } from '@waybill/collector';
import { MIGRATIONS } from '../src/store/migrations';
import { openSqliteStore } from '../src/store/sqlite';
import { batch, makeEvent, post, startCollector, stored, tempDir } from './helpers';
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
    expect(reader.prepare('SELECT ip, user_agent FROM outbox').all()).toEqual([{ ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (secret agent)' }]);
  });
});
