import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCollector } from '@waybill/collector';
import { openSqliteStore } from '../src/store/sqlite';
import { storable } from './store-contract';
import { batch, expectAlive, expectError, makeEvent, post, startCollector, tempDir, stored } from './helpers';

describe('SQLite storage', () => {
  it('keeps one row per event, in WAL mode, readable by other SQLite clients', async () => {
    const db = join(tempDir(), 'events.db');
    const { collector, url } = await startCollector({ db });
    const e = makeEvent({ userId: 'user-42' });
    await post(url, batch([e, e]));

    const reader = new Database(db, { readonly: true });
    onTestFinished(() => void reader.close());
    expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
    const rows = reader.prepare('SELECT * FROM events').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    const { event, received_at, ...columns } = rows[0]!;
    expect(columns).toEqual({
      id: e.id,
      type: 'track',
      name: 'add_to_cart',
      ts: e.ts,
      anonymous_id: 'anon-1',
      session_id: 'sess-1',
      user_id: 'user-42',
    });
    expect(JSON.parse(event as string)).toEqual(e);
    expect(received_at).toBe((await stored(collector))[0]!.receivedAt);
  });

  it('forgets the browser address and user agent of an outbox row once it is sent or expired (kept while it may still go)', async () => {
    const db = join(tempDir(), 'events.db');
    const store = openSqliteStore(db);
    onTestFinished(() => store.close());
    const [sent, expired, waiting] = [makeEvent(), makeEvent(), makeEvent()];
    await store.insert(storable(sent, expired, waiting), { receivedAt: 1, ip: '203.0.113.9', userAgent: 'Mobile Safari' }, () => ['tiktok']);
    const rows = await store.claim('tiktok', 3, 2, 60_000);
    const keyOf = (e: Record<string, unknown>) => rows.find((r) => r.eventId === e.id)!.key;
    await store.sent([keyOf(sent)], 3);
    await store.expired([keyOf(expired)]);
    const reader = new Database(db, { readonly: true });
    onTestFinished(() => void reader.close());
    const left = reader.prepare('SELECT event_id, ip, user_agent FROM outbox ORDER BY key').all();
    expect(left).toEqual([
      { event_id: sent.id, ip: null, user_agent: null },
      { event_id: expired.id, ip: null, user_agent: null },
      { event_id: waiting.id, ip: '203.0.113.9', user_agent: 'Mobile Safari' },
    ]);
  });

  it('works without a server: events() on a database written earlier', async () => {
    const db = join(tempDir(), 'events.db');
    const writer = await startCollector({ db });
    await post(writer.url, batch([makeEvent({ id: 'a' }), makeEvent({ id: 'b' })]));
    await writer.collector.close();

    const reader = createCollector({ db });
    onTestFinished(() => reader.close());
    expect((await stored(reader)).map((e) => e.id)).toEqual(['b', 'a']);
    expect(reader.stats()).toEqual({ requests: 0, accepted: 0, duplicates: 0, rejected: 0 });
  });

  // SQLite waits for a lock synchronously, stalling every request meanwhile: the collector gives up
  // in a moment (the SDK retries a 5xx), where the old five-second wait outlasted this test.
  it('answers 500 at once while another connection holds the write lock, and stores again after', { timeout: 2500 }, async () => {
    const db = join(tempDir(), 'events.db');
    const errors: string[] = [];
    const { collector, url } = await startCollector({ db, log: (line, level) => level === 'error' && errors.push(line) });
    const other = new Database(db);
    onTestFinished(() => void other.close());
    other.exec('BEGIN IMMEDIATE');
    await expectError(await post(url, batch([makeEvent()])), 500, /internal error/);
    other.exec('ROLLBACK');
    await expectAlive(url);
    expect(await stored(collector)).toHaveLength(1);
    expect(errors.some((line) => line.startsWith('error POST /collect: SqliteError: database is locked'))).toBe(true);
  });

  it('refuses a nonsensical limit in events()', async () => {
    const { collector } = await startCollector();
    await expect(collector.events({ limit: -1 })).rejects.toThrow(RangeError);
    await expect(collector.events({ limit: 1.5 })).rejects.toThrow(RangeError);
    expect(await stored(collector, { limit: 0 })).toEqual([]);
  });
});
