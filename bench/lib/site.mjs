// The shop one SDK runs on: a loopback server that serves the pages and the bundles and answers
// the SDK's API under `/api/` (Waybill's through the real collector, the peers' through a
// stand-in that answers as their service does). Every API request is recorded with its body
// size, answer and the bench event ids it carried.
import { createServer, request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { BUNDLES } from './bundle.mjs';
import { readBody } from './decode.mjs';

/** What each peer's service answers to a delivered request. */
const ANSWERS = {
  segment: [200, 'application/json', '{"success":true}'],
  posthog: [200, 'application/json', '{"status":1}'],
  snowplow: [200, 'text/plain', ''],
  rudderstack: [200, 'text/plain', 'OK'],
  plausible: [202, 'text/plain', 'ok'],
};

const readAll = (stream) =>
  new Promise((done, fail) => {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => done(Buffer.concat(chunks)));
    stream.on('error', fail);
  });

/**
 * A visit on autopilot (page `/p/<i>?last=<n>&per=<k>`): once the SDK is ready, track `per`
 * add_to_cart and go at once to page i + 1, up to page `last`; page `last + 1` only loads.
 * Driving the visit from the page, not from Playwright, keeps round trips out of its timing.
 */
const AUTOPILOT = `
const query = new URLSearchParams(location.search);
const page = Number(location.pathname.split('/').pop());
if (query.has('last') && page <= Number(query.get('last'))) {
  await window.bench.ready;
  for (let k = 0; k < Number(query.get('per')); k++) window.bench.track('add_to_cart', window.bench.cart({ bench_id: 'bench-' + page + '-' + k }));
  location.href = '/p/' + (page + 1) + location.search;
}`;

/** The HTML of a shop page running `sdk` (its bundle loads as a module, as a shop's build would). */
function pageHtml(sdk, origin) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench shop</title>
<script>window.BENCH = { api: ${JSON.stringify(`${origin}/api`)}, t0: performance.now() };</script>
<script type="module" src="/bundles/${sdk}/${sdk}.js"></script>
<script type="module">${AUTOPILOT}</script>
</head><body><h1>Bench shop</h1><a href="/p/next">next</a></body></html>`;
}

/**
 * Starts the site for `sdk` on a free loopback port. `collector` (Waybill only) is the base URL
 * of the collector that `/api/collect` is passed to; `keepBodies` keeps each API request's body
 * (as text) in `bodies`.
 */
export async function startSite({ sdk, collector, keepBodies = false }) {
  /** API requests: `{ at, method, path, bytes, plainBytes, status, ids }`, oldest first. */
  const requests = [];
  /** Bundle files served (for the bytes a page really loaded). */
  const assets = [];
  const bodies = [];
  let failUntil = 0;
  let pageViews = 0;
  let origin = '';

  const answer = (res, [status, type, body]) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };

  const forward = (req, body, res, record) => {
    const upstream = request(
      new URL(req.url.slice('/api'.length), collector),
      { method: req.method, headers: { ...req.headers, host: new URL(collector).host, 'content-length': String(body.length), connection: 'keep-alive' } },
      (reply) =>
        readAll(reply).then((text) => {
          record.status = reply.statusCode;
          const headers = { ...reply.headers };
          delete headers['transfer-encoding'];
          delete headers.connection;
          res.writeHead(reply.statusCode, headers);
          res.end(text);
        }, () => res.destroy()),
    );
    upstream.on('error', () => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502).end();
    });
    upstream.end(body);
  };

  const api = async (req, res) => {
    const body = await readAll(req);
    const record = { at: Date.now(), method: req.method, path: req.url, bytes: body.length, status: 0, ...readBody(req.url, body) };
    requests.push(record);
    if (keepBodies) bodies.push(body.toString('utf8'));
    if (req.method === 'OPTIONS') return answer(res, [204, 'text/plain', '']);
    if (Date.now() < failUntil) {
      record.status = 503;
      return answer(res, [503, 'application/json', '{"error":"bench: the collector is down"}']);
    }
    if (sdk === 'waybill') return forward(req, body, res, record);
    const reply = ANSWERS[sdk] ?? [200, 'text/plain', ''];
    record.status = reply[0];
    answer(res, reply);
  };

  const asset = async (pathname, res) => {
    const file = resolve(BUNDLES, `.${pathname.slice('/bundles'.length)}`);
    try {
      if (!file.startsWith(BUNDLES + sep)) throw new Error('outside');
      const data = await readFile(file);
      assets.push({ at: Date.now(), path: pathname, file });
      // Cached like a shop's hashed assets: a navigation reuses them, a new browser context does not.
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' });
      res.end(data);
    } catch {
      res.writeHead(404).end();
    }
  };

  const server = createServer((req, res) => {
    req.on('error', () => {});
    res.on('error', () => {});
    const pathname = new URL(req.url, origin).pathname;
    if (pathname.startsWith('/api/')) return void api(req, res).catch(() => res.destroy());
    if (pathname.startsWith('/bundles/')) return void asset(pathname, res);
    if (pathname.startsWith('/p/') && req.method === 'GET') {
      pageViews++;
      // Cross-origin isolated, so performance.now() has its finest resolution (5 µs, not 100 µs).
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      });
      return void res.end(pageHtml(sdk, origin));
    }
    if (pathname === '/favicon.ico') return void res.writeHead(204).end();
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${server.address().port}`;

  return {
    sdk,
    origin,
    requests,
    assets,
    bodies,
    /** Shop pages served so far. */
    get pageViews() {
      return pageViews;
    },
    /** A page of the shop (`/p/<name>`), with an optional query string. */
    page: (name = 'home', query = '') => `${origin}/p/${name}${query}`,
    /** Answer every API request with 503 for the next `ms` milliseconds. */
    failFor(ms) {
      failUntil = Date.now() + ms;
    },
    /** Unique bench ids received in 2xx answers, and every copy of them. */
    received(since = 0) {
      const unique = new Set();
      let copies = 0;
      for (const r of requests) {
        if (r.at < since || r.status < 200 || r.status >= 300) continue;
        copies += r.ids.length;
        for (const id of r.ids) unique.add(id);
      }
      return { unique, copies };
    },
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
