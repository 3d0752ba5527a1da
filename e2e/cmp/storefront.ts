// The demo shop (examples/storefront) as `pnpm start` serves it: static files and the real
// collector on one loopback origin. Tests can add response headers (a CSP) and rewrite the
// HTML pages (to inline the stub with a nonce), and see every path the browser asked for.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Collector, StoredEvent } from '@waybill/collector';
import { copyVendor } from '../../examples/storefront/vendor.mjs';
import { ROOT, readStoredEvents } from '../server';

export const SHOP_DIR = join(ROOT, 'examples/storefront');

export interface StorefrontOptions {
  /** Extra headers on every response. */
  headers?: Record<string, string>;
  /** Rewrite an HTML page before it is served; may add headers for that response (a CSP with a fresh nonce). */
  page?: (html: string, path: string) => { html: string; headers?: Record<string, string> };
}

export interface Storefront {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every path requested, in order (`/collect` included). */
  readonly paths: readonly string[];
  /** How many `POST /collect` requests arrived (answered or not). */
  collectRequests(): number;
  /** Stored events, oldest first, optionally only those named `name`. */
  events(name?: string): StoredEvent[];
  close(): Promise<void>;
}

/** Start the shop with a fresh collector database on a free port. */
export async function startStorefront(options: StorefrontOptions = {}): Promise<Storefront> {
  copyVendor();
  const { createCollector } = (await import(pathToFileURL(join(ROOT, 'packages/collector/dist/index.js')).href)) as typeof import('@waybill/collector');
  const dir = mkdtempSync(join(tmpdir(), 'waybill-shop-'));
  const db = join(dir, 'shop.db');
  const collector: Collector = createCollector({ db, staticDir: SHOP_DIR });
  const paths: string[] = [];
  let posts = 0;

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://shop').pathname;
    paths.push(path);
    if (req.method === 'POST' && path === '/collect') posts++;
    for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
    const file = path.endsWith('/') ? `${path}index.html` : path;
    if (options.page && req.method === 'GET' && file.endsWith('.html')) {
      let html: string;
      try {
        html = readFileSync(join(SHOP_DIR, file), 'utf8');
      } catch {
        return void res.writeHead(404).end('not found');
      }
      const page = options.page(html, path);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...page.headers });
      return void res.end(page.html);
    }
    // Headers set above are merged into the collector's own (static files and /collect).
    collector.handle(req, res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    paths,
    collectRequests: () => posts,
    events: (name) => readStoredEvents(db, name),
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
      await collector.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
