import { describe, expect, it } from 'vitest';
import type { Catalogue } from '@waybill/core';
import { checkEventsApi } from '../../../../e2e/stand-ins/vendor-apis.mjs';
import { createRouter } from '../../src/forward/route';
import { tiktokBody, tiktokOutcome, tiktokVendor, type TikTokForwarding } from '../../src/forward/tiktok';
import type { Prepared } from '../../src/forward/vendor';
import { CATALOGUE_ROWS, EMAIL_HASH, ITEMS, META, PHONE_HASH, TS, rowOf, sha256, storedEvent } from './fixtures';

const CONFIG: TikTokForwarding = { pixelCode: 'CPIXEL0001', accessToken: 'token', apiUrl: 'http://127.0.0.1:9' };
const vendor = (config: Partial<TikTokForwarding> = {}) => tiktokVendor({ ...CONFIG, ...config });

const CONTENTS = [
  { content_id: 'SKU1', content_type: 'product', content_name: 'Tee', quantity: 2, price: 30 },
  { content_id: 'SKU2', content_type: 'product', quantity: 1, price: 5 },
];
const WITH_CONTENTS = { currency: 'USD', value: 65, contents: CONTENTS, content_type: 'product' };

/** Every catalogue event: the TikTok event it is forwarded as (null: none, as the pixel) and its `properties`. */
const EXPECTED: { [N in keyof Catalogue]: [string | null, Record<string, unknown>] } = {
  view_item_list: [null, {}],
  select_item: [null, {}],
  view_item: ['ViewContent', WITH_CONTENTS],
  add_to_cart: ['AddToCart', WITH_CONTENTS],
  remove_from_cart: [null, {}],
  view_cart: [null, {}],
  add_to_wishlist: ['AddToWishlist', WITH_CONTENTS],
  begin_checkout: ['InitiateCheckout', WITH_CONTENTS],
  add_shipping_info: [null, {}],
  add_payment_info: ['AddPaymentInfo', WITH_CONTENTS],
  purchase: ['Purchase', WITH_CONTENTS],
  refund: [null, {}],
  search: ['Search', { query: 'blue tee' }],
  sign_up: ['CompleteRegistration', {}],
  login: [null, {}],
  order_shipped: [null, {}],
  order_delivered: [null, {}],
  return_requested: [null, {}],
};

/** The Events API entry for an event, through the client, as the worker builds it. */
const entry = (e: ReturnType<typeof storedEvent>, config: Partial<TikTokForwarding> = {}, meta = META) => vendor(config).prepare(rowOf(e, 'tiktok', meta), Date.now());

describe('TikTok Events API payload, over the whole catalogue', () => {
  const route = createRouter({ tiktok: CONFIG });

  it.each(CATALOGUE_ROWS)('%s', (name, props) => {
    const [event, properties] = EXPECTED[name];
    const e = storedEvent(name, props);
    expect(route(e as never).includes('tiktok'), 'an outbox row for TikTok').toBe(event != null);
    if (event == null) return;
    const data = entry(e);
    expect(data).toEqual({
      event,
      event_time: Math.floor(TS / 1000),
      event_id: e.id,
      user: {
        email: EMAIL_HASH,
        phone: PHONE_HASH,
        external_id: sha256('user-42'),
        ttclid: 'E.C.P.abc',
        ttp: 'ttp.1700000000.abc',
        ip: META.ip,
        user_agent: META.userAgent,
      },
      page: { url: 'https://shop.example/p/tee?ttclid=E.C.P.abc', referrer: 'https://www.tiktok.com/' },
      properties,
    });
    const body = JSON.parse(JSON.stringify(tiktokBody(CONFIG, [data as never])));
    expect(checkEventsApi(body, { pixel: CONFIG.pixelCode })).toEqual([]);
    expect(body).toMatchObject({ event_source: 'web', event_source_id: 'CPIXEL0001' });
  });

  it.each(CATALOGUE_ROWS.filter(([name]) => EXPECTED[name][0] == null))('%s goes as a custom event with --tiktok-custom', (name, props) => {
    const e = storedEvent(name, props);
    expect(createRouter({ tiktok: { ...CONFIG, forwardCustom: true } })(e as never)).toContain('tiktok');
    expect(entry(e, { forwardCustom: true })).toMatchObject({ event: name, event_id: e.id });
  });

  it('names page views Pageview, as the pixel does', () => {
    const e = storedEvent('page_view', {});
    expect(entry(e)).toMatchObject({ event: 'Pageview', event_id: e.id, properties: {} });
  });

  it('follows the shop\'s event names, as the adapter does: renamed, stopped, web_vital only when named', () => {
    const config = { ...CONFIG, eventNames: { purchase: 'CompletePayment', search: false as const }, forwardCustom: true };
    const route = createRouter({ tiktok: config });
    const purchase = storedEvent('purchase', { transaction_id: 'T-1' });
    expect(entry(purchase, config)).toMatchObject({ event: 'CompletePayment' });
    expect(route(storedEvent('search', { search_term: 'x' }) as never)).toEqual([]);
    expect(route(storedEvent('web_vital', { metric: 'LCP' }) as never), 'web_vital is first-party only').toEqual([]);
    expect(createRouter({ tiktok: { ...CONFIG, eventNames: { web_vital: 'WebVital' } } })(storedEvent('web_vital') as never)).toEqual(['tiktok']);
    expect(route(storedEvent('identify', {}, { type: 'identify' }) as never), 'identify only updates match keys').toEqual([]);
  });

  it('hashes raw email and phone from a backend sender with the SDK\'s normalisation, never forwarding them raw', () => {
    const e = storedEvent('purchase', { transaction_id: 'T-2' }, { traits: { email: ' A@Example.com ', phone: '+1 (555) 010-9999', plan: 'gold' } });
    const data = entry(e) as { user: Record<string, string> };
    expect(data.user).toMatchObject({ email: EMAIL_HASH, phone: PHONE_HASH });
    expect(JSON.stringify(data)).not.toMatch(/example\.com|555|gold/);
  });

  it('leaves out what it does not have: no user id, no click id, no _ttp, no address, no page', () => {
    const e = storedEvent('add_to_cart', { items: ITEMS }, { userId: undefined, traits: {}, context: { clickIds: {}, vendorIds: undefined, page: undefined as never } });
    const data = JSON.parse(JSON.stringify(entry(e, {}, { receivedAt: TS })));
    expect(data.user).toEqual({});
    expect(data).not.toHaveProperty('page');
    expect(checkEventsApi(tiktokBody(CONFIG, [data]), { pixel: CONFIG.pixelCode })).toEqual([]);
  });

  it('takes the time the collector received the event when the browser clock is ahead', () => {
    const e = storedEvent('purchase', { transaction_id: 'T-3' }, { ts: TS + 3_600_000 });
    expect(entry(e)).toMatchObject({ event_time: Math.floor(META.receivedAt / 1000) });
  });

  it('carries the test event code when configured', () => {
    expect(tiktokBody({ ...CONFIG, testEventCode: 'TEST123' }, [])).toMatchObject({ test_event_code: 'TEST123' });
    expect(tiktokBody(CONFIG, [])).not.toHaveProperty('test_event_code');
  });
});

describe('TikTok Events API batches', () => {
  it('sends at most 50 events a call, oldest first', () => {
    const v = vendor();
    const prepared = Array.from({ length: 120 }, (_, i) => ({ row: rowOf(storedEvent('view_item', { i })), payload: i })) as unknown as Prepared<never>[];
    const batches = v.batches(prepared);
    expect(batches.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(batches.flat()).toEqual(prepared);
  });
});

describe('TikTok Events API answers', () => {
  const answer = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
    tiktokOutcome({ status, retryAfter: headers['Retry-After'] ?? null, text: typeof body == 'string' ? body : JSON.stringify(body) }, 0);

  it.each([
    ['code 0', answer({ code: 0, message: 'OK' }), 'ok'],
    ['rate limit code 40100', answer({ code: 40100, message: 'Too many requests' }), 'retry'],
    ['auth code 40001', answer({ code: 40001, message: 'No permission' }), 'fatal'],
    ['auth code 40002', answer({ code: 40002, message: 'auth' }), 'fatal'],
    ['token code 40105', answer({ code: 40105, message: 'Access token invalid' }), 'fatal'],
    ['parameter code 40000', answer({ code: 40000, message: 'Invalid parameter' }), 'reject'],
    ['server code 50002', answer({ code: 50002, message: 'Internal error' }), 'retry'],
    ['HTTP 429', answer('', 429, { 'Retry-After': '2' }), 'retry'],
    ['HTTP 408', answer('', 408), 'retry'],
    ['HTTP 503', answer('', 503), 'retry'],
    ['HTTP 400', answer('bad', 400), 'reject'],
    ['HTTP 401', answer('', 401), 'reject'],
    ['not JSON', answer('<html>proxy</html>'), 'retry'],
    ['JSON without a code', answer({ message: 'OK' }), 'retry'],
  ])('%s → %s', (_, outcome, kind) => {
    expect(outcome.kind).toBe(kind);
  });

  it('honours Retry-After, in seconds or as a date', () => {
    expect(answer('', 429, { 'Retry-After': '2' })).toMatchObject({ retryAfterMs: 2000 });
    expect(tiktokOutcome({ status: 503, retryAfter: new Date(10_000).toUTCString(), text: '' }, 4000)).toMatchObject({ retryAfterMs: 6000 });
  });
});
