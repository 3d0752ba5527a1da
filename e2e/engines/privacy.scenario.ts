// Personal data and privacy signals in every engine: identify's hashing, Global Privacy
// Control (a setting in Firefox only), and a strict Content-Security-Policy with Trusted Types.
import { randomBytes } from 'node:crypto';
import { sha256, waitForEvents } from '../fixtures';
import { readStub } from '../server';
import { PIXEL_ID, gtagEvents, tiktokTracked, vendorAttributes, vendorScriptRequests } from '../stand-ins/vendors';
import { GPC_SETTING } from './driver';
import { expect, flush, sdkReady, test, withWatcher, wb } from './fixtures';
import { heldText, readStorage } from './storage';

const EMAIL = ' A@Example.com ';
const PHONE = '+1 (555) 010-9999';
const EMAIL_HASH = sha256('a@example.com');
const PHONE_HASH = sha256('+15550109999');
// Fragments of the raw values, in the forms they could leak in (compared lower-cased).
const RAW = ['a@example.com', 'example.com', '(555)', '010-9999', '5550109999'];
const leaks = (text: string) => RAW.filter((raw) => text.toLowerCase().includes(raw));

test('6. identify with an email: only its SHA-256 reaches the collector, and the email is in no storage', async ({ tab, site, shop }) => {
  // Before consent, as a login page may call it; then the shopper consents.
  await tab.goto(
    shop({
      flushInterval: 60_000,
      script: `wb('identify', 'user-42', { email: ${JSON.stringify(EMAIL)}, phone: ${JSON.stringify(PHONE)} }); wb('track', 'login', { method: 'email' });`,
    }),
  );
  await sdkReady(tab);
  expect(leaks(heldText(await readStorage(tab))), 'raw values held while pending').toEqual([]);
  // The grant sends what waited at once (issue 8); the collector refuses that first try, so the events stay stored a while.
  site.failNext(1, 503);
  await wb(tab, 'consent', { analytics: 'granted' });
  // The unsent identify event is kept in IndexedDB with the hash, never the address.
  await expect.poll(async () => heldText(await readStorage(tab)), 'the identify event kept in IndexedDB').toContain(EMAIL_HASH);
  expect(leaks(heldText(await readStorage(tab))), 'raw values held after the grant').toEqual([]);

  await flush(tab);
  const [identify] = await waitForEvents(site, 1, 'identify');
  const [login] = await waitForEvents(site, 1, 'login');
  expect(identify).toMatchObject({ type: 'identify', userId: 'user-42', traits: { email: EMAIL_HASH, phone: PHONE_HASH } });
  expect(login!.userId).toBe('user-42');
  expect(site.requests.length).toBeGreaterThan(0);
  for (const request of site.requests) expect(leaks(request.body), 'raw values in a request body').toEqual([]);
  expect(leaks(heldText(await readStorage(tab))), 'raw values held after sending').toEqual([]);
});

test.describe('with Global Privacy Control turned on in the browser', () => {
  test.use({ launchWith: { gpc: true } });

  test('9. GPC: marketing is denied without any page code and the TikTok stand-in gets nothing (Firefox); elsewhere no signal, TikTok loads', async ({ tab, site, shop, vendors, engineName }) => {
    const hasSetting = GPC_SETTING.includes(engineName);
    // The banner's stored answer: everything accepted.
    await tab.goto(
      shop({
        flushInterval: 100,
        attributes: vendorAttributes(vendors, { tiktok: true }),
        script: `wb('consent', { analytics: 'granted', marketing: 'granted' }); wb('page'); wb('track', 'view_item', { items: [{ item_id: 'SKU1' }] });`,
      }),
    );
    await sdkReady(tab);
    expect(await tab.evaluate(() => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true), 'navigator.globalPrivacyControl').toBe(hasSetting);
    const stored = await waitForEvents(site, 2);
    const marketing = hasSetting ? 'denied' : 'granted';
    expect(stored.map((e) => [e.name, e.context.consent.marketing]), 'the consent each event was collected under').toEqual([
      ['page_view', marketing],
      ['view_item', marketing],
    ]);
    expect(site.requests.map((r) => r.headers['sec-gpc']), 'Sec-GPC header on the requests to the collector').toEqual(site.requests.map(() => (hasSetting ? '1' : undefined)));
    if (hasSetting) {
      // Another round trip to the collector, so a pixel that were loading would have shown by now.
      await wb(tab, 'track', 'add_to_cart', { value: 30 });
      await waitForEvents(site, 1, 'add_to_cart');
      expect(vendors.requests, 'requests to the TikTok stand-in (script or events)').toEqual([]);
      expect(await tab.evaluate(() => typeof (window as { ttq?: unknown }).ttq), 'window.ttq').toBe('undefined');
      expect((await tab.cookies()).map((c) => c.name), 'cookies (no _ttp)').toEqual([]);
      expect(await tab.evaluate(() => window.sdk()!.consent.get().marketing), 'marketing after the banner granted it').toBe('denied');
    } else {
      await expect.poll(() => tiktokTracked(vendors), 'TikTok events').toEqual(['Pageview', 'ViewContent']);
      expect(vendorScriptRequests(vendors)).toEqual([`GET /tiktok/events.js?sdkid=${PIXEL_ID}&lib=ttq`]);
    }
  });
});

test('10. strict CSP with a nonce and Trusted Types: no violation; the check itself sees one where the engine has Trusted Types', async ({ tab, site, elsewhere, vendors, figure }) => {
  const nonce = randomBytes(16).toString('base64');
  const policy = [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}'`,
    `object-src 'none'`,
    `base-uri 'none'`,
    // The stand-ins report their calls, and the watcher its findings, to their own origins.
    `connect-src 'self' ${vendors.url} ${elsewhere.url}`,
    `require-trusted-types-for 'script'`,
    `trusted-types waybill`,
  ].join('; ');
  const html = withWatcher(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>strict</title>
<script nonce="${nonce}">${readStub()}</script>
<script async src="/waybill.min.js" data-endpoint="/collect" data-flush-interval="100" ${vendorAttributes(vendors)}></script>
<script nonce="${nonce}">
  window.wb = function () { return window.waybill.apply(window, arguments); };
  window.sdk = function () { return typeof window.waybill.track === 'function' ? window.waybill : undefined; };
  waybill('consent', { analytics: 'granted', marketing: 'granted' });
  waybill('page');
  waybill('track', 'view_item', { items: [{ item_id: 'SKU1' }] });
  window.pageScriptDone = true;
</script></head><body></body></html>`,
    elsewhere,
    nonce,
  );
  await tab.goto(site.addPage(html, undefined, { 'content-security-policy': policy, 'cache-control': 'no-store' }));
  await sdkReady(tab);
  // Both vendor scripts ran (through loadScript: the page's nonce, the `waybill` policy).
  await expect.poll(() => tiktokTracked(vendors), 'TikTok events').toEqual(['Pageview', 'ViewContent']);
  await expect.poll(() => gtagEvents(vendors), 'GA4 events').toEqual(['page_view', 'view_item']);
  expect((await waitForEvents(site, 2)).map((e) => e.name)).toEqual(['page_view', 'view_item']);
  expect(await tab.evaluate(() => (window as { watched?: unknown[] }).watched), 'violations seen in the page').toEqual([]);

  // The check works: a plain string as a script URL is refused where Trusted Types are enforced.
  const { hasTrustedTypes, threw } = await tab.evaluate(() => {
    let threw = false;
    try {
      document.createElement('script').src = '/not-trusted.js';
    } catch {
      threw = true;
    }
    return { hasTrustedTypes: 'trustedTypes' in window, threw };
  });
  figure('Trusted Types', { present: hasTrustedTypes, enforced: threw });
  expect(threw, 'a string script URL is refused exactly where the engine has Trusted Types').toBe(hasTrustedTypes);
  if (threw) {
    await expect.poll(() => elsewhere.claim((r) => r.kind === 'csp' && r.detail.startsWith('require-trusted-types-for')).length, 'the violation reported').toBe(1);
  }
});
