// The script tag as a shop pastes it: the inline stub queues calls until the async bundle
// has loaded; the bundle drains the queue in order and keeps `window.waybill` callable.
import { expect, sdkReady, test, waitForEvents, wireEvents } from './fixtures';

test.use({ mode: 'script' });

test('the stub queues calls until the bundle loads, then they run in order', async ({ page, site, shop }) => {
  const release = site.hold('/waybill.min.js');
  await page.goto(
    shop({
      flushInterval: 100,
      script: `
        wb('track', 'view_item', { items: [{ item_id: 'SKU1' }] });
        wb('consent', { analytics: 'granted' });
        wb('track', 'add_to_cart', { value: 30 });
        wb('page');`,
    }),
    // `load` waits for async scripts, and this one is held back.
    { waitUntil: 'domcontentloaded' },
  );
  await page.waitForFunction(() => window.pageScriptDone === true);
  expect(await page.evaluate(() => window.waybill.q?.length), 'calls queued by the stub').toBe(4);
  expect(await page.evaluate(() => typeof window.waybill.track)).toBe('undefined');
  expect(site.requests).toHaveLength(0);

  release();
  await sdkReady(page);
  await waitForEvents(site, 3);
  expect(wireEvents(site).map((e) => e.name)).toEqual(['view_item', 'add_to_cart', 'page_view']);

  // After load `waybill` is still the command function, and has the tracker's methods.
  const flushed = await page.evaluate(() => {
    window.waybill('track', 'begin_checkout');
    window.waybill.track!('purchase', { transaction_id: 'T1', value: 30, currency: 'USD' });
    return window.waybill.flush!() instanceof Promise;
  });
  expect(flushed, 'waybill.flush() returns a Promise').toBe(true);
  await waitForEvents(site, 1, 'purchase');
  expect(site.events().map((e) => e.name)).toEqual(['view_item', 'add_to_cart', 'page_view', 'begin_checkout', 'purchase']);
});

test('a second copy of the bundle on the page changes nothing', async ({ page, site, shop }) => {
  await page.goto(shop({ flushInterval: 100, script: `wb('consent', { analytics: 'granted' });` }));
  await sdkReady(page);
  await page.addScriptTag({ url: '/waybill.min.js' });
  await page.evaluate(() => window.wb('track', 'view_item'));
  await waitForEvents(site, 1, 'view_item');
  await page.evaluate(() => window.wb('track', 'add_to_cart'));
  await waitForEvents(site, 1, 'add_to_cart');
  expect(site.stats()).toMatchObject({ accepted: 2, duplicates: 0 });
  expect(wireEvents(site).map((e) => e.name)).toEqual(['view_item', 'add_to_cart']);
});
