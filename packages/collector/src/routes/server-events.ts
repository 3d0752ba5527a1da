// POST /v1/server-events: the shop's backend reports its orders' fulfilment. Authenticated by a
// server key (not the admin token: a backend that reports orders needs no access to the data),
// and never open to browsers: no CORS, and a request that carries an Origin is refused.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Env } from '../env';
import { fail, reply } from '../reply';
import { ingestServerEvents } from '../server-events/ingest';
import { checkServerBatch } from '../server-events/schema';
import type { Route, Store } from '../store/store';

/** What the route needs from the collector. */
export interface ServerEventsDeps {
  store: Store;
  route: Route;
  /** The accepted keys; none: every request is refused. */
  serverKeys: string[];
  maxBodyBytes: number;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Whether `presented` is one of `keys`, in time that depends on neither: digests of equal length
 * compared in constant time, every key compared every time.
 */
export function keyChecker(keys: string[]): (presented: string) => boolean {
  const digests = keys.map(digest);
  return (presented) => {
    const given = digest(presented);
    let match = false;
    for (const d of digests) match = timingSafeEqual(d, given) || match;
    return match;
  };
}

const UNAUTHORIZED = { 'WWW-Authenticate': 'Bearer realm="waybill server events"' };

export function serverEventsRoutes(app: Hono<Env>, deps: ServerEventsDeps): void {
  const isKey = keyChecker(deps.serverKeys);
  const tooLarge = bodyLimit({ maxSize: deps.maxBodyBytes, onError: (c) => fail(c, 413, `body larger than ${deps.maxBodyBytes} bytes`) });

  app.post(
    '/v1/server-events',
    async (c, next) => {
      if (c.req.header('origin') !== undefined) {
        return fail(c, 403, 'server events come from the shop\'s backend, never from a browser (this request has an Origin header)');
      }
      if (deps.serverKeys.length === 0) {
        return fail(c, 401, 'no server keys are configured: set WAYBILL_SERVER_KEYS (or the serverKeys option)', UNAUTHORIZED);
      }
      const match = /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '');
      if (!match) return fail(c, 401, 'send a server key as Authorization: Bearer <key>', UNAUTHORIZED);
      if (!isKey(match[1]!)) return fail(c, 401, 'wrong server key', UNAUTHORIZED);
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') return fail(c, 415, `${type ? `unsupported Content-Type "${type}"` : 'no Content-Type'}: send application/json`);
      return next();
    },
    tooLarge,
    async (c) => {
      let body: unknown;
      try {
        body = JSON.parse((await c.req.text()).replace(/^\uFEFF/, ''));
      } catch {
        return fail(c, 400, 'body is not valid JSON: send {"events": [...]}');
      }
      const batch = checkServerBatch(body);
      if ('error' in batch) return fail(c, batch.status, batch.error);
      return reply(c, 200, await ingestServerEvents(deps.store, deps.route, batch.events, Date.now()));
    },
  );
  app.all('/v1/server-events', (c) => fail(c, 405, `${c.req.method} is not allowed on ${c.req.path}`, { Allow: 'POST' }));
}
