// Type-level tests: checked by `pnpm typecheck` (tsc covers packages/*/test); each
// `@ts-expect-error` fails the typecheck if the line it marks ever compiles.
import { describe, expectTypeOf, it } from 'vitest';
import { createTracker, type ConsentSnapshot, type Destination, type SendResult, type Tracker, type WaybillEvent } from '@waybill/core';

// Runs in node, where createTracker returns the no-op tracker: the calls below only need to compile.
const t: Tracker = createTracker();

describe('types', () => {
  it('track and page return string | undefined', () => {
    expectTypeOf(t.track('view_item')).toEqualTypeOf<string | undefined>();
    expectTypeOf(t.track('my_custom_event', { a: 1 })).toEqualTypeOf<string | undefined>();
    expectTypeOf(t.page()).toEqualTypeOf<string | undefined>();
  });

  it('purchase requires transaction_id and checks GA4 fields', () => {
    t.track('purchase', { transaction_id: 'T1', currency: 'USD', value: 30, tax: 1, shipping: 2, items: [{ item_id: 'SKU1', item_name: 'Tee', price: 30, quantity: 1 }] });
    // @ts-expect-error transaction_id is required
    t.track('purchase', { currency: 'USD', value: 30 });
    // @ts-expect-error value is a number
    t.track('purchase', { transaction_id: 'T1', value: '30' });
    // @ts-expect-error an item's price is a number
    t.track('purchase', { transaction_id: 'T1', items: [{ item_id: 'SKU1', price: '30' }] });
  });

  it('other catalogue events check their props', () => {
    t.track('add_to_cart', { currency: 'USD', value: 30, items: [{ item_id: 'SKU1', quantity: 1 }] });
    t.track('search', { search_term: 'tee' });
    // @ts-expect-error purchase needs its props (transaction_id)
    t.track('purchase');
    // @ts-expect-error search needs its props (search_term)
    t.track('search');
    // @ts-expect-error search_term is required
    t.track('search', {});
    t.track('refund', { transaction_id: 'T1' });
    // @ts-expect-error refund needs the transaction
    t.track('refund', { value: 1 });
    t.track('order_shipped', { transaction_id: 'T1', carrier: 'UPS', tracking_number: '1Z' });
    // @ts-expect-error fulfilment events need the transaction
    t.track('order_delivered', { carrier: 'UPS' });
    // extra fields are allowed, as GA4 allows custom parameters
    t.track('view_item', { items: [{ item_id: 'A', size: 'M' }], page_type: 'pdp' });
  });

  it('custom event names accept any props', () => {
    t.track('newsletter_signup', { list: 'weekly', nested: { a: [1, 2] }, n: 1 });
    t.track('newsletter_signup');
    const name: string = 'from_a_variable';
    t.track(name, { anything: true });
  });

  it('track and page accept a caller id', () => {
    t.track('purchase', { transaction_id: '1001' }, { id: 'purchase-1001' });
    t.page({ section: 'home' }, { id: 'pv-1' });
    // @ts-expect-error the id is a string
    t.track('view_item', {}, { id: 42 });
  });

  it('identify takes a user id or null and traits with email and phone', () => {
    expectTypeOf(t.identify).returns.toBeVoid();
    t.identify('user-42', { email: 'a@example.com', phone: '+15550109999', plan: 'gold' });
    t.identify(null);
    // @ts-expect-error email is a string
    t.identify('user-42', { email: 42 });
  });

  it('consent takes known states only and reports a snapshot', () => {
    t.consent.update({ analytics: 'granted', marketing: 'denied', functional: 'pending' });
    // @ts-expect-error 'yes' is not a consent state
    t.consent.update({ analytics: 'yes' });
    expectTypeOf(t.consent.get()).toEqualTypeOf<ConsentSnapshot>();
    expectTypeOf(t.consent.on(() => {})).toEqualTypeOf<() => void>();
    expectTypeOf(t.flush()).toEqualTypeOf<Promise<void>>();
  });

  it('a destination is a plain object with name, category and send', () => {
    const d: Destination = { name: 'x', category: 'marketing', send: (events: WaybillEvent[], unload: boolean): SendResult => (unload ? 'beacon' : 'ok') };
    const async: Destination = { name: 'y', category: 'custom', send: async () => 1000 };
    t.use(d);
    t.use(async);
    // @ts-expect-error send is required
    t.use({ name: 'z', category: 'analytics' });
    // @ts-expect-error 'later' is not a send result
    t.use({ name: 'z', category: 'analytics', send: () => 'later' });
  });
});
