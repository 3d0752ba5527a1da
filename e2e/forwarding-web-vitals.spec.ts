// `web_vital` events (@waybill/web-vitals) are the shop's own performance data: they reach the
// first-party collector only. Neither the TikTok pixel nor gtag.js gets them, and the collector
// does not forward them to the Events API or the Measurement Protocol, unless the shop maps the
// event (`eventNames` in the browser adapters, `--tiktok-event` / `--ga4-event` in the collector).
import { expect, flush, poll, sdkReady, type TestSite } from './fixtures';
import { test } from './forwarding-fixtures';
import { shopPage } from './pages';
import { GA4_ID, PIXEL_ID, gtagEvents, tiktokTracked } from './stand-ins/vendors';
import { VITALS_CONTENT } from './vitals-content';

const ORDER = { transaction_id: 'T-2001', currency: 'USD', value: 30, items: [{ item_id: 'SKU1', item_name: 'Tee', price: 30, quantity: 1 }] };
const GRANTED = `wb('consent', { analytics: 'granted', marketing: 'granted' });`;

const metrics = (site: TestSite) => site.events('web_vital').map((e) => (e.props as { metric: string }).metric).sort();
const forwarding = async (site: TestSite) => (await fetch(`${site.collectorUrl}/forwarding`)).json();

/**
 * The shopper's visit with the add-on on (`data-web-vitals`): the page reports FCP and TTFB, a
 * slow click ends LCP, a purchase follows (after those metrics, so a vendor that got them would
 * have them first), and leaving the page reports INP (and CLS). Resolves once the collector holds
 * them all and has forwarded everything it routed.
 */
async function visit(page: import('@playwright/test').Page, site: TestSite, attributes: string, elsewhere: () => string) {
  await page.goto(site.addPage(shopPage({ mode: 'script', flushInterval: 100, attributes: `data-web-vitals ${attributes}`, script: `${GRANTED} ${VITALS_CONTENT}` })));
  await sdkReady(page);
  await page.locator('#buy').waitFor();
  await poll(() => metrics(site), 'FCP and TTFB at the collector').toEqual(expect.arrayContaining(['FCP', 'TTFB']));
  await page.click('#buy');
  await poll(() => metrics(site), 'LCP at the collector, ended by the click').toContain('LCP');
  await page.evaluate((order) => window.wb('track', 'purchase', order, { id: 'purchase-T-2001' }), ORDER);
  await flush(page);
  await page.goto(elsewhere());
  await poll(() => metrics(site), 'INP at the collector after the page was hidden').toContain('INP');
  await poll(() => site.events('purchase').length, 'the purchase at the collector').toBe(1);
  // Everything routed has gone (nothing is pending): no web_vital row can still be on its way.
  await poll(async () => {
    const { tiktok, ga4 } = await forwarding(site);
    return [tiktok.pending, ga4.pending];
  }, 'nothing pending').toEqual([0, 0]);
}

test.describe('web_vital events go to the first-party collector only', () => {
  test('pixel and gtag.js on the page, TikTok server copies too: no vendor gets a web_vital, the purchase reaches them all', async ({ page, site, vendors, apis, elsewhere }) => {
    const attributes = `data-tiktok="${PIXEL_ID}" data-tiktok-src="${vendors.tiktokScript}" data-tiktok-mode="both" data-ga4="${GA4_ID}" data-ga4-src="${vendors.gtagScript}"`;
    await visit(page, site, attributes, elsewhere);
    await poll(() => tiktokTracked(vendors), 'the pixel').toContain('Purchase');
    await poll(() => gtagEvents(vendors), 'gtag.js').toContain('purchase');
    await poll(() => apis.tiktok.events().map((e) => e.event), 'the Events API').toContain('Purchase');
    expect(tiktokTracked(vendors).filter((name) => /vital/i.test(String(name))), 'web vitals at the TikTok pixel').toEqual([]);
    expect(gtagEvents(vendors).filter((name) => /vital/i.test(String(name))), 'web vitals at gtag.js').toEqual([]);
    expect(apis.tiktok.events().map((e) => e.event), 'at the Events API').toEqual(['Purchase']);
    expect(apis.ga4.requests, 'GA4 runs in gtag mode: no server copy').toEqual([]);
    expect(await forwarding(site)).toMatchObject({ tiktok: { sent: 1, pending: 0, dead: 0 }, ga4: { sent: 0, pending: 0 } });
    expect(metrics(site)).toEqual(expect.arrayContaining(['FCP', 'INP', 'LCP', 'TTFB']));
  });

  test('server mode for both vendors: the Events API and the Measurement Protocol get the purchase and no web_vital', async ({ page, site, vendors, apis, elsewhere }) => {
    await visit(page, site, `data-tiktok="${PIXEL_ID}" data-tiktok-mode="server" data-ga4="${GA4_ID}" data-ga4-mode="server"`, elsewhere);
    expect(apis.tiktok.events().map((e) => e.event)).toEqual(['Purchase']);
    expect(apis.ga4.events().map((e) => e.name)).toEqual(['purchase']);
    // One outbox row per vendor in all: the metrics never got one.
    expect(await forwarding(site)).toMatchObject({ tiktok: { sent: 1, pending: 0, dead: 0 }, ga4: { sent: 1, pending: 0, dead: 0 } });
    expect(vendors.tiktok()).toEqual([]);
    expect(vendors.gtag()).toEqual([]);
  });

  test.describe('mapped by the shop in the collector (--tiktok-event web_vital=WebVital, --ga4-event web_vital=web_vital)', () => {
    test.use({ mapping: { tiktok: { eventNames: { web_vital: 'WebVital' } }, ga4: { eventNames: { web_vital: 'web_vital' } } } });

    test('then each metric is forwarded, once, under its own event id', async ({ page, site, apis, elsewhere }) => {
      await visit(page, site, `data-tiktok="${PIXEL_ID}" data-tiktok-mode="server" data-ga4="${GA4_ID}" data-ga4-mode="server"`, elsewhere);
      const stored = site.events('web_vital');
      const tiktok = apis.tiktok.events().filter((e) => e.event === 'WebVital');
      expect(tiktok.map((e) => e.event_id).sort(), 'one Events API event per stored metric').toEqual(stored.map((e) => e.id).sort());
      const ga4 = apis.ga4.events().filter((e) => e.name === 'web_vital');
      expect(ga4.map((e) => e.params.metric).sort(), 'one Measurement Protocol event per stored metric').toEqual(metrics(site));
      expect(apis.tiktok.events().map((e) => e.event)).toContain('Purchase');
      expect([...apis.tiktok.requests, ...apis.ga4.requests].flatMap((r) => r.problems)).toEqual([]);
    });
  });
});
