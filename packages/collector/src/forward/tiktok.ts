// TikTok Events API 2.0: `POST <api>/open_api/v1.3/event/track/` with `Access-Token`, one
// `data[]` entry per event under the pixel code, named and parametrised by the same table as
// the pixel (`@waybill/tiktok/events`), so TikTok deduplicates the two copies by `event` +
// `event_id`.
import { normaliseEmail, normalisePhone } from '@waybill/core';
import { params, tiktokNaming, type TikTokMapping } from '@waybill/tiktok/events';
import type { OutboxRow } from '../outbox';
import { eventTime, matchKey, readEvent, sha256, text, type ForwardedEvent } from './event';
import { httpOutcome, retryAfter, type Outcome } from './outcome';
import { poster, type Answer, type Post, type Prepared, type Unsendable, type Vendor } from './vendor';

/** TikTok's own API host. */
export const TIKTOK_API_URL = 'https://business-api.tiktok.com';
/** The Events API 2.0 path. */
export const TIKTOK_PATH = '/open_api/v1.3/event/track/';
/** Events per call: no primary figure exists; 50 is what established integrations send. */
export const TIKTOK_MAX_EVENTS = 50;

/** Forwarding to TikTok. */
export interface TikTokForwarding extends TikTokMapping {
  /** The pixel code (`event_source_id`), the same as the pixel's on the page. */
  pixelCode: string;
  /** The Events API access token (Events Manager → the pixel → Settings → Generate Access Token). */
  accessToken: string;
  /** Default {@link TIKTOK_API_URL}. */
  apiUrl?: string;
  /** Sent with every call while testing in Events Manager's Test Events tab. */
  testEventCode?: string;
}

/** One `data[]` entry of an Events API call. */
export interface TikTokEvent {
  event: string;
  event_time: number;
  event_id: string;
  user: {
    email?: string;
    phone?: string;
    external_id?: string;
    ttclid?: string;
    ttp?: string;
    ip?: string;
    user_agent?: string;
  };
  page?: { url: string; referrer?: string };
  properties: Record<string, unknown>;
}

/** The name of an event for TikTok under `mapping`, or nothing (custom names TikTok refuses included). */
export const tiktokName = (mapping: TikTokMapping): ((e: { type: string; name: string }) => string | undefined) => {
  const nameOf = tiktokNaming(mapping);
  return (e) => nameOf(e, () => {}) || undefined;
};

/** The Events API entry for a stored event, sent as TikTok's `name`. */
export function tiktokEvent(e: ForwardedEvent, row: Pick<OutboxRow, 'meta'>, name: string): TikTokEvent {
  const { meta } = row;
  return {
    event: name,
    event_time: Math.floor(eventTime(e, meta.receivedAt) / 1000),
    event_id: e.id,
    user: {
      email: matchKey(e.traits.email, normaliseEmail),
      phone: matchKey(e.traits.phone, normalisePhone),
      // As the pixel adapter sends it: SHA-256 of the trimmed user id.
      external_id: e.userId && sha256(e.userId.trim()),
      ttclid: text(e.clickIds.ttclid),
      ttp: e.vendorIds.ttp,
      ip: meta.ip,
      user_agent: meta.userAgent,
    },
    page: e.page.url ? { url: e.page.url, referrer: e.page.referrer } : undefined,
    properties: params(e.props),
  };
}

/** The body of one Events API call. */
export const tiktokBody = (config: Pick<TikTokForwarding, 'pixelCode' | 'testEventCode'>, data: TikTokEvent[]) => ({
  event_source: 'web',
  event_source_id: config.pixelCode,
  ...(config.testEventCode && { test_event_code: config.testEventCode }),
  data,
});

/** TikTok answers `code` 0 for accepted; 40100 is its rate limit. */
const RATE_LIMIT = 40100;
/** Authentication and permission codes: 40001, 40002 (as RudderStack reads them) and the 401xx family (tokens, app credentials). */
const isAuthCode = (code: number) => code == 40001 || code == 40002 || (code > 40100 && code < 40200);

/** The outcome of an Events API answer (HTTP status first, then TikTok's `code`). */
export function tiktokOutcome(answer: Answer, now: number): Outcome {
  const http = httpOutcome(answer, now);
  if (http) return http;
  const unexpected: Outcome = { kind: 'retry', error: `unexpected answer: ${answer.text.slice(0, 200) || '(empty)'}` };
  let said: { code?: unknown; message?: unknown } | null;
  try {
    said = JSON.parse(answer.text);
  } catch {
    return unexpected;
  }
  const { code, message } = said ?? {};
  if (typeof code != 'number') return unexpected;
  if (code === 0) return { kind: 'ok' };
  const error = `TikTok code ${code}: ${String(message ?? '')}`.slice(0, 300);
  if (code == RATE_LIMIT) return { kind: 'retry', error, retryAfterMs: retryAfter(answer.retryAfter, now) };
  if (isAuthCode(code)) return { kind: 'fatal', error };
  // 5xxxx: TikTok's own failures.
  if (code >= 50000) return { kind: 'retry', error };
  return { kind: 'reject', error };
}

/** The Events API client. */
export function tiktokVendor(config: TikTokForwarding, post: Post = poster()): Vendor<TikTokEvent> {
  const url = (config.apiUrl ?? TIKTOK_API_URL).replace(/\/+$/, '') + TIKTOK_PATH;
  const nameOf = tiktokName(config);
  return {
    destination: 'tiktok',
    claimSize: TIKTOK_MAX_EVENTS * 4,
    probeSize: TIKTOK_MAX_EVENTS,
    prepare(row): TikTokEvent | Unsendable {
      const e = readEvent(row.event);
      const name = nameOf(e);
      // The routing wrote no row for such an event; the mapping may have changed since.
      return name ? tiktokEvent(e, row, name) : { dead: `no TikTok event for "${e.name}" under this mapping` };
    },
    batches(prepared) {
      const out: Prepared<TikTokEvent>[][] = [];
      for (let i = 0; i < prepared.length; i += TIKTOK_MAX_EVENTS) out.push(prepared.slice(i, i + TIKTOK_MAX_EVENTS));
      return out;
    },
    async send(batch, signal) {
      const body = tiktokBody(config, batch.map((p) => p.payload));
      const answer = await post(url, { 'Access-Token': config.accessToken }, body, signal);
      return 'kind' in answer ? answer : tiktokOutcome(answer, Date.now());
    },
    close: () => post.close?.(),
  };
}
