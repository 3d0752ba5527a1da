import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hono, MiddlewareHandler } from 'hono';
import { createApp } from './app';
import type { Env } from './env';
import type { Log, LogLevel } from './log';
import { nodeHost } from './node';
import { adminToken, allowedOrigins, badOption, basePath, positiveBytes, positiveInteger, serverKeys, show, staticFolder } from './options';
import type { ForwardDestination, Outbox } from './outbox';
import { retainedOutbox, startRetention } from './retention';
import { isPostgresUrl, openStore } from './store/open';
import { redacted } from './store/postgres';
import type { Erased, EventsPage, Route } from './store/store';
import { prepareEvent, type StorableEvent, type ValidEvent } from './wire';
import type { CollectResponse } from '@waybill/core';
import { ingestServerEvents, type ServerEventsResult } from './server-events/ingest';
import { checkAlertsConfig, type AlertsConfig } from './alerts/config';
import { createAlerts, type Alerts } from './alerts/engine';

/**
 * How server-side forwarding plugs in (see `src/forward/`): which destinations an accepted event
 * goes to, and a worker over the outbox that runs while the collector does.
 */
export interface Forwarding {
  /**
   * The destinations `event` is forwarded to, by the consent it was collected under: one outbox
   * row each, written in the same transaction as the event. Throwing fails the batch (a 500,
   * which the SDK retries): an acknowledged event is never missing from the outbox. A function of
   * the event alone: the PostgreSQL store asks it of a batch's duplicates too, and drops the answer.
   */
  route(event: ValidEvent): ForwardDestination[];
  /** Starts the worker; the function it returns stops it (`close()` awaits it before closing the store). */
  start?(outbox: Outbox, log: Log): () => Promise<void>;
  /** Adds routes (`GET /forwarding`, `POST /forwarding/retry`); `/forwarding` is already behind the admin token. */
  routes?(app: Hono<Env>, outbox: Outbox, admin: MiddlewareHandler): void;
}

/** Options of {@link createCollector}. */
export interface CollectorOptions {
  /**
   * Where events are stored: a SQLite file, created (with its folder) if missing (`':memory:'`
   * keeps nothing), or a PostgreSQL database, `'postgres://user:password@host:5432/database'`
   * (the `PG*` environment variables, such as `PGPASSWORD`, fill in what the URL leaves out),
   * which any number of collectors may share. Default `'./waybill.db'`.
   */
  db?: string;
  /** PostgreSQL only: connections this collector keeps at most. Default 10. */
  dbPool?: number;
  /**
   * Delete events received more than this many days ago (with their outbox rows): at start, then
   * hourly, in batches of 1,000 that ingest runs between. Default: keep everything.
   */
  retentionDays?: number;
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
  /**
   * Where the routes are, when the collector is mounted under a path that it sees (a Next.js route
   * at `app/api/waybill/[...path]/route.ts`: `'/api/waybill'`, for `/api/waybill/collect`). Default: the root.
   */
  basePath?: string;
  /** Largest accepted body of `POST /collect`, in bytes. Default 256 KiB. */
  maxBodyBytes?: number;
  /**
   * Token that `GET /events` and the other admin routes require, as `Authorization: Bearer <token>`:
   * at least 16 characters from A-Z a-z 0-9 - . _ ~ + /. Default: none, and those routes are open.
   */
  adminToken?: string;
  /**
   * Take the browser's address from the first `X-Forwarded-For` entry (set it behind a reverse
   * proxy or a platform that sets that header); otherwise it is the socket's. Default false.
   */
  trustProxy?: boolean;
  /**
   * Keys that the shop's backend sends as `Authorization: Bearer <key>` to `POST /v1/server-events`
   * (each at least 16 characters, like the admin token; several, so that one can be rotated).
   * The command reads them from `WAYBILL_SERVER_KEYS` (comma-separated). Default: none, and the
   * server events API refuses every request.
   */
  serverKeys?: string | string[];
  /**
   * Alert rules and their webhook (see the README's Alerts chapter); the command reads them from
   * `--alerts <file>`. Default: none.
   */
  alerts?: AlertsConfig;
  /** Server-side forwarding. Default: none (no outbox rows are written). */
  forward?: Forwarding;
  /**
   * Receives one line per request (`info`), per setup mistake seen in a request such as a refused
   * origin (`warn`, each said once), and per internal error or 5xx answer (`error`). Default: no logging.
   */
  log?: (line: string, level: LogLevel) => void;
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
  /** Only events older than the ones of the page whose `next` this is. */
  before?: string;
}

/** A collector made by {@link createCollector}. */
export interface Collector {
  /**
   * The Fetch API handler: every route, for any host that speaks `Request` and `Response`
   * (a Next.js route handler, Hono, Bun, Deno). Needs no `this`: pass it around as is. `env` is
   * what a host passes along, such as Hono's `c.env`; on Node, @hono/node-server's one carries the
   * socket, whose address forwarding uses.
   */
  fetch(request: Request, env?: unknown): Promise<Response>;
  /** The `node:http` request handler, for your own Node server (or Express: `app.use(collector.handle)`). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Starts an HTTP server; resolves its base URL, such as `'http://127.0.0.1:8787'`. Port 0 picks a free port. */
  listen(port?: number, host?: string): Promise<string>;
  stats(): CollectorStats;
  /** Stored events, newest first (in the order they were received), and the cursor of the next page. */
  events(query?: EventsQuery): Promise<EventsPage>;
  /**
   * Stores wire-format events received elsewhere (a backfill, a replay, demo data) as if they had
   * been posted to `/collect` at `receivedAt` (default now), with their rollups and outbox rows.
   */
  ingest(events: unknown[], options?: { receivedAt?: number }): Promise<CollectResponse>;
  /** Stores server events as `POST /v1/server-events` does, as if received at `receivedAt` (default now). */
  ingestServerEvents(events: unknown[], options?: { receivedAt?: number }): Promise<ServerEventsResult>;
  /** The alert rules: `evaluate(now)` runs them at once (they also run on their timer). */
  alerts: Pick<Alerts, 'evaluate' | 'report'>;
  /**
   * Erasure (GDPR/CCPA): deletes every event of one person, `id` being their user id or an
   * anonymous id, and their outbox rows; resolves how many (what `DELETE /users/{id}` answers).
   */
  eraseUser(id: string): Promise<Erased>;
  /** Stops the server (if listening) and the forwarding worker, then closes the database. */
  close(): Promise<void>;
}

const noRoute: Route = () => [];

/**
 * Creates the first-party collector: `POST /collect` validates (wire format v1 or v2), deduplicates
 * (by event id) and stores events in SQLite or PostgreSQL, with their outbox rows for forwarding;
 * `GET /health` and `GET /events` report what it holds.
 * @throws TypeError (code `ERR_INVALID_ARG_VALUE`) naming a bad option; Error if the SQLite
 *   database cannot be created, opened or written. A PostgreSQL database is opened in the
 *   background: `listen()` rejects if it cannot be, and each request waits for it.
 */
export function createCollector(options: CollectorOptions = {}): Collector {
  const maxBodyBytes = positiveBytes(options.maxBodyBytes ?? 256 * 1024);
  const origins = allowedOrigins(options.allowedOrigins);
  const staticRoot = options.staticDir === undefined ? undefined : staticFolder(options.staticDir);
  const token = adminToken(options.adminToken);
  const base = basePath(options.basePath);
  const keys = serverKeys(options.serverKeys);
  const alertsConfig = options.alerts === undefined ? undefined : checkAlertsConfig(options.alerts);
  const { forward } = options;
  if (forward !== undefined && typeof forward?.route !== 'function') throw badOption(`forward must have a route function, not ${show(forward)}`);
  const db = options.db ?? './waybill.db';
  // A URL of another database (mysql://, from a DATABASE_URL meant for something else) is not a file name.
  if (typeof db !== 'string' || db === '' || (/^[a-z][\w+.-]*:\/\//i.test(db) && !isPostgresUrl(db) && !db.startsWith('file:'))) {
    throw badOption(`db must be a SQLite file or a postgres:// URL, not ${show(redacted(String(db)))}`);
  }
  const pool = options.dbPool === undefined ? undefined : positiveInteger('dbPool', options.dbPool);
  if (pool !== undefined && !isPostgresUrl(db)) throw badOption('dbPool is for a PostgreSQL db (postgres://...) only');
  const retentionDays = options.retentionDays === undefined ? undefined : positiveInteger('retentionDays', options.retentionDays);
  const log: Log = (line, level) => {
    try {
      options.log?.(line, level);
    } catch {
      // a failing logger must not take requests down with it
    }
  };

  const { store, ready } = openStore(db, { pool });
  const counters: CollectorStats = { requests: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const route = forward?.route ?? noRoute;
  const alerts = createAlerts(alertsConfig, store, log);
  const app = createApp({
    store,
    counters,
    log,
    logRequests: options.log !== undefined,
    maxBodyBytes,
    allowedOrigins: origins,
    staticRoot,
    basePath: base,
    adminToken: token,
    serverKeys: keys,
    alerts,
    canErase: token !== undefined,
    trustProxy: options.trustProxy === true,
    route,
    extend: forward?.routes && ((hono, admin) => forward.routes!(hono, store, admin)),
  });
  const fetch = (request: Request, env?: Env['Bindings']): Promise<Response> => Promise.resolve(app.fetch(request, env));
  const node = nodeHost(fetch, log);
  let stopWorker: (() => Promise<void>) | undefined;
  try {
    stopWorker = forward?.start?.(retentionDays === undefined ? store : retainedOutbox(store, retentionDays), log);
  } catch (error) {
    void store.close();
    throw error;
  }
  const stopRetention = retentionDays === undefined ? undefined : startRetention(store, retentionDays, log);
  const stopAlerts = alerts.start();
  let closing: Promise<void> | undefined;

  return {
    fetch: (request, env) => fetch(request, env as Env['Bindings']),
    handle: node.handle,
    // The database first: a collector that cannot store must not take traffic.
    listen: (port, host) => (ready ? ready().then(() => node.listen(port, host)) : node.listen(port, host)),
    stats: () => ({ ...counters }),
    events(query = {}) {
      const { limit } = query;
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
        return Promise.reject(new RangeError('limit must be a non-negative integer'));
      }
      return store.list(query);
    },
    async ingest(events, { receivedAt = Date.now() } = {}) {
      const good: StorableEvent[] = [];
      const rejected: CollectResponse['rejected'] = [];
      events.forEach((event, index) => {
        const prepared = prepareEvent(event);
        if (typeof prepared === 'string') rejected.push({ index, error: prepared });
        else good.push(prepared);
      });
      const { accepted, duplicates } = await store.insert(good, { receivedAt }, route);
      Object.assign(counters, { accepted: counters.accepted + accepted, duplicates: counters.duplicates + duplicates, rejected: counters.rejected + rejected.length });
      return { accepted, duplicates, rejected };
    },
    ingestServerEvents: (events, { receivedAt = Date.now() } = {}) => ingestServerEvents(store, route, events, receivedAt),
    alerts: { evaluate: alerts.evaluate, report: alerts.report },
    eraseUser: (id) => store.eraseUser(id),
    close() {
      closing ??= (async () => {
        await node.close();
        await stopAlerts();
        await stopRetention?.();
        await stopWorker?.();
        await store.close();
      })();
      return closing;
    },
  };
}
