import { say } from './log';
import type { SendResult, WaybillEvent } from './types';

/** Bytes a keepalive request (sendBeacon or fetch keepalive) may carry, under the browser's 64 KiB in-flight quota. */
const QUOTA = 60000;
/** Bytes of events per request: the quota less the envelope, `{"v":1,"sentAt":"<24 characters>","events":[]}`. */
const ROOM = QUOTA - 64;

const encoder = new TextEncoder();

const TEXT = { 'Content-Type': 'text/plain;charset=UTF-8' };

/** POST as `text/plain`, a simple request: no CORS preflight, and the same body works with `sendBeacon`. */
const post = (url: string, body: string, headers?: Record<string, string>, keepalive?: boolean) =>
  fetch(url, { method: 'POST', body, headers: { ...TEXT, ...headers }, keepalive });

/**
 * The answer's JSON, or nothing. Reading the body to its end matters: Chromium counts an unread
 * keepalive response against the 64 KiB quota, which the page-hide beacons need.
 */
const read = (res: Response): Promise<Record<string, unknown> | void> => res.json().catch(() => {});

/** Milliseconds from a `Retry-After` header (seconds or an HTTP date), or `'retry'`. */
const retryAfter = (value: string | null): SendResult => {
  const ms = value ? (+value >= 0 ? +value * 1e3 : Date.parse(value) - Date.now()) : NaN;
  return ms >= 0 ? ms : 'retry';
};

/**
 * Bodies in wire format v1 for the events, in order, each under {@link QUOTA} bytes of UTF-8
 * (an event larger than that goes alone), with the bytes of their events. Each event is
 * serialised once.
 */
const bodies = (events: WaybillEvent[]) => {
  const out: [string[], number][] = [];
  for (const e of events) {
    const json = JSON.stringify(e);
    const bytes = encoder.encode(json).length + 1;
    const last = out[out.length - 1];
    if (last && last[1] + bytes < ROOM) last[0].push(json), (last[1] += bytes);
    else out.push([[json], bytes]);
  }
  return out.map(([parts, bytes]): [string, number] => ['{"v":1,"sentAt":"' + new Date().toISOString() + '","events":[' + parts + ']}', bytes]);
};

/**
 * POST a batch in wire format v1 as `text/plain` JSON (no CORS preflight), in as many requests
 * as the {@link QUOTA} asks for.
 *
 * On page hide (`unload`), hand each request to `sendBeacon`; a refused beacon falls back to
 * `fetch` with `keepalive`. The fate of these requests is unknown: `'beacon'`.
 * Otherwise `fetch` the requests one after the other (with `keepalive` when they fit, so a
 * navigation does not cut them off), stopping at the first that fails, and map the status:
 * 2xx `'ok'`, 408/425/429/5xx and network errors `'retry'` (honouring `Retry-After`), other
 * 4xx `'drop'` (and a console warning, once, debug or not). A failure fails the whole batch,
 * which is retried whole (the collector drops what it already has).
 */
export const sendBatch = async (url: string, events: WaybillEvent[], unload: boolean, headers?: Record<string, string>): Promise<SendResult> => {
  for (const [text, bytes] of bodies(events)) {
    if (unload) {
      if (!navigator.sendBeacon?.(url, text)) fetch(url, { method: 'POST', body: text, keepalive: true }).catch(() => {});
      continue;
    }
    let res: Response;
    try {
      res = await post(url, text, headers, bytes < ROOM);
    } catch {
      // A keepalive fetch is refused (TypeError) when other keepalive requests hold the quota.
      try {
        res = await post(url, text, headers);
      } catch {
        return 'retry';
      }
    }
    const s = res.status;
    const answer = await read(res);
    if (s > 299) {
      if (s == 408 || s == 425 || s == 429 || s > 499) return retryAfter(res.headers.get('Retry-After'));
      // A setup mistake (a wrong endpoint, an origin the collector refuses): said once, even without debug.
      say(`${url} answered ${s}${answer?.error ? ' (' + answer.error + ')' : ''}: events are dropped. Check the endpoint, and that the collector allows this origin (${location.origin}).`);
      return 'drop';
    }
  }
  return unload ? 'beacon' : 'ok';
};

/**
 * Ask the collector which of these event ids it holds: `POST {url}` with `{"v": 1, "known": [...]}`
 * (at most 500 ids a request), answered `{"known": [...]}`. Resolves to the ids it holds, or to
 * nothing when it cannot tell (a collector older than the question answers 400); rejects when
 * there was no answer at all (offline, the collector down, the page leaving), to be asked again.
 */
export const askKnown = async (url: string, ids: string[], headers?: Record<string, string>): Promise<string[] | void> => {
  const held: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const res = await post(url, JSON.stringify({ v: 1, known: ids.slice(i, i + 500) }), headers);
    const answer = await read(res);
    if (!res.ok || !Array.isArray(answer?.known)) return;
    held.push(...answer.known);
  }
  return held;
};
