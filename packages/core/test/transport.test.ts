// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { askKnown, sendBatch, type WaybillEvent, type WireBatchV2 } from '@waybill/core';
import { unbatch } from '../../collector/src/wire';
import { useFakeClock, wireEvent } from './helpers';

const URL_ = 'https://collect.example.com/collect';
const QUOTA = 60000;

const event = wireEvent;
const events = (count: number, pad = 0) => Array.from({ length: count }, (_, i) => event(i, pad));
const bytes = (text: string) => new TextEncoder().encode(text).length;

let fetchMock: ReturnType<typeof vi.fn<(url: string, init: RequestInit) => Promise<Response>>>;
let beacon: ReturnType<typeof vi.fn<(url: string, body: unknown) => boolean>>;

/** Make fetch answer with this status (and headers). */
const answer = (status: number, headers: Record<string, string> = {}) =>
  fetchMock.mockImplementation(async () => new Response(status == 204 ? null : '{}', { status, headers }));
const parsed = (body: unknown) => JSON.parse(body as string) as WireBatchV2;
/** The whole events a body carries. */
const sent = (body: unknown) => unbatch(parsed(body));
const fetchInit = (call = 0) => fetchMock.mock.calls[call][1];

beforeEach(() => {
  fetchMock = vi.fn(async () => new Response('{}', { status: 200 }));
  beacon = vi.fn(() => true);
  vi.stubGlobal('fetch', fetchMock);
  Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: beacon });
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  delete (navigator as { sendBeacon?: unknown }).sendBeacon;
});

describe('sendBatch over fetch', () => {
  it('POSTs the batch as text/plain JSON in wire format v2: what every event shares once, each event its own fields', async () => {
    useFakeClock(Date.UTC(2025, 0, 15, 12, 0, 0));
    await sendBatch(URL_, events(2), false);
    expect(fetchMock).toHaveBeenCalledOnce();
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe(URL_);
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({ 'Content-Type': 'text/plain;charset=UTF-8' });
    expect(typeof init.body).toBe('string');
    const { context, ...fields } = event(0);
    const { id, ts, ...common } = fields;
    expect(parsed(init.body)).toEqual({
      v: 2,
      sentAt: '2025-01-15T12:00:00.000Z',
      shared: { ...common, context },
      events: [{ id, ts }, { id: 'evt-1', ts: ts + 1 }],
    });
    expect(sent(init.body)).toEqual(events(2));
  });

  it('keeps per event only the fields and the context fields that differ', async () => {
    const [a, b, c] = events(3);
    b!.name = 'add_to_cart';
    b!.props = { value: 1 };
    c!.context = { ...c!.context, page: { ...c!.context.page, path: '/cart' }, consent: { analytics: 'granted', marketing: 'granted' } };
    c!.userId = 'u-1';
    await sendBatch(URL_, [a!, b!, c!], false);
    const body = parsed(fetchInit().body);
    expect(Object.keys(body.shared).sort()).toEqual(['anonymousId', 'context', 'props', 'sessionId', 'type']);
    expect(body.shared.props).toEqual({}); // no props field leads in all three
    expect(Object.keys(body.shared.context!).sort()).toEqual(['campaign', 'clickIds', 'library', 'locale', 'screen', 'timezone']);
    expect(body.events[2]).toEqual({ id: c!.id, name: 'view_item', ts: c!.ts, userId: 'u-1', context: { page: c!.context.page, consent: c!.context.consent } });
    expect(body.events[1]).toMatchObject({ props: { value: 1 } });
    expect(sent(fetchInit().body)).toEqual([a, b, c]);
  });

  it('sends a lone event whole', async () => {
    await sendBatch(URL_, [event(0)], false);
    expect(parsed(fetchInit().body)).toMatchObject({ v: 2, shared: {}, events: [event(0)] });
  });

  it('shares the leading props every event has identically, so rebuilt props keep their order', async () => {
    const cart = { currency: 'EUR', value: 59.8, items: [{ item_id: 'SKU-1', price: 29.9, quantity: 2 }] };
    const carts = [0, 1, 2].map((i) => ({ ...event(i), props: { ...cart, position: i } }));
    const mixed = [{ ...event(3), props: { position: 3, ...cart } }, { ...event(4), props: cart }, { ...event(5), props: { currency: 'EUR' } }];
    await sendBatch(URL_, carts, false);
    await sendBatch(URL_, mixed, false);
    const [first, second] = [0, 1].map((call) => parsed(fetchInit(call).body));
    expect(first!.shared.props).toEqual(cart);
    expect(first!.events.map((e) => e.props)).toEqual([0, 1, 2].map((position) => ({ position })));
    expect(JSON.stringify(sent(fetchInit(0).body).map((e) => e.props))).toBe(JSON.stringify(carts.map((e) => e.props)));
    // Nothing leads identically in every event: each keeps its props whole.
    expect(second!.shared.props).toEqual({});
    expect(second!.events.map((e) => e.props)).toEqual(mixed.map((e) => e.props));
    expect(JSON.stringify(sent(fetchInit(1).body).map((e) => e.props))).toBe(JSON.stringify(mixed.map((e) => e.props)));
  });

  it('keeps the props of an event that has only the shared ones, and empty props, when rebuilt', async () => {
    const batch = [{ ...event(0), props: { currency: 'EUR', value: 1 } }, { ...event(1), props: { currency: 'EUR' } }, { ...event(2), props: { currency: 'EUR', value: 2 } }];
    await sendBatch(URL_, batch, false);
    expect(parsed(fetchInit(0).body).events[1]).not.toHaveProperty('props');
    expect(sent(fetchInit(0).body)).toEqual(batch);
    const pages = [{ ...event(3), props: {} }, { ...event(4), props: { path: '/a' } }];
    await sendBatch(URL_, pages, false);
    expect(sent(fetchInit(1).body)).toEqual(pages);
  });

  it('never shares an id, even one the caller gave two events', async () => {
    const twice = [event(0), event(0)];
    await sendBatch(URL_, twice, false);
    expect(parsed(fetchInit().body).shared).not.toHaveProperty('id');
    expect(sent(fetchInit().body)).toEqual(twice);
  });

  it('leaves out what JSON leaves out, as v1 did', async () => {
    const odd = [{ ...event(0), userId: undefined }, { ...event(1), traits: undefined }] as WaybillEvent[];
    await sendBatch(URL_, odd, false);
    expect(fetchInit().body).not.toContain('undefined');
    expect(sent(fetchInit().body)).toEqual(JSON.parse(JSON.stringify(odd)));
  });

  it('costs far fewer bytes per event than the events whole', async () => {
    await sendBatch(URL_, events(20), false);
    const whole = bytes(JSON.stringify({ v: 1, sentAt: new Date().toISOString(), events: events(20) }));
    expect(bytes(fetchInit().body as string)).toBeLessThan(whole / 3);
  });

  it('adds the extra headers', async () => {
    await sendBatch(URL_, events(1), false, { 'X-Shop': 'demo' });
    expect(fetchInit().headers).toEqual({ 'Content-Type': 'text/plain;charset=UTF-8', 'X-Shop': 'demo' });
  });

  it.each([200, 202, 204])("answers 'ok' to %i", async (status) => {
    answer(status);
    await expect(sendBatch(URL_, events(1), false)).resolves.toBe('ok');
  });

  it.each([408, 425, 429, 500, 502, 503, 504])("answers 'retry' to %i", async (status) => {
    answer(status);
    await expect(sendBatch(URL_, events(1), false)).resolves.toBe('retry');
  });

  it.each([400, 401, 403, 404, 413, 422])("answers 'drop' to %i", async (status) => {
    answer(status);
    await expect(sendBatch(URL_, events(1), false)).resolves.toBe('drop');
  });

  it('reads a Retry-After in seconds as milliseconds', async () => {
    answer(503, { 'Retry-After': '120' });
    await expect(sendBatch(URL_, events(1), false)).resolves.toBe(120_000);
  });

  it('reads a Retry-After HTTP date as the milliseconds until then', async () => {
    useFakeClock(Date.UTC(2025, 0, 15, 12, 0, 0));
    answer(429, { 'Retry-After': new Date(Date.UTC(2025, 0, 15, 12, 1, 30)).toUTCString() });
    await expect(sendBatch(URL_, events(1), false)).resolves.toBe(90_000);
  });

  it.each([
    ['a date in the past', 'Wed, 01 Jan 2020 00:00:00 GMT'],
    ['garbage', 'soon'],
    ['a negative number', '-5'],
  ])("falls back to 'retry' for a Retry-After that is %s", async (_, value) => {
    answer(503, { 'Retry-After': value });
    await expect(sendBatch(URL_, events(1), false)).resolves.toBe('retry');
  });

  it('ignores Retry-After on a 4xx that is dropped', async () => {
    answer(400, { 'Retry-After': '10' });
    await expect(sendBatch(URL_, events(1), false)).resolves.toBe('drop');
  });

  it("answers 'retry' to a network error", async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(sendBatch(URL_, events(1), false)).resolves.toBe('retry');
  });

  it('uses keepalive while the body fits the 60000-byte quota', async () => {
    await sendBatch(URL_, events(3), false);
    expect(fetchInit().keepalive).toBe(true);
  });

  it('does not use keepalive for a single event over the quota', async () => {
    await sendBatch(URL_, events(1, 70_000), false);
    expect(bytes(fetchInit().body as string)).toBeGreaterThan(QUOTA);
    expect(fetchInit().keepalive).toBe(false);
  });

  it('splits a batch over the quota into requests that each fit, one after the other, keeping every event in order', async () => {
    const big = events(20, 14_000);
    await expect(sendBatch(URL_, big, false)).resolves.toBe('ok');
    expect(fetchMock.mock.calls.length).toBeGreaterThan(4);
    const bodies = fetchMock.mock.calls.map(([, init]) => init.body as string);
    expect(bodies.every((b) => bytes(b) <= QUOTA && parsed(b).v == 2)).toBe(true);
    expect(bodies.flatMap(sent)).toEqual(big);
    expect(fetchMock.mock.calls.every(([, init]) => init.keepalive)).toBe(true);
  });

  it('stops at the first half that fails, so the lane retries the whole batch', async () => {
    fetchMock.mockImplementationOnce(async () => new Response('{}', { status: 503 }));
    await expect(sendBatch(URL_, events(4, 25_000), false)).resolves.toBe('retry');
    expect(fetchMock).toHaveBeenCalledOnce();
  });

  it('reports a refused half after a delivered one, so the batch is not kept for ever', async () => {
    fetchMock.mockImplementationOnce(async () => new Response('{}', { status: 200 })).mockImplementation(async () => new Response('{}', { status: 400 }));
    await expect(sendBatch(URL_, events(2, 40_000), false)).resolves.toBe('drop');
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('counts bytes, not characters, against the quota', async () => {
    // 25,000 three-byte characters: 25,000 characters but 75,000 bytes
    const wide = [{ ...event(1), props: { pad: '€'.repeat(25_000) } }];
    await sendBatch(URL_, wide, false);
    expect(fetchInit().keepalive).toBe(false);
  });

  it('falls back to a plain fetch when the keepalive fetch is refused', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('keepalive quota')).mockResolvedValueOnce(new Response('{}', { status: 200 }));
    await expect(sendBatch(URL_, events(1), false)).resolves.toBe('ok');
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(fetchInit(0).keepalive).toBe(true);
    expect(fetchInit(1).keepalive).toBeFalsy();
    expect(fetchInit(1).body).toBe(fetchInit(0).body);
    expect(fetchInit(1).headers).toMatchObject({ 'Content-Type': 'text/plain;charset=UTF-8' });
  });

  it('never calls sendBeacon outside unload', async () => {
    await sendBatch(URL_, events(1), false);
    expect(beacon).not.toHaveBeenCalled();
  });
});

describe('sendBatch on unload', () => {
  it("hands the batch to sendBeacon as a string (text/plain) and answers 'beacon'", async () => {
    await expect(sendBatch(URL_, events(2), true)).resolves.toBe('beacon');
    expect(beacon).toHaveBeenCalledOnce();
    const [url, body] = beacon.mock.calls[0];
    expect(url).toBe(URL_);
    expect(typeof body).toBe('string');
    expect(parsed(body).v).toBe(2);
    expect(sent(body)).toEqual(events(2));
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('splits a body over 60000 bytes into beacons that each fit, keeping every event in order', async () => {
    const many = events(12, 10_000);
    await sendBatch(URL_, many, true);
    expect(beacon.mock.calls.length).toBeGreaterThan(1);
    for (const [, body] of beacon.mock.calls) expect(bytes(body as string)).toBeLessThanOrEqual(QUOTA);
    expect(beacon.mock.calls.flatMap(([, body]) => sent(body).map((e) => e.id))).toEqual(many.map((e) => e.id));
  });

  it("falls back to fetch with keepalive when sendBeacon refuses, and still answers 'beacon'", async () => {
    beacon.mockReturnValue(false);
    await expect(sendBatch(URL_, events(2), true)).resolves.toBe('beacon');
    expect(fetchMock).toHaveBeenCalledOnce();
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe(URL_);
    expect(init).toMatchObject({ method: 'POST', keepalive: true });
    expect(init.body).toBe(beacon.mock.calls[0][1]);
  });

  it('uses fetch with keepalive where sendBeacon does not exist', async () => {
    delete (navigator as { sendBeacon?: unknown }).sendBeacon;
    Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: undefined });
    await expect(sendBatch(URL_, events(1), true)).resolves.toBe('beacon');
    expect(fetchInit()).toMatchObject({ keepalive: true });
  });

  it('does not throw or reject when the fallback fetch fails', async () => {
    beacon.mockReturnValue(false);
    fetchMock.mockRejectedValue(new TypeError('quota'));
    await expect(sendBatch(URL_, events(1), true)).resolves.toBe('beacon');
  });

  it('hands over synchronously, before the page can go away, split batches included', () => {
    void sendBatch(URL_, events(1), true);
    expect(beacon).toHaveBeenCalledOnce();
    void sendBatch(URL_, events(12, 10_000), true);
    expect(beacon.mock.calls.length).toBeGreaterThan(2);
  });
});

describe('sendBatch: what the page is told', () => {
  it('says once per endpoint, even without debug, that a 4xx drops events, with the collector\'s reason', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    fetchMock.mockImplementation(async () => new Response('{"error":"origin not allowed"}', { status: 403 }));
    const url = 'https://collect.example.com/refusing';
    for (let i = 0; i < 3; i++) await expect(sendBatch(url, events(1), false)).resolves.toBe('drop');
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]![0]).toMatch(/^\[waybill\] https:\/\/collect\.example\.com\/refusing answered 403 \(origin not allowed\): events are dropped\. Check the endpoint, and that the collector allows this origin \(/);
    fetchMock.mockImplementation(async () => new Response('<h1>Not Found</h1>', { status: 404 }));
    await sendBatch('/wrong-endpoint', events(1), false);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1]![0]).toMatch(/^\[waybill\] \/wrong-endpoint answered 404: events are dropped/);
    warn.mockRestore();
  });

  it('says once when a 2xx is not a collector\'s answer (a site answering every path with HTML), and when the collector rejected events', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    fetchMock.mockImplementation(async () => new Response('<!doctype html><title>Shop</title>', { status: 200 }));
    for (let i = 0; i < 2; i++) await expect(sendBatch('/api/collect', events(1), false)).resolves.toBe('ok');
    expect(warn.mock.calls).toEqual([['[waybill] /api/collect answered 200, not as a Waybill collector: check the endpoint']]);

    fetchMock.mockImplementation(async () => new Response('{"accepted":1,"duplicates":0,"rejected":[{"index":1,"error":"events/1/name: must be well-formed"}]}', { status: 200 }));
    for (let i = 0; i < 2; i++) await sendBatch('/collect', events(2), false);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1]).toEqual(['[waybill] /collect rejected events: events/1/name: must be well-formed']);

    fetchMock.mockImplementation(async () => new Response('{"accepted":2,"duplicates":0,"rejected":[]}', { status: 200 }));
    await sendBatch('/collect-healthy', events(2), false);
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });

  it('says nothing for answers that are retried', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    answer(503);
    await sendBatch('https://collect.example.com/busy', events(1), false);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('reads every answer to its end (Chromium counts an unread keepalive answer against the quota)', async () => {
    const read: number[] = [];
    fetchMock.mockImplementation(async () => {
      const res = new Response('{"accepted":1}', { status: 200 });
      const json = res.json.bind(res);
      res.json = () => (read.push(1), json());
      return res;
    });
    await sendBatch(URL_, events(20, 14_000), false);
    expect(read.length).toBe(fetchMock.mock.calls.length);
  });
});

describe('askKnown', () => {
  it('asks with {"v": 1, "known": [...]} as text/plain, and resolves to the ids the collector holds', async () => {
    fetchMock.mockImplementation(async () => new Response('{"known":["evt-2"]}', { status: 200 }));
    await expect(askKnown(URL_, ['evt-1', 'evt-2'], { 'X-Shop': 'demo' })).resolves.toEqual(['evt-2']);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe(URL_);
    expect(init).toMatchObject({ method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8', 'X-Shop': 'demo' } });
    expect(JSON.parse(init.body as string)).toEqual({ v: 1, known: ['evt-1', 'evt-2'] });
  });

  it('asks about at most 500 ids a request', async () => {
    fetchMock.mockImplementation(async (_, init) => new Response(JSON.stringify({ known: JSON.parse(init.body as string).known.slice(0, 1) })));
    const ids = Array.from({ length: 1200 }, (_, i) => 'evt-' + i);
    await expect(askKnown(URL_, ids)).resolves.toEqual(['evt-0', 'evt-500', 'evt-1000']);
    expect(fetchMock.mock.calls.map(([, init]) => JSON.parse(init.body as string).known.length)).toEqual([500, 500, 200]);
  });

  it.each([
    ['a 400 (a collector that does not know the question)', () => new Response('{"error":"\\"events\\" must be an array"}', { status: 400 })],
    ['a 503', () => new Response('{}', { status: 503 })],
    ['an answer without "known"', () => new Response('{"accepted":0}', { status: 200 })],
    ['an answer that is not JSON', () => new Response('<html>', { status: 200 })],
  ])('cannot tell (resolves to nothing) on %s', async (_, reply) => {
    fetchMock.mockImplementation(async () => reply());
    await expect(askKnown(URL_, ['evt-1'])).resolves.toBeUndefined();
  });

  it('rejects when the question gets no answer (the network fails): no answer is not "cannot tell"', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(askKnown(URL_, ['evt-1'])).rejects.toThrow('Failed to fetch');
  });
});

