// Stored events for the forwarding tests: the whole catalogue, shaped as the browser SDK sends it.
import { createHash } from 'node:crypto';
import type { Catalogue, ConsentSnapshot, WaybillEvent } from '@waybill/core';
import type { OutboxRow, RequestMeta } from '../../src/outbox';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export const ITEMS = [
  { item_id: 'SKU1', item_name: 'Tee', price: 30, quantity: 2, item_brand: 'Waybill', item_category: 'Tops' },
  { item_id: 'SKU2', price: 5 },
];
const VALUE = { currency: 'USD', value: 65, items: ITEMS };
const ORDER = { transaction_id: 'T-1', value: 65, currency: 'USD', tax: 5, shipping: 4, coupon: 'SUMMER', items: ITEMS };
const FULFILMENT = { transaction_id: 'T-1', carrier: 'DHL', tracking_number: 'JD01', items: ITEMS };

/** Every catalogue event with typical props. */
export const CATALOGUE: { [N in keyof Catalogue]: Catalogue[N] } = {
  view_item_list: { item_list_id: 'home', item_list_name: 'Home', items: ITEMS },
  select_item: { item_list_id: 'home', items: [ITEMS[0]!] },
  view_item: VALUE,
  add_to_cart: VALUE,
  remove_from_cart: VALUE,
  view_cart: VALUE,
  add_to_wishlist: VALUE,
  begin_checkout: { ...VALUE, coupon: 'SUMMER' },
  add_shipping_info: { ...VALUE, shipping_tier: 'Ground' },
  add_payment_info: { ...VALUE, payment_type: 'Card' },
  purchase: ORDER,
  refund: { transaction_id: 'T-1', value: 10, currency: 'USD' },
  search: { search_term: 'blue tee' },
  sign_up: { method: 'email' },
  login: { method: 'email' },
  order_shipped: FULFILMENT,
  order_delivered: FULFILMENT,
  return_requested: { ...FULFILMENT, reason: 'size' },
};
export const CATALOGUE_ROWS = Object.entries(CATALOGUE) as [keyof Catalogue, Record<string, unknown>][];

export const ALL_GRANTED: ConsentSnapshot = { necessary: 'granted', analytics: 'granted', marketing: 'granted' };
export const EMAIL_HASH = sha256('a@example.com');
export const PHONE_HASH = sha256('+15550109999');
export const TS = Date.UTC(2025, 5, 1, 8, 30);
export const SESSION = '0b8a6a3e-1d2f-4c5b-8a9e-7f6d5c4b3a21';
export const ANONYMOUS = '6f1c1c1e-6a39-4b8e-9d7e-2c1f0e3c9b10';

let sequence = 0;

/** A stored event, as the browser SDK sends it, asking for both vendors, everything granted. */
export function storedEvent(
  name: string,
  props: Record<string, unknown> = {},
  change: { type?: WaybillEvent['type']; context?: Partial<WaybillEvent['context']> } & Partial<Omit<WaybillEvent, 'context'>> = {},
): WaybillEvent {
  const { context, ...rest } = change;
  return {
    id: `evt-${++sequence}`,
    type: name == 'page_view' ? 'page' : 'track',
    name,
    props,
    ts: TS,
    anonymousId: ANONYMOUS,
    sessionId: SESSION,
    userId: 'user-42',
    traits: { email: EMAIL_HASH, phone: PHONE_HASH },
    context: {
      page: { url: 'https://shop.example/p/tee?ttclid=E.C.P.abc', path: '/p/tee', referrer: 'https://www.tiktok.com/', title: 'Tee' },
      locale: 'en-US',
      timezone: 'Europe/Paris',
      screen: '1280x720',
      campaign: { utm_source: 'tiktok' },
      clickIds: { ttclid: 'E.C.P.abc' },
      consent: ALL_GRANTED,
      library: { name: 'waybill', version: '0.1.0' },
      forward: ['tiktok', 'ga4'],
      vendorIds: { ttp: 'ttp.1700000000.abc' },
      ...context,
    },
    ...rest,
  };
}

export const META: RequestMeta = { receivedAt: TS + 2000, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)' };

/** An outbox row for `event`. */
export const rowOf = (event: WaybillEvent, destination: OutboxRow['destination'] = 'tiktok', meta: RequestMeta = META, attempts = 0): OutboxRow => ({
  key: `${destination} ${event.id}`,
  destination,
  eventId: event.id,
  event: JSON.parse(JSON.stringify(event)),
  meta,
  attempts,
});
