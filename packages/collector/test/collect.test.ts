import { createServer, request } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCollector } from '@waybill/collector';
import { batch, expectAlive, expectError, makeEvent, post, startCollector, tempDir, stored } from './helpers';

describe('POST /collect: accepted batches', () => {
  it('stores a text/plain batch (as sendBeacon sends it) and answers the counts', async () => {
    const { collector, url } = await startCollector();
    const events = [makeEvent({ name: 'view_item' }), makeEvent({ type: 'page', name: 'page_view' })];
    const res = await post(url, batch(events));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });

    const kept = await stored(collector);
    expect(kept.map((e) => e.id)).toEqual([events[1]!.id, events[0]!.id]);
    // what was sent comes back unchanged, plus the time it was received
    const { receivedAt, ...sent } = kept[1]!;
    expect(sent).toEqual(events[0]);
    expect(receivedAt).toBeGreaterThan(0);
    expect(collector.stats()).toEqual({ requests: 1, accepted: 2, duplicates: 0, rejected: 0 });
  });

  it('accepts application/json and text/plain in any case and with parameters, and a leading BOM', async () => {
    const { collector, url } = await startCollector();
    const json = await fetch(`${url}/collect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: batch([makeEvent()]),
    });
    expect(await json.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const shouted = await post(url, batch([makeEvent()]), { 'Content-Type': 'TEXT/Plain ; Charset=UTF-8' });
    expect(await shouted.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    // some clients start UTF-8 text with a byte order mark
    const bom = await post(url, '\uFEFF' + batch([makeEvent()]));
    expect(await bom.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await stored(collector)).toHaveLength(3);
  });

  it('keeps optional fields optional: userId, traits, and explicit nulls', async () => {
    const { collector, url } = await startCollector();
    const minimal = { id: 'min-1', type: 'identify', name: 'identify', ts: 1 };
    const identified = makeEvent({ type: 'identify', name: 'identify', userId: 'user-42', traits: { email: 'a'.repeat(64) } });
    const nulls = makeEvent({ userId: null, traits: null, props: null });
    const res = await post(url, batch([minimal, identified, nulls]));
    expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    expect((await stored(collector, { name: 'identify' })).map((e) => e.userId)).toEqual(['user-42', undefined]);
  });

  it('answers an empty batch with zero counts', async () => {
    const { url } = await startCollector();
    const res = await post(url, batch([]));
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 0, rejected: [] });
  });
});

describe('POST /collect: duplicates', () => {
  it('counts an id repeated within one batch once', async () => {
    const { collector, url } = await startCollector();
    const e = makeEvent();
    const res = await post(url, batch([e, { ...e, name: 'changed' }, e]));
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 2, rejected: [] });
    expect((await stored(collector)).map((s) => s.name)).toEqual(['add_to_cart']);
  });

  it('counts an id seen in an earlier batch as a duplicate, not an error', async () => {
    const { collector, url } = await startCollector();
    const [a, b] = [makeEvent(), makeEvent()];
    await post(url, batch([a]));
    const res = await post(url, batch([a, b]));
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect((await stored(collector)).map((e) => e.id)).toEqual([b.id, a.id]);
    expect(collector.stats()).toEqual({ requests: 2, accepted: 2, duplicates: 1, rejected: 0 });
  });

  it('remembers ids across a restart on the same database file', async () => {
    const db = join(tempDir(), 'nested', 'waybill.db');
    const [a, b] = [makeEvent({ id: 'purchase-1001' }), makeEvent()];

    const first = createCollector({ db });
    const firstUrl = await first.listen(0);
    expect(await (await post(firstUrl, batch([a]))).json()).toMatchObject({ accepted: 1 });
    await first.close();

    const second = createCollector({ db });
    onTestFinished(() => second.close());
    const secondUrl = await second.listen(0);
    expect(await (await post(secondUrl, batch([a, b]))).json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect((await stored(second)).map((e) => e.id)).toEqual([b.id, a.id]);
  });
});

describe('POST /collect: event validation', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['missing id', { id: undefined }, /^id must be/],
    ['empty id', { id: '' }, /^id must be/],
    ['id with a space', { id: 'a b' }, /^id must be/],
    ['id of 129 characters', { id: 'x'.repeat(129) }, /^id must be/],
    ['numeric id', { id: 42 }, /^id must be/],
    ['unknown type', { type: 'alias' }, /^type must be one of track, page, identify/],
    ['missing name', { name: undefined }, /^name must be/],
    ['empty name', { name: '' }, /^name must be/],
    ['name of 129 characters', { name: 'n'.repeat(129) }, /^name must be/],
    ['name with a line break', { name: 'add\nto_cart' }, /^name must be .*without control characters/],
    ['name with a NUL', { name: 'add_to_cart\u0000' }, /^name must be .*without control characters/],
    ['name with an escape', { name: '\u001b[31mred' }, /^name must be .*without control characters/],
    ['name with a DEL', { name: 'add\u007f' }, /^name must be .*without control characters/],
    ['ts as a string', { ts: '1700000000000' }, /^ts must be/],
    ['ts of zero', { ts: 0 }, /^ts must be/],
    ['negative ts', { ts: -5 }, /^ts must be/],
    ['props as an array', { props: [1, 2] }, /^props must be an object/],
    ['props as a string', { props: 'x' }, /^props must be an object/],
    ['anonymousId of 129 characters', { anonymousId: 'a'.repeat(129) }, /^anonymousId must be a string/],
    ['numeric sessionId', { sessionId: 7 }, /^sessionId must be a string/],
    ['userId of 257 characters', { userId: 'u'.repeat(257) }, /^userId must be a string of at most 256/],
    ['traits as an array', { traits: [] }, /^traits must be an object/],
    ['context as a string', { context: 'x' }, /^context must be an object/],
  ];

  it.each(cases)('rejects an event with %s and stores its good neighbours', async (_, fields, error) => {
    const { collector, url } = await startCollector();
    const [good1, bad, good2] = [makeEvent(), makeEvent(fields), makeEvent()];
    const res = await post(url, batch([good1, bad, good2]));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; error: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toHaveLength(1);
    expect(body.rejected[0]!.index).toBe(1);
    expect(body.rejected[0]!.error).toMatch(error);
    expect((await stored(collector)).map((e) => e.id)).toEqual([good2.id, good1.id]);
    expect(collector.stats().rejected).toBe(1);
    await expectAlive(url);
  });

  it('accepts the boundaries: 128-character id and name, 256-character userId', async () => {
    const { url } = await startCollector();
    const edge = makeEvent({ id: 'A-z_0.9:'.repeat(16), name: 'n'.repeat(128), userId: 'u'.repeat(256) });
    expect(await (await post(url, batch([edge]))).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  });

  it('rejects an event nested more than 32 levels deep (5000 here) and stores the rest of its batch', async () => {
    const { collector, url } = await startCollector();
    const nested = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    const event = (id: string, field: string, levels: number) =>
      `{"id":"${id}","type":"track","name":"deep","ts":1,"${field}":${nested(levels)}}`;
    const [good1, good2] = [makeEvent(), makeEvent()];
    const events = [
      JSON.stringify(good1),
      event('props-5000', 'props', 5000),
      event('traits-33', 'traits', 33),
      event('context-33', 'context', 33),
      event('other-33', 'other', 33),
      event('props-32', 'props', 32),
      JSON.stringify(good2),
    ];
    const res = await post(url, `{"v":1,"events":[${events.join(',')}]}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      accepted: 3,
      duplicates: 0,
      rejected: [
        { index: 1, error: 'props must be an object, nested at most 32 levels deep' },
        { index: 2, error: 'traits must be an object (email and phone as SHA-256 hex), nested at most 32 levels deep' },
        { index: 3, error: 'context must be an object, nested at most 32 levels deep' },
        { index: 4, error: 'other must be JSON nested at most 32 levels deep' },
      ],
    });
    expect((await stored(collector)).map((e) => e.id)).toEqual([good2.id, 'props-32', good1.id]);
    await expectAlive(url);
  });

  it('rejects an event over 128 KiB as stored JSON, counting what is stored, and stores the rest', async () => {
    const { collector, url } = await startCollector();
    /** An event whose JSON is exactly `bytes` long. */
    const sized = (bytes: number): Record<string, unknown> => {
      const event = makeEvent({ props: { pad: '' } });
      return { ...event, props: { pad: 'x'.repeat(bytes - JSON.stringify(event).length) } };
    };
    const [good, atLimit, over] = [makeEvent(), sized(128 * 1024), sized(128 * 1024 + 1)];
    // 40 KB as sent, 176 KB as stored: JSON.stringify writes 1e20 as 100000000000000000000
    const amplified = `{"id":"amp-1","type":"track","name":"amp","ts":1,"props":{"n":[${Array(8000).fill('1e20').join(',')}]}}`;
    // Two requests: the three big events together would be over the 256 KiB body limit.
    const first = await post(url, `{"v":1,"events":[${[good, atLimit].map((e) => JSON.stringify(e)).join(',')}]}`);
    expect(await first.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const res = await post(url, `{"v":1,"events":[${JSON.stringify(over)},${amplified}]}`);
    expect(await res.json()).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: [
        { index: 0, error: 'event is too large: 131073 bytes as stored JSON (at most 131072)' },
        { index: 1, error: expect.stringMatching(/^event is too large: \d+ bytes as stored JSON \(at most 131072\)$/) },
      ],
    });
    // bytes, not characters: 70,000 characters of é are 140,000 bytes
    const accented = makeEvent({ props: { text: 'é'.repeat(70_000) } });
    const second = (await (await post(url, batch([accented]))).json()) as { rejected: { error: string }[] };
    expect(second.rejected[0]?.error).toMatch(/^event is too large: 14\d{4} bytes/);
    expect((await stored(collector)).map((e) => e.id)).toEqual([atLimit.id, good.id]);
  });

  it('names every bad field of one event', async () => {
    const { url } = await startCollector();
    const res = await post(url, batch([{ id: '', type: 'x', name: 'ok', ts: 'now' }]));
    const { rejected } = (await res.json()) as { rejected: { index: number; error: string }[] };
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.error).toMatch(/id must be.*; type must be.*; ts must be/);
  });

  it.each([null, 'text', 3, [makeEvent()]])('rejects a non-object event (%j)', async (item) => {
    const { url } = await startCollector();
    const res = await post(url, batch([item]));
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 0, rejected: [{ index: 0, error: 'event must be an object' }] });
  });
});

describe('POST /collect: well-formed text', () => {
  // A lone surrogate cannot be stored as text: SQLite would index U+FFFD while the JSON keeps the
  // original, so GET /events?name= could never find the event.
  it.each([
    ['a name with a lone high surrogate', { name: 'view\ud800item' }, /^name must be .*unpaired surrogates/],
    ['a name with a lone low surrogate', { name: '\udc00' }, /^name must be/],
    ['a userId with a lone surrogate', { userId: 'user-\udbff' }, /^userId must be a string of at most 256 characters, without unpaired surrogates$/],
    ['an anonymousId with a lone surrogate', { anonymousId: '\ud83d' }, /^anonymousId must be/],
  ])('rejects %s', async (_, fields, error) => {
    const { collector, url } = await startCollector();
    const res = await post(url, batch([makeEvent(fields)]));
    const { rejected } = (await res.json()) as { rejected: { error: string }[] };
    expect(rejected[0]?.error).toMatch(error);
    expect(await stored(collector)).toEqual([]);
  });

  it('accepts names and user ids in any script, emoji included, and finds them by name', async () => {
    const { url } = await startCollector();
    const events = [makeEvent({ name: '😀 sock_added', userId: 'ユーザー🧦' }), makeEvent({ name: 'добавить_в_корзину' })];
    expect(await (await post(url, batch(events))).json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const found = await (await fetch(`${url}/events?name=${encodeURIComponent('😀 sock_added')}`)).json();
    expect(found.events.map((e: { userId: string }) => e.userId)).toEqual(['ユーザー🧦']);
  });
});

describe('POST /collect: the "known" query', () => {
  const known = (ids: unknown) => JSON.stringify({ v: 1, known: ids });

  it('answers which of the ids are stored, under the same origin rules and content types as a batch', async () => {
    const { collector, url } = await startCollector({ allowedOrigins: ['https://shop.example'] });
    const [a, b] = [makeEvent(), makeEvent()];
    await post(url, batch([a, b]));
    const res = await post(url, known([b.id, 'never-sent', a.id]), { Origin: 'https://shop.example' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(await res.json()).toEqual({ known: [b.id, a.id] });
    const json = await post(url, known([a.id]), { 'Content-Type': 'application/json' });
    expect(await json.json()).toEqual({ known: [a.id] });
    expect(await (await post(url, known([]))).json()).toEqual({ known: [] });
    await expectError(await post(url, known([a.id]), { Origin: 'https://evil.example' }), 403);
    await expectError(await post(url, known([a.id]), { 'Content-Type': 'image/png' }), 415);
    expect(collector.stats()).toMatchObject({ accepted: 2, duplicates: 0 });
  });

  it('takes 500 ids, and refuses 501 or an id that is not one with 400', async () => {
    const { url } = await startCollector();
    const ids = Array.from({ length: 500 }, (_, i) => `id-${i}`);
    expect(await (await post(url, known(ids))).json()).toEqual({ known: [] });
    await expectError(await post(url, known([...ids, 'one-more'])), 400, /^known must be an array of at most 500 event ids$/);
    await expectError(await post(url, known(['ok', 'not ok'])), 400, /^known\[1\] must be a string of 1-128 characters/);
    await expectError(await post(url, known('abc')), 400, /^known must be an array/);
    await expectError(await post(url, JSON.stringify({ v: 2, known: [] })), 400, /unsupported wire format version 2/);
  });
});

describe('POST /collect: refused requests', () => {
  it('400 for a body that is not JSON', async () => {
    const { url } = await startCollector();
    await expectError(await post(url, '{"v": 1, "events": ['), 400, /not valid JSON/);
    await expectError(await post(url, ''), 400, /empty/);
    await expectAlive(url);
  });

  it.each([
    ['an array', '[]', /JSON object/],
    ['a string', '"hello"', /JSON object/],
    ['no version', JSON.stringify({ events: [] }), /^v must be 1 \(the wire format version\)$/],
    ['no events', JSON.stringify({ v: 1 }), /^events must be an array/],
    ['events as an object', JSON.stringify({ v: 1, events: {} }), /^events must be an array/],
  ])('400 for a body that is %s', async (_, body, message) => {
    const { url } = await startCollector();
    await expectError(await post(url, body), 400, message);
    await expectAlive(url);
  });

  it('400 naming an unsupported wire format version', async () => {
    const { collector, url } = await startCollector();
    await expectError(await post(url, JSON.stringify({ v: 3, events: [makeEvent()] })), 400, /unsupported wire format version 3/);
    expect(await stored(collector)).toHaveLength(0);
  });

  it('413 for more than 500 events, 200 for exactly 500', async () => {
    const { collector, url } = await startCollector();
    const events = Array.from({ length: 501 }, () => makeEvent({ context: undefined, props: undefined }));
    await expectError(await post(url, batch(events)), 413, /too many events.*501/);
    expect(await stored(collector)).toHaveLength(0);
    expect(await (await post(url, batch(events.slice(0, 500)))).json()).toMatchObject({ accepted: 500 });
  });

  it('415 for a body without Content-Type', async () => {
    const { collector, url } = await startCollector();
    // a byte array body makes fetch send no Content-Type at all
    const res = await fetch(`${url}/collect`, { method: 'POST', body: new TextEncoder().encode(batch([makeEvent()])) });
    await expectError(res, 415, /no Content-Type: send text\/plain or application\/json/);
    expect(await stored(collector)).toHaveLength(0);
  });

  it('415 for other content types and compressed bodies', async () => {
    const { collector, url } = await startCollector();
    const body = batch([makeEvent()]);
    await expectError(await post(url, body, { 'Content-Type': 'application/x-www-form-urlencoded' }), 415, /Content-Type/);
    await expectError(await post(url, body, { 'Content-Type': 'multipart/form-data; boundary=x' }), 415);
    await expectError(await post(url, body, { 'Content-Encoding': 'gzip' }), 415, /Content-Encoding/);
    expect(await stored(collector)).toHaveLength(0);
    await expectAlive(url);
  });

  it('413 when Content-Length announces more than maxBodyBytes, 200 at exactly the limit', async () => {
    const { collector, url } = await startCollector({ maxBodyBytes: 2048 });
    const body = batch([makeEvent()]);
    const atLimit = body.padEnd(2048, ' '); // whitespace after JSON is still JSON
    expect(await (await post(url, atLimit)).json()).toMatchObject({ accepted: 1 });
    await expectError(await post(url, body.padEnd(2049, ' ')), 413, /larger than 2048 bytes/);
    expect(await stored(collector)).toHaveLength(1);
    await expectAlive(url);
  });

  it.each([
    ['413', 413, {}],
    ['415', 415, { 'Content-Type': 'image/png' }],
    ['403', 403, { Origin: 'https://evil.example' }],
  ])('%s before the body is sent, then closes instead of reading on', async (_, expected, headers) => {
    const { collector, url } = await startCollector({ maxBodyBytes: 2048 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/collect`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', 'Content-Length': '10000000', ...headers },
      });
      req.on('response', (res) => {
        res.resume();
        // the client never sends the other 9,999,999 bytes: only the server can end this
        req.socket!.on('close', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write('{');
    });
    expect(status).toBe(expected);
    expect(collector.stats().requests).toBe(1);
    await expectAlive(url);
  });

  it('413 above 256 KiB by default', async () => {
    const { url } = await startCollector();
    const big = batch([makeEvent({ props: { blob: 'x'.repeat(256 * 1024) } })]);
    await expectError(await post(url, big), 413, /larger than 262144 bytes/);
    await expectAlive(url);
  });

  it('413 for a chunked body that grows past the limit, without reading it all', async () => {
    const collector = createCollector({ db: ':memory:', maxBodyBytes: 4096 });
    // what the server read off each connection, counted at the socket: reading the request
    // here would take the body from the collector
    const seen: { chunked: boolean; socket: Socket }[] = [];
    const server = createServer((req, res) => {
      seen.push({ chunked: req.headers['transfer-encoding'] === 'chunked', socket: req.socket });
      collector.handle(req, res);
    });
    onTestFinished(async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await collector.close();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    const url = `http://127.0.0.1:${port}`;

    // 10 MB offered in 64 KiB chunks: the answer must come long before the end
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let offered = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offered >= 10 * 1024 * 1024) return controller.close();
        offered += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const headers = { 'Content-Type': 'text/plain' };
    const res = await fetch(`${url}/collect`, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
    await expectError(res, 413, /larger than 4096 bytes/);
    expect(seen[0]!.chunked).toBe(true);
    // reading stops at the chunk that crossed the limit (a socket read is at most 64 KiB), give or
    // take the chunks the Fetch API's body stream had queued ahead of it
    expect(seen[0]!.socket.bytesRead).toBeLessThanOrEqual(4096 + 3 * 64 * 1024);

    // a chunked body within the limit is fine
    const small = new TextEncoder().encode(batch([makeEvent()]));
    const ok = await fetch(`${url}/collect`, {
      method: 'POST',
      headers,
      duplex: 'half',
      body: new ReadableStream({ start: (c) => (c.enqueue(small), c.close()) }),
    } as RequestInit);
    expect(await ok.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(seen[1]!.chunked).toBe(true);
    expect(collector.stats()).toEqual({ requests: 2, accepted: 1, duplicates: 0, rejected: 0 });
  });

  it('survives a client that hangs up halfway through a body', async () => {
    const { collector, url } = await startCollector();
    await new Promise<void>((done) => {
      const req = request(`${url}/collect`, { method: 'POST', headers: { 'Content-Type': 'text/plain' } });
      req.on('error', () => {}); // the hang-up we cause
      req.on('close', () => done());
      req.write('{"v": 1, "events": [', () => {
        // wait until the collector counted the request, so it really is mid-body when we leave
        const poll = setInterval(() => {
          if (collector.stats().requests === 1) {
            clearInterval(poll);
            req.destroy();
          }
        }, 5);
      });
    });
    await expectAlive(url);
    expect(collector.stats().requests).toBe(2);
    expect(await stored(collector)).toHaveLength(1);
  });
});
