// Wire format v2 end to end: the SDK in Chromium sends what a batch shares once, by fetch and by
// beacon, and the real collector stores every event whole, as the SDK made it.
import type { WireBatchV2 } from '@waybill/core';
import { MODES, expect, flush, sdkReady, test, waitForEvents, wireEvents } from './fixtures';

const GRANT = `wb('consent', { analytics: 'granted' });`;
const CART = `{ currency: 'EUR', value: 59.8, items: [{ item_id: 'SKU-1', item_name: 'Linen shirt', price: 29.9, quantity: 2 }] }`;

/** The v2 bodies the page posted that carry events. */
const batches = (bodies: string[]) => bodies.map((b) => JSON.parse(b) as WireBatchV2).filter((b) => b.events?.length);

for (const mode of MODES) {
  test.describe(`wire format v2 (${mode})`, () => {
    test.use({ mode });

    test('a batch sends page, locale, time zone, screen, campaign, click ids, consent and library once; the collector stores each event whole', async ({ page, site, shop }) => {
      const url = shop({
        flushInterval: 60_000,
        script: `${GRANT} wb('page'); for (let i = 0; i < 10; i++) wb('track', 'add_to_cart', ${CART});`,
      });
      await page.goto(`${url}?utm_source=tiktok&utm_campaign=summer&ttclid=T-1`);
      await flush(page);
      const stored = await waitForEvents(site, 11);
      const [batch, ...more] = batches(site.requests.map((r) => r.body));
      expect(more, 'one request for the batch').toEqual([]);
      expect(batch!.v).toBe(2);
      expect(batch!.shared).toMatchObject({ anonymousId: stored[0]!.anonymousId, sessionId: stored[0]!.sessionId });
      expect(Object.keys(batch!.shared.context!).sort()).toEqual(['campaign', 'clickIds', 'consent', 'library', 'locale', 'page', 'screen', 'timezone']);
      // What differs stays with each event: its id, time, type, name and props (a page view, whose props are empty, and carts).
      expect(Object.keys(batch!.events[0]!).sort()).toEqual(['id', 'name', 'ts', 'type']);
      for (const own of batch!.events.slice(1)) expect(Object.keys(own).sort()).toEqual(['id', 'name', 'props', 'ts', 'type']);

      // Stored whole: every event exactly as the SDK made it, with its context.
      const sent = wireEvents(site).map(({ request, ...e }) => e);
      expect(stored.map(({ receivedAt, ...e }) => e)).toEqual(sent);
      for (const e of stored) {
        expect(e.context).toMatchObject({
          page: { path: new URL(url).pathname },
          campaign: { utm_source: 'tiktok', utm_campaign: 'summer' },
          clickIds: { ttclid: 'T-1' },
          consent: { analytics: 'granted' },
          library: { name: 'waybill' },
        });
      }
      expect(site.stats()).toMatchObject({ accepted: 11, duplicates: 0, rejected: 0 });
    });

    test('the beacon at page hide is v2 too, and each event is stored once, whole', async ({ page, site, shop, elsewhere }) => {
      await page.goto(shop({ flushInterval: 60_000, script: `${GRANT} for (let i = 0; i < 5; i++) wb('track', 'view_item', { i });` }));
      await sdkReady(page);
      expect(site.requests, 'requests before the page is left').toHaveLength(0);
      await page.goto(elsewhere());
      const stored = await waitForEvents(site, 5);
      const [beacon] = batches(site.requests.map((r) => r.body));
      expect(beacon!.v).toBe(2);
      expect(beacon!.shared.context).toMatchObject({ page: expect.any(Object), consent: { analytics: 'granted' } });
      expect(beacon!.events.map((e) => e.props)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
      expect(stored.map((e) => e.props.i).sort()).toEqual([0, 1, 2, 3, 4]);
      for (const e of stored) expect(e.context.page.title).toBeTruthy();
      expect(site.stats()).toMatchObject({ accepted: 5, duplicates: 0, rejected: 0 });
    });
  });
}
