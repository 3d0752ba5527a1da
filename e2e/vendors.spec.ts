// The TikTok and GA4 adapters in Chromium, against stand-ins of the vendor scripts served
// from a second loopback origin (the real scripts cannot be reached here). The stand-ins
// implement only the documented call surface and report every call they get.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, flush, poll, sdkReady, sha256, test as base, waitForEvents } from './fixtures';
import { ROOT, readStub } from './server';
import { startVendors, type Vendors } from './stand-ins/vendors';

const test = base.extend<{ vendors: Vendors }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring
  vendors: async ({}, use) => {
    const vendors = await startVendors();
    await use(vendors);
    await vendors.close();
  },
});
test.use({ mode: 'npm' });

const PIXEL = 'CPIXEL0001';
const GA = 'G-TEST0001';
const ITEMS = [{ item_id: 'SKU1', item_name: 'Tee', price: 30, quantity: 1 }];
const CART = { currency: 'USD', value: 30, items: ITEMS };
const CONTENTS = [{ content_id: 'SKU1', content_type: 'product', content_name: 'Tee', price: 30, quantity: 1 }];

/** Page-script lines (npm mode: a module) that import a built adapter from the vendor origin and add it to the tracker. */
const useTiktok = (v: Vendors, options = '') =>
  `const { tiktok } = await import('${v.url}/pkg/tiktok/index.js');
   window.sdk().use(tiktok({ pixelId: '${PIXEL}', scriptUrl: '${v.tiktokScript}' ${options} }));`;
const useGa4 = (v: Vendors, options = '') =>
  `const { ga4 } = await import('${v.url}/pkg/ga4/index.js');
   window.sdk().use(ga4({ measurementId: '${GA}', scriptUrl: '${v.gtagScript}' ${options} }));`;

/** Requests for vendor scripts (the adapters' own module files aside). */
const scriptRequests = (v: Vendors) => v.requests.filter((r) => r.startsWith('GET') && !r.includes('/pkg/'));
const cookieNames = async (page: Page) => (await page.context().cookies()).map((c) => c.name);
const globals = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    return { ttq: typeof w.ttq, TiktokAnalyticsObject: typeof w.TiktokAnalyticsObject, dataLayer: typeof w.dataLayer };
  });
const NO_GLOBALS = { ttq: 'undefined', TiktokAnalyticsObject: 'undefined', dataLayer: 'undefined' };

/** TikTok calls as `[method, event name]`. */
const tiktokCalls = (v: Vendors) => v.tiktok().map((h) => (h.method == 'track' ? [h.method, h.args[0]] : [h.method]));
const tracked = (v: Vendors, name: string) => v.tiktok().filter((h) => h.method == 'track' && h.args[0] == name);
/** gtag commands as `[command, first argument]`. */
const gtagCalls = (v: Vendors) => v.gtag().map((h) => [h.command, h.args[0]]);
const gtagEvent = (v: Vendors, name: string) => v.gtag().find((h) => h.command == 'event' && h.args[0] == name);

test.describe('TikTok pixel', () => {
  test('nothing before marketing consent; on grant the pixel loads and gets the waiting events with the collector ids', async ({ page, site, shop, vendors }) => {
    await page.goto(
      shop({
        flushInterval: 100,
        script: `${useTiktok(vendors)}
          wb('consent', { analytics: 'granted' });
          wb('page');
          wb('track', 'add_to_cart', ${JSON.stringify(CART)});`,
      }),
    );
    await sdkReady(page);
    // The collector has both events, so the SDK has been at work; the pixel has not been touched.
    const stored = await waitForEvents(site, 2);
    await flush(page);
    expect(scriptRequests(vendors), 'vendor script requests before consent').toEqual([]);
    expect(await globals(page), 'globals before consent').toEqual(NO_GLOBALS);
    expect(await cookieNames(page), 'cookies before consent').not.toContain('_ttp');

    await page.evaluate(() => window.wb('consent', { marketing: 'granted' }));
    await poll(() => tiktokCalls(vendors).length, 'pixel calls').toBe(3);
    expect(scriptRequests(vendors)).toEqual([`GET /tiktok/events.js?sdkid=${PIXEL}&lib=ttq`]);
    expect(tiktokCalls(vendors)).toEqual([['grantConsent'], ['track', 'Pageview'], ['track', 'AddToCart']]);
    const [first] = vendors.tiktok();
    expect([first!.global, first!.pixels, first!.sdkid, first!.lib]).toEqual(['ttq', [PIXEL], PIXEL, 'ttq']);

    const id = (name: string) => stored.find((e) => e.name == name)!.id;
    expect(tracked(vendors, 'Pageview')[0]!.args[2]).toEqual({ event_id: id('page_view') });
    expect(tracked(vendors, 'AddToCart')[0]!.args).toEqual([
      'AddToCart',
      { currency: 'USD', value: 30, contents: CONTENTS, content_type: 'product' },
      { event_id: id('add_to_cart') },
    ]);
    expect(await cookieNames(page), 'the stand-in ran').toContain('_ttp');
  });

  test('a revoke is passed to the pixel and stops events to it; a new grant resumes them, without a second load', async ({ page, site, shop, vendors }) => {
    await page.goto(
      shop({
        flushInterval: 100,
        script: `${useTiktok(vendors)}
          wb('consent', { analytics: 'granted', marketing: 'granted' });
          wb('track', 'view_item', ${JSON.stringify(CART)});`,
      }),
    );
    await poll(() => tracked(vendors, 'ViewContent').length, 'ViewContent').toBe(1);

    await page.evaluate(() => {
      window.wb('consent', { marketing: 'denied' });
      window.wb('track', 'purchase', { transaction_id: 'T-1', currency: 'USD', value: 30 });
    });
    await waitForEvents(site, 1, 'purchase');
    // The pixel reports in order: once Search is in, anything sent between would be too.
    await page.evaluate(() => {
      window.wb('consent', { marketing: 'granted' });
      window.wb('track', 'search', { search_term: 'tee' });
    });
    await poll(() => tracked(vendors, 'Search').length, 'Search').toBe(1);
    expect(tiktokCalls(vendors)).toEqual([['grantConsent'], ['track', 'ViewContent'], ['revokeConsent'], ['grantConsent'], ['track', 'Search']]);
    expect(tracked(vendors, 'Search')[0]!.args[1]).toEqual({ query: 'tee' });
    expect(scriptRequests(vendors)).toHaveLength(1);
  });

  test('identify reaches the pixel only as SHA-256; a caller-given id is the event_id, as on the collector', async ({ page, site, shop, vendors }) => {
    const order = { transaction_id: 'T-1001', currency: 'USD', value: 30, items: ITEMS };
    await page.goto(
      shop({
        flushInterval: 100,
        script: `${useTiktok(vendors)}
          wb('consent', { analytics: 'granted', marketing: 'granted' });
          wb('identify', 'user-42', { email: ' A@Example.com ', phone: '+1 (555) 010-9999' });
          wb('track', 'purchase', ${JSON.stringify(order)}, { id: 'purchase-T-1001' });`,
      }),
    );
    const [stored] = await waitForEvents(site, 1, 'purchase');
    await poll(() => tracked(vendors, 'Purchase').length, 'Purchase').toBe(1);

    expect(tiktokCalls(vendors)).toEqual([['grantConsent'], ['identify'], ['track', 'Purchase']]);
    expect(vendors.tiktok()[1]!.args).toEqual([{ email: sha256('a@example.com'), phone_number: sha256('+15550109999'), external_id: sha256('user-42') }]);
    expect(stored!.id).toBe('purchase-T-1001');
    expect(tracked(vendors, 'Purchase')[0]!.args[2]).toEqual({ event_id: 'purchase-T-1001' });
    for (const raw of ['example.com', '(555)', '5550109999', 'user-42']) {
      expect(vendors.bodies.filter((b) => b.toLowerCase().includes(raw)), `"${raw}" sent to the vendor`).toEqual([]);
    }
  });
});

test.describe('GA4', () => {
  test('basic mode: nothing before analytics consent; then consent default before config, explicit page views, updates on every change', async ({ page, shop, vendors }) => {
    await page.goto(
      shop({
        flushInterval: 100,
        script: `${useGa4(vendors)}
          wb('page');
          wb('track', 'add_to_cart', ${JSON.stringify(CART)});
          wb('consent', { marketing: 'granted' });`,
      }),
    );
    await flush(page);
    expect(scriptRequests(vendors), 'vendor script requests before analytics consent').toEqual([]);
    expect(await globals(page), 'globals before analytics consent').toEqual(NO_GLOBALS);
    expect(await cookieNames(page), 'cookies before analytics consent').not.toContain('_ga');

    await page.evaluate(() => window.wb('consent', { analytics: 'granted' }));
    await poll(() => gtagCalls(vendors).length, 'gtag commands').toBe(5);
    expect(scriptRequests(vendors)).toEqual([`GET /gtag/js?id=${GA}`]);
    expect(gtagCalls(vendors)).toEqual([
      ['consent', 'default'],
      ['js', expect.any(String)],
      ['config', GA],
      ['event', 'page_view'],
      ['event', 'add_to_cart'],
    ]);
    const [consentDefault, , config] = vendors.gtag();
    expect(consentDefault!.args[1]).toEqual({ ad_storage: 'granted', ad_user_data: 'granted', ad_personalization: 'granted', analytics_storage: 'granted', security_storage: 'granted' });
    expect(config!.args[1]).toEqual({ send_page_view: false });
    expect(gtagEvent(vendors, 'page_view')!.args[1]).toEqual({ page_location: page.url(), page_referrer: '', page_title: 'Waybill test shop', send_to: GA });
    expect(gtagEvent(vendors, 'add_to_cart')!.args[1]).toEqual({ page_location: page.url(), ...CART, send_to: GA });
    expect(await cookieNames(page), 'the stand-in ran').toContain('_ga');

    // Revoke: an update, and no events; a new grant: an update, and events again.
    await page.evaluate(() => {
      window.wb('consent', { analytics: 'denied', marketing: 'denied' });
      window.wb('track', 'remove_from_cart', { items: [{ item_id: 'SKU1' }] });
      window.wb('consent', { analytics: 'granted' });
      window.wb('track', 'view_cart', { items: [{ item_id: 'SKU1' }] });
    });
    await poll(() => gtagEvent(vendors, 'view_cart') !== undefined, 'view_cart').toBe(true);
    const denied = { ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' };
    expect(vendors.gtag().slice(5).map((h) => [h.command, h.args[0], h.args[1]])).toEqual([
      ['consent', 'update', { ...denied, analytics_storage: 'denied' }],
      ['consent', 'update', { ...denied, analytics_storage: 'granted' }],
      ['event', 'view_cart', expect.objectContaining({ items: [{ item_id: 'SKU1' }] })],
    ]);
    expect(vendors.gtag().filter((h) => h.command == 'not-arguments'), 'every dataLayer entry is an arguments object').toEqual([]);
  });

  test('advanced mode: loads at once with everything denied, pings without cookies or user id, and updates on grant', async ({ page, shop, vendors }) => {
    await page.goto(
      shop({
        flushInterval: 100,
        script: `${useGa4(vendors, `, consentMode: 'advanced'`)}
          wb('identify', 'user-42');
          wb('track', 'view_item', ${JSON.stringify(CART)});`,
      }),
    );
    await poll(() => gtagEvent(vendors, 'view_item') !== undefined, 'view_item while consent is pending').toBe(true);
    expect(gtagCalls(vendors)).toEqual([['consent', 'default'], ['js', expect.any(String)], ['config', GA], ['event', 'view_item']]);
    expect(vendors.gtag()[0]!.args[1]).toEqual({ ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', analytics_storage: 'denied', security_storage: 'granted' });
    expect(await cookieNames(page), 'no GA cookie while denied').not.toContain('_ga');

    await page.evaluate(() => {
      window.wb('consent', { analytics: 'granted' });
      window.wb('track', 'add_to_cart', { items: [{ item_id: 'SKU1' }] });
    });
    await poll(() => gtagEvent(vendors, 'add_to_cart') !== undefined, 'add_to_cart').toBe(true);
    expect(vendors.gtag().slice(4).map((h) => [h.command, h.args[0]])).toEqual([
      ['consent', 'update'],
      ['set', { user_id: 'user-42' }],
      ['event', 'add_to_cart'],
    ]);
    expect(vendors.gtag()[4]!.args[1]).toMatchObject({ analytics_storage: 'granted', ad_storage: 'denied' });
    expect(await cookieNames(page)).toContain('_ga');
  });
});

// The script-tag build gets these adapters from data-* attributes once the browser package
// includes them; until then there is nothing to test here.
const bundled = /@waybill\/tiktok/.test(readFileSync(join(ROOT, 'packages/browser/src/index.ts'), 'utf8'));

test.describe('script tag', () => {
  test.skip(!bundled, 'packages/browser does not include the TikTok and GA4 adapters yet');

  test('data-tiktok and data-ga4 enable both adapters, each only after its consent', async ({ page, site, vendors }) => {
    const url = site.addPage(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Script tag shop</title>
<script>${readStub()}</script>
<script async src="/waybill.min.js" data-endpoint="/collect" data-debug data-flush-interval="100"
  data-tiktok="${PIXEL}" data-tiktok-src="${vendors.tiktokScript}" data-ga4="${GA}" data-ga4-src="${vendors.gtagScript}"></script>
<script>
  window.wb = function () { return window.waybill.apply(window, arguments); };
  window.sdk = function () { return typeof window.waybill.track === 'function' ? window.waybill : undefined; };
  waybill('page');
  waybill('track', 'add_to_cart', ${JSON.stringify(CART)});
  window.pageScriptDone = true;
</script></head><body></body></html>`);
    await page.goto(url);
    await flush(page);
    expect(scriptRequests(vendors), 'vendor script requests before consent').toEqual([]);
    expect(await globals(page)).toEqual(NO_GLOBALS);

    await page.evaluate(() => window.wb('consent', { analytics: 'granted' }));
    const stored = await waitForEvents(site, 2);
    await poll(() => gtagEvent(vendors, 'add_to_cart') !== undefined, 'GA4 add_to_cart').toBe(true);
    expect(scriptRequests(vendors), 'only gtag.js: marketing is still pending').toEqual([`GET /gtag/js?id=${GA}`]);

    await page.evaluate(() => window.wb('consent', { marketing: 'granted' }));
    await poll(() => tracked(vendors, 'AddToCart').length, 'TikTok AddToCart').toBe(1);
    expect(tracked(vendors, 'AddToCart')[0]!.args[2]).toEqual({ event_id: stored.find((e) => e.name == 'add_to_cart')!.id });
    expect(tracked(vendors, 'Pageview')[0]!.args[2]).toEqual({ event_id: stored.find((e) => e.name == 'page_view')!.id });
  });
});
