// @vitest-environment happy-dom
// Every event the browser SDK can send, made by the real core and first-party destination, is
// valid against the published schemas (compiled afresh, as another sender would) and accepted by
// the collector's validation, which rebuilds each event of the SDK's v2 batches byte for byte as
// the SDK made it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { createTracker, type WaybillEvent, type WireBatchV2 } from '@waybill/core';
import { firstParty } from '@waybill/first-party';
import { isolatePage } from '../../core/test/helpers';
import { checkBody, prepareEvent, unbatch } from '../src/wire';

isolatePage();

const read = (file: string) => JSON.parse(readFileSync(fileURLToPath(import.meta.resolve(`../schema/${file}`)), 'utf8'));
const published = read('wire-v1.json');
const publishedV2 = read('wire-v2.json');
const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strictTypes: false }).addSchema(published);
const validateBatch = ajv.compile(published);
const validateV2 = ajv.compile(publishedV2);

/** Bodies the first-party destination posted. */
let bodies: string[] = [];
/** The JSON of each event the first-party destination was handed, as v1 sent it whole. */
let made: string[] = [];
beforeEach(() => {
  bodies = [];
  made = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      bodies.push(String(init.body));
      return new Response('{"accepted":1,"duplicates":0,"rejected":[]}', { status: 200 });
    }),
  );
  Object.defineProperty(navigator, 'sendBeacon', {
    configurable: true,
    value: (_url: string, body: string) => (bodies.push(body), true),
  });
  return () => vi.unstubAllGlobals();
});

const item = { item_id: 'SKU1', item_name: 'Tee', item_brand: 'Waybill', item_category: 'Shirts', item_variant: 'M', price: 30, quantity: 2, discount: 5, coupon: 'SUMMER', index: 0 };
const value = { currency: 'EUR', value: 55, items: [item] };
const order = { ...value, transaction_id: 'T-1001', shipping: 4.9, tax: 9.17, coupon: 'SUMMER' };
const fulfilment = { transaction_id: 'T-1001', items: [item], carrier: 'DHL', tracking_number: '00340434161094042557', reason: 'too small' };

/** Drives a tracker through everything a shop does; returns what reached the wire. */
async function everyShape(consent: Record<string, 'granted' | 'denied' | 'pending'>): Promise<WireBatchV2[]> {
  history.replaceState(null, '', '/landing?utm_source=tiktok&utm_medium=paid&utm_campaign=summer&ttclid=E.C.P.x1&gclid=Cj0x&fbclid=IwAR');
  const destination = firstParty({ endpoint: '/collect' });
  const send = destination.send;
  destination.send = (events, unload) => (made.push(...events.map((e) => JSON.stringify(e))), send(events, unload));
  const t = createTracker({ destinations: [destination], consent });
  t.page();
  t.page({ section: 'shoes', ab_test: { variant: 'b', since: 3 } });
  t.track('view_item_list', { item_list_id: 'new', item_list_name: 'New in', items: [item, { ...item, item_id: 'SKU2' }] });
  t.track('select_item', { item_list_id: 'new', items: [item] });
  for (const name of ['view_item', 'add_to_cart', 'remove_from_cart', 'view_cart', 'add_to_wishlist'] as const) t.track(name, value);
  t.track('begin_checkout', { ...value, coupon: 'SUMMER' });
  t.track('add_shipping_info', { ...value, shipping_tier: 'express' });
  t.track('add_payment_info', { ...value, payment_type: 'card' });
  t.track('purchase', order, { id: 'purchase-T-1001' });
  t.track('refund', { transaction_id: 'T-1001', value: 30, currency: 'EUR' });
  t.track('search', { search_term: 'linen shirt' });
  t.track('sign_up', { method: 'email' });
  t.track('login', { method: 'google' });
  for (const name of ['order_shipped', 'order_delivered', 'return_requested'] as const) t.track(name, fulfilment);
  t.identify('user-42', { email: ' A@Example.com ', phone: '+1 (555) 010-9999', plan: 'gold' });
  t.track('add_to_cart', value); // carries the user and traits
  t.track('size_guide_opened', { deep: { a: { b: { c: { d: [1, 'two', null, true] } } } }, note: 'CJK 漢字 and emoji 🧦' });
  t.track('😀 custom', {});
  t.track('big', { blob: 'x'.repeat(30_000) });
  await t.flush(); // hashing done: the identified events carry their traits
  t.identify(null);
  t.track('view_item', value);
  history.replaceState(null, '', '/cart');
  t.page(); // another page in the same batch: the page is each event's own
  await t.flush();
  return bodies.map((body) => JSON.parse(body) as WireBatchV2);
}

describe('wire format schemas against the browser SDK', () => {
  it.each([
    ['everything granted', { analytics: 'granted', marketing: 'granted' }],
    ['marketing denied', { analytics: 'granted', marketing: 'denied' }],
    ['marketing pending', { analytics: 'granted' }],
  ] as const)('every event the SDK sends is valid, and rebuilt exactly as the SDK made it (%s)', async (_, consent) => {
    const batches = await everyShape(consent);
    const events = batches.flatMap(unbatch);
    expect(events.length).toBeGreaterThanOrEqual(25);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['page', 'track', 'identify']));
    expect(events.some((e) => e.traits?.email && e.userId === 'user-42')).toBe(true);
    expect(events.some((e) => e.context.clickIds.ttclid && e.context.campaign.utm_source)).toBe(true);
    expect(new Set(events.map((e) => e.context.page.path))).toEqual(new Set(['/landing', '/cart']));
    const stored: string[] = [];
    for (const batch of batches) {
      expect(batch.v).toBe(2);
      expect(validateV2(batch), JSON.stringify(validateV2.errors)).toBe(true);
      const whole = { v: 1, sentAt: batch.sentAt, events: unbatch(batch) };
      expect(validateBatch(whole), JSON.stringify(validateBatch.errors)).toBe(true);
      const body = checkBody(batch);
      expect(body).toEqual({ events: whole.events });
      expect(checkBody(whole)).toEqual(body);
      for (const event of (body as { events: WaybillEvent[] }).events) {
        const prepared = prepareEvent(event);
        expect(prepared).toMatchObject({ event });
        stored.push((prepared as { json: string }).json);
      }
    }
    // What is stored for a v2 batch is, byte for byte, the JSON of the event as the SDK made it.
    expect(stored).toEqual(made);
  });

  it("allows the vendors' cookie values in context.vendorIds, bounded", async () => {
    const [event] = unbatch((await everyShape({ analytics: 'granted' }))[0]!);
    const withIds = (vendorIds: unknown) => ({ ...event, context: { ...event!.context, vendorIds } });
    const ok = withIds({ ttp: '01HZX9Y8ABCDEF_TTP.tt.1', ga: 'GA1.1.1234567890.1700000000' });
    expect(validateBatch({ v: 1, events: [ok] })).toBe(true);
    expect(prepareEvent(ok)).toMatchObject({ event: ok });
    expect(prepareEvent(withIds({ ttp: 'x'.repeat(257) }))).toBe(
      "context.vendorIds.ttp must be a string of at most 256 characters (the TikTok pixel's _ttp cookie)",
    );
    expect(prepareEvent(withIds({ ga: 42 }))).toBe('context.vendorIds.ga must be a string of at most 256 characters (the Google Analytics _ga cookie)');
    expect(prepareEvent(withIds(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`v${i}`, 'x']))))).toBe(
      'context.vendorIds must be an object of at most 8 vendor cookie values, each a string of at most 256 characters',
    );
  });

  it('is published with the package', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('../package.json')), 'utf8'));
    expect(pkg.exports['./schema/wire-v1.json']).toBe('./schema/wire-v1.json');
    expect(pkg.exports['./schema/wire-v2.json']).toBe('./schema/wire-v2.json');
    expect(publishedV2.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(pkg.files).toContain('schema');
    expect(published.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
