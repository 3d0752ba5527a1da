// GET /health (public: load balancers and uptime checks) and GET /events (admin).
import type { Hono, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { Env } from '../env';
import { fail, reply } from '../reply';
import type { Store } from '../store/store';

const EVENTS_DEFAULT_LIMIT = 100;
const EVENTS_MAX_LIMIT = 1000;

/**
 * Lets a request through only with `Authorization: Bearer <token>` (compared in constant time),
 * when a token is set; answers 401 with a JSON error otherwise. Without a token, lets all through.
 */
export function adminOnly(token: string | undefined): MiddlewareHandler {
  if (token === undefined) return (_, next) => next();
  const refuse = (message: string) => ({ message: (c: Parameters<MiddlewareHandler>[0]) => fail(c, 401, message) });
  return bearerAuth({
    token,
    noAuthenticationHeader: refuse('this needs the admin token: send Authorization: Bearer <token>'),
    invalidAuthenticationHeader: refuse('send the admin token as Authorization: Bearer <token>'),
    invalidToken: refuse('wrong admin token'),
  });
}

export function readRoutes(app: Hono<Env>, deps: { store: Store; stats: () => object; admin: MiddlewareHandler }): void {
  const { store } = deps;

  app.get('/health', async (c) => reply(c, 200, { ok: true, events: await store.count(), ...deps.stats() }));

  app.get('/events', deps.admin, async (c) => {
    const raw = c.req.query('limit') || String(EVENTS_DEFAULT_LIMIT);
    const limit = /^\d{1,4}$/.test(raw) ? Number(raw) : 0;
    if (limit < 1 || limit > EVENTS_MAX_LIMIT) return fail(c, 400, `limit must be an integer from 1 to ${EVENTS_MAX_LIMIT}`);
    const before = c.req.query('before') || undefined;
    try {
      return reply(c, 200, await store.list({ limit, name: c.req.query('name') || undefined, before }));
    } catch (error) {
      if (error instanceof RangeError && before !== undefined) return fail(c, 400, 'before must be the "next" cursor of an earlier page');
      throw error;
    }
  });
}
