// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTracker, type Catalogue, type TrackerOptions, type WaybillEvent } from '@waybill/core';
import { ga4, type Ga4Options } from '@waybill/ga4';

const ID = 'G-TEST0001';
const SCRIPT = 'https://gtag.test/gtag/js';

type Win = Window & { dataLayer?: IArguments[] };
const win = () => window as unknown as Win;

/** The dataLayer as plain arrays: `[command, ...args]`. */
const layer = () => (win().dataLayer ?? []).map((args) => Array.from(args));
const events = () => layer().filter(([c]) => c == 'event') as ['event', string, Record<string, unknown>][];
const consents = () => layer().filter(([c]) => c == 'consent');
const gtagScripts = () => Array.from(document.querySelectorAll('script')).filter((s) => s.src.startsWith(SCRIPT));

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};

const make = (options: Partial<Ga4Options> = {}, tracker: TrackerOptions = {}) =>
  createTracker({ destinations: [ga4({ measurementId: ID, scriptUrl: SCRIPT, ...options })], storage: false, batchSize: 1, ...tracker });

const granted = (options: Partial<Ga4Options> = {}, tracker: TrackerOptions = {}) => make(options, { consent: { analytics: 'granted' }, ...tracker });

let warnings: string[] = [];
beforeEach(() => {
  (window as unknown as { happyDOM: { settings: { disableJavaScriptFileLoading: boolean } } }).happyDOM.settings.disableJavaScriptFileLoading = true;
  warnings = [];
  vi.spyOn(console, 'warn').mockImplementation((message: string) => void warnings.push(message));
  vi.spyOn(console, 'log').mockImplementation(() => {});
  history.replaceState(null, '', '/shop/tee?utm_source=x');
  document.title = 'Tee';
});
afterEach(() => {
  delete win().dataLayer;
  document.head.innerHTML = '';
  vi.restoreAllMocks();
});

const HERE = 'http://localhost:3000/shop/tee?utm_source=x';
const ITEMS = [
  { item_id: 'SKU1', item_name: 'Tee', price: 30, quantity: 2, item_brand: 'Waybill', item_category: 'Tops', item_variant: 'blue' },
  { item_id: 'SKU2', price: 5 },
];
const VALUE = { currency: 'USD', value: 65, items: ITEMS };
const ORDER = { transaction_id: 'T-1', value: 65, currency: 'USD', tax: 5, shipping: 4, coupon: 'SUMMER', items: ITEMS };
const FULFILMENT = { transaction_id: 'T-1', carrier: 'DHL', tracking_number: 'JD01', items: ITEMS };

/** Every catalogue event and its props: GA4 gets the same name and the same params (the catalogue is GA4's). */
const TABLE: { [N in keyof Catalogue]: Catalogue[N] } = {
  view_item_list: { item_list_id: 'home', item_list_name: 'Home', items: ITEMS },
  select_item: { item_list_id: 'home', item_list_name: 'Home', items: [ITEMS[0]!] },
  view_item: VALUE,
  add_to_cart: VALUE,
  remove_from_cart: VALUE,
  view_cart: VALUE,
  add_to_wishlist: VALUE,
  begin_checkout: { ...VALUE, coupon: 'SUMMER' },
  add_shipping_info: { ...VALUE, coupon: 'SUMMER', shipping_tier: 'Ground' },
  add_payment_info: { ...VALUE, coupon: 'SUMMER', payment_type: 'Card' },
  purchase: ORDER,
  refund: { transaction_id: 'T-1', value: 10, currency: 'USD', items: [{ item_id: 'SKU2', quantity: 2 }] },
  search: { search_term: 'blue tee' },
  sign_up: { method: 'email' },
  login: { method: 'google' },
  order_shipped: FULFILMENT,
  order_delivered: FULFILMENT,
  return_requested: { ...FULFILMENT, reason: 'size' },
};

describe('ga4: catalogue mapping', () => {
  it.each(Object.entries(TABLE))('%s', async (name, props) => {
    const t = granted();
    t.track(name, props as never);
    await settle();
    expect(events()).toEqual([['event', name, { page_location: HERE, ...props, send_to: ID }]]);
  });

  it('sends page views explicitly, with the page they were recorded on', async () => {
    const t = granted();
    t.page({ page_type: 'product' });
    await settle();
    expect(layer().find(([c]) => c == 'config')).toEqual(['config', ID, { send_page_view: false }]);
    expect(events()).toEqual([['event', 'page_view', { page_location: HERE, page_referrer: '', page_title: 'Tee', page_type: 'product', send_to: ID }]]);
  });

  it('sends no page views with sendPageView: false, but other events', async () => {
    const t = granted({ sendPageView: false });
    t.page();
    t.track('view_item', VALUE);
    await settle();
    expect(events().map((e) => e[1])).toEqual(['view_item']);
  });

  it('passes custom events through under their own names', async () => {
    const t = granted();
    t.track('newsletter_open', { list: 'weekly' });
    await settle();
    expect(events()).toEqual([['event', 'newsletter_open', { page_location: HERE, list: 'weekly', send_to: ID }]]);
  });

  it('pushes arguments objects, as the gtag.js snippet does', async () => {
    granted();
    expect(win().dataLayer!.length).toBeGreaterThan(0);
    for (const entry of win().dataLayer!) expect(Object.prototype.toString.call(entry)).toBe('[object Arguments]');
  });
});

describe('ga4: consent mode', () => {
  const DENIED = { ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', analytics_storage: 'denied' };

  it('basic: nothing before analytics is granted, then the default before config, and updates after', async () => {
    const t = make();
    t.track('view_item', VALUE);
    t.consent.update({ marketing: 'granted' });
    await settle();
    expect(win().dataLayer).toBeUndefined();
    expect(document.querySelectorAll('script')).toHaveLength(0);

    t.consent.update({ analytics: 'granted' });
    await settle();
    expect(gtagScripts().map((s) => s.src)).toEqual([`${SCRIPT}?id=${ID}`]);
    expect(layer().slice(0, 3)).toEqual([
      ['consent', 'default', { ad_storage: 'granted', ad_user_data: 'granted', ad_personalization: 'granted', analytics_storage: 'granted', security_storage: 'granted' }],
      ['js', expect.any(Date)],
      ['config', ID, { send_page_view: false }],
    ]);
    expect(events().map((e) => e[1]), 'the event that waited for consent').toEqual(['view_item']);

    t.consent.update({ marketing: 'denied' });
    t.consent.update({ analytics: 'denied' });
    t.track('add_to_cart', VALUE);
    await settle();
    expect(consents().slice(1)).toEqual([
      ['consent', 'update', { ...DENIED, analytics_storage: 'granted' }],
      ['consent', 'update', DENIED],
    ]);
    expect(events().map((e) => e[1]), 'nothing sent once revoked').toEqual(['view_item']);
    expect(gtagScripts()).toHaveLength(1);
  });

  it('basic: with analytics granted from the start, the default says so', () => {
    make({}, { consent: { analytics: 'granted', marketing: 'denied' } });
    expect(layer()[0]).toEqual(['consent', 'default', { ...DENIED, analytics_storage: 'granted', security_storage: 'granted' }]);
    expect(gtagScripts()).toHaveLength(1);
  });

  it('basic: never loads when analytics is denied', async () => {
    const t = make({}, { consent: { analytics: 'denied', marketing: 'granted' } });
    t.page();
    await settle();
    expect(win().dataLayer).toBeUndefined();
    expect(document.querySelectorAll('script')).toHaveLength(0);
  });

  it('advanced: loads at once with everything denied, sends cookieless, and updates on grant', async () => {
    const t = make({ consentMode: 'advanced' });
    expect(gtagScripts()).toHaveLength(1);
    expect(layer().slice(0, 3)).toEqual([
      ['consent', 'default', { ...DENIED, security_storage: 'granted' }],
      ['js', expect.any(Date)],
      ['config', ID, { send_page_view: false }],
    ]);
    t.identify('user-42');
    t.track('view_item', VALUE);
    await settle();
    expect(events().map((e) => e[1]), 'sent while denied, as Google sends cookieless pings').toEqual(['view_item']);
    expect(layer().filter(([c]) => c == 'set'), 'no user id without analytics consent').toEqual([]);

    t.consent.update({ analytics: 'granted' });
    t.track('add_to_cart', VALUE);
    await settle();
    expect(consents().slice(1).filter((c) => JSON.stringify(c).includes('"granted"'))).toEqual([['consent', 'update', { ...DENIED, analytics_storage: 'granted' }]]);
    const tail = layer().slice(-2);
    expect(tail).toEqual([
      ['set', { user_id: 'user-42' }],
      ['event', 'add_to_cart', expect.objectContaining({ value: 65 })],
    ]);
  });
});

describe('ga4: user id', () => {
  it('sets user_id once signed in, null once signed out, and nothing before', async () => {
    const t = granted();
    t.page();
    await settle();
    t.identify('user-42', { email: 'a@example.com' });
    t.track('view_item', VALUE);
    t.track('add_to_cart', VALUE);
    await settle();
    t.identify(null);
    t.track('view_cart', VALUE);
    await settle();
    expect(layer().filter(([c]) => c == 'set' || c == 'event').map(([c, a]) => (c == 'set' ? a : a))).toEqual([
      'page_view',
      { user_id: 'user-42' },
      'view_item',
      'add_to_cart',
      { user_id: null },
      'view_cart',
    ]);
    expect(JSON.stringify(layer()), 'no personal data').not.toContain('example.com');
  });
});

describe('ga4: limits (trimmed with a debug warning, never thrown)', () => {
  const debug = { debug: true };

  it('fixes event names: characters, length, and drops a name not starting with a letter', async () => {
    const t = granted({}, debug);
    t.track('checkout step-2', {});
    t.track('a'.repeat(45), {});
    t.track('2nd_visit', {});
    await settle();
    expect(events().map((e) => e[1])).toEqual(['checkout_step_2', 'a'.repeat(40)]);
    expect(warnings.some((w) => w.includes('2nd_visit (dropped)'))).toBe(true);
  });

  it('keeps 25 parameters (items aside) and cuts long values', async () => {
    const t = granted({}, debug);
    const props: Record<string, unknown> = { items: ITEMS, long_text: 'x'.repeat(150), 'bad key': 1 };
    for (let i = 0; i < 30; i++) props['p' + i] = i;
    t.track('many_params', props);
    await settle();
    const [[, , params]] = events();
    const counted = Object.keys(params).filter((k) => k != 'items' && k != 'send_to');
    expect(counted).toHaveLength(25);
    expect(counted.slice(0, 4)).toEqual(['page_location', 'long_text', 'bad_key', 'p0']);
    expect(params.long_text).toBe('x'.repeat(100));
    expect(params.items).toEqual(ITEMS);
    expect(warnings.some((w) => w.includes('p22 (over 25 parameters)'))).toBe(true);
    expect(warnings.some((w) => w.includes('long_text'))).toBe(true);
  });

  it('lets page fields be longer than 100 characters, up to their own limits', async () => {
    history.replaceState(null, '', '/' + 'p'.repeat(1200));
    document.title = 't'.repeat(400);
    const t = granted({}, debug);
    t.page();
    await settle();
    const [[, , params]] = events();
    expect(params.page_location).toHaveLength(1000);
    expect(params.page_title).toHaveLength(300);
  });

  it('keeps 200 items, each with its GA4 fields and at most 27 custom parameters', async () => {
    const t = granted({}, debug);
    const item: Record<string, unknown> = { item_id: 'SKU', item_name: 'N'.repeat(120), price: 1, quantity: 1, item_category2: 'c' };
    for (let i = 0; i < 30; i++) item['custom' + i] = 'v';
    // The core drops props over 32 KB, so one full item and 249 small ones.
    t.track('view_item_list', { items: [item, ...Array.from({ length: 249 }, (_, i) => ({ item_id: 'S' + i }))] });
    await settle();
    const [[, , params]] = events();
    const items = params.items as Record<string, unknown>[];
    expect(items).toHaveLength(200);
    expect(Object.keys(items[0]!)).toHaveLength(5 + 27);
    expect(items[0]!.item_name).toBe('N'.repeat(100));
    expect(items[0]!.custom26).toBe('v');
    expect(items[0]!.custom27).toBeUndefined();
    expect(warnings.some((w) => w.includes('items'))).toBe(true);
  });
});

describe('ga4: modes', () => {
  /** A tracker with the first-party stand-in `seen` and GA4 in `mode`, analytics granted. */
  const withMode = (mode?: Ga4Options['mode'], options: Partial<Ga4Options> = {}) => {
    const seen: WaybillEvent[] = [];
    const firstParty = { name: 'first-party', category: 'analytics', send: (events: WaybillEvent[]) => void seen.push(...events) };
    const t = createTracker({
      destinations: [firstParty, ga4({ measurementId: ID, scriptUrl: SCRIPT, mode, ...options })],
      consent: { analytics: 'granted', marketing: 'granted' },
      storage: false,
      batchSize: 1,
    });
    return { t, seen };
  };

  it('gtag (the default): gtag.js gets the event and the collector is not asked for a copy', async () => {
    for (const mode of [undefined, 'gtag'] as const) {
      const { t, seen } = withMode(mode);
      t.track('add_to_cart', VALUE);
      await settle();
      expect(seen.map((e) => e.context.forward)).toEqual([undefined]);
      expect(events().map((e) => e[1])).toEqual(['add_to_cart']);
      delete win().dataLayer;
      document.head.innerHTML = '';
    }
  });

  it('server: the collector is asked for the copy, and the page has no dataLayer, no script, no cookie', async () => {
    const { t, seen } = withMode('server', { consentMode: 'advanced' });
    t.identify('user-42');
    t.page();
    t.track('purchase', ORDER);
    await settle();
    expect(seen.map((e) => [e.name, e.context.forward])).toEqual([
      ['identify', ['ga4']],
      ['page_view', ['ga4']],
      ['purchase', ['ga4']],
    ]);
    expect(win().dataLayer).toBeUndefined();
    expect(document.querySelectorAll('script')).toHaveLength(0);
    expect(document.cookie).toBe('');
  });
});

describe('ga4: event names', () => {
  it('does not send web_vital unless the shop names it', async () => {
    granted().track('web_vital', { metric: 'CLS', value: 0.02 });
    await settle();
    expect(events()).toEqual([]);

    granted({ eventNames: { web_vital: 'web_vital' } }).track('web_vital', { metric: 'CLS', value: 0.02 });
    await settle();
    expect(events()).toEqual([['event', 'web_vital', { page_location: HERE, metric: 'CLS', value: 0.02, send_to: ID }]]);
  });

  it('renames or stops events per Waybill name, and takes Object member names as names', async () => {
    const t = granted({ eventNames: { order_shipped: 'shipment', login: false } });
    t.track('order_shipped', { transaction_id: 'T-1' });
    t.track('login', { method: 'email' });
    t.track('constructor');
    await settle();
    expect(events().map((e) => e[1])).toEqual(['shipment', 'constructor']);
  });
});
