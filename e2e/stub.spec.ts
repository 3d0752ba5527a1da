// The copy-paste stub under stress: a bundle that arrives late, calls before and after it,
// the stub pasted twice or after the bundle, the bundle loaded twice. Every call must be
// delivered once, in the order it was made.
import { readStub } from './server';
import { expect, sdkReady, test, waitForEvents, wireEvents } from './fixtures';

test.use({ mode: 'script' });

/** `i` of each event sent, in the order it went on the wire. */
const sentOrder = (site: Parameters<typeof wireEvents>[0]) => wireEvents(site).map((e) => (e.props as { i: number }).i);

test('slow bundle: calls made before it arrives are delivered in order, none lost, none doubled', async ({ page, site, shop }) => {
  const release = site.hold('/waybill.min.js');
  await page.goto(
    shop({
      flushInterval: 100,
      script: `
        for (let i = 0; i < 15; i++) wb('track', 'view_item', { i });
        wb('consent', { analytics: 'granted' });
        for (let i = 15; i < 30; i++) wb('track', 'view_item', { i });`,
    }),
    { waitUntil: 'domcontentloaded' },
  );
  await page.waitForFunction(() => window.pageScriptDone === true);
  // More calls from later tasks (clicks, timers) while the bundle is still on its way.
  for (let i = 30; i < 45; i += 5) {
    await page.evaluate((from) => {
      for (let k = from; k < from + 5; k++) window.wb('track', 'view_item', { i: k });
    }, i);
  }
  expect(await page.evaluate(() => window.waybill.q?.length), 'calls queued by the stub').toBe(46);
  expect(site.requests).toHaveLength(0);

  release();
  await sdkReady(page);
  // And calls after it: they join the end of the line.
  await page.evaluate(() => {
    for (let i = 45; i < 60; i++) window.wb('track', 'view_item', { i });
  });
  const stored = await waitForEvents(site, 60);
  const all = Array.from({ length: 60 }, (_, i) => i);
  expect(sentOrder(site), 'sent once each, in call order').toEqual(all);
  expect(stored).toHaveLength(60);
  expect(new Set(stored.map((e) => e.id)).size).toBe(60);
  expect(site.stats()).toMatchObject({ accepted: 60, duplicates: 0, rejected: 0 });
});

test('the bundle twice, the second copy arriving after the first ran: it changes nothing', async ({ page, site }) => {
  const release = site.hold('/waybill.min.js');
  // The second copy (same file, another URL, as a second tag manager would add it) waits for the test.
  let releaseSecond!: () => void;
  const second = new Promise<void>((done) => (releaseSecond = done));
  await page.route('**/waybill.min.js?copy=2', async (route) => {
    await second;
    await route.continue();
  });
  const url = site.addPage(`<!doctype html><html><head><meta charset="utf-8"><title>twice</title>
<script>${readStub()}</script>
<script async src="/waybill.min.js" data-endpoint="/collect" data-flush-interval="100"></script>
<script async src="/waybill.min.js?copy=2" data-endpoint="/collect" data-flush-interval="100" onload="window.secondRan = true"></script>
<script>
  window.wb = function () { return window.waybill.apply(window, arguments); };
  window.sdk = function () { return typeof window.waybill.track === 'function' ? window.waybill : undefined; };
  wb('consent', { analytics: 'granted' });
  for (var i = 0; i < 10; i++) wb('track', 'view_item', { i: i });
  window.pageScriptDone = true;
</script></head><body></body></html>`);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => window.pageScriptDone === true);
  release();
  await sdkReady(page);
  await waitForEvents(site, 10);
  await page.evaluate(() => ((window.waybill as unknown as { mark: string }).mark = 'first copy'));

  releaseSecond();
  await page.waitForFunction(() => (window as unknown as { secondRan?: boolean }).secondRan === true);
  expect(await page.evaluate(() => (window.waybill as unknown as { mark?: string }).mark), 'window.waybill is still the first copy').toBe('first copy');
  await page.evaluate(() => window.wb('track', 'view_item', { i: 10 }));
  await waitForEvents(site, 11);
  expect(sentOrder(site)).toEqual(Array.from({ length: 11 }, (_, i) => i));
  expect(site.stats()).toMatchObject({ accepted: 11, duplicates: 0 });
  expect(new Set(site.events().map((e) => e.anonymousId)).size, 'one visitor, one tracker').toBe(1);
});

test('the stub pasted again after the bundle, or twice before it, changes nothing', async ({ page, site }) => {
  const release = site.hold('/waybill.min.js');
  const url = site.addPage(`<!doctype html><html><head><meta charset="utf-8"><title>stub twice</title>
<script>${readStub()}</script>
<script>waybill('consent', { analytics: 'granted' }); waybill('track', 'view_item', { i: 0 });</script>
<script>${readStub()}</script>
<script async src="/waybill.min.js" data-endpoint="/collect" data-flush-interval="100"></script>
<script>
  window.wb = function () { return window.waybill.apply(window, arguments); };
  window.sdk = function () { return typeof window.waybill.track === 'function' ? window.waybill : undefined; };
  wb('track', 'view_item', { i: 1 });
  window.pageScriptDone = true;
</script></head><body></body></html>`);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => window.pageScriptDone === true);
  expect(await page.evaluate(() => window.waybill.q?.length), 'the second stub kept the first one’s queue').toBe(3);
  release();
  await sdkReady(page);
  await waitForEvents(site, 2);

  // A stub pasted after the bundle (a tag manager injecting the snippet late) keeps the bundle.
  await page.addScriptTag({ content: readStub() });
  expect(await page.evaluate(() => typeof window.waybill.track)).toBe('function');
  expect(await page.evaluate(() => 'q' in window.waybill)).toBe(false);
  await page.evaluate(() => window.wb('track', 'view_item', { i: 2 }));
  await waitForEvents(site, 3);
  expect(sentOrder(site)).toEqual([0, 1, 2]);
  expect(site.stats()).toMatchObject({ accepted: 3, duplicates: 0 });
});
