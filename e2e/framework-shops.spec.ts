// The React shop (@waybill/react) and the Vue shop (@waybill/vue) end to end: their Vite
// builds, made from the built packages as npm installs them, served as `pnpm start:react` and
// `pnpm start:vue` serve them, with the real collector and the TikTok and GA4 stand-ins. The
// shopper's trip is the storefront's (storefront.spec.ts); what differs is that pages are
// client-side routes, so page views come from the bindings.
import type { ConsoleMessage, Page } from '@playwright/test';
import { browserStorage, expect, expectNothingStored, poll, sha256, test as base } from './fixtures';
import { startSpaShop, type Build, type ShopName, type SpaShop } from './spa/shop';
import { FUNNEL } from './funnel';

// Whole shopping trips on a busy machine.
base.describe.configure({ timeout: 60_000 });

const test = base.extend<{ build: Build; shopName: ShopName; spa: SpaShop; consoleProblems: string[] }>({
  build: ['dist', { option: true }],
  shopName: ['react-shop', { option: true }],
  spa: async ({ shopName, build }, use) => {
    const shop = await startSpaShop(shopName, build);
    await use(shop);
    await shop.close();
  },
  // Errors and warnings in the console (React's and Vue's warnings, in the development build)
  // fail the test.
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('console', (m: ConsoleMessage) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`[${m.type()}] ${m.text()}`);
      });
      await use(problems);
      expect(problems, 'console errors and warnings').toEqual([]);
    },
    { auto: true },
  ],
});

/** A link of the header's main navigation. */
const nav = (page: Page, name: string | RegExp) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
const banner = (page: Page) => page.getByRole('dialog', { name: 'Your privacy, your choice' });
const preferences = (page: Page) => page.getByRole('dialog', { name: 'Privacy preferences' });

async function choose(page: Page, button: 'Accept all' | 'Reject all' | 'Manage preferences'): Promise<void> {
  await banner(page).getByRole('button', { name: button }).click();
}

async function savePreferences(page: Page, choice: { analytics: boolean; marketing: boolean }): Promise<void> {
  await preferences(page).getByRole('checkbox', { name: /Analytics/ }).setChecked(choice.analytics);
  await preferences(page).getByRole('checkbox', { name: /Marketing/ }).setChecked(choice.marketing);
  await preferences(page).getByRole('button', { name: 'Save preferences' }).click();
  await expect(preferences(page)).toBeHidden();
}

/** Waybill's consent in the page (the shops expose their tracker as `window.waybill`, as the storefront does). */
async function waybillConsent(page: Page): Promise<Record<string, string>> {
  await page.waitForFunction(() => typeof window.waybill?.consent?.get === 'function');
  return page.evaluate(() => window.waybill.consent!.get());
}

/** Send what waits now and wait until the collector holds an event of each name. */
async function waitForNames(page: Page, shop: SpaShop, names: string[]): Promise<void> {
  await page.evaluate(() => window.waybill.flush!());
  await poll(() => names.filter((n) => !shop.events(n).length), 'events not yet stored').toEqual([]);
}

/** Post a sentinel from the page and wait for it: every earlier request of the page has arrived by then. */
async function proveSilence(page: Page, shop: SpaShop): Promise<void> {
  await page.evaluate(() =>
    fetch('/collect', {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ v: 1, sentAt: new Date().toISOString(), events: [{ id: 'sentinel', type: 'track', name: 'sentinel', ts: Date.now() }] }),
    }),
  );
  await poll(() => shop.events('sentinel').length, 'sentinel stored').toBe(1);
}

/** Shop like a person, with client-side navigation only: search, open a product, add it, change quantities, check out, pay. */
async function buyAMug(page: Page): Promise<void> {
  await page.locator('#search').fill('mug');
  await page.locator('#search').press('Enter');
  await page.getByRole('link', { name: /Enamel Camp Mug/ }).click();
  await page.waitForURL(/\/product\/enamel-mug$/);
  await page.getByRole('button', { name: 'Add to cart', exact: true }).click();
  await page.getByRole('link', { name: 'View cart' }).click();
  await page.waitForURL(/\/cart$/);
  await page.getByRole('button', { name: 'One more' }).click();
  await page.getByRole('button', { name: 'One less' }).click();
  await page.getByRole('link', { name: 'Checkout' }).click();
  await page.waitForURL(/\/checkout$/);
  await page.locator('#email').fill(' Alex@Example.com ');
  await page.locator('#phone').fill('+1 (555) 010-9999');
  await page.locator('#name').fill('Alex Rivera');
  await page.locator('#address').fill('12 Harbor Street');
  await page.locator('#city').fill('Portland');
  await page.locator('#postal').fill('97201');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await page.locator('#card').fill('4242 4242 4242 4242');
  await page.locator('#expiry').fill('12 / 30');
  await page.locator('#cvc').fill('123');
  await page.locator('#pay').click();
  await page.waitForURL(/\/thanks\?order=/);
  await expect(page.getByRole('heading', { name: /Thank you/ })).toBeVisible();
}

const pagePaths = (shop: SpaShop) => shop.events('page_view').map((e) => e.context.page.path + new URL(e.context.page.url).search);

for (const shopName of ['react-shop', 'vue-shop'] as const) {
  test.describe(shopName, () => {
    test.use({ shopName });

    test('accept all: the whole funnel in order with its props, one page view per route, TikTok and GA4 fed', async ({ page, spa: shop }) => {
      await page.goto(shop.url + '/');
      expect(await waybillConsent(page)).toMatchObject({ analytics: 'pending', marketing: 'pending' });
      await expectNothingStored(page, 'before the choice');
      expect(shop.collectRequests(), 'requests before the choice').toBe(0);
      expect(shop.vendorScripts(), 'vendor scripts before the choice').toEqual([]);

      await choose(page, 'Accept all');
      await expect(banner(page)).toBeHidden();
      expect(await waybillConsent(page)).toMatchObject({ analytics: 'granted', marketing: 'granted' });
      await buyAMug(page);
      await waitForNames(page, shop, [...FUNNEL, 'identify']);

      const events = shop.events().filter((e) => e.name !== 'page_view' && e.name !== 'identify').sort((a, b) => a.ts - b.ts);
      expect(events.map((e) => e.name), 'funnel in order').toEqual(FUNNEL);
      // One page view per route the shopper saw, in order, each with the title its route set.
      await poll(() => pagePaths(shop).length, 'page views').toBe(5);
      const views = shop.events('page_view').sort((a, b) => a.ts - b.ts);
      expect(views.map((e) => e.context.page.path)).toEqual(['/', '/product/enamel-mug', '/cart', '/checkout', '/thanks']);
      expect(views[1]!.context.page.title).toBe('Enamel Camp Mug · Northbound Goods');

      const byName = (name: string) => events.filter((e) => e.name === name);
      expect(byName('view_item_list')[0]!.props).toMatchObject({ item_list_id: 'all_products', items: expect.arrayContaining([expect.objectContaining({ item_id: 'enamel-mug' })]) });
      expect(byName('search')[0]!.props).toEqual({ search_term: 'mug' });
      expect(byName('select_item')[0]!.props).toMatchObject({ item_list_id: 'search_results', items: [{ item_id: 'enamel-mug', index: 0 }] });
      expect(byName('view_item')[0]!.props).toEqual({ currency: 'USD', value: 18, items: [{ item_id: 'enamel-mug', item_name: 'Enamel Camp Mug', item_category: 'Kitchen', price: 18, quantity: 1 }] });
      expect(byName('add_to_cart').map((e) => e.props.value)).toEqual([18, 18]);
      expect(byName('remove_from_cart')[0]!.props).toMatchObject({ value: 18, items: [{ item_id: 'enamel-mug', quantity: 1 }] });
      expect(byName('add_shipping_info')[0]!.props).toMatchObject({ shipping_tier: 'Standard', value: 18 });
      expect(byName('add_payment_info')[0]!.props).toMatchObject({ payment_type: 'Credit Card' });
      const purchase = byName('purchase')[0]!;
      expect(purchase.id).toMatch(/^purchase-WB-/);
      expect(purchase.props).toMatchObject({ transaction_id: purchase.id.slice('purchase-'.length), currency: 'USD', value: 18, shipping: 5, items: [{ item_id: 'enamel-mug', quantity: 1 }] });
      for (const e of shop.events()) expect(e.context.consent, `${e.name} carries its consent`).toEqual({ necessary: 'granted', analytics: 'granted', marketing: 'granted' });

      // identify at checkout: email and phone hashed in the browser, never sent raw.
      const identify = shop.events('identify')[0]!;
      expect(identify.traits).toEqual({ email: sha256('alex@example.com'), phone: sha256('+15550109999') });
      expect(purchase.traits).toEqual(identify.traits);
      expect(JSON.stringify(shop.events())).not.toMatch(/Example\.com|010-9999/);

      // The vendors got the same trip (a route's own events come just before its page view: the
      // bindings send it once the route has rendered, see the README).
      const sorted = (names: unknown[]) => names.map(String).sort();
      await poll(() => sorted(shop.gtag().filter((h) => h.command === 'event').map((h) => h.args[0])), 'GA4 events').toEqual(sorted([...FUNNEL, ...Array(5).fill('page_view')]));
      await poll(() => sorted(shop.tiktok().filter((h) => h.method === 'track').map((h) => h.args[0])), 'TikTok events').toEqual(
        sorted(['Search', 'ViewContent', 'AddToCart', 'AddToCart', 'InitiateCheckout', 'AddPaymentInfo', 'Purchase', ...Array(5).fill('Pageview')]),
      );
      const tiktokPurchase = shop.tiktok().find((h) => h.method === 'track' && h.args[0] === 'Purchase')!;
      expect(tiktokPurchase.args[2]).toEqual({ event_id: purchase.id });
      expect(shop.vendorScripts().sort()).toEqual(['/stand-ins/gtag/js', '/stand-ins/tiktok/events.js']);
    });

    test('reject all: nothing reaches the collector or a vendor, and Waybill stores nothing, on the whole trip and after a reload', async ({ page, spa: shop }) => {
      await page.goto(shop.url + '/');
      await choose(page, 'Reject all');
      expect(await waybillConsent(page)).toMatchObject({ analytics: 'denied', marketing: 'denied' });
      await buyAMug(page);
      // The choice holds after a reload, without the banner.
      await page.reload();
      await expect(banner(page)).toBeHidden();
      expect(await waybillConsent(page)).toMatchObject({ analytics: 'denied', marketing: 'denied' });
      await nav(page, 'Shop').click();
      await proveSilence(page, shop);
      expect(shop.events().map((e) => e.name)).toEqual(['sentinel']);
      expect(shop.collectRequests(), 'requests besides the sentinel').toBe(1);
      expect(shop.vendorScripts(), 'vendor scripts').toEqual([]);
      const stored = await browserStorage(page);
      expect(stored.indexedDB.map((db) => db.name), 'IndexedDB').toEqual([]);
      expect(Object.keys(stored.localStorage).sort(), 'localStorage: only the shop’s own state').toEqual(['shop-consent', 'shop-order']);
      expect(Object.keys(stored.sessionStorage)).toEqual([]);
      expect(stored.cookies).toEqual([]);
    });

    test('analytics only, then a change of mind in "Privacy settings": GA4 but no TikTok; a revoke stops the next event and purges storage', async ({ page, spa: shop }) => {
      await page.goto(shop.url + '/');
      await choose(page, 'Manage preferences');
      await savePreferences(page, { analytics: true, marketing: false });
      expect(await waybillConsent(page)).toMatchObject({ analytics: 'granted', marketing: 'denied' });
      await page.getByRole('button', { name: 'Add Organic Cotton Tee to cart' }).click();
      await waitForNames(page, shop, ['page_view', 'view_item_list', 'add_to_cart']);
      for (const e of shop.events()) expect(e.context.consent).toMatchObject({ analytics: 'granted', marketing: 'denied' });
      await poll(() => shop.gtag().filter((h) => h.command === 'event').map((h) => String(h.args[0])).sort(), 'GA4 events').toEqual(['add_to_cart', 'page_view', 'view_item_list']);
      expect(shop.vendorScripts(), 'vendor scripts').toEqual(['/stand-ins/gtag/js']);
      expect(shop.tiktok()).toEqual([]);
      const stored = await browserStorage(page);
      expect(Object.keys(stored.localStorage)).toContain('waybill_ids');

      const before = shop.events().length;
      await page.getByRole('button', { name: 'Privacy settings' }).click();
      await preferences(page).getByRole('button', { name: 'Reject all' }).click();
      expect(await waybillConsent(page)).toMatchObject({ analytics: 'denied', marketing: 'denied' });
      await page.getByRole('button', { name: 'Add Enamel Camp Mug to cart' }).click();
      await page.getByRole('link', { name: /Canvas Market Tote/ }).click();
      await page.waitForURL(/\/product\/canvas-tote$/);
      await proveSilence(page, shop);
      expect(shop.events().length, 'events after the revoke').toBe(before + 1); // the sentinel
      const after = await browserStorage(page);
      expect(Object.keys(after.localStorage).filter((k) => k.startsWith('waybill')), 'Waybill localStorage after the revoke').toEqual([]);
      await poll(async () => (await browserStorage(page)).indexedDB.map((db) => db.name), 'IndexedDB after the revoke').toEqual([]);
    });
  });

  for (const build of ['dist', 'dist-dev'] as const) {
    test.describe(`${shopName} (${build === 'dist' ? 'production' : 'development'} build)`, () => {
      test.use({ shopName, build });

      test('N route changes give N page views: none for a link to the current URL or a hash, one for a redirect, back and forward counted', async ({ page, spa: shop }) => {
        // A returning visitor who accepted: the stored choice applies before the first event.
        await page.addInitScript(() => localStorage.setItem('shop-consent', JSON.stringify({ analytics: 'granted', marketing: 'denied' })));
        // The storefront's old product URL redirects to the route: one page view, for the route.
        await page.goto(shop.url + '/product.html?id=wool-beanie');
        await page.waitForURL(/\/product\/wool-beanie$/);
        await expect(banner(page)).toBeHidden();
        await nav(page, 'Shop').click();
        await page.waitForURL(shop.url + '/');
        await nav(page, 'Shop').click(); // the URL it is on
        await page.evaluate(() => (location.hash = 'products')); // a hash only
        await page.getByRole('link', { name: /Linen Dot Notebook/ }).click();
        await page.waitForURL(/\/product\/linen-notebook$/);
        await nav(page, /Cart/).click();
        await page.waitForURL(/\/cart$/);
        await expect(page.getByRole('heading', { name: 'Your cart is empty' })).toBeVisible();
        await page.goBack();
        await page.waitForURL(/\/product\/linen-notebook$/);
        // As a shopper would, see each page before going back or forward: the URL changes at once, and
        // a router that renders navigations as transitions may draw only the last of two quick ones.
        await expect(page.getByRole('heading', { level: 1, name: /Linen Dot Notebook/ })).toBeVisible();
        await page.goForward();
        await page.waitForURL(/\/cart$/);
        await expect(page.getByRole('heading', { name: 'Your cart is empty' })).toBeVisible();
        await page.evaluate(() => window.waybill.flush!());
        const expected = ['/product/wool-beanie', '/', '/product/linen-notebook', '/cart', '/product/linen-notebook', '/cart'];
        await poll(() => pagePaths(shop).length, 'page views').toBe(expected.length);
        // Nothing late: a beacon at page hide would bring any extra page view in before the sentinel.
        await proveSilence(page, shop);
        expect(shop.events('page_view').sort((a, b) => a.ts - b.ts).map((e) => e.context.page.path)).toEqual(expected);
        expect(shop.events('view_item').map((e) => (e.props.items as { item_id: string }[])[0]!.item_id), 'view_item once per product page').toEqual(['wool-beanie', 'linen-notebook', 'linen-notebook']);
      });
    });
  }
}
