// The React and Vue shops (examples/react-shop, examples/vue-shop) as `pnpm start:react` and
// `pnpm start:vue` serve them: their Vite build behind examples/spa-server.mjs, with a real
// collector (fresh SQLite database) and the TikTok and GA4 stand-ins on the same origin, whose
// reports this records.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StoredEvent } from '@waybill/collector';
import { spaHandler } from '../../examples/spa-server.mjs';
import { ROOT, readStoredEvents } from '../server';
import type { GtagHit, TikTokHit } from '../stand-ins/vendors';

/** Which shop, and which build of it: `dist` ships; `dist-dev` is React/Vue in development mode (StrictMode's double effects, framework warnings). */
export type ShopName = 'react-shop' | 'vue-shop';
export type Build = 'dist' | 'dist-dev';

export interface SpaShop {
  readonly url: string;
  /** `POST /collect` requests so far. */
  collectRequests(): number;
  /** Stored events, oldest first (receive order), optionally only those named `name`. */
  events(name?: string): StoredEvent[];
  /** Calls the stand-ins reported, in the order they saw them. */
  tiktok(): TikTokHit[];
  gtag(): GtagHit[];
  /** Requests for the stand-in scripts. */
  vendorScripts(): string[];
  close(): Promise<void>;
}

export async function startSpaShop(name: ShopName, build: Build = 'dist'): Promise<SpaShop> {
  const dir = join(ROOT, 'examples', name, build);
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`${dir} is missing: run \`pnpm build:shops\` before the end-to-end tests`);
  const { createCollector } = (await import(pathToFileURL(join(ROOT, 'packages/collector/dist/index.js')).href)) as typeof import('@waybill/collector');
  const data = mkdtempSync(join(tmpdir(), 'waybill-spa-'));
  const db = join(data, 'shop.db');
  const collector = createCollector({ db, staticDir: join(ROOT, 'examples/storefront') });
  const hits: (TikTokHit | GtagHit)[] = [];
  const scripts: string[] = [];
  let posts = 0;
  const handle = spaHandler({ dir, collector, onHit: (hit) => void hits.push(hit as TikTokHit | GtagHit) });
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://shop').pathname;
    if (req.method === 'POST' && path === '/collect') posts++;
    if (path.startsWith('/stand-ins/')) scripts.push(path);
    handle(req, res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const sorted = <T extends TikTokHit | GtagHit>(vendor: T['vendor']) => (hits.filter((h) => h.vendor == vendor) as T[]).sort((a, b) => a.n - b.n);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    collectRequests: () => posts,
    events: (event) => readStoredEvents(db, event),
    tiktok: () => sorted<TikTokHit>('tiktok'),
    gtag: () => sorted<GtagHit>('ga4'),
    vendorScripts: () => [...scripts],
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
      await collector.close();
      rmSync(data, { recursive: true, force: true });
    },
  };
}
