// @vitest-environment happy-dom
// A returning visitor whose browser holds what the 0.1.0 release stored (captured in Chromium by
// fixtures/capture-stored.mjs): this build must read their ids and deliver their kept events.
import { describe, expect, it } from 'vitest';
import { createTracker, type WaybillEvent } from '@waybill/core';
import fixture from './fixtures/stored-0.1.0.json';
import { fakeDestination, isolatePage, newPage, storedText, until, useFakeClock } from './helpers';

isolatePage();

const MINUTE = 60_000;
type Entry = [string, unknown];
const entries = fixture.indexedDb['waybill/q'] as Entry[];
const savedIds = JSON.parse(fixture.localStorage.waybill_ids) as { a: string; s: string; u: string };
/** The kept events in the order they were tracked (the records' `n`). */
const keptEvents = entries
  .filter((entry): entry is [string, { n: number; e: WaybillEvent }] => typeof entry[1] == 'object')
  .sort((a, b) => a[1].n - b[1].n)
  .map(([, record]) => record.e);

/** Put the fixture into this page's origin, as the old release left it, `minutes` after it was captured. */
async function restoreFixture(minutes: number, sameTab: boolean) {
  useFakeClock(fixture.capturedAt + minutes * MINUTE);
  for (const [key, value] of Object.entries(fixture.localStorage)) localStorage.setItem(key, value);
  if (sameTab) for (const [key, value] of Object.entries(fixture.sessionStorage)) sessionStorage.setItem(key, value);
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open('waybill');
    open.onupgradeneeded = () => open.result.createObjectStore('q');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction('q', 'readwrite');
    for (const [key, value] of entries) tx.objectStore('q').put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
  newPage('/next');
}

/** The next page: a tracker with analytics consent and the first-party destination (recorded). */
async function nextPage() {
  const d = fakeDestination({ name: 'first-party', persist: true });
  const t = createTracker({ destinations: [d], consent: { analytics: 'granted' } });
  return { d, t };
}

describe('a returning visitor of the 0.1.0 release', () => {
  it('keeps their anonymous id, session, user id and campaign', async () => {
    await restoreFixture(10, true);
    const { d, t } = await nextPage();
    t.track('view_cart');
    await until(async () => (await t.flush(), d.names().includes('view_cart')), 'view_cart sent');
    const event = d.sent().find((e) => e.name == 'view_cart')!;
    expect(event).toMatchObject({ anonymousId: savedIds.a, sessionId: savedIds.s, userId: savedIds.u });
    expect(event.context).toMatchObject({ campaign: { utm_source: 'tiktok', utm_campaign: 'spring' }, clickIds: { ttclid: 'TT-123' } });
  });

  it('starts a new session after 30 idle minutes, keeping the anonymous and user ids', async () => {
    await restoreFixture(45, false);
    const { d, t } = await nextPage();
    t.track('view_cart');
    await until(async () => (await t.flush(), d.names().includes('view_cart')), 'view_cart sent');
    const event = d.sent().find((e) => e.name == 'view_cart')!;
    expect(event).toMatchObject({ anonymousId: savedIds.a, userId: savedIds.u });
    expect(event.sessionId).not.toBe(savedIds.s);
  });

  it.each([
    ['the next page of the same tab', true],
    ['a new tab, minutes later', false],
  ])('delivers the events it kept, unchanged and in order, from %s, then forgets them', async (_, sameTab) => {
    await restoreFixture(10, sameTab);
    const { d, t } = await nextPage();
    await until(async () => (await t.flush(), d.calls.length > 0), 'the kept events sent');
    expect(keptEvents).toHaveLength(5);
    expect(d.sent()).toEqual(keptEvents);
    const kept = async () => {
      const text = await storedText();
      return keptEvents.filter((e) => text.includes(e.id));
    };
    await until(async () => (await kept()).length == 0, 'records removed');
  });
});
