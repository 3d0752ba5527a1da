// The README's recipes, each mounted the way the README says, each sending a batch from a shop
// page's origin and reading it back.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Hono } from 'hono';
import { mount } from 'hono/mount';
import { serve } from '@hono/node-server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCollector, type Collector } from '@waybill/collector';
import { batch, makeEvent } from './helpers';

const SHOP = 'https://shop.example';
const TOKEN = 'recipe-admin-token-0123456789';

/** A collector as a shop would configure one, closed after the test. */
function shopCollector(options: Parameters<typeof createCollector>[0] = {}): Collector {
  const collector = createCollector({ db: ':memory:', allowedOrigins: [SHOP], adminToken: TOKEN, ...options });
  onTestFinished(() => collector.close());
  return collector;
}

/** Sends one batch as the SDK does and reads the stored events back, through `send`. */
async function roundTrip(send: (path: string, init: RequestInit) => Promise<Response>, prefix = ''): Promise<void> {
  const event = makeEvent();
  const res = await send(`${prefix}/collect`, {
    method: 'POST',
    body: batch([event]),
    headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: SHOP },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
  expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  const list = await send(`${prefix}/events`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(((await list.json()) as { events: { id: string }[] }).events[0]?.id).toBe(event.id);
}

async function listening(server: Server): Promise<string> {
  onTestFinished(() => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))));
  if (!server.listening) await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('README recipes', () => {
  it('Node http server: the shop routes /collect (and /events) to collector.handle', async () => {
    const collector = shopCollector();
    const server = createServer((req, res) => {
      if (req.url === '/collect' || req.url?.startsWith('/events')) return collector.handle(req, res);
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<h1>shop</h1>');
    });
    const url = await listening(server);
    await roundTrip((path, init) => fetch(url + path, init));
    expect(await (await fetch(`${url}/`)).text()).toBe('<h1>shop</h1>');
  });

  it('Next.js App Router route handler: app/collect/route.ts exports collector.fetch', async () => {
    const collector = shopCollector();
    // app/collect/route.ts
    const route = { POST: (request: Request) => collector.fetch(request), OPTIONS: (request: Request) => collector.fetch(request) };
    // app/events/route.ts
    const events = { GET: (request: Request) => collector.fetch(request) };
    await roundTrip((path, init) => {
      const request = new Request(`${SHOP}${path}`, init);
      return path === '/collect' ? route[request.method as 'POST'](request) : events.GET(request);
    });
    const preflight = await route.OPTIONS(
      new Request(`${SHOP}/collect`, { method: 'OPTIONS', headers: { Origin: SHOP, 'Access-Control-Request-Method': 'POST' } }),
    );
    expect(preflight.status).toBe(204);
  });

  it('Next.js under a path: app/api/waybill/[...path]/route.ts with basePath', async () => {
    const collector = shopCollector({ basePath: '/api/waybill' });
    const handler = (request: Request) => collector.fetch(request);
    const route = { GET: handler, POST: handler, OPTIONS: handler };
    await roundTrip((path, init) => {
      const request = new Request(`${SHOP}${path}`, init);
      return route[request.method as 'GET' | 'POST'](request);
    }, '/api/waybill');
    expect((await handler(new Request(`${SHOP}/collect`, { method: 'POST' }))).status).toBe(404);
  });

  it("Hono app: the collector mounted under /waybill of the shop's own app, on Node", async () => {
    const collector = shopCollector();
    const app = new Hono();
    app.get('/', (c) => c.html('<h1>shop</h1>'));
    app.all('/waybill/*', mount(collector.fetch));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((done) => server.once('listening', done));
    const url = await listening(server);
    await roundTrip((path, init) => fetch(url + path, init), '/waybill');
    expect(await (await fetch(`${url}/`)).text()).toBe('<h1>shop</h1>');
    // app.fetch as is, as Bun, Deno and edge runtimes call it
    await roundTrip(async (path, init) => app.fetch(new Request(`${SHOP}${path}`, init)), '/waybill');
  });

  it("Express: app.use('/waybill', collector.handle), before any body parser", async () => {
    const collector = shopCollector();
    const app = express();
    app.use('/waybill', collector.handle);
    app.use(express.json());
    app.post('/api/orders', (req, res) => void res.json({ received: req.body }));
    const url = await listening(createServer(app));
    await roundTrip((path, init) => fetch(url + path, init), '/waybill');
    const order = await fetch(`${url}/api/orders`, { method: 'POST', body: '{"id":7}', headers: { 'Content-Type': 'application/json' } });
    expect(await order.json()).toEqual({ received: { id: 7 } });
  });
});
