import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A JSON answer; never cached, since every one reports the state of the moment. */
export const reply = (c: Context, status: ContentfulStatusCode, body: unknown, headers: Record<string, string> = {}): Response =>
  c.json(body, status, { 'Cache-Control': 'no-store', ...headers });

/** A 4xx/5xx answer `{"error": message}`. */
export const fail = (c: Context, status: ContentfulStatusCode, message: string, headers?: Record<string, string>): Response =>
  reply(c, status, { error: message }, headers);
