// The page's life in every engine: the script tag's stub while the bundle is slow to come, and
// the back/forward cache (a page left and restored, its scripts still running).
import { waitForEvents, wireEvents } from '../fixtures';
import { evaluateAndLeave, waitForUrl, waitInPage, type EngineName } from './driver';
import { expect, flush, sdkReady, test, wb } from './fixtures';

const GRANT = `wb('consent', { analytics: 'granted' });`;

test('7. the script tag with the stub and a slow bundle: every queued call delivered once, in order', async ({ tab, site, shop, elsewhere }) => {
  const release = site.hold('/waybill.min.js');
  await tab.goto(
    shop({
      flushInterval: 100,
      script: `
        for (let i = 0; i < 15; i++) wb('track', 'view_item', { i });
        wb('consent', { analytics: 'granted' });
        for (let i = 15; i < 30; i++) wb('track', 'view_item', { i });
        // More calls from later tasks (clicks, timers) while the bundle is still on its way.
        let next = 30;
        const later = () => setTimeout(() => {
          for (const end = next + 5; next < end; next++) wb('track', 'view_item', { i: next });
          if (next < 45) return later();
          note(JSON.stringify({ queued: window.waybill.q && window.waybill.q.length, loaded: typeof window.waybill.track }));
        }, 10);
        later();`,
    }),
    'domcontentloaded',
  );
  // The page itself says when its calls are made: no driver command runs in WebKit before `load`.
  await expect.poll(() => elsewhere.claim((r) => r.kind === 'note').map((r) => JSON.parse(r.detail)), 'the page’s calls before the bundle').toEqual([{ queued: 46, loaded: 'undefined' }]);
  expect(site.requests, 'requests before the bundle ran').toHaveLength(0);

  release();
  await sdkReady(tab);
  await tab.evaluate(() => {
    for (let i = 45; i < 60; i++) window.wb('track', 'view_item', { i });
  });
  const stored = await waitForEvents(site, 60);
  expect(wireEvents(site).map((e) => (e.props as { i: number }).i), 'sent once each, in call order').toEqual([...Array(60).keys()]);
  expect(new Set(stored.map((e) => e.id)).size).toBe(60);
  expect(site.stats()).toMatchObject({ accepted: 60, duplicates: 0, rejected: 0 });
});

/** Names of the events the collector stored, oldest first. */
const names = (site: { events(): { name: string }[] }) => site.events().map((e) => e.name);

test.describe('the back/forward cache', () => {
  test.use({ launchWith: { backForwardCache: true } });

  // Pageshow history of the page (`false`: loaded, `true`: restored from the cache), kept in the page itself.
  const SHOWS = `window.shows = window.shows || []; addEventListener('pageshow', function (e) { window.shows.push(e.persisted); });`;

  /**
   * Whether a cacheable page is restored from the cache when the shopper comes back (measured).
   * Firefox ESR 153 restored it in about 85 % of runs here, with Waybill on the page or not.
   */
  const RESTORED: Record<EngineName, 'always' | 'mostly'> = { chromium: 'always', firefox: 'mostly', webkit: 'always' };

  test('8. leave and come back: the page is restored from the cache and tracking goes on', async ({ tab, site, shop, elsewhere, engineName, figure }) => {
    // A cacheable page, as most shop pages are. A minute's flush interval: events go when the
    // test flushes or the page hides, so no request of the page is out when it enters the cache
    // (that case is test 8c).
    const url = shop({ flushInterval: 60_000, headers: { 'cache-control': 'no-cache' }, script: `${SHOWS} ${GRANT} wb('track', 'before_leaving');` });
    await tab.goto(url);
    await flush(tab);
    await waitForEvents(site, 1, 'before_leaving');
    // Tracked as the shopper leaves: only the page hide can send it.
    await wb(tab, 'track', 'at_leaving');
    await tab.goto(elsewhere.page());
    await waitForEvents(site, 1, 'at_leaving');

    await tab.back();
    await waitForUrl(tab, url);
    await sdkReady(tab);
    const shows = await tab.evaluate(() => (window as { shows?: boolean[] }).shows);
    const restored = shows?.join() === 'false,true';
    figure('cacheable page restored from the back/forward cache', restored);
    if (RESTORED[engineName] === 'always') expect(shows, 'pageshow: loaded, then restored from the cache').toEqual([false, true]);
    await wb(tab, 'track', 'after_return');
    await flush(tab);
    await waitForEvents(site, 1, 'after_return');
    // And leaving again (a click on a link) still sends.
    await wb(tab, 'track', 'leaving_again');
    const away = elsewhere.page();
    await evaluateAndLeave(tab, (to) => void (location.href = to), away);
    await waitForUrl(tab, away);
    await waitForEvents(site, 1, 'leaving_again');
    // Loaded afresh instead (Firefox, now and then), the page tracked its view again.
    const again = restored ? [] : ['before_leaving'];
    expect(names(site), 'stored once each').toEqual(['before_leaving', 'at_leaving', ...again, 'after_return', 'leaving_again']);
    expect(site.stats()).toMatchObject({ accepted: 4 + again.length, duplicates: 0, rejected: 0 });
  });

  /** Whether a `Cache-Control: no-store` page on which Waybill has sent is restored from the cache (measured; the README states it). */
  const NO_STORE_RESTORED: Record<EngineName, boolean> = {
    // Chromium keeps a no-store page only if it made no fetch (reason "response-cache-control-no-store-with-js-network-request").
    chromium: false,
    firefox: false,
    webkit: true,
  };

  test('8b. a no-store page (a cart, a checkout): restored only where the engine allows it; tracking goes on either way', async ({ tab, site, shop, elsewhere, engineName, figure }) => {
    const url = shop({ flushInterval: 100, script: `${SHOWS} ${GRANT} wb('track', 'shown', { at: window.shows.length });` });
    await tab.goto(url);
    await waitForEvents(site, 1, 'shown');
    await flush(tab);
    await tab.goto(elsewhere.page());
    await tab.back();
    await waitForUrl(tab, url);
    const shows = await tab.evaluate(() => (window as { shows?: boolean[] }).shows);
    const restored = shows?.length === 2 && shows[1] === true;
    figure('no-store page restored from the back/forward cache', restored);
    expect(restored, "the README's browser-support table states this: update both").toBe(NO_STORE_RESTORED[engineName]);
    // Restored, the page goes on; loaded afresh, it tracks its view again: either way tracking works.
    await wb(tab, 'track', 'after_return');
    await waitForEvents(site, 1, 'after_return');
    expect(names(site)).toEqual(restored ? ['shown', 'after_return'] : ['shown', 'shown', 'after_return']);
    expect(site.stats()).toMatchObject({ duplicates: 0, rejected: 0 });
  });

  test('8c. a request still out when the page is cached: tracking goes on after the restore, nothing sent twice', async ({ tab, site, shop, elsewhere, engineName, figure }) => {
    // Firefox and WebKit restore the page with that fetch never settled; core sends one request
    // at a time per destination, so it gives that one up at the restore (and asks the collector
    // about its events) rather than wait on it for ever.
    // The page counts the requests to the collector that have started (the site holds them unseen).
    const COUNT = `window.started = 0; var f = window.fetch; window.fetch = function (url) { if (String(url).indexOf('/collect') >= 0) window.started++; return f.apply(this, arguments); };`;
    const url = shop({ flushInterval: 100, headers: { 'cache-control': 'no-cache' }, script: `${SHOWS} ${COUNT} ${GRANT}` });
    await tab.goto(url);
    await sdkReady(tab);
    // The collector is slow to answer: the request is out when the shopper leaves.
    const release = site.hold('/collect');
    await wb(tab, 'track', 'in_flight');
    await waitInPage(tab, () => (window as { started?: number }).started === 1, undefined, 'the request to start');
    await tab.goto(elsewhere.page());
    release();
    await tab.back();
    await waitForUrl(tab, url);
    const shows = await tab.evaluate(() => (window as { shows?: boolean[] }).shows);
    figure('page with a request out restored from the back/forward cache', shows?.join() === 'false,true');
    // Loaded afresh instead (Firefox, now and then), the page has nothing of its own in flight: the same outcome is due.
    if (RESTORED[engineName] === 'always') expect(shows, 'restored from the cache').toEqual([false, true]);
    await wb(tab, 'track', 'after_return');
    await expect.poll(() => site.events('after_return').length, { message: 'the event tracked after the restore', timeout: 10_000 }).toBe(1);
    await flush(tab);
    await waitForEvents(site, 0);
    expect(names(site), 'stored once each').toEqual(['in_flight', 'after_return']);
    const copies = wireEvents(site).filter((e) => site.requests[e.request]!.status === 200).map((e) => e.id);
    expect(copies.length - new Set(copies).size, 'copies answered beyond the first').toBe(0);
  });
});
