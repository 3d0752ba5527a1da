// What one request to a vendor came to, and when to try again.

/**
 * - `ok`: delivered; never sent again.
 * - `retry`: a passing failure (a timeout, the network, 408, 429, 5xx, a vendor's rate limit):
 *   try again later, no sooner than `retryAfterMs` when the vendor said so.
 * - `reject`: the vendor refused this request (a 4xx, a bad parameter): one of its events may be
 *   at fault, so a request of several events is split to find it; a single event is a dead letter.
 * - `fatal`: the vendor refused us (bad credentials): every event of the request is a dead
 *   letter, without splitting, and so is the rest of the backlog until the credentials are fixed.
 */
export type Outcome =
  | { kind: 'ok' }
  | { kind: 'retry'; error: string; retryAfterMs?: number }
  | { kind: 'reject'; error: string }
  | { kind: 'fatal'; error: string };

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or nothing. */
export function retryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.max(ms, 0) : undefined;
}

/**
 * The outcome of an HTTP status alone: nothing for a 2xx (the vendor's body decides); 408, 429 and
 * 5xx retry (honouring `Retry-After`); other statuses reject.
 */
export function httpOutcome({ status, retryAfter: after, text }: { status: number; retryAfter: string | null; text: string }, now: number): Outcome | undefined {
  if (status >= 200 && status < 300) return undefined;
  const error = `HTTP ${status}${text ? ': ' + text.slice(0, 200) : ''}`;
  if (status == 408 || status == 429 || status >= 500) return { kind: 'retry', error, retryAfterMs: retryAfter(after, now) };
  return { kind: 'reject', error };
}

/** Times for retries: exponential backoff with jitter, bounded. */
export interface Backoff {
  /** The first retry waits about this long (ms). Default 1000. */
  baseMs?: number;
  /** No retry waits longer, `Retry-After` included (ms). Default one hour. */
  maxMs?: number;
}

/**
 * How long to wait before attempt `attempts + 1`: `baseMs × 2^attempts`, at most `maxMs`, times a
 * random factor in [0.5, 1) so that rows failed together do not come back together; never less
 * than the vendor's `Retry-After`.
 */
export function retryDelay({ baseMs = 1000, maxMs = 3_600_000 }: Backoff, attempts: number, retryAfterMs = 0, random = Math.random): number {
  const exponential = Math.min(baseMs * 2 ** Math.min(attempts, 40), maxMs) * (0.5 + random() / 2);
  // Whole milliseconds: the stores keep times as integers (PostgreSQL's bigint refuses a fraction).
  return Math.round(Math.min(Math.max(exponential, retryAfterMs), maxMs));
}
