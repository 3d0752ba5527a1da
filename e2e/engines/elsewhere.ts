// A second loopback origin: somewhere else for the shopper to go (another site, a payment page),
// and the sink of the watcher every test page carries, which reports uncaught errors, unhandled
// rejections and Content-Security-Policy violations from every page, even one that has since
// navigated away. (Drivers disagree on how to observe these: WebKitGTK's WebDriver cannot at all.)
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a page's watcher reported. */
export interface Report {
  /** `note`: what the page said with `window.note(detail)`, for the test to claim. */
  kind: 'error' | 'rejection' | 'csp' | 'note';
  detail: string;
  /** Path of the page that reported it. */
  page: string;
}

export interface Elsewhere {
  /** Origin, e.g. `http://127.0.0.1:41236`. */
  readonly url: string;
  /** URL of a plain page there (no Waybill), distinct per call. */
  page(title?: string): string;
  /** Everything the watchers reported, oldest first (less what the test claimed). */
  readonly reports: readonly Report[];
  /** Remove and return the reports a test expected (a check that must see a violation). */
  claim(expected: (report: Report) => boolean): Report[];
  close(): Promise<void>;
}

const read = (req: IncomingMessage) =>
  new Promise<string>((done, fail) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => done(text));
    req.on('error', fail);
  });

export async function startElsewhere(): Promise<Elsewhere> {
  const reports: Report[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/report') {
      read(req).then(
        (text) => {
          try {
            reports.push(JSON.parse(text) as Report);
          } catch {
            reports.push({ kind: 'error', detail: `unreadable report: ${text.slice(0, 200)}`, page: '?' });
          }
          res.writeHead(204, { 'access-control-allow-origin': '*' }).end();
        },
        () => res.destroy(),
      );
      return;
    }
    const title = new URL(req.url ?? '/', 'http://x').searchParams.get('title') ?? 'Elsewhere';
    // Cacheable, as most pages are: `no-store` keeps a page out of some engines' back/forward cache.
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title.replace(/[<&"]/g, '')}</title></head><body><p>Another site</p></body></html>`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let pages = 0;
  return {
    url,
    page: (title = 'Elsewhere') => `${url}/page-${++pages}?title=${encodeURIComponent(title)}`,
    reports,
    claim(expected) {
      const claimed = reports.filter(expected);
      for (const report of claimed) reports.splice(reports.indexOf(report), 1);
      return claimed;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/**
 * The watcher, as an inline script for the top of a test page (give it the page's nonce under a
 * strict CSP, and allow `reportTo` in `connect-src`). It also records what it saw in
 * `window.watched`, for the page's own checks, and gives the page `note(detail)`: a message to
 * the test that needs no driver (WebKit's runs no command while a page is still loading).
 */
export function watcherScript(reportTo: string, nonce?: string): string {
  const source = `(function () {
  var seen = (window.watched = []);
  var report = function (kind, detail) {
    var r = { kind: kind, detail: String(detail).slice(0, 500), page: location.pathname };
    seen.push(r);
    try { fetch(${JSON.stringify(reportTo + '/report')}, { method: 'POST', mode: 'no-cors', body: JSON.stringify(r) }).catch(function () {}); } catch (e) {}
  };
  window.note = function (detail) { report('note', detail); };
  addEventListener('error', function (e) { report('error', e.message + ' at ' + e.filename + ':' + e.lineno); });
  addEventListener('unhandledrejection', function (e) { report('rejection', e.reason && e.reason.stack || e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) {
    report('csp', e.effectiveDirective + ' blocked ' + e.blockedURI + ' ' + e.sample + ' (' + e.sourceFile + ':' + e.lineNumber + ')');
  });
})();`;
  return `<script${nonce ? ` nonce="${nonce}"` : ''}>${source}</script>`;
}
