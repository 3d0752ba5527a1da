// A loopback "vendor" server for the adapter tests: a second origin, as TikTok's and
// Google's are third parties. It serves the stand-in scripts (ttq.js, gtag.js), the built
// adapters (so a shop page can import them), and records every request and every call the
// stand-ins report.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../server';

/** A call a stand-in script saw, in the order it saw them (`n`). */
export interface TikTokHit {
  vendor: 'tiktok';
  n: number;
  method: string;
  args: unknown[];
  /** `window.TiktokAnalyticsObject`, the `sdkid` and `lib` of the script URL, the pixels in `ttq._i`. */
  global: string;
  sdkid: string | null;
  lib: string | null;
  pixels: string[];
}
export interface GtagHit {
  vendor: 'ga4';
  n: number;
  /** The gtag command (`consent`, `js`, `config`, `set`, `event`), or `not-arguments` for a dataLayer push that is not an `arguments` object. */
  command: string;
  args: unknown[];
  /** The `id` of the script URL. */
  id: string | null;
  /** Consent state when the command ran (after it, for a consent command); null before any default. */
  consent: Record<string, string> | null;
}

export interface Vendors {
  /** Origin, e.g. `http://127.0.0.1:41235`. */
  readonly url: string;
  /** URL of the TikTok stand-in, to pass as `scriptUrl`. */
  readonly tiktokScript: string;
  /** URL of the gtag.js stand-in, to pass as `scriptUrl`. */
  readonly gtagScript: string;
  /** Every request, as `METHOD path?query`, oldest first. */
  readonly requests: readonly string[];
  /** Raw bodies of every reported call. */
  readonly bodies: readonly string[];
  tiktok(): TikTokHit[];
  gtag(): GtagHit[];
  close(): Promise<void>;
}

const STAND_INS = join(ROOT, 'e2e/stand-ins');
const FILES: Record<string, string> = {
  '/tiktok/events.js': join(STAND_INS, 'ttq.js'),
  '/gtag/js': join(STAND_INS, 'gtag.js'),
  '/pkg/tiktok/index.js': join(ROOT, 'packages/tiktok/dist/index.js'),
  '/pkg/ga4/index.js': join(ROOT, 'packages/ga4/dist/index.js'),
};

const body = (req: IncomingMessage): Promise<string> =>
  new Promise((done, fail) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => done(text));
    req.on('error', fail);
  });

/** Start the vendor server on a free loopback port. */
export async function startVendors(): Promise<Vendors> {
  const requests: string[] = [];
  const bodies: string[] = [];
  const hits: (TikTokHit | GtagHit)[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://vendor');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    // Module scripts from another origin need CORS; the hits are simple no-cors POSTs.
    const headers = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
    if (req.method == 'POST' && url.pathname == '/hit') {
      const text = await body(req);
      bodies.push(text);
      hits.push(JSON.parse(text) as TikTokHit | GtagHit);
      res.writeHead(204, headers).end();
      return;
    }
    const file = FILES[url.pathname];
    if (!file) return void res.writeHead(404, headers).end();
    res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' }).end(await readFile(file));
  };

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sorted = <T extends TikTokHit | GtagHit>(vendor: T['vendor']) => (hits.filter((h) => h.vendor == vendor) as T[]).sort((a, b) => a.n - b.n);

  return {
    url,
    tiktokScript: `${url}/tiktok/events.js`,
    gtagScript: `${url}/gtag/js`,
    requests,
    bodies,
    tiktok: () => sorted<TikTokHit>('tiktok'),
    gtag: () => sorted<GtagHit>('ga4'),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
