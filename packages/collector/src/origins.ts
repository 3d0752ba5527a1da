import type { Context, MiddlewareHandler } from 'hono';
import type { Env } from './env';
import type { Log } from './log';
import { fail } from './reply';

/** Answers depend on the Origin, so a cache must not give one origin's answer to another. */
const VARY = { Vary: 'Origin' };

/** Distinct refused origins worth a warning each; past that, one line says the rest go unsaid. */
const MAX_WARNED_ORIGINS = 100;

/** How one group of routes treats the `Origin` of a request. */
export interface OriginRules {
  /** Methods a cross-origin page may use (the preflight's answer). */
  methods: string[];
  /** Refuse a disallowed origin with 403 (`/collect`), instead of only withholding CORS headers. */
  refuse?: boolean;
}

/**
 * Origin checks and CORS for the API routes. Same-origin pages are always allowed, `Origin: null`
 * (a sandboxed frame, a `file:` page) never, others when `allowed` has them (or `'*'`). Requests
 * without an `Origin` (servers, curl) are not browsers' and pass untouched.
 *
 * Not Hono's `cors`: it writes its headers on `c.res` before the route answers, which makes Hono
 * rebuild every answer, and on Node that turns @hono/node-server's light responses into full ones
 * with a stream (about 1.5 times the CPU per ingested batch, measured). The headers go in
 * `c.var.headers` instead, which every answer is made with (see reply.ts).
 */
export function originGuard(allowed: Set<string>, log: Log): (rules: OriginRules) => MiddlewareHandler<Env> {
  const warned = new Set<string>();
  const warnOnce = (origin: string) => {
    if (warned.has(origin) || warned.size > MAX_WARNED_ORIGINS) return;
    warned.add(origin);
    if (warned.size > MAX_WARNED_ORIGINS) return log(`more origins refused: not logged any more`, 'warn');
    log(
      origin === 'null'
        ? 'refused events from a page with Origin: null (a sandboxed frame or a file: page), which cannot be allowed'
        : `refused events from origin ${origin}: add --allow-origin ${origin} (allowedOrigins in code) to accept them`,
      'warn',
    );
  };

  const isAllowed = (origin: string, c: Context<Env>): boolean => {
    if (origin === 'null') return false; // opaque: never trusted
    if (allowed.has('*') || allowed.has(origin)) return true;
    try {
      const host = c.req.header('host') ?? new URL(c.req.url).host;
      return new URL(origin).host === host.toLowerCase();
    } catch {
      return false;
    }
  };

  return ({ methods, refuse = false }) => {
    const allowMethods = methods.join(', ');
    return async (c, next) => {
      const origin = c.req.header('origin');
      if (origin === undefined) {
        c.set('headers', VARY);
        return next();
      }
      if (isAllowed(origin, c)) {
        // Echoed, since credentials forbid `*`. The SDK waits as long as Retry-After says: it must read it.
        const headers: Record<string, string> = {
          'Access-Control-Allow-Origin': origin,
          'Access-Control-Allow-Credentials': 'true',
          'Access-Control-Expose-Headers': 'Retry-After',
          Vary: 'Origin',
        };
        if (c.req.method === 'OPTIONS') {
          const requested = c.req.header('access-control-request-headers');
          return new Response(null, {
            status: 204,
            headers: {
              ...headers,
              'Access-Control-Allow-Methods': allowMethods,
              'Access-Control-Max-Age': '86400',
              ...(requested && { 'Access-Control-Allow-Headers': requested, Vary: 'Origin, Access-Control-Request-Headers' }),
            },
          });
        }
        c.set('headers', headers);
        return next();
      }
      if (!refuse) {
        c.set('headers', VARY);
        return next(); // answered, but the browser keeps it from the page
      }
      if (c.req.method === 'POST') warnOnce(origin);
      // The page may read this refusal (so the SDK can stop retrying and say why), never more:
      // no credentials, no data, and not for Origin: null, which any sandboxed frame can send.
      const readable = origin !== 'null' && c.req.method !== 'OPTIONS';
      return fail(c, 403, 'origin not allowed', { ...VARY, ...(readable && { 'Access-Control-Allow-Origin': origin }) });
    };
  };
}
