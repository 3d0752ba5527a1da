import { describe, expect, it } from 'vitest';
import { checkMeasurementProtocol } from '../../../../e2e/stand-ins/vendor-apis.mjs';
import {
  GA4_MAX_AGE_MS,
  ga4Batches,
  ga4Body,
  ga4Vendor,
  sessionNumber,
  validationOutcome,
  type Ga4Forwarding,
  type Ga4Piece,
} from '../../src/forward/ga4';
import { createRouter } from '../../src/forward/route';
import type { Prepared } from '../../src/forward/vendor';
import { ANONYMOUS, CATALOGUE_ROWS, META, SESSION, TS, rowOf, storedEvent } from './fixtures';

const CONFIG: Ga4Forwarding = { measurementId: 'G-TEST0001', apiSecret: 'secret', apiUrl: 'http://127.0.0.1:9' };
const NOW = TS + 60_000;
const QUERY = new URLSearchParams({ measurement_id: CONFIG.measurementId, api_secret: CONFIG.apiSecret });
const PAGE = 'https://shop.example/p/tee?ttclid=E.C.P.abc';

const prepare = (e: ReturnType<typeof storedEvent>, config: Partial<Ga4Forwarding> = {}, now = NOW, meta = META) => ga4Vendor({ ...CONFIG, ...config }).prepare(rowOf(e, 'ga4', meta), now);
const piece = (e: ReturnType<typeof storedEvent>, config?: Partial<Ga4Forwarding>) => prepare(e, config) as Ga4Piece;
/** A request body as it leaves the collector (JSON round trip: `undefined` fields gone). */
const bodyOf = (pieces: Ga4Piece[]) => JSON.parse(JSON.stringify(ga4Body(pieces)));
const problems = (body: unknown) => checkMeasurementProtocol(body, QUERY, { ...CONFIG, now: NOW, bytes: JSON.stringify(body).length });

describe('GA4 Measurement Protocol payload, over the whole catalogue', () => {
  const route = createRouter({ ga4: CONFIG });

  it.each(CATALOGUE_ROWS)('%s', (name, props) => {
    const e = storedEvent(name, props);
    expect(route(e as never)).toEqual(['ga4']);
    const body = bodyOf([piece(e)]);
    expect(body).toEqual({
      client_id: ANONYMOUS,
      user_id: 'user-42',
      consent: { ad_user_data: 'GRANTED', ad_personalization: 'GRANTED' },
      ip_override: META.ip,
      timestamp_micros: TS * 1000,
      // The catalogue is GA4's: same name, same parameters, as the gtag.js adapter sends them.
      events: [{ name, params: { session_id: sessionNumber(SESSION), engagement_time_msec: 1, page_location: PAGE, ...props }, timestamp_micros: TS * 1000 }],
    });
    expect(problems(body)).toEqual([]);
  });

  it('sends page views with their referrer and title', () => {
    const e = storedEvent('page_view', {});
    expect(bodyOf([piece(e)]).events[0].params).toMatchObject({ page_location: PAGE, page_referrer: 'https://www.tiktok.com/', page_title: 'Tee' });
  });

  it('routes nothing for identify events, web_vital unless named, reserved names, or pages that did not ask', () => {
    expect(route(storedEvent('identify', {}, { type: 'identify' }) as never)).toEqual([]);
    expect(route(storedEvent('web_vital', { metric: 'INP' }) as never)).toEqual([]);
    expect(createRouter({ ga4: { ...CONFIG, eventNames: { web_vital: 'web_vital' } } })(storedEvent('web_vital') as never)).toEqual(['ga4']);
    expect(route(storedEvent('session_start') as never)).toEqual([]);
    expect(route(storedEvent('purchase', { transaction_id: 'T' }, { context: { forward: ['tiktok'] } }) as never), 'gtag mode: GA4 has the browser copy').toEqual([]);
    expect(route(storedEvent('purchase', { transaction_id: 'T' }, { context: { forward: undefined } }) as never), 'an old SDK').toEqual([]);
  });

  it('uses the _ga client id when the page passed it, so the events join that browser', () => {
    const e = storedEvent('purchase', { transaction_id: 'T' }, { context: { vendorIds: { ga: 'GA1.1.1197596843.1673515099' } } });
    expect(piece(e).common.client_id).toBe('1197596843.1673515099');
    const odd = storedEvent('purchase', { transaction_id: 'T' }, { context: { vendorIds: { ga: 'garbage' } } });
    expect(piece(odd).common.client_id).toBe(ANONYMOUS);
  });

  it('takes ad_user_data and ad_personalization from the marketing consent of the event', () => {
    for (const marketing of ['denied', 'pending'] as const) {
      const e = storedEvent('purchase', { transaction_id: 'T' }, { context: { consent: { necessary: 'granted', analytics: 'granted', marketing } } });
      expect(piece(e).common.consent).toEqual({ ad_user_data: 'DENIED', ad_personalization: 'DENIED' });
    }
  });

  it('gives the same Waybill session the same numeric session id, and keeps a shop\'s engagement time', () => {
    expect(sessionNumber(SESSION)).toBe(sessionNumber(SESSION));
    expect(Number.isSafeInteger(sessionNumber(SESSION))).toBe(true);
    expect(sessionNumber(SESSION)).not.toBe(sessionNumber('another'));
    const e = storedEvent('view_item', { engagement_time_msec: 4200 });
    expect(piece(e).event.params).toMatchObject({ engagement_time_msec: 4200 });
  });

  it('keeps session_id and engagement_time_msec within the 25-parameter limit', () => {
    const props = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, i]));
    const params = piece(storedEvent('custom_thing', props)).event.params;
    expect(Object.keys(params)).toHaveLength(25);
    expect(params).toMatchObject({ session_id: sessionNumber(SESSION), engagement_time_msec: 1 });
  });

  it('marks events older than 72 hours expired, never sent', () => {
    const e = storedEvent('purchase', { transaction_id: 'T' });
    expect(prepare(e, {}, TS + GA4_MAX_AGE_MS)).toHaveProperty('event');
    expect(prepare(e, {}, TS + GA4_MAX_AGE_MS + 1)).toEqual({ expired: true });
  });

  it('dead-letters an event too big for one request', () => {
    const e = storedEvent('view_item_list', { items: Array.from({ length: 200 }, (_, i) => ({ item_id: `SKU${i}`, item_name: 'x'.repeat(100), item_variant: 'y'.repeat(100), item_brand: 'z'.repeat(100), item_category: 'c'.repeat(100), item_list_name: 'l'.repeat(100), item_category2: 'q'.repeat(100) })) });
    expect(prepare(e)).toEqual({ dead: 'over 130 kB as a Measurement Protocol request' });
  });
});

describe('GA4 Measurement Protocol requests', () => {
  const prepared = (e: ReturnType<typeof storedEvent>): Prepared<Ga4Piece> => ({ row: rowOf(e, 'ga4'), payload: piece(e) });

  it('groups events by browser, user, consent and address: one client per request', () => {
    const a = [storedEvent('view_item'), storedEvent('add_to_cart')];
    const b = storedEvent('view_item', {}, { anonymousId: 'other-browser' });
    const signedOut = storedEvent('view_item', {}, { userId: undefined });
    const batches = ga4Batches([a[0]!, b, a[1]!, signedOut].map(prepared));
    expect(batches.map((batch) => batch.map((p) => p.row.eventId))).toEqual([[a[0]!.id, a[1]!.id], [b.id], [signedOut.id]]);
    for (const batch of batches) expect(problems(bodyOf(batch.map((p) => p.payload)))).toEqual([]);
  });

  it('sends at most 25 events a request, and keeps every request under 130 kB', () => {
    const many = Array.from({ length: 60 }, () => prepared(storedEvent('view_item')));
    expect(ga4Batches(many).map((b) => b.length)).toEqual([25, 25, 10]);
    const big = Array.from({ length: 25 }, (_, n) =>
      prepared(storedEvent('view_item_list', { items: Array.from({ length: 100 }, (_, i) => ({ item_id: `S${n}-${i}`, item_name: 'x'.repeat(100) })) })),
    );
    const batches = ga4Batches(big);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) {
      const body = bodyOf(batch.map((p) => p.payload));
      expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(130_000);
      expect(problems(body)).toEqual([]);
    }
    expect(batches.flat()).toEqual(big);
  });

  it('reads the validation server: no messages is ok, messages reject the request with them', () => {
    expect(validationOutcome('{"validationMessages":[]}')).toEqual({ kind: 'ok' });
    expect(validationOutcome(JSON.stringify({ validationMessages: [{ fieldPath: 'events', description: 'bad name', validationCode: 'NAME_INVALID' }] }))).toEqual({
      kind: 'reject',
      error: 'GA4 validation: NAME_INVALID events: bad name',
    });
    expect(validationOutcome('oops').kind).toBe('retry');
  });
});
