// The consent gate, seen from outside: what reaches the collector and what the browser holds.
import {
  MODES,
  browserStorage,
  expect,
  expectNothingStored,
  flush,
  poll,
  leaveAndProveSilence,
  requestsWith,
  sdkReady,
  storedCount,
  test,
  waitForEvents,
  wireEvents,
} from './fixtures';

for (const mode of MODES) {
  test.describe(`consent (${mode})`, () => {
    test.use({ mode });

    test('while pending nothing is sent or stored; granting sends the waiting events in order', async ({ page, site, shop }) => {
      await page.goto(
        shop({
          flushInterval: 100,
          script: `
            wb('page');
            wb('track', 'view_item', { items: [{ item_id: 'SKU1' }] });
            wb('track', 'add_to_cart', { value: 30 });
            wb('track', 'begin_checkout');`,
        }),
      );
      await flush(page);
      expect(site.requests, 'requests while consent is pending').toHaveLength(0);
      await expectNothingStored(page, 'while consent is pending');

      await page.evaluate(() => window.wb('consent', { analytics: 'granted' }));
      const stored = await waitForEvents(site, 4);
      const sent = wireEvents(site);
      expect(sent.map((e) => e.name)).toEqual(['page_view', 'view_item', 'add_to_cart', 'begin_checkout']);
      expect(sent.map((e) => e.type)).toEqual(['page', 'track', 'track', 'track']);
      const ts = sent.map((e) => e.ts);
      expect(ts, 'timestamps in call order').toEqual([...ts].sort((a, b) => a - b));
      expect(stored.map((e) => e.id).sort()).toEqual(sent.map((e) => e.id).sort());
      expect(new Set(stored.map((e) => e.id)).size).toBe(4);
    });

    test('while pending at most 100 events wait; the oldest are dropped', async ({ page, site, shop }) => {
      await page.goto(shop({ flushInterval: 100, script: `for (let i = 0; i < 105; i++) wb('track', 'view_item', { i });` }));
      await sdkReady(page);
      await page.evaluate(() => window.wb('consent', { analytics: 'granted' }));
      const stored = await waitForEvents(site, 100);
      const sent = wireEvents(site).map((e) => (e.props as { i: number }).i);
      expect(sent, 'the newest 100, in order').toEqual(Array.from({ length: 100 }, (_, k) => k + 5));
      expect(stored).toHaveLength(100);
    });

    test('while pending, leaving the page sends nothing and leaves nothing behind', async ({ page, site, shop }) => {
      await page.goto(shop({ script: `wb('track', 'view_item'); wb('track', 'add_to_cart');` }));
      await sdkReady(page);
      await leaveAndProveSilence(page, site, shop);
    });

    test('denied: nothing is sent or stored, on the page or when leaving it', async ({ page, site, shop }) => {
      await page.goto(
        shop({
          flushInterval: 100,
          script: `
            wb('track', 'view_item');
            wb('consent', { analytics: 'denied' });
            wb('track', 'add_to_cart');`,
        }),
      );
      await flush(page);
      expect(site.requests, 'requests after consent was denied').toHaveLength(0);
      await expectNothingStored(page, 'after consent was denied');
      await leaveAndProveSilence(page, site, shop);
    });

    test('events dropped on denial are not sent after a later grant', async ({ page, site, shop }) => {
      await page.goto(shop({ flushInterval: 100, script: `wb('track', 'view_item'); wb('consent', { analytics: 'denied' });` }));
      await flush(page);
      await page.evaluate(() => {
        window.wb('consent', { analytics: 'granted' });
        window.wb('track', 'add_to_cart');
      });
      await waitForEvents(site, 1, 'add_to_cart');
      expect(wireEvents(site).map((e) => e.name)).toEqual(['add_to_cart']);
    });

    test('a revoke to pending drops what was queued under the consent; a later grant does not send it', async ({ page, site, shop }) => {
      await page.goto(shop({ flushInterval: 100, script: `wb('consent', { analytics: 'granted' });` }));
      await sdkReady(page);
      // Hold an event in the queue: the collector answers 503, so it waits for a retry.
      site.failNext(1, 503);
      const held = await page.evaluate(() => window.sdk()!.track('add_to_cart'));
      await poll(() => site.requests.length, 'the 503 was answered').toBe(1);
      await page.evaluate(() => {
        window.wb('consent', { analytics: 'pending' });
        window.wb('track', 'while_pending');
        window.wb('consent', { analytics: 'granted' });
      });
      const [waited] = await waitForEvents(site, 1, 'while_pending');
      expect(site.events('add_to_cart'), 'the event queued before the revoke').toEqual([]);
      expect(requestsWith(site, [held!]).map((r) => r.status), 'requests carrying the held event').toEqual([503]);
      expect(waited!.anonymousId, 'the event after the revoke has a new anonymous id').not.toBe(wireEvents(site)[0]!.anonymousId);
    });

    test('deny then grant at once (a default, then the choice the banner stored): events are stored as usual', async ({ page, site, shop }) => {
      await page.goto(shop({ flushInterval: 60_000, script: `wb('consent', { analytics: 'denied' }); wb('consent', { analytics: 'granted' });` }));
      await sdkReady(page);
      site.failNext(1, 503, { 'Retry-After': '600' });
      const id = await page.evaluate(() => window.sdk()!.track('purchase', { transaction_id: 'T1', value: 30, currency: 'USD' }));
      await flush(page);
      await poll(async () => JSON.stringify((await browserStorage(page)).indexedDB), 'the unsent purchase is kept in IndexedDB').toContain(id!);
    });

    test('revoking purges stored events and ids', async ({ page, site, shop }) => {
      await page.goto(shop({ flushInterval: 100, script: `wb('consent', { analytics: 'granted' }); wb('track', 'view_item');` }));
      const [first] = await waitForEvents(site, 1, 'view_item');

      // Keep an event in the browser: the collector answers 503 and asks for ten minutes' rest.
      site.failNext(1, 503, { 'Retry-After': '600' });
      const keptId = await page.evaluate(() => window.sdk()!.track('add_to_cart', { value: 30 }));
      expect(keptId).toEqual(expect.any(String));
      await poll(() => site.requests.length, 'the 503 was answered').toBe(2);
      const kept = async () => JSON.stringify((await browserStorage(page)).indexedDB);
      await poll(kept, 'the event is kept in IndexedDB').toContain(keptId!);
      expect(storedCount(await browserStorage(page)), 'entries in the waybill IndexedDB before revoking').toBeGreaterThan(0);

      await page.evaluate(() => window.wb('consent', { analytics: 'denied' }));
      const leftovers = async () => {
        const s = await browserStorage(page);
        return {
          waybillEntries: storedCount(s),
          waybillLocalStorage: Object.keys(s.localStorage).filter((k) => k.startsWith('waybill')),
          cookies: s.cookies.map((c) => c.name),
        };
      };
      await poll(leftovers, 'what the browser holds after revoking').toEqual({ waybillEntries: 0, waybillLocalStorage: [], cookies: [] });

      // Nothing goes out after the revocation, from this page or the next.
      await page.evaluate(() => window.wb('track', 'after_revoke'));
      await flush(page);
      expect(site.requests, 'requests after revoking').toHaveLength(2);
      await page.goto(shop({ flushInterval: 100 }));
      await sdkReady(page);
      await expectNothingStored(page, 'on the next page, before consent');
      await page.evaluate(() => {
        window.wb('consent', { analytics: 'granted' });
        window.wb('track', 'next_page');
      });
      const [next] = await waitForEvents(site, 1, 'next_page');
      expect(site.events().map((e) => e.name)).toEqual(['view_item', 'next_page']);
      expect(next!.anonymousId, 'a new anonymous id after the old one was purged').not.toBe(first!.anonymousId);
    });
  });
}
