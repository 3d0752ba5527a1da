import type { SendResult, WaybillEvent } from './types';

/** Bytes a keepalive request (sendBeacon or fetch keepalive) may carry, under the browser's 64 KiB in-flight quota. */
const QUOTA = 60000;

const body = (events: WaybillEvent[]) => JSON.stringify({ v: 1, sentAt: new Date().toISOString(), events });
const size = (text: string) => new Blob([text]).size;

/** Milliseconds from a `Retry-After` header (seconds or an HTTP date), or `'retry'`. */
const retryAfter = (value: string | null): SendResult => {
  const ms = value ? (+value >= 0 ? +value * 1e3 : Date.parse(value) - Date.now()) : NaN;
  return ms >= 0 ? ms : 'retry';
};

/**
 * POST a batch in wire format v1 as `text/plain` JSON (no CORS preflight).
 *
 * On page hide (`unload`), hand it to `sendBeacon`, splitting it to fit the quota; a refused
 * beacon falls back to `fetch` with `keepalive`. The fate of these requests is unknown: `'beacon'`.
 * Otherwise `fetch` (with `keepalive`, so a navigation does not cut it off; a batch over the
 * quota goes as several requests) and map the status: 2xx `'ok'`, 408/425/429/5xx and network errors `'retry'` (honouring
 * `Retry-After`), other 4xx `'drop'`.
 */
export const sendBatch = async (url: string, events: WaybillEvent[], unload: boolean, headers?: Record<string, string>): Promise<SendResult> => {
  const text = body(events);
  const bytes = size(text);
  if (bytes > QUOTA && events.length > 1) {
    // Too big for one request (and for many collectors' body limits): halves.
    const half = events.length >> 1;
    const first = sendBatch(url, events.slice(0, half), unload, headers);
    // On page hide both go at once, synchronously; otherwise one after the other. A failed half
    // fails the batch, which is retried whole (the collector drops what it already has).
    if (unload) {
      sendBatch(url, events.slice(half), unload, headers);
      return first;
    }
    const a = await first;
    const b = a == 'ok' || a == 'drop' ? await sendBatch(url, events.slice(half), unload, headers) : a;
    return b == 'ok' ? a : b;
  }
  if (unload) {
    if (!navigator.sendBeacon?.(url, text)) fetch(url, { method: 'POST', body: text, keepalive: true }).catch(() => {});
    return 'beacon';
  }
  const init: RequestInit = { method: 'POST', body: text, headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...headers } };
  let res: Response;
  try {
    res = await fetch(url, { ...init, keepalive: bytes < QUOTA });
  } catch {
    // A keepalive fetch is refused (TypeError) when other keepalive requests hold the quota.
    try {
      res = await fetch(url, init);
    } catch {
      return 'retry';
    }
  }
  const s = res.status;
  return s < 300 ? 'ok' : s == 408 || s == 425 || s == 429 || s > 499 ? retryAfter(res.headers.get('Retry-After')) : 'drop';
};
