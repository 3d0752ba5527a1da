import { createServer, request } from 'node:http';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createCollector } from '@waybill/collector';
import { batch, expectAlive, expectError, makeEvent, post, rawRequest, startCollector, tempDir, stored } from './helpers';

const SHOP = 'https://shop.example';

describe('CORS', () => {
  it('lets an allowed origin send events and read the answer', async () => {
    const { collector, url } = await startCollector({ allowedOrigins: [SHOP] });
    const res = await post(url, batch([makeEvent()]), { Origin: SHOP });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('vary')).toMatch(/Origin/);
    expect(await stored(collector)).toHaveLength(1);
  });

  it('refuses a POST from an origin not on the list, and stores nothing', async () => {
    const { collector, url } = await startCollector({ allowedOrigins: [SHOP] });
    const res = await post(url, batch([makeEvent()]), { Origin: 'https://evil.example' });
    expect(await expectError(res, 403)).toBe('origin not allowed');
    expect(await stored(collector)).toHaveLength(0);
    expect(collector.stats().requests).toBe(1);
    await expectAlive(url);
  });

  // The SDK must see the refusal to stop retrying and say why: the page may read the 403, which
  // holds nothing but that refusal (no credentials allowed, no data, no other route).
  it('lets the refused page read its 403, and nothing more', async () => {
    const { url } = await startCollector({ allowedOrigins: [SHOP] });
    const evil = 'https://evil.example';
    const res = await post(url, batch([makeEvent()]), { Origin: evil });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBe(evil);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toMatch(/Origin/);
    expect(await res.json()).toEqual({ error: 'origin not allowed' });
    for (const path of ['/events', '/health']) {
      const read = await fetch(`${url}${path}`, { headers: { Origin: evil } });
      expect(read.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });

  it('logs each refused origin once, at warn, naming the flag that allows it', async () => {
    const lines: [string, string][] = [];
    const { url } = await startCollector({ allowedOrigins: [SHOP], log: (line, level) => lines.push([line, level]) });
    for (const origin of ['http://localhost:5173', 'http://localhost:5173', 'null', 'null', 'https://b.example']) {
      await post(url, batch([makeEvent()]), { Origin: origin });
    }
    await post(url, batch([makeEvent()]), { Origin: SHOP });
    expect(lines.filter(([, level]) => level === 'warn')).toEqual([
      ['refused events from origin http://localhost:5173: add --allow-origin http://localhost:5173 (allowedOrigins in code) to accept them', 'warn'],
      ['refused events from a page with Origin: null (a sandboxed frame or a file: page), which cannot be allowed', 'warn'],
      ['refused events from origin https://b.example: add --allow-origin https://b.example (allowedOrigins in code) to accept them', 'warn'],
    ]);
  });

  it('stops warning after 100 refused origins, saying so once', async () => {
    const warnings: string[] = [];
    const { url } = await startCollector({ log: (line, level) => level === 'warn' && warnings.push(line) });
    for (let i = 0; i < 102; i++) await post(url, batch([]), { Origin: `https://shop-${i}.example` });
    expect(warnings).toHaveLength(101);
    expect(warnings[100]).toBe('more origins refused: not logged any more');
  });

  it.each([
    ['400', 'not json', {}],
    ['413', 'x'.repeat(3000), {}],
    ['415', batch([]), { 'Content-Type': 'image/png' }],
  ])('lets an allowed page read a %s, and Retry-After on any answer', async (status, body, headers) => {
    const { url } = await startCollector({ allowedOrigins: [SHOP], maxBodyBytes: 2048 });
    const res = await post(url, body, { Origin: SHOP, ...headers });
    expect(res.status).toBe(Number(status));
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/\bRetry-After\b/i);
    const ok = await post(url, batch([]), { Origin: SHOP });
    expect(ok.headers.get('access-control-expose-headers')).toMatch(/\bRetry-After\b/i);
  });

  it('allows same-origin pages without any list, and requests with no Origin', async () => {
    const { collector, url } = await startCollector();
    const same = await post(url, batch([makeEvent()]), { Origin: url });
    expect(same.status).toBe(200);
    expect(same.headers.get('access-control-allow-origin')).toBe(url);
    const serverToServer = await post(url, batch([makeEvent()]));
    expect(serverToServer.status).toBe(200);
    expect(serverToServer.headers.get('access-control-allow-origin')).toBeNull();
    await expectError(await post(url, batch([makeEvent()]), { Origin: SHOP }), 403);
    expect(await stored(collector)).toHaveLength(2);
  });

  it("allows any origin with '*', echoing it (credentials forbid a literal *)", async () => {
    const { url } = await startCollector({ allowedOrigins: ['*'] });
    const res = await post(url, batch([makeEvent()]), { Origin: 'https://anywhere.example' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
  });

  it('answers a preflight from an allowed origin with 204 and the allowed methods and headers', async () => {
    const { url } = await startCollector({ allowedOrigins: [SHOP] });
    const res = await fetch(`${url}/collect`, {
      method: 'OPTIONS',
      headers: { Origin: SHOP, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, x-shop-id' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const list = (header: string) => (res.headers.get(header) ?? '').toLowerCase().split(/\s*,\s*/).sort();
    expect(list('access-control-allow-methods')).toEqual(['options', 'post']);
    expect(list('access-control-allow-headers')).toEqual(['content-type', 'x-shop-id']);
    expect(res.headers.get('access-control-max-age')).toBe('86400');
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  it('refuses a preflight from an origin not on the list', async () => {
    const { url } = await startCollector({ allowedOrigins: [SHOP] });
    const res = await fetch(`${url}/collect`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
    expect(await expectError(res, 403)).toBe('origin not allowed');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each(['localhost:5173', 'shop.example', 'shop.example:443', 'https://*.example.com', 'https://shop.example/path', 'file:///site', 'null', ''])(
    'refuses the allowed origin %j at start, naming it',
    (entry) => {
      const create = () => createCollector({ db: ':memory:', allowedOrigins: [SHOP, entry] });
      expect(create).toThrow(TypeError);
      expect(create).toThrow(`allowed origin ${JSON.stringify(entry)} is not scheme://host[:port]`);
    },
  );

  it("never admits Origin: null (a sandboxed frame, a file: page), even with '*'", async () => {
    const { collector, url } = await startCollector({ allowedOrigins: ['*'] });
    const res = await post(url, batch([makeEvent()]), { Origin: 'null' });
    expect(await expectError(res, 403)).toBe('origin not allowed');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await fetch(`${url}/collect`, { method: 'OPTIONS', headers: { Origin: 'null' } });
    await expectError(preflight, 403);
    expect(await stored(collector)).toHaveLength(0);
  });

  it('takes a single origin as a string, written in any case, with a default port or a trailing slash', async () => {
    const { url } = await startCollector({ allowedOrigins: 'HTTPS://Shop.Example:443/' });
    const res = await post(url, batch([makeEvent()]), { Origin: SHOP });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    await expectError(await post(url, batch([makeEvent()]), { Origin: 'https://evil.example' }), 403);
  });

  it('refuses allowedOrigins that is neither a string nor an array', () => {
    const allowedOrigins = { origin: SHOP } as unknown as string[];
    expect(() => createCollector({ db: ':memory:', allowedOrigins })).toThrow(/allowedOrigins must be an array of origins/);
  });
});

describe('GET /events', () => {
  async function seeded() {
    const started = await startCollector();
    const first = [makeEvent({ name: 'view_item' }), makeEvent({ name: 'add_to_cart' })];
    const second = [makeEvent({ name: 'view_item' }), makeEvent({ name: 'purchase' })];
    await post(started.url, batch(first));
    await post(started.url, batch(second));
    return { ...started, ids: [...first, ...second].map((e) => e.id as string).reverse() };
  }
  type Page = { events: { id: string; name: string; receivedAt: number }[]; next: string | null };
  const page = async (url: string, query = ''): Promise<Page> => {
    const res = await fetch(`${url}/events${query}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    return (await res.json()) as Page;
  };
  const get = async (url: string, query = '') => (await page(url, query)).events;
  /** Every page from the newest, following `next`. */
  const all = async (url: string, query: string): Promise<Page[]> => {
    const pages = [await page(url, `?${query}`)];
    while (pages.at(-1)!.next !== null) pages.push(await page(url, `?${query}&before=${pages.at(-1)!.next}`));
    return pages;
  };

  it('lists stored events newest first, each with receivedAt, and no next page when all fit', async () => {
    const { url, ids } = await seeded();
    const { events, next } = await page(url);
    expect(events.map((e) => e.id)).toEqual(ids);
    for (const e of events) expect(typeof e.receivedAt).toBe('number');
    expect(next).toBeNull();
  });

  it('applies limit and name', async () => {
    const { url, ids } = await seeded();
    expect((await get(url, '?limit=2')).map((e) => e.id)).toEqual(ids.slice(0, 2));
    expect((await get(url, '?name=view_item')).map((e) => e.id)).toEqual([ids[1], ids[3]]);
    expect((await get(url, '?name=view_item&limit=1')).map((e) => e.id)).toEqual([ids[1]]);
    expect(await page(url, '?name=refund')).toEqual({ events: [], next: null });
  });

  it('reads every event, page after page, with the cursor each page gives', async () => {
    const { url } = await startCollector();
    const events = Array.from({ length: 250 }, (_, i) => makeEvent({ name: i % 2 ? 'odd' : 'even', context: undefined }));
    await post(url, batch(events));
    const pages = await all(url, 'limit=100');
    expect(pages.map((p) => p.events.length)).toEqual([100, 100, 50]);
    expect(pages.flatMap((p) => p.events.map((e) => e.id))).toEqual(events.map((e) => e.id).reverse());
    // with a filter, the cursor keeps to it
    const odd = await all(url, 'limit=40&name=odd');
    expect(odd.map((p) => p.events.length)).toEqual([40, 40, 40, 5]);
    expect(odd.flatMap((p) => p.events.map((e) => e.id))).toEqual(events.filter((e) => e.name === 'odd').map((e) => e.id).reverse());
  });

  it('keeps its pages steady while events arrive: new ones are only on the first page', async () => {
    const { url } = await startCollector();
    const older = Array.from({ length: 10 }, () => makeEvent());
    await post(url, batch(older));
    const first = await page(url, '?limit=4');
    await post(url, batch([makeEvent(), makeEvent()]));
    const second = await page(url, `?limit=4&before=${first.next}`);
    expect(second.events.map((e) => e.id)).toEqual(older.slice(2, 6).map((e) => e.id).reverse());
  });

  it('returns 100 events by default and at most 1000', async () => {
    const { url } = await startCollector();
    const events = Array.from({ length: 500 }, () => makeEvent({ context: undefined, props: undefined }));
    await post(url, batch(events));
    await post(url, batch(events.map((e) => ({ ...e, id: `${e.id}-b` }))));
    await post(url, batch(events.map((e) => ({ ...e, id: `${e.id}-c` }))));
    expect(await get(url)).toHaveLength(100);
    expect(await get(url, '?limit=1000')).toHaveLength(1000);
  });

  it.each(['0', '1001', 'abc', '-1', '1.5', '10e2'])('400 for limit=%s', async (limit) => {
    const { url } = await startCollector();
    await expectError(await fetch(`${url}/events?limit=${limit}`), 400, /limit must be an integer from 1 to 1000/);
    await expectAlive(url);
  });

  it.each(['abc', '0', '-5', '1.5', '99999999999999999999'])('400 for a cursor that no page gave: before=%s', async (before) => {
    const { url } = await startCollector();
    await expectError(await fetch(`${url}/events?before=${before}`), 400, /^before must be the "next" cursor of an earlier page$/);
  });

  it('is also available as collector.events()', async () => {
    const { collector, ids } = await seeded();
    expect((await stored(collector)).map((e) => e.id)).toEqual(ids);
    const first = await collector.events({ limit: 1 });
    expect(first.events.map((e) => e.id)).toEqual(ids.slice(0, 1));
    expect((await stored(collector, { limit: 1, before: first.next! })).map((e) => e.id)).toEqual(ids.slice(1, 2));
    expect((await stored(collector, { name: 'purchase' })).map((e) => e.id)).toEqual([ids[0]]);
  });
});

describe('admin token', () => {
  const TOKEN = 'test-admin-token-0123456789';
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('guards GET /events: 401 with a JSON error without the token or with a wrong one', async () => {
    const { url } = await startCollector({ adminToken: TOKEN });
    await post(url, batch([makeEvent()]));
    const none = await fetch(`${url}/events`);
    await expectError(none, 401, /admin token/);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expectError(await fetch(`${url}/events`, { headers: auth('wrong-admin-token-0123456789') }), 401, /wrong admin token/);
    await expectError(await fetch(`${url}/events`, { headers: auth(TOKEN.slice(0, -1)) }), 401);
    await expectError(await fetch(`${url}/events`, { headers: { Authorization: `Basic ${btoa(`admin:${TOKEN}`)}` } }), 401, /Bearer/);
    const ok = await fetch(`${url}/events`, { headers: auth(TOKEN) });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { events: unknown[] }).events).toHaveLength(1);
  });

  it('leaves collection and /health open', async () => {
    const { url } = await startCollector({ adminToken: TOKEN });
    await expectAlive(url);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('guards the admin paths to come (forwarding) before they exist, erasure and the dashboard', async () => {
    const { url } = await startCollector({ adminToken: TOKEN });
    await expectError(await fetch(`${url}/users/anon-1`, { method: 'DELETE' }), 401);
    expect((await fetch(`${url}/users/anon-1`, { method: 'DELETE', headers: auth(TOKEN) })).status).toBe(200);
    for (const [method, path] of [['GET', '/forwarding'], ['POST', '/forwarding/retry']]) {
      await expectError(await fetch(`${url}${path}`, { method }), 401);
      await expectError(await fetch(`${url}${path}`, { method, headers: auth(TOKEN) }), 404);
    }
    // The dashboard: a sign-in page without the token, the page with it; its data needs the token.
    expect(await (await fetch(`${url}/dashboard`)).text()).toContain('Admin token');
    expect(await (await fetch(`${url}/dashboard`, { headers: auth(TOKEN) })).text()).toContain('chart-events');
    await expectError(await fetch(`${url}/v1/stats/summary`), 401);
  });

  it('answers an allowed cross-origin page in a way it can read, preflight included', async () => {
    const { url } = await startCollector({ adminToken: TOKEN, allowedOrigins: [SHOP] });
    const preflight = await fetch(`${url}/events`, {
      method: 'OPTIONS',
      headers: { Origin: SHOP, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    const refused = await fetch(`${url}/events`, { headers: { Origin: SHOP } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(SHOP);
  });

  it.each([['short'], ['has spaces in it, quite long'], ['ends=with=equals=signs'], [42]])('refuses the admin token %j at start', (adminToken) => {
    const create = () => createCollector({ db: ':memory:', adminToken: adminToken as string });
    expect(create).toThrow(TypeError);
    expect(create).toThrow(/^the admin token must be at least 16 characters/);
  });
});

describe('POST /collect: contact details', () => {
  it('stores a raw email or phone a backend sent only as the digest the SDK would have sent; digests pass unchanged', async () => {
    const { collector, url } = await startCollector();
    const digest = createHash('sha256').update('raw.backend@example.com').digest('hex');
    const phoneDigest = createHash('sha256').update('+15550102222').digest('hex');
    const fromBackend = makeEvent({ traits: { email: '  Raw.Backend@Example.com', phone: '+1 (555) 010-2222', plan: 'gold' } });
    const fromBrowser = makeEvent({ traits: { email: digest.toUpperCase(), phone: phoneDigest } });
    const noDigits = makeEvent({ traits: { phone: 'call me' } });
    expect(await (await post(url, batch([fromBackend, fromBrowser, noDigits]))).json()).toMatchObject({ accepted: 3 });
    const traits = Object.fromEntries((await stored(collector)).map((e) => [e.id, e.traits]));
    expect(traits[fromBackend.id as string]).toEqual({ email: digest, phone: phoneDigest, plan: 'gold' });
    expect(traits[fromBrowser.id as string]).toEqual({ email: digest, phone: phoneDigest });
    expect(traits[noDigits.id as string]).toEqual({});
  });
});

describe('GET /health', () => {
  it('reports stored events and the counters', async () => {
    const { url } = await startCollector();
    const e = makeEvent();
    await post(url, batch([e, makeEvent({ id: '' })]));
    await post(url, batch([e]));
    await post(url, 'nonsense');
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, events: 1, requests: 3, accepted: 1, duplicates: 1, rejected: 1 });
  });
});

describe('methods and paths', () => {
  it.each([
    ['GET', '/collect', 'POST, OPTIONS'],
    ['PUT', '/collect', 'POST, OPTIONS'],
    ['POST', '/health', 'GET, HEAD'],
    ['DELETE', '/events', 'GET, HEAD'],
  ])('405 for %s %s, with Allow', async (method, path, allow) => {
    const { url } = await startCollector();
    const res = await fetch(`${url}${path}`, { method });
    await expectError(res, 405, new RegExp(`${method} is not allowed`));
    expect(res.headers.get('allow')).toBe(allow);
    await expectAlive(url);
  });

  it('404 JSON for an unknown path when there is no static site', async () => {
    const { url } = await startCollector();
    await expectError(await fetch(`${url}/index.html`), 404, /not found/);
    await expectError(await fetch(`${url}/collect/extra`, { method: 'POST' }), 404);
  });

  it('routes by path only, even for a `//host` request target', async () => {
    const { url } = await startCollector();
    const res = await rawRequest(url, '//evil.example/health');
    expect(res.status).toBe(404);
  });
});

describe('static files', () => {
  function site(): string {
    const root = tempDir();
    writeFileSync(join(root, 'package.json'), '{"secret": "outside the site"}');
    const dir = join(root, 'site');
    mkdirSync(join(dir, 'shop'), { recursive: true });
    const files: Record<string, string> = {
      'index.html': '<h1>home</h1>',
      'shop/index.html': '<h1>shop</h1>',
      'app.js': 'export {}',
      'mod.mjs': 'export {}',
      'style.css': 'body{}',
      'data.json': '{}',
      'logo.svg': '<svg/>',
      'logo.png': 'png',
      'favicon.ico': 'ico',
      'notes.txt': 'notes',
      'app.js.map': '{}',
      'blob.bin': 'bin',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  it('serves index.html for / and for folders, uncached', async () => {
    const { url } = await startCollector({ staticDir: site() });
    for (const [path, text] of [['/', 'home'], ['/shop/', 'shop'], ['/shop', 'shop'], ['/index.html', 'home']]) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toContain(text);
    }
  });

  it.each([
    ['app.js', 'text/javascript; charset=utf-8'],
    ['mod.mjs', 'text/javascript; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['data.json', 'application/json'],
    ['app.js.map', 'application/json'],
    ['logo.svg', 'image/svg+xml; charset=utf-8'],
    ['logo.png', 'image/png'],
    ['favicon.ico', 'image/x-icon'],
    ['notes.txt', 'text/plain; charset=utf-8'],
    ['blob.bin', 'application/octet-stream'],
  ])('serves %s as %s', async (file, type) => {
    const { url } = await startCollector({ staticDir: site() });
    const res = await fetch(`${url}/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
  });

  it('answers HEAD with the headers only', async () => {
    const { url } = await startCollector({ staticDir: site() });
    const res = await rawRequest(url, '/notes.txt', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('5');
    expect(res.body).toBe('');
  });

  it('keeps the API paths and answers 404 and 405 for the rest', async () => {
    const dir = site();
    writeFileSync(join(dir, 'health'), 'a file named health');
    const { url } = await startCollector({ staticDir: dir });
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ ok: true });
    await expectError(await fetch(`${url}/missing.html`), 404);
    const res = await fetch(`${url}/index.html`, { method: 'POST', body: 'x' });
    await expectError(res, 405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/%2E%2E%2Fpackage.json',
    '/..%2fpackage.json',
    '/shop/../../package.json',
    '/shop/%2e%2e/%2e%2e/package.json',
    '/..%5cpackage.json',
    '/%00/../package.json',
    '/%E0%A4%A',
  ])('never serves a file outside the folder: %s', async (path) => {
    const { url } = await startCollector({ staticDir: site() });
    const res = await rawRequest(url, path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('secret');
    await expectAlive(url);
  });

  it.each(['/.env', '/%2eenv', '/.git/config', '/.git/', '/.git', '/shop/.secret'])(
    'never serves a dotfile or anything in a dot-folder: %s',
    async (path) => {
      const dir = site();
      mkdirSync(join(dir, '.git'));
      for (const file of ['.env', '.git/config', '.git/index.html', 'shop/.secret']) writeFileSync(join(dir, file), 'secret');
      const { url } = await startCollector({ staticDir: dir });
      const res = await rawRequest(url, path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('secret');
    },
  );

  it('never follows a symlink out of the folder, but follows one that stays inside', async () => {
    const dir = site();
    symlinkSync(join(dir, '..', 'package.json'), join(dir, 'leak.json'));
    symlinkSync(join(dir, '..'), join(dir, 'up'), 'dir');
    symlinkSync(join(dir, 'notes.txt'), join(dir, 'alias.txt'));
    const { url } = await startCollector({ staticDir: dir });
    for (const path of ['/leak.json', '/up/package.json', '/up/', '/up']) {
      const res = await rawRequest(url, path);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('secret');
    }
    expect(await (await fetch(`${url}/alias.txt`)).text()).toBe('notes');
    expect(await (await fetch(`${url}/up/site/notes.txt`)).text()).toBe('notes'); // really inside

    // the folder itself may be a symlink
    const linked = join(dir, '..', 'linked-site');
    symlinkSync(dir, linked, 'dir');
    const other = await startCollector({ staticDir: linked });
    expect(await (await fetch(`${other.url}/notes.txt`)).text()).toBe('notes');
  });

  it('serves an empty file', async () => {
    const dir = site();
    writeFileSync(join(dir, 'empty.txt'), '');
    const { url } = await startCollector({ staticDir: dir });
    const res = await fetch(`${url}/empty.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('0');
    expect(await res.text()).toBe('');
  });

  it('streams a file from disk: one cut short while it is sent ends the connection, and serving goes on', async () => {
    const dir = site();
    const big = join(dir, 'big.bin');
    const size = 32 * 1024 * 1024; // far more than the socket buffers hold
    writeFileSync(big, Buffer.alloc(size, 'x'));
    const { url } = await startCollector({ staticDir: dir });
    const got = await new Promise<{ status: number; complete: boolean; bytes: number }>((resolve, reject) => {
      const req = request(`${url}/big.bin`, (res) => {
        // The headers are here and nothing is read yet, so most of the file is still on disk.
        truncateSync(big, 0);
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('error', () => {}); // the cut we expect
        res.on('close', () => resolve({ status: res.statusCode ?? 0, complete: res.complete, bytes }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(got.status).toBe(200);
    expect(got.complete).toBe(false);
    expect(got.bytes).toBeLessThan(size);
    expect(await (await fetch(`${url}/notes.txt`)).text()).toBe('notes');
    await expectAlive(url);
  });
});

describe('options', () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1000'])('refuses maxBodyBytes %o at start', (maxBodyBytes) => {
    expect(() => createCollector({ db: ':memory:', maxBodyBytes: maxBodyBytes as number })).toThrow(
      /^maxBodyBytes must be a positive number of bytes/,
    );
  });

  it('refuses a static folder that does not exist, or is a file, at start', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file.txt'), 'x');
    for (const staticDir of [join(dir, 'missing'), join(dir, 'file.txt')]) {
      expect(() => createCollector({ db: ':memory:', staticDir })).toThrow(
        `static folder ${JSON.stringify(staticDir)} does not exist or is not a folder`,
      );
    }
  });
});

describe('robustness', () => {
  it('answers 500 JSON when a handler fails, logs it, and keeps serving', async () => {
    const lines: string[] = [];
    const collector = createCollector({ db: ':memory:', log: (line) => lines.push(line) });
    // a test double in front of the collector, as the e2e tests use it
    let failNext = true;
    const server = createServer((req, res) => {
      if (failNext) {
        failNext = false;
        res.writeHead(503).end();
        return;
      }
      collector.handle(req, res);
    });
    onTestFinished(() => new Promise<void>((done) => server.close(() => done())));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    expect((await post(url, batch([makeEvent()]))).status).toBe(503);
    expect((await post(url, batch([makeEvent()]))).status).toBe(200);
    await collector.close(); // the database is gone: every route that needs it now fails
    await expectError(await post(url, batch([makeEvent()])), 500, /internal error/);
    await expectError(await fetch(`${url}/health`), 500);
    // request lines are written when the answer has left, which may be after the client read it
    await vi.waitFor(() => expect(lines).toContain('POST /collect 500'));
    expect(lines).toContain('POST /collect 200');
    expect(lines.some((line) => line.startsWith('error POST /collect: TypeError: The database connection is not open'))).toBe(true);
  });

  it('answers a malformed HTTP request with 400 and keeps serving', async () => {
    const { url } = await startCollector();
    const { port } = new URL(url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(reply).toContain('{"error":"malformed HTTP request"}');
    await expectAlive(url);
  });

  it.each([
    ['a body shorter than its Content-Length', 'Content-Length: 1000\r\n\r\n{"v":1,"ev'],
    ['a chunked body cut off', 'Transfer-Encoding: chunked\r\n\r\n5\r\n{"v":\r\n'],
  ])('takes %s from a client that went away as no error (no stack, no 500), and keeps serving', async (_, rest) => {
    const lines: [string, string | undefined][] = [];
    const { url } = await startCollector({ log: (line, level) => lines.push([line, level]) });
    const { port } = new URL(url);
    await new Promise<void>((done) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`POST /collect HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n${rest}`);
        // Gone once the collector has started reading the body.
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => done());
    });
    await vi.waitFor(() => expect(lines.map(([line]) => line)).toContain('POST /collect 400'));
    expect(lines.filter(([, level]) => level === 'error')).toEqual([]);
    await expectAlive(url);
  });

  it('lets a page read a 404 or 405 for a wrong path (so the SDK can say so), without credentials, never for Origin: null', async () => {
    const { url } = await startCollector({ allowedOrigins: ['https://shop.example'] });
    const wrong = await fetch(`${url}/nope`, { method: 'POST', body: '{}', headers: { Origin: 'https://shop.example', 'Content-Type': 'text/plain' } });
    await expectError(wrong, 404);
    expect(wrong.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(wrong.headers.get('access-control-allow-credentials')).toBeNull();
    const opaque = await fetch(`${url}/nope`, { method: 'POST', body: '{}', headers: { Origin: 'null', 'Content-Type': 'text/plain' } });
    expect(opaque.headers.get('access-control-allow-origin')).toBeNull();

    const { url: withStatic } = await startCollector({ staticDir: tempDir() });
    const post405 = await fetch(`${withStatic}/collec`, { method: 'POST', body: '{}', headers: { Origin: 'https://other.example', 'Content-Type': 'text/plain' } });
    await expectError(post405, 405);
    expect(post405.headers.get('access-control-allow-origin')).toBe('https://other.example');
  });

  it('logs one line per request when asked, and nothing by default', async () => {
    const lines: string[] = [];
    const { url } = await startCollector({ log: (line) => lines.push(line) });
    await post(url, batch([makeEvent()]));
    await fetch(`${url}/nowhere`);
    await vi.waitFor(() => expect(lines).toEqual(['POST /collect 200', 'GET /nowhere 404']));
  });

  it('close() while listen() is still resolving its host leaves nothing listening', async () => {
    const collector = createCollector({ db: ':memory:' });
    const listening = collector.listen(0, 'localhost');
    await collector.close();
    const url = await listening;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('rejects listen() twice and after close()', async () => {
    const { collector } = await startCollector();
    await expect(collector.listen(0)).rejects.toThrow(/already listening/);
    await collector.close();
    await collector.close(); // closing twice is harmless
    await expect(collector.listen(0)).rejects.toThrow(/closed/);
  });
});
