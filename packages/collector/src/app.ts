// The collector's HTTP surface as one Hono app: middleware for what cuts across routes (logging,
// origins and CORS, the admin token), then one file per route group.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Env } from './env';
import type { Log } from './log';
import { closeIfUnread } from './node';
import { originGuard } from './origins';
import { fail } from './reply';
import { collectRoutes, type CollectDeps } from './routes/collect';
import { adminOnly, readRoutes } from './routes/read';
import { serverEventsRoutes } from './routes/server-events';
import { dashboardAuth, dashboardRoutes } from './routes/dashboard';
import { statsRoutes } from './routes/stats';
import type { Alerts } from './alerts/engine';
import { userRoutes } from './routes/users';
import { resolveStatic, serveFile } from './static';

/** What the app is made of. */
export interface AppDeps extends CollectDeps {
  allowedOrigins: Set<string>;
  staticRoot: string | undefined;
  /** Where the routes are: `''`, or a path such as `/api/waybill` for `/api/waybill/collect`. */
  basePath: string;
  adminToken: string | undefined;
  /** Whether `DELETE /users/{id}` may erase (only with an admin token). */
  canErase: boolean;
  log: Log;
  /** Whether `log` wants a line per request (building one costs a URL parse). */
  logRequests: boolean;
  /** Counted per `POST /collect`, whatever its answer. */
  counters: CollectDeps['counters'] & { requests: number };
  /** Keys of the server events API (`POST /v1/server-events`). */
  serverKeys: string[];
  alerts: Alerts;
  /** Adds more routes (forwarding's); admin ones go under `admin`. */
  extend?: (app: Hono<Env>, admin: MiddlewareHandler) => void;
}

/** The path and query of a URL, as the request line had them. */
const target = (url: string): string => {
  const { pathname, search } = new URL(url);
  return pathname + search;
};

/**
 * For an answer no route's origin rules made (a wrong path): readable by the page that asked, so
 * the SDK can say "answered 404" instead of retrying a CORS error for ever. It says no more than
 * that the path is wrong: no credentials, and never for `Origin: null`.
 */
const readable = (c: Context<Env>): Record<string, string> | undefined => {
  const origin = c.req.header('origin');
  return origin && origin !== 'null' ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : undefined;
};

/** A client that went away before its request was read: nothing went wrong here. */
const clientGone = (error: Error & { code?: string }) => error.message === 'aborted' || error.code === 'ECONNRESET' || error.code === 'ERR_STREAM_PREMATURE_CLOSE';

/** Answers 405 naming the methods `path` takes. */
const only = (app: Hono<Env>, path: string, allow: string) =>
  app.all(path, (c) => fail(c, 405, `${c.req.method} is not allowed on ${c.req.path}`, { Allow: allow }));

export function createApp(deps: AppDeps): Hono<Env> {
  const { log, counters } = deps;
  const app = new Hono<Env>().basePath(deps.basePath || '/');
  const origins = originGuard(deps.allowedOrigins, log);
  const admin = adminOnly(deps.adminToken);

  app.use(async (c, next) => {
    await next();
    const { status } = c.res;
    if (deps.logRequests) log(`${c.req.method} ${target(c.req.url)} ${status}`, status >= 500 ? 'error' : 'info');
    closeIfUnread(c.env, status);
  });
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse(); // the admin token's 401, made by fail()
    // Mobile shoppers' connections drop mid-upload all the time: not an error of ours, nor a 500.
    if (clientGone(error)) return fail(c, 400, 'body could not be read to its end');
    log(`error ${c.req.method} ${target(c.req.url)}: ${error.stack ?? error}`, 'error');
    return fail(c, 500, 'internal error');
  });
  app.notFound((c) => fail(c, 404, 'not found', readable(c)));

  app.use('/collect', async (c, next) => {
    if (c.req.method === 'POST') counters.requests++;
    return next();
  });
  app.use('/collect', origins({ methods: ['POST', 'OPTIONS'], refuse: true }));
  app.use('/health', origins({ methods: ['GET', 'HEAD', 'OPTIONS'] }));
  app.use('/events', origins({ methods: ['GET', 'HEAD', 'OPTIONS'] }));
  // (/dashboard and /v1/stats guard themselves: a signed-in browser reads them with a cookie, and no CORS.)
  for (const path of ['/forwarding', '/forwarding/*', '/users/*']) {
    app.use(path, origins({ methods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'] }), admin);
  }

  collectRoutes(app, deps);
  serverEventsRoutes(app, deps);
  const dashboard = { adminToken: deps.adminToken, basePath: deps.basePath, trustProxy: deps.trustProxy };
  dashboardRoutes(app, dashboard);
  statsRoutes(app, { store: deps.store, alerts: deps.alerts, guard: dashboardAuth(dashboard).guard });
  readRoutes(app, { store: deps.store, stats: () => ({ ...counters }), admin });
  userRoutes(app, { store: deps.store, canErase: deps.canErase });
  deps.extend?.(app, admin);
  only(app, '/collect', 'POST, OPTIONS');
  only(app, '/health', 'GET, HEAD');
  only(app, '/events', 'GET, HEAD');
  only(app, '/users/:id', 'DELETE');

  const root = deps.staticRoot;
  if (root !== undefined) {
    app.get('*', async (c) => {
      const path = await resolveStatic(root, c.req.path.slice(deps.basePath.length) || '/');
      const cut = () => Boolean(c.env?.outgoing?.destroy());
      return (path && (await serveFile(path, c.req.method, cut))) || fail(c, 404, 'not found', readable(c));
    });
    app.all('*', (c) => fail(c, 405, `${c.req.method} is not allowed here`, { Allow: 'GET, HEAD', ...readable(c) }));
  }
  return app;
}
