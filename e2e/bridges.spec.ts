// The consent bridges in a real browser, each against its CMP: TCF v2.2 through a CMP built
// from the IAB's own packages (real TC strings), GPC, and OneTrust and Cookiebot stand-ins
// that implement only their documented globals and events. The CMP loads before or after
// Waybill; what Waybill then holds and sends must follow the visitor's choice.
import { TCString } from '@iabtechlabtcf/core';
import type { Page } from '@playwright/test';
import { expect, flush, poll, sdkReady, test, waitForEvents, wireEvents, type TestSite } from './fixtures';
import { cookiebotCode, cookiebotStandIn } from './cmp/cookiebot';
import { oneTrustCode, oneTrustStandIn } from './cmp/onetrust';
import { bridgePage, GPC_ON, npmBridgePage } from './cmp/pages';
import { serveTcfModules, TCF_IMPORT_MAP, TCF_STUB, tcfCmp, tcfCmpCode } from './cmp/tcf';
import { GA4_ID, gtagEvents, PIXEL_ID, startVendors, tagBundle, tiktokTracked, vendorAttributes, vendorFootprint, vendorScriptRequests } from './stand-ins/vendors';

/** Waybill's consent for analytics and marketing, once it has loaded. */
async function consentOf(page: Page): Promise<{ analytics?: string; marketing?: string }> {
  await sdkReady(page);
  const { analytics, marketing } = await page.evaluate(() => window.sdk()!.consent.get());
  return { analytics, marketing };
}

/** Track an event now and wait for it (and everything before it) at the collector. */
async function expectDelivered(page: Page, site: TestSite, name: string): Promise<void> {
  await page.evaluate((n) => window.wb('track', n), name);
  await waitForEvents(site, 1, name);
}

/** Track an event now, flush, and check that no request at all reached the collector. */
async function expectNothingSent(page: Page, site: TestSite, name: string): Promise<void> {
  await page.evaluate((n) => window.wb('track', n), name);
  await flush(page);
  expect(site.requests, 'requests to the collector').toHaveLength(0);
}

const QUEUED = `wb('page'); wb('track', 'view_item', { items: [{ item_id: 'SKU1' }] });`;

test.describe('TCF v2.2 (CMP from @iabtechlabtcf/cmpapi and @iabtechlabtcf/core)', () => {
  test.beforeEach(({ page }) => serveTcfModules(page));

  const CASES = [
    { purposes: [1, 2, 3, 4, 7, 8, 9, 10], analytics: 'granted', marketing: 'granted' },
    { purposes: [1, 8, 9], analytics: 'granted', marketing: 'denied' },
    { purposes: [2, 3, 4, 7, 8, 9, 10], analytics: 'denied', marketing: 'denied' }, // no storage (purpose 1)
  ];
  for (const c of CASES) {
    test(`CMP before Waybill, stored choice [${c.purposes}]: analytics ${c.analytics}, marketing ${c.marketing}`, async ({ page, site }) => {
      const url = site.addPage(
        bridgePage({ consent: 'tcf', bundle: 'later', before: TCF_IMPORT_MAP, after: tcfCmp({ stored: c.purposes, thenLoadWaybill: true }), script: QUEUED }),
      );
      await page.goto(url);
      expect(await consentOf(page)).toEqual({ analytics: c.analytics, marketing: c.marketing });

      // The CMP published a real TC string, and it says what the page was told.
      const decoded = TCString.decode(await page.evaluate(() => (window as unknown as { cmp: { tcString: string } }).cmp.tcString));
      expect([...decoded.purposeConsents.values()].sort((a, b) => a - b)).toEqual(c.purposes);

      if (c.analytics === 'granted') {
        const events = await waitForEvents(site, 2);
        expect(events.map((e) => e.name)).toEqual(['page_view', 'view_item']);
        for (const e of events) expect(e.context.consent).toMatchObject({ analytics: c.analytics, marketing: c.marketing });
      } else {
        await expectNothingSent(page, site, 'add_to_cart');
      }
    });
  }

  test('CMP after Waybill, through its stub: events wait while the banner shows, the choice applies at once, a change of mind too', async ({ page, site }) => {
    await page.goto(site.addPage(bridgePage({ consent: 'tcf', before: TCF_STUB + TCF_IMPORT_MAP, script: QUEUED })));
    expect(await consentOf(page)).toEqual({ analytics: 'pending', marketing: 'pending' });

    // The CMP arrives, takes over the stub's queue (Waybill's addEventListener) and shows its banner.
    await page.addScriptTag({ type: 'module', content: tcfCmpCode() });
    await page.waitForFunction(() => 'cmp' in window);
    await flush(page);
    expect(await consentOf(page), 'while the banner shows (cmpuishown)').toEqual({ analytics: 'pending', marketing: 'pending' });
    expect(site.requests).toHaveLength(0);

    await page.evaluate(() => (window as unknown as { cmp: { choose(p: number[]): void } }).cmp.choose([1, 2, 3, 4, 7, 8, 9, 10]));
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'granted' });
    const events = await waitForEvents(site, 2);
    expect(events.map((e) => e.name)).toEqual(['page_view', 'view_item']);

    await page.evaluate(() => {
      const cmp = (window as unknown as { cmp: { reopen(): void; choose(p: number[]): void } }).cmp;
      cmp.reopen();
      cmp.choose([1, 8, 9]);
    });
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'denied' });
    await expectDelivered(page, site, 'add_to_cart');
    expect(site.events('add_to_cart')[0]!.context.consent).toMatchObject({ analytics: 'granted', marketing: 'denied' });
  });

  test('no stub: a CMP that loads after Waybill, before the page load event, is found at load', async ({ page, site }) => {
    await page.goto(site.addPage(bridgePage({ consent: 'tcf', bundle: 'sync', after: TCF_IMPORT_MAP + tcfCmp({ stored: [1, 8, 9] }) })));
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'denied' });
  });

  test('GDPR does not apply: every category is granted', async ({ page, site }) => {
    await page.goto(site.addPage(bridgePage({ consent: 'tcf', bundle: 'later', before: TCF_IMPORT_MAP, after: tcfCmp({ notApplicable: true, thenLoadWaybill: true }) })));
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'granted' });
  });

  test('npm: tcf(tracker, map) follows the CMP until unsubscribed', async ({ page, site }) => {
    await page.goto(
      site.addPage(
        npmBridgePage({
          before: TCF_STUB,
          script: `
            import { createTracker } from '@waybill/core';
            import { firstParty } from '@waybill/first-party';
            import { tcf } from '@waybill/consent';
            window.tracker = createTracker({ destinations: [firstParty({ endpoint: '/collect' })], flushInterval: 100 });
            window.stopTcf = tcf(window.tracker, { analytics: [1, 9], marketing: [1, 2, 7] });
            const s = document.createElement('script');
            s.type = 'module';
            s.textContent = ${JSON.stringify(tcfCmpCode())};
            document.head.append(s);`,
        }),
      ),
    );
    await page.waitForFunction(() => 'cmp' in window);
    const choose = (purposes: number[]) => page.evaluate((p) => (window as unknown as { cmp: { reopen(): void; choose(p: number[]): void } }).cmp.choose(p), purposes);
    await choose([1, 2, 7, 9]);
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'granted' });
    await page.evaluate(() => (window as unknown as { stopTcf(): void }).stopTcf());
    await choose([]);
    expect(await consentOf(page), 'after unsubscribe the CMP no longer changes anything').toEqual({ analytics: 'granted', marketing: 'granted' });
  });
});

test.describe('Global Privacy Control', () => {
  test.beforeEach(({ page }) => page.addInitScript(GPC_ON));

  test('marketing is denied from the start and stays denied whatever the page or the banner says', async ({ page, site }) => {
    await page.goto(site.addPage(bridgePage({ consent: 'cookiebot', before: cookiebotStandIn({ preferences: true, statistics: true, marketing: true }), script: QUEUED })));
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'denied' });
    await page.evaluate(() => window.wb('consent', { marketing: 'granted' }));
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'denied' });
    for (const e of await waitForEvents(site, 2)) expect(e.context.consent).toMatchObject({ marketing: 'denied' });
  });

  test('data-respect-gpc="false" turns it off', async ({ page, site }) => {
    await page.goto(site.addPage(bridgePage({ respectGpc: false, script: QUEUED })));
    expect(await consentOf(page)).toEqual({ analytics: 'pending', marketing: 'pending' });
    await page.evaluate(() => window.wb('consent', { analytics: 'granted', marketing: 'granted' }));
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'granted' });
    for (const e of await waitForEvents(site, 2)) expect(e.context.consent).toMatchObject({ marketing: 'granted' });
  });

  test('npm: gpc(tracker) applies it to a tracker made with respectGpc: false, and hasGpc() tells the shop', async ({ page, site }) => {
    await page.goto(
      site.addPage(
        npmBridgePage({
          script: `
            import { createTracker } from '@waybill/core';
            import { gpc, hasGpc } from '@waybill/consent';
            window.tracker = createTracker({ respectGpc: false, consent: { marketing: 'granted' } });
            window.before = window.tracker.consent.get().marketing;
            gpc(window.tracker);
            window.told = hasGpc();`,
        }),
      ),
    );
    await sdkReady(page);
    expect(await page.evaluate(() => [(window as unknown as { before: string }).before, (window as unknown as { told: boolean }).told])).toEqual(['granted', true]);
    expect(await consentOf(page)).toMatchObject({ marketing: 'denied' });
  });

  test('TikTok never loads under GPC, and does with data-respect-gpc="false"', async ({ page, site }) => {
    // Each page reports to its own stand-in server. GA4 (analytics) rides along on both: once
    // it has an event, the consent that would have loaded TikTok has been applied.
    const gpcOn = await startVendors();
    const gpcOff = await startVendors();
    const everything = cookiebotStandIn({ preferences: true, statistics: true, marketing: true });
    try {
      // A returning visitor who accepted everything in the banner, and a page that grants marketing too.
      await page.goto(site.addPage(tagBundle(bridgePage({ consent: 'cookiebot', before: everything, script: QUEUED }), vendorAttributes(gpcOn))));
      expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'denied' });
      await page.evaluate(() => window.wb('consent', { marketing: 'granted' }));
      await page.evaluate(() => window.wb('track', 'add_to_cart', { items: [{ item_id: 'SKU1' }] }));
      await poll(() => gtagEvents(gpcOn), 'GA4 events').toEqual(['page_view', 'view_item', 'add_to_cart']);
      expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'denied' });
      expect(await vendorFootprint(page, gpcOn), 'under GPC').toEqual({ scripts: ['/gtag/js'], ttq: 'undefined', dataLayer: 'object', cookies: ['_ga'] });
      expect(vendorScriptRequests(gpcOn), 'vendor script requests under GPC').toEqual([`GET /gtag/js?id=${GA4_ID}`]);
      expect(gpcOn.tiktok(), 'calls the TikTok stand-in saw under GPC').toEqual([]);

      // The same visitor and banner choice, on a shop that turned GPC off.
      await page.goto(site.addPage(tagBundle(bridgePage({ consent: 'cookiebot', respectGpc: false, before: everything, script: QUEUED }), vendorAttributes(gpcOff))));
      expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'granted' });
      await poll(() => tiktokTracked(gpcOff), 'TikTok events').toEqual(['Pageview', 'ViewContent']);
      expect(vendorScriptRequests(gpcOff).sort()).toEqual([`GET /gtag/js?id=${GA4_ID}`, `GET /tiktok/events.js?sdkid=${PIXEL_ID}&lib=ttq`]);
      expect((await vendorFootprint(page, gpcOff)).scripts).toEqual(['/gtag/js', '/tiktok/events.js']);
    } finally {
      await gpcOn.close();
      await gpcOff.close();
    }
  });
});

test.describe('OneTrust (stand-in)', () => {
  test('loads after Waybill: events wait behind the banner; "Allow all" grants both; turning C0004 off denies marketing at once', async ({ page, site }) => {
    await page.goto(site.addPage(bridgePage({ consent: 'onetrust', script: QUEUED })));
    await sdkReady(page);
    await page.addScriptTag({ content: oneTrustCode() });
    await flush(page);
    expect(await consentOf(page), 'banner open: only C0001 active, nothing decided').toEqual({ analytics: 'pending', marketing: 'pending' });
    expect(site.requests).toHaveLength(0);

    await page.evaluate(() => (window as unknown as { OneTrust: { AllowAll(): void } }).OneTrust.AllowAll());
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'granted' });
    expect((await waitForEvents(site, 2)).map((e) => e.name)).toEqual(['page_view', 'view_item']);

    await page.evaluate(() => (window as unknown as { OneTrust: { UpdateConsent(t: string, v: string): void } }).OneTrust.UpdateConsent('Category', 'C0004:0'));
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'denied' });
    await expectDelivered(page, site, 'add_to_cart');
    expect(site.events('add_to_cart')[0]!.context.consent).toMatchObject({ marketing: 'denied' });
  });

  test('loaded before Waybill with a stored choice (C0001, C0002): analytics granted, marketing denied, before any event', async ({ page, site }) => {
    await page.goto(site.addPage(bridgePage({ consent: 'onetrust', before: oneTrustStandIn(['C0001', 'C0002']), script: QUEUED })));
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'denied' });
    for (const e of await waitForEvents(site, 2)) expect(e.context.consent).toMatchObject({ analytics: 'granted', marketing: 'denied' });
  });

  test('"Reject all": nothing reaches the collector', async ({ page, site }) => {
    await page.goto(site.addPage(bridgePage({ consent: 'onetrust', before: oneTrustStandIn(), script: QUEUED })));
    await sdkReady(page);
    await page.evaluate(() => (window as unknown as { OneTrust: { RejectAll(): void } }).OneTrust.RejectAll());
    expect(await consentOf(page)).toEqual({ analytics: 'denied', marketing: 'denied' });
    await expectNothingSent(page, site, 'add_to_cart');
    expect(wireEvents(site)).toEqual([]);
  });
});

test.describe('Cookiebot (stand-in)', () => {
  test('loads after Waybill: statistics only → analytics granted, marketing denied', async ({ page, site }) => {
    await page.goto(site.addPage(bridgePage({ consent: 'cookiebot', script: QUEUED })));
    await sdkReady(page);
    await page.addScriptTag({ content: cookiebotCode() });
    await flush(page);
    expect(await consentOf(page), 'no answer yet').toEqual({ analytics: 'pending', marketing: 'pending' });
    expect(site.requests).toHaveLength(0);

    await page.evaluate(() => (window as unknown as { Cookiebot: { submitCustomConsent(p: boolean, s: boolean, m: boolean): void } }).Cookiebot.submitCustomConsent(false, true, false));
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'denied' });
    for (const e of await waitForEvents(site, 2)) expect(e.context.consent).toMatchObject({ analytics: 'granted', marketing: 'denied' });
  });

  test('a returning visitor (Cookiebot loaded first): the stored answer applies before any event', async ({ page, site }) => {
    await page.goto(site.addPage(bridgePage({ consent: 'cookiebot', before: cookiebotStandIn({ preferences: false, statistics: true, marketing: true }), script: QUEUED })));
    expect(await consentOf(page)).toEqual({ analytics: 'granted', marketing: 'granted' });
    for (const e of await waitForEvents(site, 2)) expect(e.context.consent).toMatchObject({ analytics: 'granted', marketing: 'granted' });
  });

  test('decline: nothing reaches the collector', async ({ page, site }) => {
    await page.goto(site.addPage(bridgePage({ consent: 'cookiebot', before: cookiebotStandIn(), script: QUEUED })));
    await sdkReady(page);
    await page.evaluate(() => (window as unknown as { Cookiebot: { submitCustomConsent(p: boolean, s: boolean, m: boolean): void } }).Cookiebot.submitCustomConsent(false, false, false));
    expect(await consentOf(page)).toEqual({ analytics: 'denied', marketing: 'denied' });
    await expectNothingSent(page, site, 'add_to_cart');
  });
});

test('data-consent="manual" (the default) follows no banner: only waybill("consent", …) decides', async ({ page, site }) => {
  await page.goto(site.addPage(bridgePage({ consent: 'manual', before: oneTrustStandIn(['C0001', 'C0002', 'C0004']), script: QUEUED })));
  expect(await consentOf(page)).toEqual({ analytics: 'pending', marketing: 'pending' });
  await page.evaluate(() => window.wb('consent', { analytics: 'granted' }));
  expect((await waitForEvents(site, 2)).map((e) => e.name)).toEqual(['page_view', 'view_item']);
});

test('an unknown data-consent (a typo, or "__proto__") breaks nothing: Waybill runs as "manual"', async ({ page, site }) => {
  await page.goto(site.addPage(bridgePage({ consent: '__proto__', script: QUEUED })));
  expect(await consentOf(page)).toEqual({ analytics: 'pending', marketing: 'pending' });
  await page.evaluate(() => window.wb('consent', { analytics: 'granted' }));
  expect((await waitForEvents(site, 2)).map((e) => e.name)).toEqual(['page_view', 'view_item']);
});
