// Forwarding in the real collector (SQLite store, HTTP routes) against the vendor stand-ins:
// accepted events reach the vendors, duplicates add nothing, and the admin routes report and retry.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forwarding, sendServerEvents, type ForwardingOptions, type ServerEventInput } from '@waybill/collector';
import { startEventsApi, startMeasurementProtocol, type EventsApi, type MeasurementProtocol } from '../../../../e2e/stand-ins/vendor-apis.mjs';
import { batch, expectError, post, startCollector } from '../helpers';
import { EMAIL_HASH, storedEvent } from './fixtures';

const ADMIN = 'admin-token-0123456789';
const auth = { headers: { Authorization: `Bearer ${ADMIN}` } };

let tiktokApi: EventsApi;
let mp: MeasurementProtocol;
beforeEach(async () => {
  [tiktokApi, mp] = await Promise.all([startEventsApi({ pixel: 'CPIXEL0001', token: 'token' }), startMeasurementProtocol({ measurementId: 'G-TEST0001', apiSecret: 'secret' })]);
});
afterEach(() => Promise.all([tiktokApi.close(), mp.close()]));

/** A collector forwarding to the stand-ins; its log lines in `lines`. */
async function collector(options: ForwardingOptions = {}) {
  const lines: [string, string][] = [];
  const { url, collector: c } = await startCollector({
    adminToken: ADMIN,
    log: (line, level) => void (level != 'info' || !/^(GET|POST) /.test(line) ? lines.push([level, line]) : 0),
    forward: forwarding({
      tiktok: { pixelCode: 'CPIXEL0001', accessToken: 'token', apiUrl: tiktokApi.url },
      ga4: { measurementId: 'G-TEST0001', apiSecret: 'secret', apiUrl: mp.url },
      baseMs: 20,
      ...options,
    }),
  });
  const report = async () => (await fetch(`${url}/forwarding`, auth)).json();
  return { url, c, lines, report };
}

/** A browser event stamped now (GA4 takes 72 hours back at most). */
const fresh = (name: string, props: Record<string, unknown> = {}, change: Parameters<typeof storedEvent>[2] = {}) => storedEvent(name, props, { ts: Date.now(), ...change });

describe('forwarding in the collector', () => {
  it('forwards accepted events to both vendors once; a duplicate id adds nothing', async () => {
    const { url, report } = await collector();
    const e = fresh('purchase', { transaction_id: 'T-1', currency: 'USD', value: 30 });
    expect((await post(url, batch([e]))).status).toBe(200);
    await expect.poll(() => [tiktokApi.events().length, mp.events().length]).toEqual([1, 1]);
    expect(await (await post(url, batch([e]))).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await report()).toMatchObject({ tiktok: { enabled: true, sent: 1, pending: 0 }, ga4: { enabled: true, sent: 1, pending: 0 } });
    expect(tiktokApi.events()[0]).toMatchObject({ event: 'Purchase', event_id: e.id, user: { ip: '127.0.0.1' } });
    expect(mp.events()[0]).toMatchObject({ name: 'purchase', params: { transaction_id: 'T-1' } });
  });

  it('GET /forwarding and POST /forwarding/retry need the admin token', async () => {
    const { url } = await collector();
    await expectError(await fetch(`${url}/forwarding`), 401);
    await expectError(await fetch(`${url}/forwarding/retry`, { method: 'POST' }), 401);
    await expectError(await fetch(`${url}/forwarding/retry?destination=facebook`, { method: 'POST', ...auth }), 400);
    await expectError(await fetch(`${url}/forwarding`, { method: 'DELETE', ...auth }), 405);
  });

  it('reports a dead letter with its error, and POST /forwarding/retry sends it again', async () => {
    const { url, report, lines } = await collector();
    tiktokApi.failNext(1, 400, { body: '{"message":"bad request"}' });
    const e = fresh('add_to_cart', { currency: 'USD', value: 5 }, { context: { forward: ['tiktok'] } });
    await post(url, batch([e]));
    await expect.poll(async () => (await report()).tiktok.dead).toBe(1);
    expect((await report()).tiktok.lastError).toBe('HTTP 400: {"message":"bad request"}');
    expect(lines).toContainEqual(['error', 'tiktok: 1 event(s) to dead letters: HTTP 400: {"message":"bad request"}']);
    expect(await (await fetch(`${url}/forwarding/retry?destination=tiktok`, { method: 'POST', ...auth })).json()).toEqual({ retried: 1 });
    await expect.poll(() => tiktokApi.events().map((x) => x.event_id)).toEqual([e.id]);
    expect(await report()).toMatchObject({ tiktok: { dead: 0, sent: 1 } });
  });

  it('says once at start which destinations are on and which are off, and why; an off one gets no rows', async () => {
    const { url, lines, report } = await collector({ ga4: { measurementId: 'G-TEST0001' } });
    expect(lines.filter(([, line]) => /forwarding to|off:/.test(line))).toEqual([
      ['info', `forwarding to the TikTok Events API: pixel CPIXEL0001 at ${tiktokApi.url}`],
      ['warn', 'GA4 Measurement Protocol off: no API secret (WAYBILL_GA4_API_SECRET)'],
    ]);
    await post(url, batch([fresh('purchase', { transaction_id: 'T-2' })]));
    await expect.poll(() => tiktokApi.events().length).toBe(1);
    expect((await report()).ga4).toEqual({
      enabled: false,
      off: 'GA4 Measurement Protocol off: no API secret (WAYBILL_GA4_API_SECRET)',
      pending: 0,
      sent: 0,
      failed: 0,
      dead: 0,
      expired: 0,
      oldestPendingMs: null,
      lastError: null,
    });
  });

  it('a destination that keeps failing shows its pause and its pending rows', async () => {
    const { url, report } = await collector({ baseMs: 60_000 });
    tiktokApi.failNext(1, 503);
    await post(url, batch([fresh('view_item', {}, { context: { forward: ['tiktok'] } })]));
    await expect.poll(async () => (await report()).tiktok.failed).toBe(1);
    const { tiktok } = await report();
    expect(tiktok).toMatchObject({ pending: 1, lastError: 'HTTP 503: {"error":"injected 503"}' });
    expect(Date.parse(tiktok.pausedUntil)).toBeGreaterThan(Date.now());
  });
});

describe('server events through the forwarding outbox', () => {
  const KEY = 'server-key-0123456789abcdef';
  /** The worker's batches on a busy machine. */
  const SLOW = { timeout: 10_000 };
  /** A collector forwarding to the stand-ins (TikTok custom events on or off) that takes server events. */
  async function shop(tiktokCustom: boolean) {
    const { url } = await startCollector({
      serverKeys: [KEY],
      forward: forwarding({
        tiktok: { pixelCode: 'CPIXEL0001', accessToken: 'token', apiUrl: tiktokApi.url, forwardCustom: tiktokCustom },
        ga4: { measurementId: 'G-TEST0001', apiSecret: 'secret', apiUrl: mp.url },
        baseMs: 20,
      }),
    });
    return url;
  }
  const now = () => new Date().toISOString();
  const fulfil = (tx: string): ServerEventInput[] => [
    { id: `shipped-${tx}`, type: 'order_shipped', transaction_id: tx, carrier: 'DHL', tracking_number: 'JJD1', shipped_at: now() },
    { id: `refund-${tx}`, type: 'refund', transaction_id: tx, value: 12, currency: 'EUR', refunded_at: now() },
  ];

  it('forwards a joined refund to GA4 as its refund event and the others as custom events; TikTok gets them as custom events when asked', async () => {
    const url = await shop(true);
    const purchase = fresh('purchase', { transaction_id: 'T-10', currency: 'EUR', value: 30 });
    await post(url, batch([purchase]));
    expect(await sendServerEvents(url, KEY, fulfil('T-10'))).toMatchObject({ accepted: 2, untracked: [] });
    await expect.poll(() => mp.events().map((e) => e.name).sort(), SLOW).toEqual(['order_shipped', 'purchase', 'refund']);
    expect(mp.events().find((e) => e.name === 'refund')).toMatchObject({ params: { transaction_id: 'T-10', value: 12, currency: 'EUR' } });
    await expect.poll(() => tiktokApi.events().map((e) => e.event).sort(), SLOW).toEqual(['Purchase', 'order_shipped', 'refund'].sort());
    // The purchase's browser, click id and hashed email: the vendors join the order to the shopper.
    expect(tiktokApi.events().find((e) => e.event === 'refund')).toMatchObject({ event_id: 'refund-T-10', user: { ttclid: 'E.C.P.abc', email: EMAIL_HASH } });
  });

  it('obeys the consent the purchase was collected under, and never forwards an untracked order', async () => {
    const url = await shop(true);
    const noMarketing = fresh('purchase', { transaction_id: 'T-11' }, { context: { consent: { necessary: 'granted', analytics: 'granted', marketing: 'denied' } } });
    await post(url, batch([noMarketing]));
    expect(await sendServerEvents(url, KEY, [...fulfil('T-11'), ...fulfil('T-12')])).toMatchObject({ accepted: 4, untracked: ['T-12'] });
    await expect.poll(() => mp.events().map((e) => `${e.name} ${e.params.transaction_id}`).sort(), SLOW).toEqual(['order_shipped T-11', 'purchase T-11', 'refund T-11']);
    expect(tiktokApi.events()).toEqual([]);
  });

  it('sends TikTok no server events without custom events on (it has no standard event for them)', async () => {
    const url = await shop(false);
    await post(url, batch([fresh('purchase', { transaction_id: 'T-13' })]));
    await sendServerEvents(url, KEY, fulfil('T-13'));
    await expect.poll(() => mp.events().length, SLOW).toBe(3);
    expect(tiktokApi.events().map((e) => e.event)).toEqual(['Purchase']);
  });
});
