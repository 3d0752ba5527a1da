// sendServerEvents: the shop's backend's side of POST /v1/server-events, for Node (>= 20.19) and
// any runtime with fetch. Batches of at most 500 events (and about 200 kB), each retried on what
// may pass (network errors, timeouts, 408, 429, 5xx) with backoff: safe, since the collector
// deduplicates by event id.

/** A time: RFC 3339 (`'2025-05-01T12:00:00Z'`), a `Date`, or milliseconds since the epoch. */
export type EventTime = string | number | Date;

interface ServerEventBase {
  /** Unique per event: a retry under the same id is stored once. */
  id: string;
  /** The order's id, the same as the browser purchase's `transaction_id`. */
  transaction_id: string | number;
  /** The shop's id of the customer, as passed to `identify`. */
  user_id?: string;
}
interface Money {
  value?: number;
  currency?: string;
  items?: Record<string, string | number | boolean>[];
}

/** One server event (see `schema/server-events-v1.json`). */
export type ServerEventInput =
  | (ServerEventBase & Money & { type: 'order_created'; created_at?: EventTime; channel?: string })
  | (ServerEventBase & { type: 'order_shipped'; carrier: string; tracking_number?: string; shipped_at?: EventTime })
  | (ServerEventBase & { type: 'order_delivered'; delivered_at?: EventTime; carrier?: string })
  | (ServerEventBase & { type: 'return_requested'; requested_at?: EventTime; reason?: string; items?: Money['items'] })
  | (ServerEventBase & Money & { type: 'refund'; refunded_at?: EventTime });

/** Options of {@link sendServerEvents}. */
export interface SendServerEventsOptions {
  /** Tries per batch, the first included. Default 5. */
  attempts?: number;
  /** First wait between tries, doubled each time (with jitter), in ms. Default 500. */
  backoffMs?: number;
  /** Time a try may take, in ms. Default 10,000. */
  timeoutMs?: number;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** What the collector did with the events (all batches added up). */
export interface SendServerEventsResult {
  accepted: number;
  duplicates: number;
  /** Refused events, by their index in `events`. */
  rejected: { index: number; error: string }[];
  /** Orders without a browser purchase so far (they join one that arrives later). */
  untracked: string[];
}

/** A batch the collector refused for good (a bad key, a malformed body), or that kept failing. */
export class ServerEventsError extends Error {
  /** The HTTP status of the last answer, or 0 if none came. */
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerEventsError';
    this.status = status;
  }
}

const MAX_EVENTS = 500;
const MAX_BYTES = 200_000;

/** `events` in batches within the collector's limits, each with the index of its first event. */
function batches(events: unknown[]): { start: number; body: string; events: unknown[] }[] {
  const out: { start: number; body: string; events: unknown[] }[] = [];
  let start = 0;
  let current: unknown[] = [];
  let bytes = 0;
  const close = () => {
    if (current.length) out.push({ start, events: current, body: JSON.stringify({ events: current }) });
    start += current.length;
    current = [];
    bytes = 0;
  };
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event) ?? '') + 1;
    if (current.length === MAX_EVENTS || (current.length > 0 && bytes + size > MAX_BYTES)) close();
    current.push(event);
    bytes += size;
  }
  close();
  return out;
}

/** How long a 429 or 503 asks to wait (`Retry-After`, seconds or a date), in ms. */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Sends server events (orders created, shipped, delivered, returned, refunded) to a Waybill
 * collector: `POST <baseUrl>/v1/server-events` with `Authorization: Bearer <key>`.
 * @returns what the collector did, all batches added up.
 * @throws ServerEventsError when the collector refuses a batch (a wrong key: 401; a malformed
 *   body: 400) or a batch still fails after the last try. Batches sent before stay sent.
 */
export async function sendServerEvents(
  baseUrl: string,
  key: string,
  events: ServerEventInput[],
  options: SendServerEventsOptions = {},
): Promise<SendServerEventsResult> {
  const { attempts = 5, backoffMs = 500, timeoutMs = 10_000, fetch: send = fetch } = options;
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/server-events`;
  const normalised = events.map((e) =>
    Object.fromEntries(Object.entries(e).map(([field, value]) => [field, value instanceof Date ? value.toISOString() : value])),
  );
  const total: SendServerEventsResult = { accepted: 0, duplicates: 0, rejected: [], untracked: [] };
  for (const batch of batches(normalised)) {
    let last: ServerEventsError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let wait = backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      try {
        const res = await send(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
          body: batch.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const answer = (await res.json().catch(() => ({}))) as Partial<SendServerEventsResult> & { error?: string };
        if (res.ok) {
          total.accepted += answer.accepted ?? 0;
          total.duplicates += answer.duplicates ?? 0;
          for (const r of answer.rejected ?? []) total.rejected.push({ index: batch.start + r.index, error: r.error });
          for (const id of answer.untracked ?? []) if (!total.untracked.includes(id)) total.untracked.push(id);
          last = undefined;
          break;
        }
        last = new ServerEventsError(`the collector answered ${res.status}: ${answer.error ?? res.statusText}`, res.status);
        if (!retryable(res.status)) throw last;
        wait = retryAfter(res.headers.get('retry-after')) ?? wait;
      } catch (error) {
        if (error instanceof ServerEventsError && !retryable(error.status)) throw error;
        if (!(error instanceof ServerEventsError)) last = new ServerEventsError(`could not reach the collector: ${(error as Error).message}`, 0, { cause: error });
      }
      if (attempt < attempts) await pause(wait);
    }
    if (last) throw last;
  }
  return total;
}
