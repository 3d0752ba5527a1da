import type { Context } from 'hono';
import type { Env } from './env';

/**
 * A JSON answer, never cached, since every one reports the state of the moment; with the
 * request's own headers (CORS). Made here rather than with `c.json`: plain header objects keep
 * @hono/node-server on its fast path (no Headers object to build, copy and walk per answer).
 */
export const reply = (c: Context<Env>, status: number, body: unknown, headers?: Record<string, string>): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...c.get('headers'), ...headers },
  });

/** A 4xx/5xx answer `{"error": message}`. */
export const fail = (c: Context<Env>, status: number, message: string, headers?: Record<string, string>): Response =>
  reply(c, status, { error: message }, headers);
