// The envelope every event carries, and the ids that tie a visit together across pages.
import { MODES, expect, flush, sdkReady, test, waitForEvents } from './fixtures';

for (const mode of MODES) {
  test.describe(`context (${mode})`, () => {
    test.use({ mode });

    test('events carry page, campaign, click ids, consent and library; ids and campaign last across pages', async ({
      page,
      site,
      shop,
    }) => {
      const grantAndTrack = (name: string) => `wb('consent', { analytics: 'granted' }); wb('track', '${name}');`;
      const landing = shop({ title: 'Landing', flushInterval: 60_000, script: grantAndTrack('view_item') });
      await page.goto(`${landing}?utm_source=newsletter&utm_campaign=spring&gclid=G-123&other=x`);
      await flush(page);
      const [first] = await waitForEvents(site, 1, 'view_item');
      expect(first).toMatchObject({
        type: 'track',
        name: 'view_item',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        anonymousId: expect.any(String),
        sessionId: expect.any(String),
        context: {
          page: { path: new URL(landing).pathname, title: 'Landing', referrer: '' },
          campaign: { utm_source: 'newsletter', utm_campaign: 'spring' },
          clickIds: { gclid: 'G-123' },
          consent: { analytics: 'granted' },
          library: { name: 'waybill', version: expect.any(String) },
          locale: expect.any(String),
          timezone: expect.any(String),
          screen: expect.stringMatching(/^\d+x\d+$/),
        },
      });
      expect(first!.context.page.url).toContain('utm_source=newsletter');
      expect(Math.abs(first!.ts - Date.now()), 'ts is a time in ms since the epoch').toBeLessThan(60 * 60_000);

      // The next page of the same visit: same visitor and session, the landing's campaign kept.
      // Followed as a link (page.goto would send no referrer).
      const product = shop({ title: 'Product', flushInterval: 60_000, script: grantAndTrack('add_to_cart') });
      await page.evaluate((url) => void (location.href = url), product);
      await page.waitForURL(product);
      await flush(page);
      const [second] = await waitForEvents(site, 1, 'add_to_cart');
      expect(second!.anonymousId).toBe(first!.anonymousId);
      expect(second!.sessionId).toBe(first!.sessionId);
      expect(second!.context.page).toMatchObject({ title: 'Product', referrer: `${landing}?utm_source=newsletter&utm_campaign=spring&gclid=G-123&other=x` });
      expect(second!.context.campaign).toEqual({ utm_source: 'newsletter', utm_campaign: 'spring' });
      expect(second!.context.clickIds).toEqual({ gclid: 'G-123' });
    });

    test('events that wait for consent on a later page carry the visit\'s user id, campaign and click ids', async ({ page, site, shop }) => {
      const landing = shop({ flushInterval: 60_000, script: `wb('consent', { analytics: 'granted' }); wb('identify', 'user-42'); wb('track', 'view_item');` });
      await page.goto(`${landing}?utm_source=tiktok&ttclid=T1`);
      await flush(page);
      const [first] = await waitForEvents(site, 1, 'view_item');
      // The next page views itself before the banner has answered; then the stored choice arrives.
      await page.goto(shop({ flushInterval: 60_000, script: `wb('page');` }));
      await sdkReady(page);
      await page.evaluate(() => window.wb('consent', { analytics: 'granted' }));
      await flush(page);
      const [view] = await waitForEvents(site, 1, 'page_view');
      expect(view).toMatchObject({
        anonymousId: first!.anonymousId,
        sessionId: first!.sessionId,
        userId: 'user-42',
        context: { campaign: { utm_source: 'tiktok' }, clickIds: { ttclid: 'T1' } },
      });
    });

    test('a caller-supplied id is used, so a server-side copy deduplicates', async ({ page, site, shop }) => {
      await page.goto(shop({ flushInterval: 60_000, script: `wb('consent', { analytics: 'granted' });` }));
      const id = 'purchase-order-1001';
      const returned = await page.evaluate((i) => window.wb('track', 'purchase', { transaction_id: '1001', value: 30, currency: 'USD' }, { id: i }), id);
      await flush(page);
      const [purchase] = await waitForEvents(site, 1, 'purchase');
      expect(purchase!.id).toBe(id);
      if (mode === 'npm') expect(returned, 'track() returns the id').toBe(id);

      // The shop's backend sends its own copy of the purchase under the same id.
      const { receivedAt: _received, ...copy } = purchase!;
      const answer = await fetch(`${site.url}/collect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ v: 1, sentAt: new Date().toISOString(), events: [copy] }),
      });
      expect(await answer.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
      expect(site.events('purchase')).toHaveLength(1);
    });
  });
}
