// GA4 Measurement Protocol: `POST <api>/mp/collect?measurement_id=…&api_secret=…`, one request
// per browser (`client_id`) with up to 25 of its events, named and parametrised by the same
// table as the gtag.js adapter (`@waybill/ga4/events`). GA4 does not deduplicate: an event
// reaches it by this path only when the page runs GA4 in server mode.
import type { WaybillEvent } from '@waybill/core';
import { RESERVED_EVENTS, fit, ga4Event, type Ga4Mapping } from '@waybill/ga4/events';
import type { OutboxRow } from '../outbox';
import { eventTime, readEvent, sha256, type ForwardedEvent } from './event';
import { httpOutcome, type Outcome } from './outcome';
import { poster, type Post, type Prepared, type Unsendable, type Vendor } from './vendor';

/** Google's collection host. */
export const GA4_API_URL = 'https://www.google-analytics.com';
/** Google's EU host: data collected in the EU. */
export const GA4_EU_API_URL = 'https://region1.google-analytics.com';
/** Events per request. */
export const GA4_MAX_EVENTS = 25;
/** A request body must be under 130 kB. */
export const GA4_MAX_BYTES = 130_000;
/** Events can be back-dated up to 72 hours; older ones are not sent (marked expired). */
export const GA4_MAX_AGE_MS = 72 * 3_600_000;

/** Forwarding to GA4. */
export interface Ga4Forwarding extends Ga4Mapping {
  /** The web stream's measurement id, `G-XXXXXXX` (not the stream id). */
  measurementId: string;
  /** A Measurement Protocol API secret of that stream (Admin → Data streams → the stream → Measurement Protocol API secrets). */
  apiSecret: string;
  /** Default {@link GA4_API_URL}; {@link GA4_EU_API_URL} to collect in the EU. */
  apiUrl?: string;
  /**
   * Send to the validation server (`/debug/mp/collect`) instead: what it finds wrong makes a dead
   * letter with its messages, what it accepts is marked sent. Nothing reaches your reports.
   */
  validate?: boolean;
}

/** The request-level fields of a Measurement Protocol request: the same for every event it carries. */
export interface Ga4Common {
  client_id: string;
  user_id?: string;
  consent: { ad_user_data: 'GRANTED' | 'DENIED'; ad_personalization: 'GRANTED' | 'DENIED' };
  ip_override?: string;
}

/** One event of a Measurement Protocol request, with what the request needs around it. */
export interface Ga4Piece {
  common: Ga4Common;
  event: { name: string; params: Record<string, unknown>; timestamp_micros: number };
  /** Bytes of `event` as JSON. */
  size: number;
}

/**
 * The GA4 client id: gtag's, from the `_ga` cookie the page passed (`GA1.1.<random>.<time>`,
 * whose last two parts are the client id), so these events join that browser's; else the
 * Waybill anonymous id.
 */
export function clientId(e: ForwardedEvent): string {
  const ga = e.vendorIds.ga?.match(/^(?:GA\d+\.\d+\.)?(\d+\.\d+)$/)?.[1];
  // An event without an anonymous id (a shop's backend) still needs a client id: its own.
  return ga ?? e.anonymousId ?? e.sessionId ?? e.id;
}

/**
 * GA4 session ids are numbers (gtag uses the session's start time); Waybill's are UUIDs. The same
 * Waybill session always gives the same number: 48 bits of its SHA-256, a safe integer.
 */
export const sessionNumber = (sessionId: string): number => parseInt(sha256(sessionId).slice(0, 12), 16);

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** At least the bytes of a request body with these pieces: the common fields, the events and commas, and room for the rest. */
const bodySize = (pieces: Ga4Piece[]) => bytes(pieces[0]!.common) + pieces.reduce((n, p) => n + p.size + 1, 64);

const signal = (state: unknown) => (state == 'granted' ? 'GRANTED' : 'DENIED');

/**
 * The Measurement Protocol piece for a stored event, or why it cannot be sent: no GA4 event
 * under the mapping, a name GA4 reserves, or older than 72 hours at `now`.
 */
export function ga4Piece(e: ForwardedEvent, row: Pick<OutboxRow, 'meta'>, mapping: Ga4Mapping, now: number): Ga4Piece | Unsendable {
  const mapped = ga4Event({ type: e.type, name: e.name, props: e.props, context: { page: e.page } } as WaybillEvent, mapping, () => {});
  if (!mapped) return { dead: `no GA4 event for "${e.name}" under this mapping` };
  if (RESERVED_EVENTS.has(mapped.name)) return { dead: `"${mapped.name}" is a name GA4 reserves` };
  const time = eventTime(e, row.meta.receivedAt);
  if (now - time > GA4_MAX_AGE_MS) return { expired: true };
  const { params } = mapped;
  // Realtime shows an event only with both. Waybill does not measure engagement: 1 ms marks the
  // visitor active without inventing engagement time. First, so the 25-parameter limit keeps them.
  const session = { ...(e.sessionId && { session_id: sessionNumber(e.sessionId) }), engagement_time_msec: params.engagement_time_msec ?? 1 };
  const marketing = signal(e.consent.marketing);
  // Fitted again only if the two would take it over GA4's 25 parameters (items aside).
  const counted = Object.keys(params).length - ('items' in params ? 1 : 0) + Object.keys(session).length;
  const withSession = counted > 25 ? fit({ ...session, ...params }, () => {}) : { ...session, ...params };
  const event = { name: mapped.name, params: withSession, timestamp_micros: time * 1000 };
  return {
    common: {
      client_id: clientId(e),
      user_id: e.userId,
      consent: { ad_user_data: marketing, ad_personalization: marketing },
      ip_override: row.meta.ip,
    },
    event,
    size: bytes(event),
  };
}

/** The body of one Measurement Protocol request (all `pieces` share their `common`). */
export const ga4Body = (pieces: Pick<Ga4Piece, 'common' | 'event'>[]) => ({
  ...pieces[0]!.common,
  timestamp_micros: Math.min(...pieces.map((p) => p.event.timestamp_micros)),
  events: pieces.map((p) => p.event),
});

/**
 * Requests within the limits: the pieces of one browser, user, consent and address together,
 * at most 25 a request and under 130 kB, in the order their first event came.
 */
export function ga4Batches<P extends Prepared<Ga4Piece>>(prepared: P[]): P[][] {
  const groups = new Map<string, P[]>();
  for (const p of prepared) {
    const key = JSON.stringify(p.payload.common);
    groups.get(key)?.push(p) ?? groups.set(key, [p]);
  }
  const out: P[][] = [];
  for (const group of groups.values()) {
    let batch: P[] = [];
    for (const p of group) {
      const next = [...batch, p];
      if (batch.length && (next.length > GA4_MAX_EVENTS || bodySize(next.map((q) => q.payload)) >= GA4_MAX_BYTES)) {
        out.push(batch);
        batch = [p];
      } else batch = next;
    }
    out.push(batch);
  }
  return out;
}

/** The outcome of a validation server answer: its messages make the request a `reject`. */
export function validationOutcome(text: string): Outcome {
  let messages: { fieldPath?: string; description?: string; validationCode?: string }[];
  try {
    messages = JSON.parse(text).validationMessages;
  } catch {
    return { kind: 'retry', error: `unexpected validation answer: ${text.slice(0, 200) || '(empty)'}` };
  }
  if (!Array.isArray(messages)) return { kind: 'retry', error: `unexpected validation answer: ${text.slice(0, 200)}` };
  if (!messages.length) return { kind: 'ok' };
  const said = messages.map((m) => `${m.validationCode ?? '?'} ${m.fieldPath ?? ''}: ${m.description ?? ''}`.trim());
  return { kind: 'reject', error: `GA4 validation: ${said.join('; ')}`.slice(0, 500) };
}

/** The Measurement Protocol client. */
export function ga4Vendor(config: Ga4Forwarding, post: Post = poster()): Vendor<Ga4Piece> {
  const query = new URLSearchParams({ measurement_id: config.measurementId, api_secret: config.apiSecret });
  const url = `${(config.apiUrl ?? GA4_API_URL).replace(/\/+$/, '')}${config.validate ? '/debug' : ''}/mp/collect?${query}`;
  return {
    destination: 'ga4',
    claimSize: 200,
    probeSize: GA4_MAX_EVENTS,
    prepare: (row, now) => {
      const piece = ga4Piece(readEvent(row.event), row, config, now);
      if ('event' in piece && bodySize([piece]) >= GA4_MAX_BYTES) return { dead: 'over 130 kB as a Measurement Protocol request' };
      return piece;
    },
    batches: ga4Batches,
    async send(batch, signal) {
      const answer = await post(url, {}, ga4Body(batch.map((p) => p.payload)), signal);
      if ('kind' in answer) return answer;
      // The collection endpoint answers 2xx whenever it receives a request: there is no other signal.
      return httpOutcome(answer, Date.now()) ?? (config.validate ? validationOutcome(answer.text) : { kind: 'ok' });
    },
    close: () => post.close?.(),
  };
}
