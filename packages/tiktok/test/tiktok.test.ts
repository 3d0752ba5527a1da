// @vitest-environment happy-dom
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTracker, type Catalogue, type TrackerOptions, type WaybillEvent } from '@waybill/core';
import { tiktok, type TikTokOptions } from '@waybill/tiktok';

const PIXEL = 'CPIXEL0001';
const SCRIPT = 'https://pixel.test/events.js';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type Win = Window & { ttq?: unknown[] & Record<string, unknown>; TiktokAnalyticsObject?: string };
const win = () => window as unknown as Win;

/** The calls queued on `ttq`, as TikTok's events.js would find them: `[method, ...args]`. */
const queued = () => Array.from(win().ttq ?? []) as [string, ...unknown[]][];
const tracks = () => queued().filter(([m]) => m == 'track') as ['track', string, Record<string, unknown>, { event_id: string }][];
const pixelScripts = () => Array.from(document.querySelectorAll('script')).filter((s) => s.src.startsWith(SCRIPT));

/** Let the tracker's sends and the adapter's hashing settle (macrotasks, not time). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};

const make = (options: Partial<TikTokOptions> = {}, tracker: TrackerOptions = {}) =>
  createTracker({ destinations: [tiktok({ pixelId: PIXEL, scriptUrl: SCRIPT, ...options })], storage: false, batchSize: 1, ...tracker });

const granted = (options: Partial<TikTokOptions> = {}) => make(options, { consent: { marketing: 'granted' } });

beforeEach(() => {
  // Never fetch the (unreachable) script: the queue is what these tests read.
  (window as unknown as { happyDOM: { settings: { disableJavaScriptFileLoading: boolean } } }).happyDOM.settings.disableJavaScriptFileLoading = true;
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => {
  delete win().ttq;
  delete win().TiktokAnalyticsObject;
  document.head.innerHTML = '';
  for (const c of document.cookie.split(';')) document.cookie = c.split('=')[0] + '=; max-age=0';
  vi.restoreAllMocks();
});

const ITEMS = [
  { item_id: 'SKU1', item_name: 'Tee', price: 30, quantity: 2, item_brand: 'Waybill', item_category: 'Tops' },
  { item_id: 'SKU2', price: 5 },
];
const CONTENTS = [
  { content_id: 'SKU1', content_type: 'product', content_name: 'Tee', quantity: 2, price: 30 },
  { content_id: 'SKU2', content_type: 'product', quantity: 1, price: 5 },
];
const VALUE = { currency: 'USD', value: 65, items: ITEMS };
const WITH_CONTENTS = { currency: 'USD', value: 65, contents: CONTENTS, content_type: 'product' };
const ORDER = { transaction_id: 'T-1', value: 65, currency: 'USD', tax: 5, shipping: 4, coupon: 'SUMMER', items: ITEMS };
const FULFILMENT = { transaction_id: 'T-1', carrier: 'DHL', tracking_number: 'JD01', items: ITEMS };

/** Every catalogue event: its props, the TikTok event it becomes (null: none), and the params TikTok gets. */
const TABLE: { [N in keyof Catalogue]: [Catalogue[N], string | null, Record<string, unknown>] } = {
  view_item_list: [{ item_list_id: 'home', item_list_name: 'Home', items: ITEMS }, null, { contents: CONTENTS, content_type: 'product' }],
  select_item: [{ item_list_id: 'home', items: [ITEMS[0]!] }, null, { contents: [CONTENTS[0]], content_type: 'product' }],
  view_item: [VALUE, 'ViewContent', WITH_CONTENTS],
  add_to_cart: [VALUE, 'AddToCart', WITH_CONTENTS],
  remove_from_cart: [VALUE, null, WITH_CONTENTS],
  view_cart: [VALUE, null, WITH_CONTENTS],
  add_to_wishlist: [VALUE, 'AddToWishlist', WITH_CONTENTS],
  begin_checkout: [{ ...VALUE, coupon: 'SUMMER' }, 'InitiateCheckout', WITH_CONTENTS],
  add_shipping_info: [{ ...VALUE, shipping_tier: 'Ground' }, null, WITH_CONTENTS],
  add_payment_info: [{ ...VALUE, payment_type: 'Card' }, 'AddPaymentInfo', WITH_CONTENTS],
  purchase: [ORDER, 'Purchase', WITH_CONTENTS],
  refund: [{ transaction_id: 'T-1', value: 10, currency: 'USD' }, null, { value: 10, currency: 'USD' }],
  search: [{ search_term: 'blue tee' }, 'Search', { query: 'blue tee' }],
  sign_up: [{ method: 'email' }, 'CompleteRegistration', {}],
  login: [{ method: 'email' }, null, {}],
  order_shipped: [FULFILMENT, null, { contents: CONTENTS, content_type: 'product' }],
  order_delivered: [FULFILMENT, null, { contents: CONTENTS, content_type: 'product' }],
  return_requested: [{ ...FULFILMENT, reason: 'size' }, null, { contents: CONTENTS, content_type: 'product' }],
};
const ROWS = Object.entries(TABLE) as [keyof Catalogue, [Record<string, unknown>, string | null, Record<string, unknown>]][];

describe('tiktok: catalogue mapping', () => {
  it.each(ROWS)('%s', async (name, [props, tiktokName, params]) => {
    const t = granted();
    const id = t.track(name, props as never)!;
    await settle();
    if (tiktokName) expect(tracks()).toEqual([['track', tiktokName, params, { event_id: id }]]);
    else expect(tracks(), 'no standard TikTok event, and forwardCustom is off').toEqual([]);
  });

  it.each(ROWS.filter(([, [, tiktokName]]) => !tiktokName))('%s goes as a custom event with forwardCustom', async (name, [props, , params]) => {
    const t = granted({ forwardCustom: true });
    const id = t.track(name, props as never)!;
    await settle();
    expect(tracks()).toEqual([['track', name, params, { event_id: id }]]);
  });

  it('sends a page view as Pageview with the event id', async () => {
    const t = granted();
    const id = t.page()!;
    await settle();
    expect(tracks()).toEqual([['track', 'Pageview', {}, { event_id: id }]]);
  });

  it('sends no page view with autoPageView: false', async () => {
    const t = granted({ autoPageView: false });
    t.page();
    t.track('view_item', VALUE);
    await settle();
    expect(tracks().map((c) => c[1])).toEqual(['ViewContent']);
  });

  it('lets the shop rename, add or stop events per Waybill name', async () => {
    const t = granted({ eventNames: { purchase: 'CompletePayment', login: 'Contact', search: false } });
    const purchase = t.track('purchase', ORDER)!;
    const login = t.track('login', { method: 'email' })!;
    t.track('search', { search_term: 'tee' });
    await settle();
    expect(tracks()).toEqual([
      ['track', 'CompletePayment', WITH_CONTENTS, { event_id: purchase }],
      ['track', 'Contact', {}, { event_id: login }],
    ]);
  });

  it('forwards custom events only with forwardCustom, and only names TikTok accepts', async () => {
    const off = granted();
    off.track('newsletter_open');
    await settle();
    expect(tracks()).toEqual([]);

    const on = granted({ forwardCustom: true });
    const ok = on.track('newsletter_open', { value: 1, currency: 'EUR' })!;
    on.track('1st visit');
    on.track('x'.repeat(51));
    await settle();
    expect(tracks()).toEqual([['track', 'newsletter_open', { value: 1, currency: 'EUR' }, { event_id: ok }]]);
  });

  it('copes with odd items without throwing', async () => {
    const t = granted();
    const id = t.track('add_to_cart', { items: [null, 'SKU', { item_name: 'No id' }] as never })!;
    await settle();
    expect(tracks()).toEqual([
      [
        'track',
        'AddToCart',
        {
          contents: [
            { content_type: 'product', quantity: 1 },
            { content_type: 'product', quantity: 1 },
            { content_type: 'product', content_name: 'No id', quantity: 1 },
          ],
          content_type: 'product',
        },
        { event_id: id },
      ],
    ]);
  });
});

describe('tiktok: loading only after consent', () => {
  it('creates nothing while marketing is pending: no global, no script, no cookie', async () => {
    const t = make();
    t.page();
    t.track('add_to_cart', VALUE);
    t.consent.update({ analytics: 'granted' });
    await settle();
    expect(win().ttq).toBeUndefined();
    expect(win().TiktokAnalyticsObject).toBeUndefined();
    expect(document.querySelectorAll('script')).toHaveLength(0);
    expect(document.cookie).toBe('');
  });

  it('loads on grant, queues the calls as the base code does, and replays what waited, in order', async () => {
    const t = make();
    const view = t.page()!;
    const cart = t.track('add_to_cart', VALUE)!;
    t.consent.update({ marketing: 'granted' });
    await settle();

    expect(pixelScripts().map((s) => s.src)).toEqual([`${SCRIPT}?sdkid=${PIXEL}&lib=ttq`]);
    expect(win().TiktokAnalyticsObject).toBe('ttq');
    const q = win().ttq as unknown as { _i: Record<string, { _u: string }>; _t: Record<string, number>; _o: Record<string, object> };
    expect(Array.isArray(q._i[PIXEL]) && q._i[PIXEL].length).toBe(0);
    expect(q._i[PIXEL]!._u).toBe(SCRIPT);
    expect(typeof q._t[PIXEL]).toBe('number');
    expect(q._o[PIXEL]).toEqual({});
    expect(queued()).toEqual([
      ['grantConsent'],
      ['track', 'Pageview', {}, { event_id: view }],
      ['track', 'AddToCart', WITH_CONTENTS, { event_id: cart }],
    ]);
  });

  it('loads at once when marketing is granted from the start, and only once', async () => {
    const t = granted();
    expect(pixelScripts()).toHaveLength(1);
    t.consent.update({ marketing: 'denied' });
    t.consent.update({ marketing: 'granted' });
    await settle();
    expect(pixelScripts()).toHaveLength(1);
  });

  it('never loads when marketing is denied, even with analytics granted', async () => {
    const t = make({}, { consent: { marketing: 'denied', analytics: 'granted' } });
    t.track('purchase', ORDER);
    await settle();
    expect(win().ttq).toBeUndefined();
    expect(document.querySelectorAll('script')).toHaveLength(0);
  });

  it('keeps calls a shop queued on its own ttq before the adapter loaded', async () => {
    const early = [['page']] as unknown as Win['ttq'];
    win().ttq = early;
    const t = granted();
    const id = t.track('view_item', VALUE)!;
    await settle();
    expect(win().ttq).toBe(early);
    expect(queued()).toEqual([['page'], ['grantConsent'], ['track', 'ViewContent', WITH_CONTENTS, { event_id: id }]]);
  });

  it('tells the pixel on revoke and on a new grant, and sends nothing while revoked', async () => {
    const t = granted();
    t.track('view_item', VALUE);
    await settle();
    t.consent.update({ marketing: 'denied' });
    t.track('add_to_cart', VALUE);
    await settle();
    t.consent.update({ marketing: 'granted' });
    const after = t.track('purchase', ORDER)!;
    await settle();
    expect(queued().map(([m, name]) => (m == 'track' ? name : m))).toEqual(['grantConsent', 'ViewContent', 'revokeConsent', 'grantConsent', 'Purchase']);
    expect(tracks().at(-1)![3]).toEqual({ event_id: after });
  });

  it('follows the category it was given', async () => {
    const t = make({ category: 'ads' }, { consent: { marketing: 'granted' } });
    t.track('view_item', VALUE);
    await settle();
    expect(win().ttq).toBeUndefined();
    t.consent.update({ ads: 'granted' });
    await settle();
    expect(tracks().map((c) => c[1])).toEqual(['ViewContent']);
  });
});

describe('tiktok: advanced matching', () => {
  const EMAIL = ' A@Example.com ';
  const PHONE = '+1 (555) 010-9999';

  it('identifies with SHA-256 of email, phone and user id, once, before the next event', async () => {
    const t = granted();
    t.identify('user-42', { email: EMAIL, phone: PHONE, plan: 'gold' });
    const a = t.track('view_item', VALUE)!;
    const b = t.track('add_to_cart', VALUE)!;
    await settle();
    expect(queued()).toEqual([
      ['grantConsent'],
      ['identify', { email: sha256('a@example.com'), phone_number: sha256('+15550109999'), external_id: sha256('user-42') }],
      ['track', 'ViewContent', WITH_CONTENTS, { event_id: a }],
      ['track', 'AddToCart', WITH_CONTENTS, { event_id: b }],
    ]);
    const text = JSON.stringify(queued()).toLowerCase();
    for (const raw of ['example.com', '555', 'user-42', 'gold']) expect(text).not.toContain(raw);
  });

  it('identifies again when the match keys change, and with the user id alone', async () => {
    const t = granted();
    t.identify('user-1');
    t.track('view_item', VALUE);
    await settle();
    t.identify('user-2', { email: 'b@example.com' });
    t.track('view_item', VALUE);
    await settle();
    expect(queued().filter(([m]) => m == 'identify')).toEqual([
      ['identify', { external_id: sha256('user-1') }],
      ['identify', { email: sha256('b@example.com'), external_id: sha256('user-2') }],
    ]);
  });

  it('does not identify a visitor who gave nothing', async () => {
    const t = granted();
    t.page();
    t.track('view_item', VALUE);
    await settle();
    expect(queued().filter(([m]) => m == 'identify')).toEqual([]);
  });
});

describe('tiktok: modes', () => {
  /** A tracker with the first-party stand-in `seen` and TikTok in `mode`, everything granted. */
  const withMode = (mode?: TikTokOptions['mode'], options: Partial<TikTokOptions> = {}) => {
    const seen: WaybillEvent[] = [];
    const firstParty = { name: 'first-party', category: 'analytics', send: (events: WaybillEvent[]) => void seen.push(...events) };
    const t = createTracker({
      destinations: [firstParty, tiktok({ pixelId: PIXEL, scriptUrl: SCRIPT, mode, ...options })],
      consent: { analytics: 'granted', marketing: 'granted' },
      storage: false,
      batchSize: 1,
    });
    return { t, seen };
  };

  it.each([
    [undefined, ['tiktok'], true],
    ['both', ['tiktok'], true],
    ['pixel', undefined, true],
    ['server', ['tiktok'], false],
  ] as const)('mode %s: events ask the collector for %j; pixel loaded: %s', async (mode, forward, pixel) => {
    const { t, seen } = withMode(mode);
    const id = t.track('add_to_cart', VALUE)!;
    await settle();
    expect(seen.map((e) => e.context.forward)).toEqual([forward]);
    expect(pixelScripts()).toHaveLength(pixel ? 1 : 0);
    expect(tracks()).toEqual(pixel ? [['track', 'AddToCart', WITH_CONTENTS, { event_id: id }]] : []);
  });

  it('server mode leaves no trace in the page: no global, no script, no cookie, nothing hashed', async () => {
    const { t } = withMode('server');
    t.identify('user-42', { email: 'a@example.com' });
    t.page();
    t.track('purchase', ORDER);
    await settle();
    expect(win().ttq).toBeUndefined();
    expect(win().TiktokAnalyticsObject).toBeUndefined();
    expect(document.querySelectorAll('script')).toHaveLength(0);
    expect(document.cookie).toBe('');
  });
});

describe('tiktok: web_vital', () => {
  it('is not sent, even with forwardCustom, unless the shop names it', async () => {
    const off = granted({ forwardCustom: true });
    off.track('web_vital', { metric: 'LCP', value: 1200 });
    await settle();
    expect(tracks()).toEqual([]);

    const on = granted({ eventNames: { web_vital: 'WebVital' } });
    const id = on.track('web_vital', { metric: 'LCP', value: 1200 })!;
    await settle();
    expect(tracks()).toEqual([['track', 'WebVital', { value: 1200 }, { event_id: id }]]);
  });

  it('takes event names that are also Object members as names', async () => {
    const t = granted({ forwardCustom: true });
    const id = t.track('constructor')!;
    t.track('toString');
    await settle();
    expect(tracks().map((c) => [c[1], c[3]])).toEqual([
      ['constructor', { event_id: id }],
      ['toString', expect.anything()],
    ]);
  });
});
