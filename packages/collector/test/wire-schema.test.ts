// @vitest-environment happy-dom
// Every event the browser SDK can send, made by the real core and first-party destination, is
// valid against the published schema (compiled afresh, as another sender would) and accepted by
// the collector's validation.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { createTracker, type WireBatch } from '@waybill/core';
import { firstParty } from '@waybill/first-party';
import { isolatePage } from '../../core/test/helpers';
import { checkBody, prepareEvent } from '../src/wire';

isolatePage();

const published = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('../schema/wire-v1.json')), 'utf8'));
const validateBatch = new Ajv2020({ allErrors: true, allowUnionTypes: true, strictTypes: false }).compile(published);

/** Bodies the first-party destination posted. */
let bodies: string[] = [];
beforeEach(() => {
  bodies = [];
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
async function everyShape(consent: Record<string, 'granted' | 'denied' | 'pending'>): Promise<WireBatch[]> {
  history.replaceState(null, '', '/landing?utm_source=tiktok&utm_medium=paid&utm_campaign=summer&ttclid=E.C.P.x1&gclid=Cj0x&fbclid=IwAR');
  const t = createTracker({ destinations: [firstParty({ endpoint: '/collect' })], consent });
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
  await t.flush();
  return bodies.map((body) => JSON.parse(body) as WireBatch);
}

describe('wire format v1 schema against the browser SDK', () => {
  it.each([
    ['everything granted', { analytics: 'granted', marketing: 'granted' }],
    ['marketing denied', { analytics: 'granted', marketing: 'denied' }],
    ['marketing pending', { analytics: 'granted' }],
  ] as const)('every event the SDK sends is valid (%s)', async (_, consent) => {
    const batches = await everyShape(consent);
    const events = batches.flatMap((b) => b.events);
    expect(events.length).toBeGreaterThanOrEqual(25);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['page', 'track', 'identify']));
    expect(events.some((e) => e.traits?.email && e.userId === 'user-42')).toBe(true);
    expect(events.some((e) => e.context.clickIds.ttclid && e.context.campaign.utm_source)).toBe(true);
    for (const batch of batches) {
      expect(validateBatch(batch), JSON.stringify(validateBatch.errors)).toBe(true);
      const body = checkBody(batch);
      expect(body).toEqual({ events: batch.events });
      for (const event of batch.events) expect(prepareEvent(event)).toMatchObject({ event });
    }
  });

  it("allows the vendors' cookie values in context.vendorIds, bounded", async () => {
    const [event] = (await everyShape({ analytics: 'granted' }))[0]!.events;
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
    expect(pkg.files).toContain('schema');
    expect(published.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
