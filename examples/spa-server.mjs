// Serves a framework shop's Vite build (examples/react-shop or vue-shop) in front of a Waybill
// collector, as a shop's own server would: the built files, index.html for every client-side
// route (/product/tee, /cart, …), the collector's routes, the storefront's live events page, and
// the TikTok and GA4 stand-ins (e2e/stand-ins) on the same origin. Used by `pnpm start:react`,
// `pnpm start:vue` (examples/demo.mjs) and by the end-to-end tests, so both run the same server.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
};

/** Same-origin stand-ins of the vendor scripts (the shops' default `scriptUrl`s, see spa-common/shop-kit.ts). */
const STAND_INS = {
  '/stand-ins/tiktok/events.js': join(root, 'e2e/stand-ins/ttq.js'),
  '/stand-ins/gtag/js': join(root, 'e2e/stand-ins/gtag.js'),
};

/** What the collector answers: its API, and the storefront's live events page with its files. */
const toCollector = (path) => path === '/collect' || path === '/events' || path === '/health' || path === '/events.html' || /^\/(js|css|img)\//.test(path);

/**
 * A Node request handler for the shop built in `dir`.
 * @param {{ dir: string, collector: { handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void },
 *   onHit?: (hit: unknown) => void }} options `onHit` hears every call a stand-in reports.
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void}
 */
export function spaHandler({ dir, collector, onHit = () => {} }) {
  const base = resolve(dir);
  const index = join(base, 'index.html');
  if (!existsSync(index)) throw new Error(`${index} is missing: build the shop first`);
  const send = (res, status, type, body) => res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);

  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://shop').pathname;
    if (toCollector(path)) return collector.handle(req, res);
    if (req.method === 'POST' && path === '/hit') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        try {
          onHit(JSON.parse(body));
        } catch {
          // not a stand-in's report: ignore it
        }
        res.writeHead(204).end();
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    if (STAND_INS[path]) return send(res, 200, TYPES['.js'], readFileSync(STAND_INS[path]));
    // resolve() folds `..`: nothing outside the build is served.
    const file = resolve(base, `.${decodeURIComponent(path)}`);
    if (file.startsWith(base + sep) && file !== index && existsSync(file) && statSync(file).isFile()) {
      return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
    }
    // A missing file is a 404; any other path is a route of the app (old `.html` links included, which the apps redirect).
    if (extname(path) && extname(path) !== '.html') return send(res, 404, 'text/plain', 'not found');
    send(res, 200, TYPES['.html'], readFileSync(index));
  };
}
