// A loopback "vendor" server for the adapter tests: a second origin, as TikTok's and
// Google's are third parties. It serves the stand-in scripts (ttq.js, gtag.js), the built
// adapters (so a shop page can import them), and records every request and every call the
// stand-ins report.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
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

// --- The script tag against the stand-ins -------------------------------------------

/** The TikTok pixel id and GA4 measurement id the script-tag tests use. */
export const PIXEL_ID = 'CPIXEL0001';
export const GA4_ID = 'G-TEST0001';

/** Script-tag attributes that turn on TikTok and/or GA4 (both by default) and point them at these stand-ins. */
export function vendorAttributes(v: Vendors, on: { tiktok?: boolean; ga4?: boolean } = { tiktok: true, ga4: true }): string {
  const attrs = [];
  if (on.tiktok) attrs.push(`data-tiktok="${PIXEL_ID}" data-tiktok-src="${v.tiktokScript}"`);
  if (on.ga4) attrs.push(`data-ga4="${GA4_ID}" data-ga4-src="${v.gtagScript}"`);
  return attrs.join(' ');
}

/**
 * `html` with `attributes` added to its Waybill bundle tag (`<script … src="/waybill.min.js" …>`).
 * Throws when the page has no such tag: a test of the attributes would then prove nothing.
 */
export function tagBundle(html: string, attributes: string): string {
  const tagged = html.replace(/<script\b([^>]*\ssrc="\/waybill\.min\.js")/, `<script$1 ${attributes}`);
  if (tagged === html) throw new Error('no <script src="/waybill.min.js"> tag in the page');
  return tagged;
}

/** Requests for the stand-in vendor scripts (not the calls they report, not the adapter modules). */
export const vendorScriptRequests = (v: Vendors): string[] => v.requests.filter((r) => /^GET \/(tiktok|gtag)\//.test(r));

/** The names TikTok was told to track, in order (`track` calls only). */
export const tiktokTracked = (v: Vendors): unknown[] => v.tiktok().filter((h) => h.method == 'track').map((h) => h.args[0]);

/** The GA4 event names gtag.js got, in order (`event` commands only). */
export const gtagEvents = (v: Vendors): unknown[] => v.gtag().filter((h) => h.command == 'event').map((h) => h.args[0]);

/** What a vendor left in the page and its browser: its script elements, its globals, its cookies. */
export interface VendorFootprint {
  /** Paths of the `<script>` elements from the stand-ins' origin, sorted. */
  scripts: string[];
  /** `typeof window.ttq` and `typeof window.dataLayer`. */
  ttq: string;
  dataLayer: string;
  /** Which of the vendors' cookies (`_ttp`, `_ga`) the browser holds. */
  cookies: string[];
}

/** No trace of either vendor. */
export const NO_FOOTPRINT: VendorFootprint = { scripts: [], ttq: 'undefined', dataLayer: 'undefined', cookies: [] };

/**
 * The vendors' footprint in `page` now. The adapters define their global and insert their script
 * element in the same task as the consent grant, so this sees a load before its request arrives.
 */
export async function vendorFootprint(page: Page, v: Vendors): Promise<VendorFootprint> {
  const inPage = await page.evaluate((origin) => {
    const w = window as unknown as Record<string, unknown>;
    const scripts = Array.from(document.scripts, (s) => s.src).filter((src) => src.startsWith(origin + '/'));
    return { scripts: scripts.map((src) => new URL(src).pathname).sort(), ttq: typeof w.ttq, dataLayer: typeof w.dataLayer };
  }, v.url);
  const cookies = (await page.context().cookies()).map((c) => c.name).filter((name) => name == '_ttp' || name == '_ga');
  return { ...inPage, cookies: cookies.sort() };
}
