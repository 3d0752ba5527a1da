// Delivery: batching, the beacon when the page goes away, persistence across pages,
// a collector that is down, failing or refusing.
import {
  MODES,
  browserStorage,
  expect,
  flush,
  poll,
  requestsWith,
  sdkReady,
  storageText,
  test,
  waitForEvents,
  wireEvents,
} from './fixtures';

const GRANT = `wb('consent', { analytics: 'granted' });`;

for (const mode of MODES) {
  test.describe(`delivery (${mode})`, () => {
    test.use({ mode });

    test('leaving the page sends every queued event by beacon, each stored once', async ({ page, site, shop, elsewhere }) => {
      // A minute's flush interval: only the page going away can send these.
      await page.goto(
        shop({
          flushInterval: 60_000,
          script: `${GRANT} wb('page'); for (let i = 0; i < 5; i++) wb('track', 'view_item', { i });`,
        }),
      );
      await sdkReady(page);
      expect(site.requests, 'requests before the page is left').toHaveLength(0);

      await page.goto(elsewhere());
      const stored = await waitForEvents(site, 6);
      expect(stored).toHaveLength(6);
      expect(stored.map((e) => e.name).sort()).toEqual(['page_view', ...Array(5).fill('view_item')]);
      expect(new Set(stored.map((e) => e.id)).size).toBe(6);
      // Each event travelled once (the page without the SDK resends nothing).
      const sent = wireEvents(site).map((e) => e.id);
      expect(sent.sort()).toEqual(stored.map((e) => e.id).sort());
      expect(site.stats()).toMatchObject({ accepted: 6, duplicates: 0, rejected: 0 });
    });

    test('the page turning hidden sends the queue while the page stays open', async ({ page, site, shop }) => {
      await page.goto(shop({ flushInterval: 60_000, script: `${GRANT} wb('track', 'view_item'); wb('track', 'add_to_cart');` }));
      await sdkReady(page);
      expect(site.requests).toHaveLength(0);
      // Headless Chromium never hides a tab (switching tabs or minimising changes nothing),
      // so play the browser's part: the state turns hidden and the event fires.
      await page.evaluate(() => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
        document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
      });
      const stored = await waitForEvents(site, 2);
      expect(stored.map((e) => e.name)).toEqual(['view_item', 'add_to_cart']);
    });

    test('50 events in a burst go in at most 3 requests', async ({ page, site, shop }) => {
      await page.goto(shop({ flushInterval: 1000, script: `${GRANT} for (let i = 0; i < 50; i++) wb('track', 'view_item', { i });` }));
      const stored = await waitForEvents(site, 50);
      expect(stored.map((e) => (e.props as { i: number }).i).sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
      expect(site.requests.length, 'requests for 50 events').toBeLessThanOrEqual(3);
    });

    test('a batch bigger than one request may carry is split, and every event arrives', async ({ page, site, shop }) => {
      // Twenty events of 14 KB: one batch of about 290 KB, over the collector's 256 KiB body limit.
      await page.goto(shop({ flushInterval: 60_000, script: `${GRANT} for (let i = 0; i < 20; i++) wb('track', 'view_item', { i, blob: 'x'.repeat(14000) });` }));
      await flush(page);
      const stored = await waitForEvents(site, 20);
      expect(stored.map((e) => (e.props as { i: number }).i).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
      expect(site.requests.map((r) => r.status).filter((s) => s !== 200), 'refused requests').toEqual([]);
      expect(Math.max(...site.requests.map((r) => Buffer.byteLength(r.body))), 'largest request body (bytes)').toBeLessThanOrEqual(65536);
    });

    test('with the site down, events are kept and the next page delivers them; what the collector has is not sent again', async ({
      page,
      site,
      shop,
      elsewhere,
    }) => {
      // Page A flushes only when told (or hidden); later pages send by age within 100 ms,
      // so whatever they take over from storage goes without being asked.
      const shopPage = (name: string, flushInterval = 100) => shop({ flushInterval, script: `${GRANT} wb('track', '${name}');` });
      const track = (name: string) => page.evaluate((n) => window.sdk()!.track(n), name);

      const keeps = async (ids: (string | undefined)[]) => {
        const text = storageText(await browserStorage(page));
        return ids.every((id) => id && text.includes(id));
      };
      // Page A: a1 goes by fetch and is confirmed, so it leaves the browser's store. Wait for that
      // delete: a write still pending when the page goes can be lost, and a1 would then be resent
      // (one more duplicate, which at-least-once delivery allows but this count does not expect).
      await page.goto(shopPage('a1', 60_000));
      await flush(page);
      const [a1] = await waitForEvents(site, 1, 'a1');
      await poll(async () => !(await keeps([a1.id])), 'a1 removed from IndexedDB').toBe(true);
      // a2 leaves with the beacon when the shopper moves on (to a page without the SDK). Its fate
      // is unknown to page A, so it stays stored; page B asks the collector, which has it.
      const a2 = await track('a2');
      await poll(() => keeps([a2]), 'a2 kept in IndexedDB').toBe(true);
      await page.goto(elsewhere());
      await waitForEvents(site, 1, 'a2');
      await page.goto(shopPage('b1'));
      await waitForEvents(site, 1, 'b1');
      await poll(() => requestsWith(site, [a2!]).filter((r) => r.body.includes('"known"')).length, 'page B asks about a2').toBe(1);
      await poll(async () => !(await keeps([a2])), 'a2 forgotten once the collector said it has it').toBe(true);

      // The whole site goes down while the shopper is on page B.
      await site.stop();
      const b2 = await track('b2');
      const b3 = await track('b3');
      await flush(page); // fails: nothing listens
      await poll(() => keeps([b2, b3]), 'b2 and b3 kept in IndexedDB').toBe(true);
      // The shopper clicks on: the next page does not load, and B's beacon goes into the void.
      await expect(page.goto(shopPage('c1'))).rejects.toThrow();
      // Chromium then shows its error page; let that navigation finish before the next one.
      await page.waitForURL(/^chrome-error:/);

      // Back up: the next page load delivers what was kept.
      await site.start();
      await page.goto(shopPage('c1'));
      await flush(page);
      await waitForEvents(site, 1, 'c1');
      await poll(() => site.events().map((e) => e.name).sort(), 'b2 and b3 delivered').toEqual(['a1', 'a2', 'b1', 'b2', 'b3', 'c1']);
      // Six events, each sent once to a listening collector: b2 and b3 were beaconed while nothing
      // listened, so page C's resend (after asking) is their first arrival.
      const copies = wireEvents(site).filter((e) => site.requests[e.request].status === 200).map((e) => e.id);
      expect(copies.sort()).toEqual(site.events().map((e) => e.id).sort());
      expect(site.stats()).toMatchObject({ accepted: 6, duplicates: 0, rejected: 0 });
      expect(requestsWith(site, [b2!, b3!]).every((r) => r.status === 200)).toBe(true);
    });

    test('a second tab does not send the events another live tab still holds', async ({ page, site, shop, context }) => {
      await page.goto(shop({ flushInterval: 60_000, script: GRANT }));
      await sdkReady(page);
      // Tab 1 keeps an event: the collector answers 503 and asks for ten minutes' rest.
      site.failNext(1, 503, { 'Retry-After': '600' });
      const held = await page.evaluate(() => window.sdk()!.track('add_to_cart'));
      await flush(page);
      await poll(async () => storageText(await browserStorage(page)), 'tab 1 keeps the event in IndexedDB').toContain(held!);

      // Tab 2 of the same shop opens while tab 1 is alive: it sends its own events only.
      const tab2 = await context.newPage();
      await tab2.goto(shop({ flushInterval: 100, script: `${GRANT} wb('track', 'view_item');` }));
      await waitForEvents(site, 1, 'view_item');
      // Another round trip from tab 2, so anything it took over from storage has had its turn.
      await tab2.evaluate(() => window.wb('track', 'view_cart'));
      await waitForEvents(site, 1, 'view_cart');
      expect(requestsWith(site, [held!]).map((r) => r.status), 'requests carrying tab 1\'s event').toEqual([503]);
      expect(site.events('add_to_cart')).toEqual([]);
    });

    test('503 without Retry-After: retried with backoff and delivered', async ({ page, site, shop }) => {
      await page.goto(shop({ flushInterval: 60_000, script: GRANT }));
      await sdkReady(page);
      site.failNext(1, 503);
      const id = await page.evaluate(() => window.sdk()!.track('add_to_cart', { value: 30 }));
      await flush(page);
      await waitForEvents(site, 1, 'add_to_cart');
      expect(requestsWith(site, [id!]).map((r) => r.status)).toEqual([503, 200]);
      expect(site.stats()).toMatchObject({ accepted: 1, duplicates: 0 });
      await poll(async () => storageText(await browserStorage(page)), 'delivered event leaves IndexedDB').not.toContain(id!);
    });

    test('503 with Retry-After: the retry waits as asked, then delivers', async ({ page, site, shop }) => {
      await page.goto(shop({ flushInterval: 60_000, script: GRANT }));
      await sdkReady(page);
      site.failNext(1, 503, { 'Retry-After': '2' });
      const id = await page.evaluate(() => window.sdk()!.track('add_to_cart', { value: 30 }));
      await flush(page);
      await waitForEvents(site, 1, 'add_to_cart');
      const [refused, delivered] = requestsWith(site, [id!]);
      expect([refused?.status, delivered?.status]).toEqual([503, 200]);
      // A lower bound only: the retry must not come before the server said it may.
      expect(delivered!.at - refused!.at, 'ms between the 503 and the retry').toBeGreaterThanOrEqual(1900);
    });

    test('400: the batch is dropped, never retried, and later events still go', async ({ page, site, shop }) => {
      // Later events go by the 2 s age timer, so time passes in which a retry would show.
      await page.goto(shop({ flushInterval: 2000, script: GRANT }));
      await sdkReady(page);
      site.failNext(1, 400);
      const dropped = await page.evaluate(() => window.sdk()!.track('view_item', { sku: 'refused' }));
      await flush(page);
      expect(site.requests.map((r) => r.status)).toEqual([400]);

      await page.evaluate(() => window.sdk()!.track('add_to_cart'));
      await waitForEvents(site, 1, 'add_to_cart');
      await page.evaluate(() => window.sdk()!.track('begin_checkout'));
      await waitForEvents(site, 1, 'begin_checkout');

      expect(requestsWith(site, [dropped!]), 'requests carrying the refused event').toHaveLength(1);
      expect(site.events('view_item')).toEqual([]);
      expect(site.requests.length, 'requests in all').toBeLessThanOrEqual(3);
      await poll(async () => storageText(await browserStorage(page)), 'refused event gone from IndexedDB').not.toContain(dropped!);
    });
  });
}
