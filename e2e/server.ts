// The test site: one loopback HTTP server per test that serves the shop pages and the
// built SDK, and passes `/collect` to a real collector (SQLite in a temp folder) while
// recording every raw request. Tests can make the next answers fail, or stop the whole
// site and start it again on the same port and database.
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Collector, CollectorStats, ForwardingOptions, StoredEvent } from '@waybill/collector';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..');

/** One request to `/collect`, as the browser sent it and as it was answered. */
export interface CollectRequest {
  method: string;
  headers: IncomingHttpHeaders;
  /** The raw body. */
  body: string;
  /** Server clock (ms) when the body had arrived. */
  at: number;
  /** The status the browser got (undefined until answered). */
  status?: number;
}

/** A canned answer for the next request to `/collect`. */
interface Failure {
  status: number;
  headers: Record<string, string>;
}

/** What {@link startSite} returns. */
export interface TestSite {
  /** Origin of the site, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request to `/collect` so far (across restarts), oldest first. */
  readonly requests: readonly CollectRequest[];
  /** Serve `html` at `path` (default: a fresh path); returns the page's absolute URL. `headers` replace the default `cache-control: no-store` and add to the content type. */
  addPage(html: string, path?: string, headers?: Record<string, string>): string;
  /** Answer the next `count` requests to `/collect` with `status` (and `headers`) instead of the collector. */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** Hold responses for `path` (e.g. `/waybill.min.js`) until the returned function is called. */
  hold(path: string): () => void;
  /**
   * With `true`, the collector is down while the shop stays up: every request to `/collect` has
   * its connection closed unanswered (recorded with status 0). `false` brings it back.
   */
  collectorDown(down: boolean): void;
  /** Close the collector and the listening socket (and its open connections): the site is down. */
  stop(): Promise<void>;
  /** Start again on the same port with a new collector on the same database. */
  start(): Promise<void>;
  /** Stored events, oldest first (receive order), optionally only those named `name`. */
  events(name?: string): StoredEvent[];
  /** Collector counters, summed over every collector this site ran (they reset on restart). */
  stats(): CollectorStats;
  /** The collector's own URL (not proxied, not recorded), for its admin routes such as `/forwarding`. */
  readonly collectorUrl: string;
  /** Stop everything and delete the database. */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

const IDB_KEYVAL_DIR = dirname(createRequire(join(ROOT, 'packages/core/package.json')).resolve('idb-keyval/package.json'));
// web-vitals exports no package.json; its main file is in dist/.
const WEB_VITALS_DIR = dirname(dirname(createRequire(join(ROOT, 'packages/web-vitals/package.json')).resolve('web-vitals')));

const Database = createRequire(join(ROOT, 'packages/collector/package.json'))('better-sqlite3') as typeof import('better-sqlite3');

/**
 * The events a collector stored in its SQLite file `db`, oldest first (receive order), optionally
 * only those named `name`. Read from the file, synchronously, as any SQLite client can.
 */
export function readStoredEvents(db: string, name?: string): StoredEvent[] {
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const where = name === undefined ? '' : 'WHERE name = ?';
    const rows = reader.prepare(`SELECT event, received_at FROM events ${where} ORDER BY rowid`).all(...(name === undefined ? [] : [name]));
    return (rows as { event: string; received_at: number }[]).map((row) => ({ ...JSON.parse(row.event), receivedAt: row.received_at }));
  } finally {
    reader.close();
  }
}

/**
 * The folder and file a static URL maps to (see the import map in pages.ts):
 * `/pkg/<name>/<file>` from `packages/<name>/dist`, idb-keyval and web-vitals from their packages, and
 * the script-tag files (`/waybill.min.js`, `/waybill-stub.js`) from `packages/browser/dist`.
 */
function staticFile(pathname: string): { base: string; rest: string } {
  const pkg = /^\/pkg\/([a-z0-9-]+)(\/.*)$/.exec(pathname);
  if (pkg) return { base: join(ROOT, 'packages', pkg[1]!, 'dist'), rest: pkg[2]! };
  if (pathname.startsWith('/node_modules/idb-keyval/')) return { base: IDB_KEYVAL_DIR, rest: pathname.slice('/node_modules/idb-keyval'.length) };
  if (pathname.startsWith('/node_modules/web-vitals/')) return { base: WEB_VITALS_DIR, rest: pathname.slice('/node_modules/web-vitals'.length) };
  return { base: join(ROOT, 'packages/browser/dist'), rest: pathname };
}

/** What the tests load; `pnpm build` makes them. */
const BUILT = [
  'packages/browser/dist/waybill.min.js',
  'packages/browser/dist/waybill-stub.js',
  'packages/core/dist/index.js',
  'packages/first-party/dist/index.js',
  'packages/collector/dist/index.js',
  'packages/web-vitals/dist/index.js',
  'packages/browser/dist/waybill-vitals.min.js',
];

/** The built collector: tests run against what ships, not the sources. */
async function loadCollector(): Promise<typeof import('@waybill/collector')> {
  return import(pathToFileURL(join(ROOT, 'packages/collector/dist/index.js')).href);
}

const readAll = (stream: IncomingMessage): Promise<Buffer> =>
  new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => done(Buffer.concat(chunks)));
    stream.on('error', fail);
  });

const addStats = (a: CollectorStats, b: CollectorStats): CollectorStats => ({
  requests: a.requests + b.requests,
  accepted: a.accepted + b.accepted,
  duplicates: a.duplicates + b.duplicates,
  rejected: a.rejected + b.rejected,
});

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'content-length'];
const withoutHopByHop = <T extends Record<string, unknown>>(headers: T): T => {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
};

/** Start a site on a free loopback port. */
/** Options of {@link startSite}. */
export interface SiteOptions {
  /** Server-side forwarding (`forwarding(options)` of the built collector); default none. */
  forwarding?: ForwardingOptions;
}

export async function startSite(options: SiteOptions = {}): Promise<TestSite> {
  for (const file of BUILT) {
    if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run \`pnpm build\` before the end-to-end tests`);
  }
  const { createCollector, forwarding } = await loadCollector();
  const dir = mkdtempSync(join(tmpdir(), 'waybill-e2e-'));
  const db = join(dir, 'collector.db');
  const requests: CollectRequest[] = [];
  const pages = new Map<string, { html: string; headers?: Record<string, string> }>();
  const held = new Map<string, Promise<void>>();
  const failures: Failure[] = [];
  let down = false;
  let pastStats: CollectorStats = { requests: 0, accepted: 0, duplicates: 0, rejected: 0 };
  let collector: Collector | undefined;
  let collectorUrl = '';
  let server: Server | undefined;
  let port = 0;
  let origin = '';

  /** Pass a recorded request on to the real collector and relay its answer. */
  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, record: CollectRequest): void => {
    const target = new URL(req.url ?? '/', collectorUrl);
    const upstream = request(
      target,
      { method: req.method, headers: { ...withoutHopByHop(req.headers), 'content-length': String(body.length) }, agent: false },
      (answer) => {
        readAll(answer).then(
          (text) => {
            record.status = answer.statusCode;
            res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
            res.end(text);
          },
          () => res.destroy(),
        );
      },
    );
    upstream.on('error', () => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502).end();
    });
    upstream.end(body);
  };

  const collect = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readAll(req);
    const record: CollectRequest = { method: req.method ?? '', headers: req.headers, body: body.toString('utf8'), at: Date.now() };
    requests.push(record);
    if (down) {
      record.status = 0;
      return void res.destroy();
    }
    const failure = req.method === 'POST' ? failures.shift() : undefined;
    if (failure) {
      record.status = failure.status;
      res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
      res.end(JSON.stringify({ error: `injected ${failure.status}` }));
      return;
    }
    forward(req, body, res, record);
  };

  const serveFile = async (pathname: string, res: ServerResponse): Promise<void> => {
    const { base, rest } = staticFile(pathname);
    const file = resolve(base, `.${rest}`);
    // resolve() folds `..`: anything outside the folder is not served.
    if (file.startsWith(base + sep)) {
      try {
        const data = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(data);
        return;
      } catch {
        // missing: 404 below
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = new URL(req.url ?? '/', origin).pathname;
    await held.get(pathname);
    if (pathname === '/collect') return collect(req, res);
    const page = pages.get(pathname);
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': TYPES['.html']!, ...(page.headers ?? { 'cache-control': 'no-store' }) });
      res.end(page.html);
      return;
    }
    return serveFile(pathname, res);
  };

  const start = async (): Promise<void> => {
    const s = createServer((req, res) => {
      handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((done, fail) => {
      s.once('error', fail);
      s.listen(port, '127.0.0.1', () => done());
    });
    server = s;
    port = (s.address() as AddressInfo).port;
    origin = `http://127.0.0.1:${port}`;
    collector = createCollector({ db, allowedOrigins: [origin], forward: options.forwarding && forwarding(options.forwarding) });
    collectorUrl = await collector.listen(0, '127.0.0.1');
  };

  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (s) {
      const closed = new Promise<void>((done) => s.close(() => done()));
      s.closeAllConnections(); // keep-alive sockets would otherwise go on serving the browser
      await closed;
    }
    if (collector) {
      pastStats = addStats(pastStats, collector.stats());
      await collector.close();
      collector = undefined;
    }
  };

  try {
    await start();
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let pageCount = 0;

  return {
    get url() {
      return origin;
    },
    requests,
    addPage(html, path = `/page-${++pageCount}`, headers) {
      pages.set(path, { html, headers });
      return origin + path;
    },
    failNext(count, status, headers = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
    hold(path) {
      let release!: () => void;
      held.set(path, new Promise<void>((done) => (release = done)));
      return () => {
        held.delete(path);
        release();
      };
    },
    collectorDown(value) {
      down = value;
    },
    stop,
    start,
    events(name) {
      if (!collector) throw new Error('the site is stopped: start() it to read the collector');
      return readStoredEvents(db, name);
    },
    stats: () => (collector ? addStats(pastStats, collector.stats()) : pastStats),
    get collectorUrl() {
      return collectorUrl;
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The copy-paste stub, as a shop inlines it. */
export const readStub = (): string => readFileSync(join(ROOT, 'packages/browser/dist/waybill-stub.js'), 'utf8');
