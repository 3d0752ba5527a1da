// The demo shop with the real vanilla-cookieconsent banner, wired to Waybill only by
// data-consent="cookieconsent" on the script tag: what the shopper chooses in the banner is
// what reaches the collector, on every page, including a change of mind.
import type { Page } from '@playwright/test';
import { browserStorage } from './fixtures';
import {
  chooseInBanner,
  consentModal,
  expect,
  poll,
  preferences,
  proveSilence,
  savePreferences,
  test,
  waybillConsent,
  waybillStorage,
} from './cmp/shop';
import { startStorefront, type Storefront } from './cmp/storefront';
import {
  GA4_ID,
  gtagEvents,
  NO_FOOTPRINT,
  PIXEL_ID,
  startVendors,
  tagBundle,
  tiktokTracked,
  vendorAttributes,
  vendorFootprint,
  vendorScriptRequests,
} from './stand-ins/vendors';
import { FUNNEL } from './funnel';

// Whole shopping trips through real pages: longer than the default 30 s allows on a busy machine.
test.describe.configure({ timeout: 60_000 });

/** Shop like a person: search, open a product, add it, change quantities, check out, pay. */
async function buyAMug(page: Page): Promise<void> {
  await page.locator('#search').fill('mug');
  await page.locator('#search').press('Enter');
  await page.getByRole('link', { name: /Enamel Camp Mug/ }).click();
  await page.waitForURL(/product\.html/);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByRole('link', { name: 'View cart' }).click();
  await page.waitForURL(/cart\.html/);
  await page.getByRole('button', { name: 'One more' }).click();
  await page.getByRole('button', { name: 'One less' }).click();
  await page.getByRole('link', { name: 'Checkout' }).click();
  await page.waitForURL(/checkout\.html/);
  await page.locator('#email').fill(' Alex@Example.com ');
  await page.locator('#name').fill('Alex Rivera');
  await page.locator('#address').fill('12 Harbor Street');
  await page.locator('#city').fill('Portland');
  await page.locator('#postal').fill('97201');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await page.locator('#card').fill('4242 4242 4242 4242');
  await page.locator('#expiry').fill('12 / 30');
  await page.locator('#cvc').fill('123');
  await page.locator('#pay').click();
  await page.waitForURL(/thanks\.html/);
  await expect(page.getByRole('heading', { name: /Thank you/ })).toBeVisible();
}

/**
 * Send what waits now (instead of after the 5-second batch timer) and wait until the collector
 * holds an event of each name.
 */
async function waitForNames(page: Page, shop: Storefront, names: string[]): Promise<void> {
  await page.waitForFunction(() => typeof window.waybill?.flush === 'function');
  await page.evaluate(() => window.waybill.flush!());
  await poll(() => names.filter((n) => !shop.events(n).length), 'events not yet stored').toEqual([]);
}

test('reject all: no event reaches the collector and Waybill stores nothing, on any page', async ({ page, storefront }) => {
  await page.goto(storefront.url + '/');
  await chooseInBanner(page, 'Reject all');
  await expect(consentModal(page)).toBeHidden();
  expect(await waybillConsent(page)).toMatchObject({ analytics: 'denied', marketing: 'denied' });

  await buyAMug(page);
  // The choice holds on every page without a click: the bridge reads it from the banner.
  expect(await waybillConsent(page)).toMatchObject({ analytics: 'denied', marketing: 'denied' });
  await expect(consentModal(page)).toBeHidden();

  await proveSilence(page, storefront);
  expect(storefront.events().map((e) => e.name)).toEqual(['sentinel']);
  expect(storefront.collectRequests(), 'requests to /collect besides the sentinel').toBe(1);
  expect(await waybillStorage(page), 'what Waybill stored').toEqual([]);
  const stored = await browserStorage(page);
  expect(stored.cookies.map((c) => c.name), 'cookies: only the banner keeps its choice').toEqual(['cc_cookie']);
  expect(Object.keys(stored.localStorage).sort(), 'localStorage: only the shop’s own state').toEqual(['shop-order']);
});

test('accept all: every catalogue event of the funnel reaches the collector, under the consent it was given', async ({ page, storefront }) => {
  await page.goto(storefront.url + '/');
  // Before the choice: nothing sent, nothing stored, events wait in memory.
  expect(await waybillConsent(page)).toMatchObject({ analytics: 'pending', marketing: 'pending' });
  expect(await waybillStorage(page)).toEqual([]);
  expect(storefront.collectRequests()).toBe(0);

  await chooseInBanner(page, 'Accept all');
  expect(await waybillConsent(page)).toMatchObject({ analytics: 'granted', marketing: 'granted' });
  // The page view and product list that waited for the choice go out now.
  await waitForNames(page, storefront, ['page_view', 'view_item_list']);

  await buyAMug(page);
  await waitForNames(page, storefront, [...FUNNEL, 'identify']);
  // In the order they happened (pages send in batches and beacons, so arrival order may differ).
  const events = storefront.events().filter((e) => e.name !== 'page_view' && e.name !== 'identify').sort((a, b) => a.ts - b.ts);
  expect(events.map((e) => e.name), 'funnel in order').toEqual(FUNNEL);
  const paths = () => storefront.events('page_view').map((e) => e.context.page.path).sort();
  await poll(paths, 'a page view per page').toEqual(['/', '/cart.html', '/checkout.html', '/product.html', '/thanks.html']);
  for (const e of storefront.events()) {
    expect(e.context.consent, `${e.name} carries its consent`).toEqual({ necessary: 'granted', analytics: 'granted', marketing: 'granted' });
  }
  const purchase = storefront.events('purchase')[0]!;
  expect(purchase.id).toMatch(/^purchase-WB-/);
  expect(purchase.props).toMatchObject({ currency: 'USD', value: 18, items: [{ item_id: 'enamel-mug', quantity: 1 }] });
  // Email hashed in the browser, never sent raw.
  expect(JSON.stringify(storefront.events())).not.toContain('Example.com');
  expect(await waybillStorage(page)).toContain('localStorage waybill_ids');
});

test('analytics only, through the preferences dialog: events flow with marketing denied', async ({ page, storefront }) => {
  await page.goto(storefront.url + '/');
  await chooseInBanner(page, 'Manage preferences');
  await savePreferences(page, { analytics: true, marketing: false });
  expect(await waybillConsent(page)).toMatchObject({ analytics: 'granted', marketing: 'denied' });

  await page.getByRole('button', { name: 'Add Organic Cotton Tee to cart' }).click();
  await waitForNames(page, storefront, ['page_view', 'view_item_list', 'add_to_cart']);
  for (const e of storefront.events()) expect(e.context.consent).toMatchObject({ analytics: 'granted', marketing: 'denied' });

  // The next page applies the stored choice before any click, and shows no banner.
  await page.goto(storefront.url + '/cart.html');
  await expect(consentModal(page)).toBeHidden();
  expect(await waybillConsent(page)).toMatchObject({ analytics: 'granted', marketing: 'denied' });
  await waitForNames(page, storefront, ['view_cart']);
});

test('change of mind: a revoke in "Privacy settings" takes effect for the very next event and purges what was stored', async ({ page, storefront }) => {
  await page.goto(storefront.url + '/');
  await chooseInBanner(page, 'Accept all');
  await page.getByRole('button', { name: 'Add Canvas Market Tote to cart' }).click();
  await waitForNames(page, storefront, ['page_view', 'view_item_list', 'add_to_cart']);
  expect(await waybillStorage(page)).toEqual(expect.arrayContaining(['localStorage waybill_ids', 'IndexedDB waybill']));
  const before = storefront.events().length;

  await page.getByRole('link', { name: 'Privacy settings' }).click();
  await expect(preferences(page)).toBeVisible();
  await preferences(page).getByRole('button', { name: 'Reject all' }).click();
  expect(await waybillConsent(page)).toMatchObject({ analytics: 'denied', marketing: 'denied' });
  await page.getByRole('button', { name: 'Add Enamel Camp Mug to cart' }).click();
  await page.locator('#search').fill('tee');
  await page.locator('#search').press('Enter');

  await proveSilence(page, storefront);
  expect(storefront.events().length, 'events after the revoke').toBe(before + 1); // the sentinel
  expect(storefront.events('search')).toEqual([]);
  expect(await waybillStorage(page), 'Waybill storage after the revoke').toEqual([]);

  // And it holds on the next page.
  await page.goto(storefront.url + '/product.html?id=wool-beanie');
  expect(await waybillConsent(page)).toMatchObject({ analytics: 'denied', marketing: 'denied' });
});

test('Global Privacy Control: "accept all" still leaves marketing denied, and the shop says so', async ({ page, storefront }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  await page.goto(storefront.url + '/');
  await chooseInBanner(page, 'Accept all');
  expect(await waybillConsent(page)).toMatchObject({ analytics: 'granted', marketing: 'denied' });
  await waitForNames(page, storefront, ['page_view', 'view_item_list']);
  for (const e of storefront.events()) expect(e.context.consent).toMatchObject({ analytics: 'granted', marketing: 'denied' });
  await expect(page.locator('.ribbon')).toContainText('marketing: denied (by Global Privacy Control)');
});

test('vendor stand-ins: accept all feeds TikTok and GA4; analytics only feeds GA4 and never requests the TikTok script; reject all requests neither', async ({ browser }) => {
  const errors: Error[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  /**
   * A new visitor: a fresh browser context with its own shop, collector and stand-in server, so
   * what a vendor recorded belongs to this visitor's choice alone. The shop serves its pages with
   * TikTok and GA4 on the Waybill tag. (Not through page.route: Chromium treats a fulfilled
   * document as public, and then blocks its requests to the loopback stand-ins.)
   */
  const visitor = async () => {
    const vendors = await startVendors();
    cleanups.push(() => vendors.close());
    const shop = await startStorefront({ page: (html) => ({ html: tagBundle(html, vendorAttributes(vendors)) }) });
    cleanups.push(() => shop.close());
    const context = await browser.newContext();
    cleanups.push(() => context.close());
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false }));
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error));
    return { page, shop, vendors };
  };
  const TIKTOK_SCRIPT = `GET /tiktok/events.js?sdkid=${PIXEL_ID}&lib=ttq`;
  const GTAG_SCRIPT = `GET /gtag/js?id=${GA4_ID}`;
  const denied = { ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' };

  try {
    await test.step('accept all', async () => {
      const { page, shop, vendors } = await visitor();
      await page.goto(shop.url + '/');
      expect(await waybillConsent(page)).toMatchObject({ analytics: 'pending', marketing: 'pending' });
      expect(await vendorFootprint(page, vendors), 'while the banner shows').toEqual(NO_FOOTPRINT);
      expect(vendors.requests, 'vendor requests while the banner shows').toEqual([]);

      await chooseInBanner(page, 'Accept all');
      // What waited for the choice reaches both; then a click on the same page.
      await poll(() => gtagEvents(vendors), 'GA4 events').toEqual(['page_view', 'view_item_list']);
      await poll(() => tiktokTracked(vendors), 'TikTok events').toEqual(['Pageview']);
      await page.getByRole('button', { name: 'Add Organic Cotton Tee to cart' }).click();
      await poll(() => gtagEvents(vendors), 'GA4 events').toEqual(['page_view', 'view_item_list', 'add_to_cart']);
      await poll(() => tiktokTracked(vendors), 'TikTok events').toEqual(['Pageview', 'AddToCart']);
      expect(vendors.gtag()[0]!.args, 'Consent Mode default').toEqual(['default', { ad_storage: 'granted', ad_user_data: 'granted', ad_personalization: 'granted', analytics_storage: 'granted', security_storage: 'granted' }]);
      expect(vendorScriptRequests(vendors).sort()).toEqual([GTAG_SCRIPT, TIKTOK_SCRIPT]);
      expect(await vendorFootprint(page, vendors)).toEqual({ scripts: ['/gtag/js', '/tiktok/events.js'], ttq: 'object', dataLayer: 'object', cookies: ['_ga', '_ttp'] });

      // TikTok's copy carries the id the collector stored, so it deduplicates against a server-side copy.
      const addToCart = vendors.tiktok().find((h) => h.method === 'track' && h.args[0] === 'AddToCart')!;
      const { event_id } = addToCart.args[2] as { event_id: string };
      await waitForNames(page, shop, ['add_to_cart']);
      expect(shop.events('add_to_cart').map((e) => e.id)).toContain(event_id);

      // The next page loads both at once from the stored choice, without a click.
      await page.getByRole('link', { name: 'View cart' }).click();
      await page.waitForURL(/cart\.html/);
      // Each page's stand-in numbers its own calls: compare what both pages sent, sorted.
      await poll(() => gtagEvents(vendors).sort(), 'GA4 events of both pages').toEqual(['add_to_cart', 'page_view', 'page_view', 'view_cart', 'view_item_list']);
      await poll(() => tiktokTracked(vendors).sort(), 'TikTok events of both pages').toEqual(['AddToCart', 'Pageview', 'Pageview']);
    });

    await test.step('analytics only', async () => {
      const { page, shop, vendors } = await visitor();
      await page.goto(shop.url + '/');
      await chooseInBanner(page, 'Manage preferences');
      await savePreferences(page, { analytics: true, marketing: false });
      expect(await waybillConsent(page)).toMatchObject({ analytics: 'granted', marketing: 'denied' });
      await page.getByRole('button', { name: 'Add Organic Cotton Tee to cart' }).click();
      await poll(() => gtagEvents(vendors), 'GA4 events').toEqual(['page_view', 'view_item_list', 'add_to_cart']);
      expect(vendors.gtag()[0]!.args, 'Consent Mode default: analytics only').toEqual(['default', { ...denied, analytics_storage: 'granted', security_storage: 'granted' }]);
      expect(await vendorFootprint(page, vendors)).toEqual({ scripts: ['/gtag/js'], ttq: 'undefined', dataLayer: 'object', cookies: ['_ga'] });

      // And on the next page, from the stored choice: GA4 is fed, TikTok is not even loaded.
      await page.goto(shop.url + '/cart.html');
      await poll(() => gtagEvents(vendors).sort(), 'GA4 events of both pages').toEqual(['add_to_cart', 'page_view', 'page_view', 'view_cart', 'view_item_list']);
      expect(await vendorFootprint(page, vendors)).toEqual({ scripts: ['/gtag/js'], ttq: 'undefined', dataLayer: 'object', cookies: ['_ga'] });
      expect(vendorScriptRequests(vendors), 'vendor script requests').toEqual([GTAG_SCRIPT, GTAG_SCRIPT]);
      expect(vendors.tiktok(), 'calls the TikTok stand-in saw').toEqual([]);
    });

    await test.step('reject all', async () => {
      const { page, shop, vendors } = await visitor();
      await page.goto(shop.url + '/');
      await chooseInBanner(page, 'Reject all');
      expect(await waybillConsent(page)).toMatchObject({ analytics: 'denied', marketing: 'denied' });
      await page.getByRole('button', { name: 'Add Organic Cotton Tee to cart' }).click();
      expect(await vendorFootprint(page, vendors)).toEqual(NO_FOOTPRINT);

      await page.goto(shop.url + '/cart.html');
      // The bridge applies the stored choice once the banner's script has run.
      await poll(() => waybillConsent(page), 'consent on the cart page').toMatchObject({ analytics: 'denied', marketing: 'denied' });
      expect(await vendorFootprint(page, vendors)).toEqual(NO_FOOTPRINT);
      expect(vendors.requests, 'requests to the vendors').toEqual([]);
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
  expect(errors.map(String), 'uncaught errors in the pages').toEqual([]);
});
