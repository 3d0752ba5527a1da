// POST /v1/server-events and sendServerEvents, against a real collector (and, for retries, a
// real stand-in in front of it that fails on purpose).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sendServerEvents, ServerEventsError, type Forwarding, type StoredEvent } from '@waybill/collector';
import { batch, expectError, post, startCollector, stored } from './helpers';
import { purchaseOf } from './insights-contract';

const KEY = 'server-key-0123456789abcdef';
const OTHER_KEY = 'rotated-key-0123456789abcdef';

const send = (url: string, body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${KEY}` }) =>
  fetch(`${url}/v1/server-events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const shipped = (tx: string | number, id = `shipped-${tx}`) => ({
  id,
  type: 'order_shipped',
  transaction_id: tx,
  carrier: 'DHL',
  tracking_number: 'JJD0001',
  shipped_at: '2025-05-02T09:30:00+02:00',
});
const created = (tx: string | number, fields: Record<string, unknown> = {}) => ({ id: `created-${tx}`, type: 'order_created', transaction_id: tx, value: 59, currency: 'EUR', ...fields });

/** A forwarding plug-in that routes by consent as the real one does, and records what it routed. */
const consentRoute = () => {
  const routed: StoredEvent[] = [];
  const forward: Forwarding = {
    route: (event) => {
      routed.push(event as unknown as StoredEvent);
      return (event.context?.consent as Record<string, string> | undefined)?.marketing === 'granted' ? ['tiktok'] : [];
    },
  };
  return { forward, routed };
};

describe('POST /v1/server-events: authentication', () => {
  it('refuses without a key, with a wrong one, and when none is configured; takes every configured key', async () => {
    const { url } = await startCollector({ serverKeys: [KEY, OTHER_KEY] });
    const body = { events: [shipped(1)] };
    const missing = await send(url, body, {});
    await expectError(missing, 401, /Authorization: Bearer <key>/);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expectError(await send(url, body, { Authorization: `Bearer ${KEY}x` }), 401, /wrong server key/);
    await expectError(await send(url, body, { Authorization: `Basic ${btoa(KEY)}` }), 401);
    expect((await send(url, body)).status).toBe(200);
    expect((await send(url, { events: [shipped(2)] }, { Authorization: `Bearer ${OTHER_KEY}` })).status).toBe(200);

    const unconfigured = await startCollector();
    await expectError(await send(unconfigured.url, body), 401, /no server keys are configured: set WAYBILL_SERVER_KEYS/);
  });

  it('never opens to browsers: no CORS answer, and a request with an Origin is refused even with a good key', async () => {
    const { url } = await startCollector({ serverKeys: KEY, allowedOrigins: '*' });
    const preflight = await fetch(`${url}/v1/server-events`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(preflight.status).toBe(405);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const fromPage = await send(url, { events: [shipped(1)] }, { Authorization: `Bearer ${KEY}`, Origin: url });
    await expectError(fromPage, 403, /never from a browser/);
    expect(fromPage.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses short keys at start', async () => {
    await expect(startCollector({ serverKeys: ['short'] })).rejects.toThrow(/each server key must be at least 16 characters/);
  });
});

describe('POST /v1/server-events: validation', () => {
  it('answers 415, 400 and 413 for a body it cannot take', async () => {
    const { url } = await startCollector({ serverKeys: KEY });
    const text = await fetch(`${url}/v1/server-events`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'text/plain' }, body: '{}' });
    await expectError(text, 415, /send application\/json/);
    await expectError(await send(url, '{nope'), 400, /not valid JSON/);
    await expectError(await send(url, { events: [] }), 400, /^events must be an array of 1-500 server events/);
    await expectError(await send(url, { orders: [] }), 400, /events must be an array|orders is not a field/);
    await expectError(await send(url, { events: Array.from({ length: 501 }, (_, i) => shipped(i)) }), 413, /too many events in one request: 501/);
  });

  it('stores the good events of a batch and names every bad field of the others', async () => {
    const { url, collector } = await startCollector({ serverKeys: KEY });
    const res = await send(url, {
      events: [
        shipped(1),
        { id: 'x', type: 'order_lost', transaction_id: 1 },
        { id: 'y', type: 'order_shipped', transaction_id: 1 },
        { ...shipped(1, 'z'), shipped_at: 'yesterday' },
        { ...shipped(1, 'w'), shiped_at: '2025-05-01T00:00:00Z' },
        { ...created(2), currency: 'eur', value: -1 },
        { id: 'v', type: 'order_delivered', transaction_id: 3, delivered_at: '2025-02-30T10:00:00Z' },
        { id: 'has space', type: 'refund', transaction_id: 3 },
      ],
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { accepted: number; rejected: { index: number; error: string }[] };
    expect(answer.accepted).toBe(1);
    expect(answer.rejected).toEqual([
      { index: 1, error: 'type must be one of order_created, order_shipped, order_delivered, return_requested, refund' },
      { index: 2, error: 'carrier must be a string of 1-64 characters (the carrier, such as DHL)' },
      { index: 3, error: expect.stringMatching(/^shipped_at must be when it was handed to the carrier: a date-time with its offset \(RFC 3339/) },
      { index: 4, error: 'shiped_at is not a field of an order_shipped event: the order left with a carrier' },
      { index: 5, error: expect.stringMatching(/^value must be a number of at least 0.*; currency must be an ISO 4217 currency code/) },
      { index: 6, error: 'delivered_at must be a date that exists, not "2025-02-30T10:00:00Z"' },
      { index: 7, error: expect.stringMatching(/^id must be a string of 1-128 characters/) },
    ]);
    expect((await stored(collector)).map((e) => e.id)).toEqual(['shipped-1']);
  });
});

describe('POST /v1/server-events: idempotency and the join', () => {
  it('stores an event id once: a retried batch is all duplicates and changes no order', async () => {
    const { url, collector } = await startCollector({ serverKeys: KEY });
    const body = { events: [created(9), { id: 'refund-9', type: 'refund', transaction_id: 9, value: 20, currency: 'EUR' }] };
    expect(await (await send(url, body)).json()).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await (await send(url, body)).json()).toMatchObject({ accepted: 0, duplicates: 2, rejected: [] });
    expect(await stored(collector)).toHaveLength(2);
  });

  it('a server event inherits the attribution and consent of the browser purchase of its order, and is forwarded by that consent', async () => {
    const { forward, routed } = consentRoute();
    const { url, collector } = await startCollector({ serverKeys: KEY, forward });
    const purchase = purchaseOf('1001');
    await post(url, batch([purchase]));
    const res = await send(url, { events: [created('1001'), shipped('1001')] });
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [], untracked: [] });
    const [ship] = await stored(collector, { name: 'order_shipped' });
    expect(ship).toMatchObject({
      id: 'shipped-1001',
      type: 'track',
      name: 'order_shipped',
      ts: Date.parse('2025-05-02T07:30:00Z'),
      source: 'server',
      joined: purchase.id,
      anonymousId: 'anon-buyer',
      sessionId: 'sess-buyer',
      userId: 'user-7',
      props: { transaction_id: '1001', carrier: 'DHL', tracking_number: 'JJD0001', shipped_at: '2025-05-02T09:30:00+02:00' },
      context: { clickIds: { ttclid: 'E.C.P.click' }, campaign: { utm_source: 'tiktok', utm_campaign: 'spring' }, consent: { marketing: 'granted' } },
    });
    expect(routed.filter((e) => (e as unknown as Record<string, unknown>).source === 'server').map((e) => e.id)).toEqual(['created-1001', 'shipped-1001']);
  });

  it('an order without a browser purchase is kept and said untracked; its events join the purchase that arrives later', async () => {
    const { forward, routed } = consentRoute();
    const { url, collector } = await startCollector({ serverKeys: KEY, forward });
    const answer = await (await send(url, { events: [created(77), shipped(77), created('tts-1', { channel: 'tiktok_shop' })] })).json();
    expect(answer).toEqual({ accepted: 3, duplicates: 0, rejected: [], untracked: ['77', 'tts-1'] });
    const [early] = await stored(collector, { name: 'order_shipped' });
    expect(early).not.toHaveProperty('anonymousId');
    expect(early!.context).toEqual({});

    const purchase = purchaseOf(77);
    await post(url, batch([purchase]));
    const [joined] = await stored(collector, { name: 'order_shipped' });
    expect(joined).toMatchObject({ joined: purchase.id, anonymousId: 'anon-buyer', context: { clickIds: { ttclid: 'E.C.P.click' } } });
    // Routed twice: stored without consent (nowhere), then joined (TikTok, by the purchase's marketing consent).
    expect(routed.filter((e) => e.id === 'shipped-77').map((e) => e.context?.consent?.marketing ?? null)).toEqual([null, 'granted']);
    expect(await (await send(url, { events: [{ id: 'delivered-77', type: 'order_delivered', transaction_id: '77' }] })).json()).toMatchObject({ untracked: [] });
  });
});

/** A stand-in in front of `target` that answers each request with the next of `script` (`'pass'` forwards it). */
async function flaky(target: string, script: (number | 'pass')[]) {
  const seen: number[] = [];
  const server = createServer(async (req, res) => {
    const step = script.shift() ?? 'pass';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    seen.push(JSON.parse(Buffer.concat(chunks).toString()).events.length);
    if (step !== 'pass') {
      res.writeHead(step, { 'Content-Type': 'application/json', ...(step === 429 && { 'Retry-After': '0' }) });
      return res.end(JSON.stringify({ error: `scripted ${step}` }));
    }
    const answer = await fetch(`${target}${req.url}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: req.headers.authorization! }, body: Buffer.concat(chunks) });
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(await answer.text());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  onTestFinished(() => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('sendServerEvents', () => {
  it('sends to the collector and answers what it did', async () => {
    const { url } = await startCollector({ serverKeys: KEY });
    const result = await sendServerEvents(`${url}/`, KEY, [
      { id: 'c-1', type: 'order_created', transaction_id: 1, created_at: new Date('2025-05-01T10:00:00Z'), value: 10, currency: 'EUR' },
      { id: 'bad', type: 'order_shipped', transaction_id: 1 } as never,
    ]);
    expect(result).toEqual({ accepted: 1, duplicates: 0, rejected: [{ index: 1, error: expect.stringMatching(/carrier/) }], untracked: ['1'] });
  });

  it('retries a 503 and a 429 (as long as Retry-After says), and the retry is stored once', async () => {
    const { url, collector } = await startCollector({ serverKeys: KEY });
    const proxy = await flaky(url, [503, 429, 'pass']);
    const result = await sendServerEvents(proxy.url, KEY, [{ id: 'd-1', type: 'order_delivered', transaction_id: 1 }], { backoffMs: 1 });
    expect(result.accepted).toBe(1);
    expect(proxy.seen).toEqual([1, 1, 1]);
    expect(await stored(collector)).toHaveLength(1);
  });

  it('splits more than 500 events into batches, with indexes of the whole list', async () => {
    const { url } = await startCollector({ serverKeys: KEY });
    const proxy = await flaky(url, []);
    const events = Array.from({ length: 1201 }, (_, i) => ({ id: `c-${i}`, type: 'order_created' as const, transaction_id: i }));
    events[1100] = { ...events[1100]!, currency: 'euro' } as never;
    const result = await sendServerEvents(proxy.url, KEY, events);
    expect(proxy.seen).toEqual([500, 500, 201]);
    expect(result).toMatchObject({ accepted: 1200, rejected: [{ index: 1100 }] });
    expect(result.untracked).toHaveLength(1200);
  });

  it('does not retry a refusal: a wrong key throws at once with its status', async () => {
    const { url } = await startCollector({ serverKeys: KEY });
    const proxy = await flaky(url, []);
    const error = await sendServerEvents(proxy.url, 'wrong-key-0123456789abcdef', [{ id: 'x', type: 'refund', transaction_id: 1 }]).catch((e) => e);
    expect(error).toBeInstanceOf(ServerEventsError);
    expect(error).toMatchObject({ status: 401, message: 'the collector answered 401: wrong server key' });
    expect(proxy.seen).toHaveLength(1);
  });

  it('gives up after the last try, saying why', async () => {
    const { url } = await startCollector({ serverKeys: KEY });
    const proxy = await flaky(url, [500, 500, 500]);
    await expect(sendServerEvents(proxy.url, KEY, [{ id: 'x', type: 'refund', transaction_id: 1 }], { attempts: 3, backoffMs: 1 })).rejects.toMatchObject({
      status: 500,
      message: 'the collector answered 500: scripted 500',
    });
    await expect(sendServerEvents('http://127.0.0.1:9', KEY, [{ id: 'x', type: 'refund', transaction_id: 1 }], { attempts: 2, backoffMs: 1 })).rejects.toMatchObject({
      status: 0,
      message: expect.stringMatching(/^could not reach the collector/),
    });
  });
});
