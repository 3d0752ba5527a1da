// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { askKnown, sendBatch, type WaybillEvent, type WireBatch } from '@waybill/core';
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
const parsed = (body: unknown) => JSON.parse(body as string) as WireBatch;
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
  it('POSTs the batch as text/plain JSON in wire format v1', async () => {
    useFakeClock(Date.UTC(2025, 0, 15, 12, 0, 0));
    await sendBatch(URL_, events(2), false);
    expect(fetchMock).toHaveBeenCalledOnce();
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe(URL_);
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({ 'Content-Type': 'text/plain;charset=UTF-8' });
    expect(typeof init.body).toBe('string');
    expect(parsed(init.body)).toEqual({ v: 1, sentAt: '2025-01-15T12:00:00.000Z', events: events(2) });
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
    expect(bodies.every((b) => bytes(b) <= QUOTA && parsed(b).v == 1)).toBe(true);
    expect(bodies.flatMap((b) => parsed(b).events)).toEqual(big);
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
    expect(parsed(body)).toMatchObject({ v: 1, events: events(2) });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('splits a body over 60000 bytes into beacons that each fit, keeping every event in order', async () => {
    const many = events(12, 10_000);
    await sendBatch(URL_, many, true);
    expect(beacon.mock.calls.length).toBeGreaterThan(1);
    for (const [, body] of beacon.mock.calls) expect(bytes(body as string)).toBeLessThanOrEqual(QUOTA);
    expect(beacon.mock.calls.flatMap(([, body]) => parsed(body).events.map((e) => e.id))).toEqual(many.map((e) => e.id));
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

