import type { SendResult, WaybillEvent } from './types';

/** Bytes a keepalive request (sendBeacon or fetch keepalive) may carry, under the browser's 64 KiB in-flight quota. */
const QUOTA = 60000;
/** Bytes of events per request: the quota less the envelope, `{"v":1,"sentAt":"<24 characters>","events":[]}`. */
const ROOM = QUOTA - 64;

const encoder = new TextEncoder();

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
 * 4xx `'drop'`. A failure fails the whole batch, which is retried whole (the collector drops
 * what it already has).
 */
export const sendBatch = async (url: string, events: WaybillEvent[], unload: boolean, headers?: Record<string, string>): Promise<SendResult> => {
  for (const [text, bytes] of bodies(events)) {
    if (unload) {
      if (!navigator.sendBeacon?.(url, text)) fetch(url, { method: 'POST', body: text, keepalive: true }).catch(() => {});
      continue;
    }
    const init: RequestInit = { method: 'POST', body: text, headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...headers } };
    let res: Response;
    try {
      res = await fetch(url, { ...init, keepalive: bytes < ROOM });
    } catch {
      // A keepalive fetch is refused (TypeError) when other keepalive requests hold the quota.
      try {
        res = await fetch(url, init);
      } catch {
        return 'retry';
      }
    }
    const s = res.status;
    if (s > 299) return s == 408 || s == 425 || s == 429 || s > 499 ? retryAfter(res.headers.get('Retry-After')) : 'drop';
  }
  return unload ? 'beacon' : 'ok';
};
