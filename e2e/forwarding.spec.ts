// Server-side forwarding end to end: Chromium on a shop page, the real collector, and stand-ins
// of the TikTok pixel, the TikTok Events API and the GA4 Measurement Protocol on 127.0.0.1.
import type { Page } from '@playwright/test';
import { browserStorage, expect, flush, poll, sdkReady, sha256, storageText, test as base, waitForEvents } from './fixtures';
import { shopPage } from './pages';
import { startSite, type TestSite } from './server';
import { NO_FOOTPRINT, PIXEL_ID, GA4_ID, startVendors, tagBundle, vendorFootprint, vendorScriptRequests, type Vendors } from './stand-ins/vendors';
import { startEventsApi, startMeasurementProtocol, type EventsApi, type MeasurementProtocol } from './stand-ins/vendor-apis.mjs';

const TOKEN = 'tiktok-access-token';
const SECRET = 'ga4-api-secret';

interface Apis {
  tiktok: EventsApi;
  ga4: MeasurementProtocol;
}

const test = base.extend<{ vendors: Vendors; apis: Apis }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring
  vendors: async ({}, use) => {
    const vendors = await startVendors();
    await use(vendors);
    await vendors.close();
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring
  apis: async ({}, use) => {
    const [tiktok, ga4] = await Promise.all([startEventsApi({ pixel: PIXEL_ID, token: TOKEN }), startMeasurementProtocol({ measurementId: GA4_ID, apiSecret: SECRET })]);
    await use({ tiktok, ga4 });
    await Promise.all([tiktok.close(), ga4.close()]);
  },
  // This file's site: the collector forwards to the stand-ins, retrying quickly.
  site: async ({ apis }, use) => {
    const site = await startSite({
      forwarding: {
        tiktok: { pixelCode: PIXEL_ID, accessToken: TOKEN, apiUrl: apis.tiktok.url },
        ga4: { measurementId: GA4_ID, apiSecret: SECRET, apiUrl: apis.ga4.url },
        baseMs: 50,
        timeoutMs: 2000,
      },
    });
    await use(site);
    await site.close();
  },
});

const ORDER = { transaction_id: 'T-1001', currency: 'USD', value: 30, items: [{ item_id: 'SKU1', item_name: 'Tee', price: 30, quantity: 1 }] };
const EMAIL = ' A@Example.com ';
const PHONE = '+1 (555) 010-9999';

/** A script-tag shop page with `attributes` on the bundle's tag, running `script`. */
const scriptShop = (site: TestSite, attributes: string, script: string) =>
  site.addPage(tagBundle(shopPage({ mode: 'script', flushInterval: 100, script }), attributes));

/** `GET /forwarding` of the site's collector. */
const forwarding = async (site: TestSite) => (await fetch(`${site.collectorUrl}/forwarding`)).json();

/** Every byte any server got from the page or the collector, as one lower-case string. */
const everythingSent = (site: TestSite, apis: Apis, vendors: Vendors) =>
  JSON.stringify([site.requests.map((r) => r.body), apis.tiktok.requests.map((r) => r.body), apis.ga4.requests.map((r) => [r.body, r.query.toString()]), vendors.bodies]).toLowerCase();

async function purchase(page: Page, id = 'purchase-T-1001') {
  await page.evaluate(
    ([order, email, phone, eventId]) => {
      window.wb('identify', 'user-42', { email, phone });
      window.wb('track', 'purchase', order, { id: eventId });
    },
    [ORDER, EMAIL, PHONE, id] as const,
  );
}

test('both mode: the pixel and the Events API get the same event and event_id, and the server copy carries _ttp', async ({ page, site, apis, vendors }) => {
  await page.goto(scriptShop(site, `data-tiktok="${PIXEL_ID}" data-tiktok-src="${vendors.tiktokScript}"`, `wb('consent', { analytics: 'granted', marketing: 'granted' }); wb('page');`));
  // Once the pixel has reported its first call it has set _ttp, which the first-party events then carry.
  await poll(() => vendors.tiktok().length, 'the pixel ran').toBeGreaterThan(0);
  await purchase(page);
  await poll(() => apis.tiktok.events().filter((e) => e.event == 'Purchase').length, 'Events API Purchase').toBe(1);
  await poll(() => vendors.tiktok().filter((h) => h.method == 'track' && h.args[0] == 'Purchase').length, 'pixel Purchase').toBe(1);

  const pixel = vendors.tiktok().find((h) => h.method == 'track' && h.args[0] == 'Purchase')!;
  const server = apis.tiktok.events().find((e) => e.event == 'Purchase')!;
  expect([server.event, server.event_id]).toEqual([pixel.args[0], (pixel.args[2] as { event_id: string }).event_id]);
  expect(server.event_id).toBe('purchase-T-1001');
  expect(server.properties, 'the same parameters by the same table').toEqual(pixel.args[1]);
  const ttp = (await page.context().cookies()).find((c) => c.name == '_ttp')!.value;
  expect(server.user).toMatchObject({ ttp, email: sha256('a@example.com'), phone: sha256('+15550109999'), external_id: sha256('user-42') });
  expect(apis.tiktok.requests.flatMap((r) => r.problems)).toEqual([]);
});

test('server mode: no vendor script or cookie; both APIs get the purchase with hashed keys; the raw email is nowhere', async ({ page, site, apis, vendors }) => {
  const attributes = `data-tiktok="${PIXEL_ID}" data-tiktok-src="${vendors.tiktokScript}" data-tiktok-mode="server" data-ga4="${GA4_ID}" data-ga4-src="${vendors.gtagScript}" data-ga4-mode="server"`;
  await page.goto(scriptShop(site, attributes, `wb('consent', { analytics: 'granted', marketing: 'granted' }); wb('page');`));
  await sdkReady(page);
  await purchase(page);
  await flush(page);
  await poll(() => apis.tiktok.events().map((e) => e.event), 'Events API').toEqual(['Pageview', 'Purchase']);
  await poll(() => apis.ga4.events().map((e) => e.name), 'Measurement Protocol').toEqual(['page_view', 'purchase']);

  expect(vendorScriptRequests(vendors), 'vendor scripts requested').toEqual([]);
  expect(await vendorFootprint(page, vendors)).toEqual(NO_FOOTPRINT);
  const tiktok = apis.tiktok.events().find((e) => e.event == 'Purchase')!;
  expect(tiktok).toMatchObject({ event_id: 'purchase-T-1001', properties: { currency: 'USD', value: 30 } });
  expect(tiktok.user).toMatchObject({ email: sha256('a@example.com'), phone: sha256('+15550109999'), external_id: sha256('user-42'), ip: '127.0.0.1' });
  expect(tiktok.user.user_agent).toContain('Chrome');
  expect(tiktok.user).not.toHaveProperty('ttp');
  const ga4 = apis.ga4.events().find((e) => e.name == 'purchase')!;
  expect(ga4).toMatchObject({ user_id: 'user-42', consent: { ad_user_data: 'GRANTED', ad_personalization: 'GRANTED' }, params: { transaction_id: 'T-1001', value: 30 } });
  const [stored] = await waitForEvents(site, 1, 'purchase');
  expect(ga4.client_id, 'the Waybill anonymous id: there is no _ga').toBe(stored!.anonymousId);
  expect([...apis.tiktok.requests, ...apis.ga4.requests].flatMap((r) => r.problems)).toEqual([]);

  for (const raw of ['example.com', '(555)', '5550109999']) {
    expect(everythingSent(site, apis, vendors), `"${raw}" sent anywhere`).not.toContain(raw);
    expect(JSON.stringify(site.events()).toLowerCase(), `"${raw}" stored by the collector`).not.toContain(raw);
    expect(storageText(await browserStorage(page)).toLowerCase(), `"${raw}" kept in the browser`).not.toContain(raw);
  }
});

test('marketing denied, analytics granted: TikTok gets nothing, GA4 gets the purchase with ad_user_data DENIED', async ({ page, site, apis, vendors }) => {
  const attributes = `data-tiktok="${PIXEL_ID}" data-tiktok-src="${vendors.tiktokScript}" data-ga4="${GA4_ID}" data-ga4-mode="server"`;
  await page.goto(scriptShop(site, attributes, `wb('consent', { analytics: 'granted', marketing: 'denied' });`));
  await sdkReady(page);
  await purchase(page);
  await poll(() => apis.ga4.events().map((e) => e.name), 'Measurement Protocol').toEqual(['purchase']);
  expect(apis.ga4.events()[0]!.consent).toEqual({ ad_user_data: 'DENIED', ad_personalization: 'DENIED' });

  // GA4's copy is out, so the event was routed: TikTok never had a row.
  expect(await forwarding(site)).toMatchObject({ tiktok: { pending: 0, sent: 0, dead: 0 }, ga4: { sent: 1 } });
  expect(apis.tiktok.requests).toEqual([]);
  expect(vendorScriptRequests(vendors)).toEqual([]);
});

test('a vendor answering 500 five times, then 200: the event is delivered exactly once', async ({ page, site, apis }) => {
  apis.tiktok.failNext(5, 500);
  await page.goto(scriptShop(site, `data-tiktok="${PIXEL_ID}" data-tiktok-mode="server"`, `wb('consent', { analytics: 'granted', marketing: 'granted' });`));
  await sdkReady(page);
  await purchase(page);
  await poll(() => apis.tiktok.events().map((e) => e.event_id), 'delivered').toEqual(['purchase-T-1001']);
  await poll(async () => (await forwarding(site)).tiktok, '/forwarding').toMatchObject({ pending: 0, sent: 1, dead: 0 });
  expect(apis.tiktok.requests.map((r) => r.status)).toEqual([500, 500, 500, 500, 500, 200]);
  expect(apis.tiktok.requests.map((r) => r.body.data.map((e: { event_id: string }) => e.event_id))).toEqual(Array(6).fill(['purchase-T-1001']));
});

test('429 with Retry-After: 2: the next try waits two seconds', async ({ page, site, apis }) => {
  apis.ga4.failNext(1, 429, { headers: { 'Retry-After': '2' } });
  await page.goto(scriptShop(site, `data-ga4="${GA4_ID}" data-ga4-mode="server"`, `wb('consent', { analytics: 'granted' });`));
  await sdkReady(page);
  await purchase(page);
  await poll(() => apis.ga4.events().map((e) => e.name), 'delivered').toEqual(['purchase']);
  const [refused, retried] = apis.ga4.requests;
  expect(refused!.status).toBe(429);
  expect(retried!.at - refused!.at, 'ms between the 429 and the next try').toBeGreaterThanOrEqual(2000);
  expect(apis.ga4.requests).toHaveLength(2);
});
