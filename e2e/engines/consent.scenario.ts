// The consent gate in every engine: what reaches the collector and what the browser holds
// while consent is pending, denied, granted and revoked.
import { waitForEvents, wireEvents } from '../fixtures';
import { expect, flush, sdkReady, test, wb } from './fixtures';
import { readStorage, storedEvents, waybillKeys } from './storage';

/** The browser holds nothing at all for the origin: no cookie, no Web Storage key, no IndexedDB database. */
const NOTHING = { cookies: [], localStorage: {}, sessionStorage: {}, indexedDB: [] };

test('1. consent pending: no request, nothing stored; the grant sends the waiting events, in order', async ({ tab, site, shop }) => {
  // Page A: the shopper browses without answering the banner, then moves on.
  await tab.goto(shop({ flushInterval: 100, script: `wb('page'); wb('track', 'view_item', { items: [{ item_id: 'SKU0' }] });` }));
  await flush(tab);
  expect(await readStorage(tab), 'held on page A while pending').toEqual(NOTHING);

  // Page B: more events while pending, then the grant.
  await tab.goto(
    shop({
      flushInterval: 100,
      script: `
        wb('page');
        wb('track', 'view_item', { items: [{ item_id: 'SKU1' }] });
        wb('track', 'add_to_cart', { value: 30 });
        wb('track', 'begin_checkout');`,
    }),
  );
  await flush(tab);
  expect(site.requests, 'requests while pending, on page A, leaving it, and on page B').toHaveLength(0);
  expect(await readStorage(tab), 'held on page B while pending').toEqual(NOTHING);

  await wb(tab, 'consent', { analytics: 'granted' });
  const stored = await waitForEvents(site, 4);
  const sent = wireEvents(site);
  // Page A's events waited in memory only: they went with page A, as they must.
  expect(sent.map((e) => e.name), 'sent, in call order').toEqual(['page_view', 'view_item', 'add_to_cart', 'begin_checkout']);
  expect((sent[1]!.props as { items: { item_id: string }[] }).items[0]!.item_id).toBe('SKU1');
  const ts = sent.map((e) => e.ts);
  expect(ts, 'timestamps in call order').toEqual([...ts].sort((a, b) => a - b));
  expect(stored.map((e) => e.id).sort(), 'stored by the collector: what was sent, once each').toEqual(sent.map((e) => e.id).sort());
  expect(site.stats()).toMatchObject({ accepted: 4, duplicates: 0, rejected: 0 });
  expect(sent.every((e) => e.context.consent.analytics === 'granted'), 'each event carries the consent it was sent under').toBe(true);

  // Now, and only now, the visitor's ids are kept (and no cookie, ever).
  const held = await readStorage(tab);
  expect(held.cookies).toEqual([]);
  expect(JSON.parse(held.localStorage.waybill_ids ?? '{}').a, 'the anonymous id kept in localStorage').toBe(stored[0]!.anonymousId);
});

test('2. deny, then grant and revoke: nothing sent while denied; the store and ids are gone after the revoke', async ({ tab, site, shop }) => {
  await tab.goto(shop({ flushInterval: 100, script: `wb('consent', { analytics: 'denied' }); wb('track', 'while_denied');` }));
  await flush(tab);
  expect(site.requests, 'requests while denied').toHaveLength(0);
  expect(await readStorage(tab), 'held while denied').toEqual(NOTHING);

  // The shopper changes their mind in the banner.
  await tab.evaluate(() => {
    window.wb('consent', { analytics: 'granted' });
    window.wb('track', 'after_grant');
  });
  const [granted] = await waitForEvents(site, 1, 'after_grant');
  // Keep one event in the browser: the collector answers 503 and asks for ten minutes' rest.
  site.failNext(1, 503, { 'Retry-After': '600' });
  const kept = (await wb(tab, 'track', 'kept')) as string;
  await flush(tab);
  await expect.poll(async () => storedEvents(await readStorage(tab)).map((e) => e.id), 'the unsent event kept in IndexedDB').toContain(kept);
  expect((await readStorage(tab)).localStorage.waybill_ids, 'ids kept while granted').toContain(granted!.anonymousId);

  // Revoke: everything Waybill stored goes, at once.
  await wb(tab, 'consent', { analytics: 'denied' });
  await expect
    .poll(async () => {
      const held = await readStorage(tab);
      return { waybill: waybillKeys(held), events: storedEvents(held), cookies: held.cookies };
    }, 'what the browser holds after the revoke')
    .toEqual({ waybill: [], events: [], cookies: [] });

  // Nothing leaves after the revoke, from this page or when it is left.
  const before = site.requests.length;
  await wb(tab, 'track', 'after_revoke');
  await flush(tab);
  expect(site.requests.length, 'requests after the revoke').toBe(before);

  // The next page: a new visitor as far as Waybill knows, until consent is given again.
  await tab.goto(shop({ flushInterval: 100 }));
  await sdkReady(tab);
  expect(await readStorage(tab), 'held on the next page before consent').toEqual(NOTHING);
  await tab.evaluate(() => {
    window.wb('consent', { analytics: 'granted' });
    window.wb('track', 'next_page');
  });
  const [next] = await waitForEvents(site, 1, 'next_page');
  expect(site.events().map((e) => e.name), 'stored by the collector').toEqual(['after_grant', 'next_page']);
  expect(next!.anonymousId, 'a new anonymous id after the old one was purged').not.toBe(granted!.anonymousId);
  expect(wireEvents(site).map((e) => e.name), 'sent: never the denied, revoked or purged events').toEqual(['after_grant', 'kept', 'next_page']);
});
