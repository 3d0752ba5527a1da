import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { Log } from './log';

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
 * (a sandboxed frame, a `file:` page) never, others when `allowed` has them (or `'*'`).
 * Requests without an `Origin` (servers, curl) are not browsers' and pass untouched.
 */
export function originGuard(allowed: Set<string>, log: Log): (rules: OriginRules) => MiddlewareHandler {
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

  const isAllowed = (origin: string, c: Context): boolean => {
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
    const withCors = cors({
      origin: (origin) => origin, // only ever reached for an allowed origin, echoed since credentials forbid `*`
      credentials: true,
      allowMethods: methods,
      // The SDK waits as long as Retry-After says: it must be able to read it.
      exposeHeaders: ['Retry-After'],
      maxAge: 86400,
    });
    return async (c, next) => {
      const origin = c.req.header('origin');
      if (origin === undefined) {
        c.header('Vary', 'Origin');
        return next();
      }
      if (isAllowed(origin, c)) return withCors(c, next);
      if (!refuse) return next(); // answered, but the browser keeps it from the page
      if (c.req.method === 'POST') warnOnce(origin);
      // The page may read this refusal (so the SDK can stop retrying and say why), never more:
      // no credentials, no data, and not for Origin: null, which any sandboxed frame can send.
      const readable = origin !== 'null' && c.req.method !== 'OPTIONS';
      const headers: Record<string, string> = { Vary: 'Origin', 'Cache-Control': 'no-store' };
      if (readable) headers['Access-Control-Allow-Origin'] = origin;
      return c.json({ error: 'origin not allowed' }, 403, headers);
    };
  };
}
