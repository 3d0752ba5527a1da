// The outbox state machine: the worker against the vendor stand-ins on 127.0.0.1 and the
// outbox contract in memory, on a clock the test moves.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEventsApi, startMeasurementProtocol, type EventsApi, type MeasurementProtocol } from '../../../../e2e/stand-ins/vendor-apis.mjs';
import { ga4Vendor } from '../../src/forward/ga4';
import { tiktokVendor } from '../../src/forward/tiktok';
import type { Vendor } from '../../src/forward/vendor';
import { createWorker, type WorkerOptions } from '../../src/forward/worker';
import type { Outbox } from '../../src/outbox';
import { META, storedEvent } from './fixtures';
import { memoryOutbox, type MemoryOutbox } from './memory-outbox';

const PIXEL = 'CPIXEL0001';
const TOKEN = 'tiktok-token';
const GA = 'G-TEST0001';
const SECRET = 'ga-secret';

let tiktokApi: EventsApi;
let mp: MeasurementProtocol;
let outbox: MemoryOutbox;
let clock: number;
const lines: string[] = [];

beforeEach(async () => {
  [tiktokApi, mp] = await Promise.all([startEventsApi({ pixel: PIXEL, token: TOKEN }), startMeasurementProtocol({ measurementId: GA, apiSecret: SECRET })]);
  outbox = memoryOutbox();
  // The stand-ins check times against the real clock (GA4 takes 72 hours back at most).
  clock = Date.now();
  lines.length = 0;
});
afterEach(async () => {
  await Promise.all([tiktokApi.close(), mp.close()]);
});

const tiktok = (token = TOKEN): Vendor => tiktokVendor({ pixelCode: PIXEL, accessToken: token, apiUrl: tiktokApi.url }) as Vendor;
const ga4 = (validate = false): Vendor => ga4Vendor({ measurementId: GA, apiSecret: SECRET, apiUrl: mp.url, validate }) as Vendor;
const worker = (vendors: Vendor[], options: Partial<WorkerOptions> = {}) =>
  createWorker({ outbox, vendors, now: () => clock, random: () => 0.5, timeoutMs: 2000, leaseMs: 60_000, log: (l) => void lines.push(l), ...options });

/** `n` purchases pending for `destination`. */
const backlog = (n: number, destination: 'tiktok' | 'ga4' = 'tiktok', props: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, i) => {
    const e = storedEvent('purchase', { transaction_id: `T-${i}`, currency: 'USD', value: 10 + i, ...props }, { ts: clock - 5000 });
    outbox.add(destination, JSON.parse(JSON.stringify(e)), { ...META, receivedAt: clock - 4000 });
    return e.id;
  });
const states = (destination: 'tiktok' | 'ga4' = 'tiktok') => outbox.rows.filter((r) => r.destination == destination).map((r) => r.state);
const tiktokIds = () => tiktokApi.events().map((e) => e.event_id);

describe('forwarding worker', () => {
  it('success: sends each row once, in calls of at most 50, and marks it sent; nothing goes twice', async () => {
    const ids = backlog(120);
    const w = worker([tiktok()]);
    expect(await w.runOnce()).toBe(120);
    expect(await w.runOnce()).toBe(0);
    expect(tiktokApi.requests.map((r) => r.body.data.length).sort()).toEqual([20, 50, 50]);
    expect(tiktokIds().sort()).toEqual([...ids].sort());
    expect(states()).toEqual(ids.map(() => 'sent'));
    expect(outbox.rows.every((r) => r.sentCount == 1)).toBe(true);
    expect(tiktokApi.requests.flatMap((r) => r.problems)).toEqual([]);
  });

  it('4xx: a refused call is split until the refused event is alone; it alone is a dead letter', async () => {
    const good = backlog(9);
    // The stand-in refuses a lower-case currency (HTTP 200, a TikTok parameter-error code).
    const [bad] = backlog(1, 'tiktok', { currency: 'usd' });
    await worker([tiktok()]).runOnce();
    expect(outbox.row('tiktok', bad!)).toMatchObject({ state: 'dead', attempts: 0 });
    expect(outbox.row('tiktok', bad!)!.lastError).toMatch(/TikTok code 40000: .*not ISO 4217/);
    expect(tiktokIds().sort()).toEqual([...good].sort());
    expect(good.map((id) => outbox.row('tiktok', id)!.state)).toEqual(good.map(() => 'sent'));
    expect(lines.join('\n')).toMatch(/tiktok: 1 event\(s\) to dead letters/);
  });

  it('5xx: the rows are retried after a backoff, the destination waits meanwhile, and each is delivered once', async () => {
    const ids = backlog(3);
    tiktokApi.failNext(1, 503);
    const w = worker([tiktok()], { baseMs: 1000 });
    await w.runOnce();
    expect(outbox.rows.map((r) => [r.state, r.attempts])).toEqual(ids.map(() => ['pending', 1]));
    // random 0.5: the first retry after 1000 × 0.75 ms.
    expect(outbox.rows.map((r) => r.nextAttemptAt)).toEqual(ids.map(() => clock + 750));
    expect(w.pausedUntil('tiktok')).toBe(clock + 750);
    clock += 749;
    expect(await w.runOnce()).toBe(0);
    expect(tiktokApi.requests).toHaveLength(1);
    clock += 1;
    await w.runOnce();
    expect(states()).toEqual(ids.map(() => 'sent'));
    expect(tiktokIds().sort()).toEqual([...ids].sort());
  });

  it('rows claimed with a request that failed are handed back: due when the pause ends, not when their lease does', async () => {
    const ids = backlog(150);
    tiktokApi.failNext(1, 503);
    const w = worker([tiktok()], { baseMs: 1000, concurrency: 1 });
    await w.runOnce();
    // The first call of 50 failed; the other 100 were not sent, and no longer leased.
    expect(outbox.rows.map((r) => [r.attempts, r.leasedUntil])).toEqual(ids.map((_, i) => [i < 50 ? 1 : 0, 0]));
    clock += 750; // the pause, far less than the 60 s lease
    for (let round = 0; round < 10 && states().some((s) => s != 'sent'); round++) await w.runOnce();
    expect(states()).toEqual(ids.map(() => 'sent'));
    expect(tiktokIds().sort()).toEqual([...ids].sort());
  });

  it('429 with Retry-After: 2: nothing goes for 2 seconds, then the rows do', async () => {
    const ids = backlog(2, 'ga4');
    mp.failNext(1, 429, { headers: { 'Retry-After': '2' } });
    const w = worker([ga4()]);
    await w.runOnce();
    expect(outbox.rows.map((r) => [r.attempts, r.nextAttemptAt])).toEqual(ids.map(() => [1, clock + 2000]));
    expect(w.pausedUntil('ga4')).toBe(clock + 2000);
    clock += 1999;
    await w.runOnce();
    expect(mp.requests).toHaveLength(1);
    clock += 1;
    await w.runOnce();
    expect(mp.requests).toHaveLength(2);
    expect(mp.events().map((e) => e.name)).toEqual(['purchase', 'purchase']);
    expect(states('ga4')).toEqual(['sent', 'sent']);
  });

  it('TikTok\'s rate-limit code 40100 is retried, not dead', async () => {
    backlog(1);
    tiktokApi.failNext(1, 200, { body: JSON.stringify({ code: 40100, message: 'Too many requests' }) });
    await worker([tiktok()]).runOnce();
    expect(outbox.rows[0]).toMatchObject({ state: 'pending', attempts: 1, lastError: 'TikTok code 40100: Too many requests' });
  });

  it('timeout: a vendor that does not answer fails the request, which is retried', async () => {
    const [id] = backlog(1);
    tiktokApi.failNext(1, 200, { hang: true });
    const w = worker([tiktok()], { timeoutMs: 200, leaseMs: 1000 });
    await w.runOnce();
    expect(outbox.row('tiktok', id!)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'request failed: timed out' });
    clock += 60_000;
    await w.runOnce();
    expect(outbox.row('tiktok', id!)!.state).toBe('sent');
    expect(tiktokIds()).toEqual([id]);
  });

  it('crash between send and mark: after the lease the unmarked rows go again (same event_id), the marked ones never', async () => {
    const ids = backlog(100);
    // The first process marks its first call sent, then dies before marking the second.
    let marks = 0;
    const dying: Outbox = {
      ...outbox,
      sent: (keys, now) => (++marks == 1 ? outbox.sent(keys, now) : new Promise(() => {})),
    };
    const first = createWorker({ outbox: dying, vendors: [tiktok()], now: () => clock, concurrency: 1, leaseMs: 60_000 });
    void first.runOnce();
    await expect.poll(() => tiktokApi.requests.length).toBe(2);
    const markedSent = outbox.rows.filter((r) => r.state == 'sent').map((r) => r.eventId);
    expect(markedSent).toHaveLength(50);

    // A new process on the same outbox: nothing until the lease ends, then the second call again.
    const second = worker([tiktok()]);
    expect(await second.runOnce()).toBe(0);
    clock += 60_000;
    expect(await second.runOnce()).toBe(50);
    expect(states()).toEqual(ids.map(() => 'sent'));
    const sent = tiktokIds();
    expect(new Set(sent)).toEqual(new Set(ids));
    for (const id of markedSent) expect(sent.filter((s) => s == id), `${id} was marked sent`).toHaveLength(1);
    expect(sent).toHaveLength(150);
  });

  it('bounded attempts: a row that keeps failing is a dead letter after maxAttempts', async () => {
    const [id] = backlog(1);
    tiktokApi.failNext(3, 500);
    const w = worker([tiktok()], { maxAttempts: 3, baseMs: 10 });
    for (let i = 0; i < 3; i++) {
      await w.runOnce();
      clock += 3_600_000;
    }
    expect(outbox.row('tiktok', id!)).toMatchObject({ state: 'dead', attempts: 2 });
    expect(outbox.row('tiktok', id!)!.lastError).toMatch(/HTTP 500.*gave up after 3 attempts/);
    expect(await outbox.retryDead('tiktok')).toBe(1);
    await w.runOnce();
    expect(tiktokIds()).toEqual([id]);
  });

  it('refused credentials: the call\'s events are dead letters, and the rest of the backlog waits instead', async () => {
    backlog(120);
    const w = worker([tiktok('wrong-token')], { concurrency: 1 });
    await w.runOnce();
    expect(outbox.rows.filter((r) => r.state == 'dead')).toHaveLength(50);
    expect(outbox.rows.find((r) => r.state == 'dead')!.lastError).toBe('TikTok code 40001: No permission: bad access token');
    expect(w.pausedUntil('tiktok')).toBeGreaterThan(clock);
    expect(tiktokApi.requests).toHaveLength(1);
  });

  it('GA4: events older than 72 hours are marked expired and never sent', async () => {
    const fresh = storedEvent('purchase', { transaction_id: 'new' }, { ts: clock - 1000 });
    const old = storedEvent('purchase', { transaction_id: 'old' }, { ts: clock - 73 * 3_600_000 });
    for (const e of [fresh, old]) outbox.add('ga4', JSON.parse(JSON.stringify(e)), { receivedAt: e.ts });
    await worker([ga4()]).runOnce();
    expect(outbox.row('ga4', old.id)!.state).toBe('expired');
    expect(outbox.row('ga4', fresh.id)!.state).toBe('sent');
    expect(mp.events().map((e) => e.params.transaction_id)).toEqual(['new']);
  });

  it('GA4 validation mode: accepted events are marked sent, the rest are dead letters with the validator\'s messages', async () => {
    backlog(2, 'ga4');
    const [bad] = backlog(1, 'ga4', { currency: 'usd' });
    await worker([ga4(true)]).runOnce();
    expect(mp.requests.every((r) => r.path == '/debug/mp/collect')).toBe(true);
    expect(mp.events()).toEqual([]);
    expect(states('ga4').sort()).toEqual(['dead', 'sent', 'sent']);
    expect(outbox.row('ga4', bad!)!.lastError).toMatch(/^GA4 validation: VALUE_INVALID .*currency/);
  });

  it('runs on its own once started, and new events go without waiting for the poll when woken', async () => {
    const w = worker([tiktok(), ga4()], { now: Date.now, pollMs: 60_000 });
    w.start();
    try {
      const [id] = backlog(1);
      w.wake();
      await expect.poll(() => tiktokIds()).toEqual([id]);
    } finally {
      await w.stop();
    }
  });
});
