import { realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import type { CollectResponse } from '@waybill/core';
import { mediaType, readBody, sendError, sendJson } from './http';
import { serveStatic } from './static';
import { openStore, type StoredEvent } from './store';
import { checkBatch, prepareEvent, type StorableEvent } from './validate';

export type { StoredEvent };

/** Options of {@link createCollector}. */
export interface CollectorOptions {
  /** SQLite file; created (with its folder) if missing. `':memory:'` keeps nothing. Default `'./waybill.db'`. */
  db?: string;
  /**
   * Origins (`scheme://host[:port]`, such as `'https://shop.example'`) whose pages may send events
   * and read answers; `'*'` allows any. Same-origin requests are always allowed, `Origin: null` never.
   * Default: none.
   */
  allowedOrigins?: string | string[];
  /**
   * A folder whose files are served for GET/HEAD of any path the collector does not own
   * (not dotfiles, nor symlinks that lead out of it).
   */
  staticDir?: string;
  /** Largest accepted body of `POST /collect`, in bytes. Default 256 KiB. */
  maxBodyBytes?: number;
  /**
   * Receives one line per request and one per internal error; `level` is `'error'` for internal
   * errors and 5xx answers. Default: no logging.
   */
  log?: (line: string, level: 'info' | 'error') => void;
}

/** Counters since the collector was created. */
export interface CollectorStats {
  /** `POST /collect` requests, whatever their answer. */
  requests: number;
  /** Events stored. */
  accepted: number;
  /** Events not stored because their id was already stored. */
  duplicates: number;
  /** Events refused by validation (listed in an answer's `rejected`). */
  rejected: number;
}

/** Filter of {@link Collector.events}. */
export interface EventsQuery {
  /** At most this many events. Default: all. */
  limit?: number;
  /** Only events with this `name`. */
  name?: string;
}

/** A collector made by {@link createCollector}. */
export interface Collector {
  /** The `node:http` request handler, for use in your own server. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Starts an HTTP server; resolves its base URL, such as `'http://127.0.0.1:8787'`. Port 0 picks a free port. */
  listen(port?: number, host?: string): Promise<string>;
  stats(): CollectorStats;
  /** Stored events, newest first (in the order they were received). */
  events(query?: EventsQuery): StoredEvent[];
  /** Stops the server, if listening, and closes the database. */
  close(): Promise<void>;
}

const ROUTE_METHODS: Record<string, string[]> = {
  '/collect': ['POST', 'OPTIONS'],
  '/health': ['GET', 'HEAD'],
  '/events': ['GET', 'HEAD'],
};
const BODY_TYPES = new Set(['text/plain', 'application/json']);
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const EVENTS_DEFAULT_LIMIT = 100;
const EVENTS_MAX_LIMIT = 1000;
// Long enough for a response to finish; short enough that `close()` never hangs on a stalled client.
const CLOSE_GRACE_MS = 1000;

/** Splits a request target into its path and query without letting `//host/...` change the host. */
function splitTarget(target = '/'): { pathname: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  let pathname = q === -1 ? target : target.slice(0, q);
  if (!pathname.startsWith('/')) {
    // absolute-form (`http://host/path`), as sent to proxies
    try {
      pathname = new URL(pathname).pathname;
    } catch {
      // not a path; routed nowhere
    }
  }
  return { pathname, query: new URLSearchParams(q === -1 ? '' : target.slice(q + 1)) };
}

/**
 * The SDK's question `{"v": 1, "known": ["<id>", ...]}` (at most 500 ids): which of these events
 * are stored? Its ids, an error message for a malformed question, or undefined for any other body.
 */
function checkKnown(body: unknown): string[] | string | undefined {
  if (typeof body !== 'object' || body === null || !('known' in body) || 'events' in body) return undefined;
  const { v, known } = body as { v?: unknown; known: unknown };
  if (v !== 1) return 'body must have "v": 1 (the wire format version)';
  if (!Array.isArray(known) || known.length > 500 || !known.every((id) => typeof id === 'string')) {
    return '"known" must be an array of at most 500 event ids';
  }
  return known;
}

/** A bad option: a TypeError with Node's code for a bad argument value (the CLI exits 2 on it). */
const badOption = (message: string): TypeError => Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_VALUE' });

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/**
 * The origin an `allowedOrigins` entry names (a trailing `/` is allowed), or `'*'`. Anything else
 * throws: `shop.example:443`, say, parses as a URL whose origin is "null", the opaque origin that
 * sandboxed frames and `file:` pages send, and would let them in.
 */
function parseOrigin(entry: unknown): string {
  if (entry === '*') return entry;
  let url: URL | undefined;
  try {
    url = new URL(entry as string);
  } catch {
    // reported below
  }
  const origin =
    typeof entry === 'string' && url && /^https?:$/.test(url.protocol) && !url.username && !url.password &&
    url.pathname === '/' && !url.search && !url.hash && !url.hostname.includes('*');
  if (!origin) {
    throw badOption(`allowed origin ${show(entry)} is not scheme://host[:port], such as https://shop.example (or * for any)`);
  }
  return url!.origin;
}

function allowedOrigins(value: CollectorOptions['allowedOrigins'] = []): Set<string> {
  const list: unknown = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) throw badOption(`allowedOrigins must be an array of origins, not ${show(value)}`);
  return new Set(list.map(parseOrigin));
}

/** The real path of the static folder; throws if there is no such folder. */
function staticFolder(dir: unknown): string {
  try {
    const real = realpathSync(resolve(dir as string));
    if (statSync(real).isDirectory()) return real;
  } catch {
    // reported below
  }
  throw badOption(`static folder ${show(dir)} does not exist or is not a folder`);
}

/**
 * Creates the first-party collector: `POST /collect` validates, deduplicates (by event id)
 * and stores events in SQLite; `GET /health` and `GET /events` report what it holds.
 * @throws TypeError (code `ERR_INVALID_ARG_VALUE`) naming a bad option; Error if the database
 *   cannot be created, opened or written.
 */
export function createCollector(options: CollectorOptions = {}): Collector {
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  if (typeof maxBodyBytes !== 'number' || !Number.isFinite(maxBodyBytes) || maxBodyBytes <= 0) {
    throw badOption(`maxBodyBytes must be a positive number of bytes, not ${show(maxBodyBytes)}`);
  }
  const allowed = allowedOrigins(options.allowedOrigins);
  const staticRoot = options.staticDir === undefined ? undefined : staticFolder(options.staticDir);
  const store = openStore(options.db ?? './waybill.db');
  const counters: CollectorStats = { requests: 0, accepted: 0, duplicates: 0, rejected: 0 };
  let server: Server | undefined;
  let closing: Promise<void> | undefined;

  const log = (line: string, level: 'info' | 'error' = 'info'): void => {
    try {
      options.log?.(line, level);
    } catch {
      // a failing logger must not take requests down with it
    }
  };

  const originAllowed = (origin: string | undefined, host: string | undefined): boolean => {
    if (origin === undefined) return true;
    if (origin === 'null') return false; // opaque: a sandboxed frame, a file: page; never trusted
    if (allowed.has('*') || allowed.has(origin)) return true;
    try {
      return new URL(origin).host === host?.toLowerCase();
    } catch {
      return false;
    }
  };

  function preflight(req: IncomingMessage, res: ServerResponse): void {
    const requested = (req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter((h) => TOKEN.test(h) && h.toLowerCase() !== 'content-type');
    res.writeHead(204, {
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': ['Content-Type', ...new Set(requested)].join(', '),
      'Access-Control-Max-Age': '86400',
      Vary: 'Origin, Access-Control-Request-Headers',
    });
    res.end();
  }

  async function collect(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = mediaType(req.headers['content-type']);
    if (!BODY_TYPES.has(type)) {
      const given = type === '' ? 'no Content-Type' : `unsupported Content-Type "${type}"`;
      return sendError(res, 415, `${given}: send text/plain or application/json`);
    }
    const encoding = req.headers['content-encoding']?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
      return sendError(res, 415, `unsupported Content-Encoding "${encoding}": send the body uncompressed`);
    }
    const tooLarge = `body larger than ${maxBodyBytes} bytes`;
    if (Number(req.headers['content-length']) > maxBodyBytes) return sendError(res, 413, tooLarge);
    const body = await readBody(req, maxBodyBytes);
    if (body === 'aborted') return void res.destroy();
    if (body === 'too-large') return sendError(res, 413, tooLarge);
    if (body.length === 0) return sendError(res, 400, 'body is empty: send {"v": 1, "events": [...]}');
    let data: unknown;
    try {
      data = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
    } catch {
      return sendError(res, 400, 'body is not valid JSON');
    }
    const known = checkKnown(data);
    if (known) return typeof known === 'string' ? sendError(res, 400, known) : sendJson(res, 200, { known: store.has(known) });
    const batch = checkBatch(data);
    if ('error' in batch) return sendError(res, batch.status, batch.error);

    const good: StorableEvent[] = [];
    const rejected: CollectResponse['rejected'] = [];
    batch.events.forEach((event, index) => {
      const prepared = prepareEvent(event);
      if (typeof prepared === 'string') rejected.push({ index, error: prepared });
      else good.push(prepared);
    });
    const { accepted, duplicates } = store.insert(good, Date.now());
    counters.accepted += accepted;
    counters.duplicates += duplicates;
    counters.rejected += rejected.length;
    sendJson(res, 200, { accepted, duplicates, rejected } satisfies CollectResponse);
  }

  function listEvents(query: URLSearchParams, res: ServerResponse): void {
    const raw = query.get('limit') || String(EVENTS_DEFAULT_LIMIT);
    const limit = /^\d{1,4}$/.test(raw) ? Number(raw) : 0;
    if (limit < 1 || limit > EVENTS_MAX_LIMIT) {
      return sendError(res, 400, `limit must be an integer from 1 to ${EVENTS_MAX_LIMIT}`);
    }
    sendJson(res, 200, store.list(limit, query.get('name') || undefined));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const { pathname, query } = splitTarget(req.url);
    const methods = ROUTE_METHODS[pathname];
    if (methods) {
      const origin = req.headers.origin;
      const originOk = originAllowed(origin, req.headers.host);
      res.setHeader('Vary', 'Origin');
      if (origin !== undefined && originOk) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
      }
      if (pathname === '/collect' && method === 'POST') counters.requests++;
      if (!methods.includes(method)) {
        return sendError(res, 405, `${method} is not allowed on ${pathname}`, { Allow: methods.join(', ') });
      }
      if (pathname === '/collect') {
        if (!originOk) return sendError(res, 403, 'origin not allowed');
        return method === 'OPTIONS' ? preflight(req, res) : collect(req, res);
      }
      if (pathname === '/health') return sendJson(res, 200, { ok: true, events: store.count(), ...counters });
      return listEvents(query, res);
    }
    if (staticRoot === undefined || !pathname.startsWith('/')) return sendError(res, 404, 'not found');
    if (method !== 'GET' && method !== 'HEAD') {
      return sendError(res, 405, `${method} is not allowed here`, { Allow: 'GET, HEAD' });
    }
    return serveStatic(staticRoot, pathname, req, res);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    // Without listeners, an 'error' on either stream (a client hanging up) would be thrown.
    req.on('error', () => {});
    res.on('error', (error) => log(`response error ${req.method} ${req.url}: ${error.message}`));
    res.on('finish', () => log(`${req.method} ${req.url} ${res.statusCode}`, res.statusCode >= 500 ? 'error' : 'info'));
    route(req, res).catch((error: unknown) => {
      log(`error ${req.method} ${req.url}: ${error instanceof Error ? error.stack : String(error)}`, 'error');
      if (res.headersSent) return void res.destroy();
      try {
        sendError(res, 500, 'internal error');
      } catch {
        res.destroy();
      }
    });
  }

  function onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    log(`client error: ${error.code ?? error.message}`);
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const body = JSON.stringify({ error: 'malformed HTTP request' });
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  }

  function listen(port = 8787, host = '127.0.0.1'): Promise<string> {
    if (closing) return Promise.reject(new Error('collector is closed'));
    if (server) return Promise.reject(new Error('collector is already listening'));
    const s = createServer(handle);
    s.on('clientError', onClientError);
    server = s;
    return new Promise((resolvePromise, reject) => {
      const fail = (error: Error) => {
        server = undefined;
        reject(error);
      };
      s.once('error', fail);
      s.listen(port, host, () => {
        s.off('error', fail);
        s.on('error', (error) => log(`server error: ${error.message}`, 'error'));
        const { address, port: actual } = s.address() as AddressInfo;
        resolvePromise(`http://${address.includes(':') ? `[${address}]` : address}:${actual}`);
      });
    });
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      const s = server;
      if (s && !s.listening) {
        // listen() is still looking up its host name: let it finish, or fail, before closing
        await new Promise((settled) => s.once('listening', settled).once('error', settled));
      }
      if (s?.listening) {
        await new Promise<void>((done) => {
          const force = setTimeout(() => s.closeAllConnections(), CLOSE_GRACE_MS);
          s.close(() => {
            clearTimeout(force);
            done();
          });
          s.closeIdleConnections();
        });
      }
      store.close();
    })();
    return closing;
  }

  return {
    handle,
    listen,
    close,
    stats: () => ({ ...counters }),
    events(query = {}) {
      const { limit, name } = query;
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
        throw new RangeError('limit must be a non-negative integer');
      }
      return store.list(limit, name);
    },
  };
}
