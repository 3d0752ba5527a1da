// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createTracker, type TrackerOptions } from '@waybill/core';
import { databases, fakeDestination, isolatePage, leavePage, newPage, settle, storedText, until, useFakeClock, webStorageText, type Reply } from './helpers';

isolatePage();

const granted = { analytics: 'granted' } as const;

/** A tracker with a stored ("first-party") destination that answers from `replies`. */
const page = (replies: Reply[] = ['ok'], options: TrackerOptions = {}) => {
  const d = fakeDestination({ name: 'first-party', persist: true, replies });
  const t = createTracker({ destinations: [d], consent: granted, ...options });
  return { d, t };
};

const isStored = async (id: string | undefined) => (await storedText()).includes(id!);

/** Flush until the destination has received something (stored events are loaded asynchronously). */
const flushUntilSent = async ({ d, t }: ReturnType<typeof page>) => until(async () => (await t.flush(), d.calls.length > 0), 'a send');

describe('before analytics consent', () => {
  it('writes nothing: no database, no localStorage, no sessionStorage, no cookie', async () => {
    const { t } = page(['ok'], { consent: {} });
    t.page();
    t.track('view_item');
    t.identify('user-42', { email: 'a@example.com' });
    await t.flush();
    await settle();
    expect(await databases()).toEqual([]);
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    expect(document.cookie).toBe('');
  });

  it('writes nothing when analytics is denied, even if marketing is granted', async () => {
    const marketing = fakeDestination({ name: 'm', category: 'marketing', persist: true });
    const t = createTracker({ destinations: [marketing], consent: { analytics: 'denied', marketing: 'granted' } });
    t.track('view_item');
    leavePage();
    await t.flush();
    await settle();
    expect(marketing.calls.length).toBeGreaterThan(0);
    expect(await databases()).toEqual([]);
    expect(webStorageText().trim()).toBe('');
  });

  it('writes nothing when the page is hidden while consent is pending', async () => {
    const { t } = page(['beacon'], { consent: {} });
    t.track('view_item');
    leavePage();
    await settle();
    expect(await databases()).toEqual([]);
  });
});

describe('with analytics consent', () => {
  it('stores an event until it is sent', async () => {
    const { t } = page();
    const id = t.track('view_item');
    await until(() => isStored(id), 'event stored');
  });

  it('stores the events that waited for consent when consent is granted, and sends them at once', async () => {
    const { d, t } = page(['retry'], { consent: {} });
    const id = t.track('view_item');
    t.consent.update(granted);
    await until(() => isStored(id), 'event stored');
    expect(d.calls.map((c) => c.events.map((e) => e.id))).toEqual([[id]]);
  });

  it("removes an event once send answered 'ok'", async () => {
    const { t } = page(['ok']);
    const id = t.track('view_item');
    await until(() => isStored(id));
    await t.flush();
    await until(async () => !(await isStored(id)), 'event removed');
  });

  it("removes an event answered 'drop' (it will never be accepted)", async () => {
    const { t } = page(['drop']);
    const id = t.track('view_item');
    await until(() => isStored(id));
    await t.flush();
    await until(async () => !(await isStored(id)), 'event removed');
  });

  it("keeps an event answered 'retry'", async () => {
    const { d, t } = page(['retry']);
    const id = t.track('view_item');
    await t.flush();
    await settle();
    expect(d.calls).toHaveLength(1);
    expect(await isStored(id)).toBe(true);
  });

  it('keeps events handed to the beacon at page hide (their fate is unknown)', async () => {
    const { d, t } = page(['beacon']);
    const id = t.track('view_item');
    await until(() => isStored(id));
    leavePage();
    await settle();
    expect(d.calls[0].unload).toBe(true);
    expect(await isStored(id)).toBe(true);
  });

  it('does not store events of a destination that does not ask for it', async () => {
    const d = fakeDestination({ name: 'vendor', persist: false });
    const t = createTracker({ destinations: [d], consent: granted });
    const id = t.track('view_item');
    await settle();
    expect(await isStored(id)).toBe(false);
  });

  it('stores nothing with storage: false', async () => {
    const { t } = page(['beacon'], { storage: false });
    t.track('view_item');
    leavePage();
    await settle();
    expect(await databases()).toEqual([]);
  });
});

describe('the next page', () => {
  it('resends events beaconed on the previous page, with their ids, and then forgets them', async () => {
    useFakeClock();
    const first = page(['beacon']);
    const ids = [first.t.track('a')];
    vi.advanceTimersByTime(1);
    ids.push(first.t.track('b'));
    await until(async () => (await storedText()).includes(ids[1]!));
    leavePage();
    newPage('/next');
    const next = page(['ok']);
    await flushUntilSent(next);
    expect(next.d.sent().map((e) => e.id)).toEqual(ids);
    await until(async () => !(await isStored(ids[0])) && !(await isStored(ids[1])), 'events removed');
  });

  it('delivers events the collector could not take on the previous page (collector down)', async () => {
    const first = page(['retry']);
    const id = first.t.track('add_to_cart');
    await first.t.flush();
    await until(() => isStored(id));
    newPage('/next');
    const next = page(['ok']);
    await flushUntilSent(next);
    expect(next.d.sent().map((e) => e.id)).toContain(id);
  });

  it('puts stored events in front of the events of the new page', async () => {
    const first = page(['beacon']);
    first.t.track('old');
    await until(async () => (await storedText()).includes('old'));
    newPage('/next');
    const next = page(['ok']);
    next.t.track('new');
    await settle(); // the stored events are loaded
    await next.t.flush();
    expect(next.d.names()).toEqual(['old', 'new']);
  });

  it('resends events of the same millisecond in the order they were recorded', async () => {
    useFakeClock();
    const first = page(['beacon']);
    const names = Array.from({ length: 8 }, (_, i) => 'e' + i);
    for (const name of names) first.t.track(name);
    await until(async () => (await storedText()).includes('"e7"'));
    newPage('/next');
    const next = page(['ok']);
    await flushUntilSent(next);
    expect(next.d.names()).toEqual(names);
  });

  it('waits for analytics consent before resending stored events', async () => {
    const first = page(['beacon']);
    first.t.track('old');
    await until(async () => (await storedText()).includes('old'));
    newPage('/next');
    const next = page(['ok'], { consent: {} });
    await next.t.flush();
    await settle();
    expect(next.d.calls).toHaveLength(0);
    next.t.consent.update(granted);
    await flushUntilSent(next);
    expect(next.d.names()).toEqual(['old']);
  });

  it('keeps at most maxEvents stored events, the newest', async () => {
    useFakeClock();
    const first = page(['beacon'], { storage: { maxEvents: 3 } });
    for (const name of ['e1', 'e2', 'e3', 'e4', 'e5']) {
      first.t.track(name);
      vi.advanceTimersByTime(1);
    }
    await until(async () => {
      const text = await storedText();
      return text.includes('e5') && !text.includes('"e1"') && !text.includes('"e2"');
    }, 'store trimmed to 3');
    newPage('/next');
    const next = page(['ok'], { storage: { maxEvents: 3 } });
    await flushUntilSent(next);
    expect(next.d.names()).toEqual(['e3', 'e4', 'e5']);
  });

  it('drops stored events older than 7 days', async () => {
    useFakeClock();
    const first = page(['beacon']);
    const id = first.t.track('old');
    await until(() => isStored(id));
    vi.setSystemTime(Date.now() + 7 * 24 * 3600_000 + 1);
    newPage('/next');
    const next = page(['ok']);
    next.t.track('new');
    await until(async () => !(await isStored(id)), 'expired event removed');
    await next.t.flush();
    expect(next.d.names()).toEqual(['new']);
  });

  it('uses the maxAge option', async () => {
    useFakeClock();
    const first = page(['beacon'], { storage: { maxAge: 60_000 } });
    const id = first.t.track('old');
    await until(() => isStored(id));
    vi.setSystemTime(Date.now() + 60_001);
    newPage('/next');
    page(['ok'], { storage: { maxAge: 60_000 } });
    await until(async () => !(await isStored(id)), 'expired event removed');
  });

  it("leaves another open tab's stored events to that tab, and takes them over once it is gone", async () => {
    useFakeClock();
    const tabA = page(['retry']);
    const id = tabA.t.track('from_tab_a');
    await tabA.t.flush();
    await until(() => isStored(id));
    // another tab: same IndexedDB and localStorage, its own sessionStorage
    sessionStorage.clear();
    const tabB = page(['ok']);
    await settle();
    await tabB.t.flush();
    expect(tabB.d.calls).toHaveLength(0);
    // tab A is closed (no heartbeat for minutes); a page opened later takes its events
    vi.setSystemTime(Date.now() + 5 * 60_000);
    sessionStorage.clear();
    const tabC = page(['ok']);
    await flushUntilSent(tabC);
    expect(tabC.d.sent().map((e) => e.id)).toEqual([id]);
  });
});

describe('ids across pages', () => {
  it('keeps the anonymous and session id of a returning visitor once analytics is granted', async () => {
    const first = page(['ok']);
    first.t.track('a');
    await first.t.flush();
    const before = first.d.sent()[0];
    newPage('/next');
    const next = page(['ok'], { consent: {} });
    next.t.track('b'); // waits in memory with an in-memory id
    next.t.consent.update(granted);
    await flushUntilSent(next);
    expect(next.d.sent()[0]).toMatchObject({ anonymousId: before.anonymousId, sessionId: before.sessionId });
  });

  it('starts a new session on a page loaded after 30 minutes idle, keeping the anonymous id', async () => {
    useFakeClock();
    const first = page(['ok']);
    first.t.track('a');
    await first.t.flush();
    vi.setSystemTime(Date.now() + 31 * 60_000);
    newPage('/next');
    const next = page(['ok']);
    next.t.track('b');
    await next.t.flush();
    const [before, after] = [first.d.sent()[0], next.d.sent()[0]];
    expect(after.anonymousId).toBe(before.anonymousId);
    expect(after.sessionId).not.toBe(before.sessionId);
  });

  it('keeps the user id of a returning visitor', async () => {
    const first = page(['ok']);
    first.t.identify('user-42');
    await first.t.flush();
    newPage('/next');
    const next = page(['ok']);
    next.t.track('b');
    await flushUntilSent(next);
    expect(next.d.sent()[0].userId).toBe('user-42');
  });

  it("gives events that waited for consent the returning visitor's user id, campaign and click ids", async () => {
    newPage('/?utm_source=tiktok&gclid=G1');
    const first = page(['ok']);
    first.t.identify('user-42');
    first.t.track('a');
    await first.t.flush();
    newPage('/next');
    const next = page(['ok'], { consent: {} });
    next.t.page(); // waits in memory, made with in-memory ids and no campaign
    next.t.consent.update(granted);
    await flushUntilSent(next);
    const [before, after] = [first.d.sent()[1], next.d.sent()[0]];
    expect(after).toMatchObject({ anonymousId: before.anonymousId, sessionId: before.sessionId, userId: 'user-42' });
    expect(after.context).toMatchObject({ campaign: { utm_source: 'tiktok' }, clickIds: { gclid: 'G1' } });
  });

  it('does not carry ids over without consent', async () => {
    const first = page(['ok'], { consent: {} });
    first.t.track('a');
    first.t.consent.update(granted);
    await first.t.flush();
    const before = first.d.sent()[0];
    first.t.consent.update({ analytics: 'denied' });
    newPage('/next');
    const next = page(['ok']);
    next.t.track('b');
    await next.t.flush();
    expect(next.d.sent()[0].anonymousId).not.toBe(before.anonymousId);
  });
});

describe('revoking analytics consent', () => {
  it('deletes the database and the stored ids', async () => {
    const { t } = page(['beacon']);
    const id = t.track('view_item');
    await until(() => isStored(id));
    expect(localStorage.getItem('waybill_ids')).not.toBeNull();
    t.consent.update({ analytics: 'denied' });
    await until(async () => !(await databases()).includes('waybill'), 'database deleted');
    expect(localStorage.getItem('waybill_ids')).toBeNull();
    expect(webStorageText().trim()).toBe('');
  });

  it('also purges when consent goes back to pending', async () => {
    const { t } = page(['beacon']);
    const id = t.track('view_item');
    await until(() => isStored(id));
    t.consent.update({ analytics: 'pending' });
    await until(async () => !(await databases()).includes('waybill'), 'database deleted');
    expect(localStorage.getItem('waybill_ids')).toBeNull();
  });

  it('purges what an earlier page stored when a later page starts denied', async () => {
    const first = page(['beacon']);
    const id = first.t.track('view_item');
    await until(() => isStored(id));
    newPage('/next');
    page(['ok'], { consent: { analytics: 'denied' } });
    await until(async () => !(await databases()).includes('waybill'), 'database deleted');
    expect(localStorage.getItem('waybill_ids')).toBeNull();
  });

  it('stays purged: later events are not stored', async () => {
    const { t } = page(['beacon']);
    t.track('a');
    await settle();
    t.consent.update({ analytics: 'denied' });
    t.track('b');
    leavePage();
    await settle();
    expect(await databases()).toEqual([]);
  });

  it('stores as usual after a deny followed at once by a grant (a default, then the stored choice)', async () => {
    const { t } = page(['beacon'], { consent: {} });
    t.consent.update({ analytics: 'denied' });
    t.consent.update(granted);
    const id = t.track('view_item');
    await until(() => isStored(id), 'the event stored');
    expect(await databases()).toEqual(['waybill']);
  });

  it('stores as usual after a grant, a revoke and a grant again in one go', async () => {
    const { t } = page(['beacon']);
    t.track('a');
    t.consent.update({ analytics: 'denied' });
    t.consent.update(granted);
    const id = t.track('b');
    await until(() => isStored(id), 'the event stored');
  });

  it('leaves no database behind after a grant followed at once by a revoke', async () => {
    const { t } = page(['ok'], { consent: {} });
    t.consent.update(granted);
    t.consent.update({ analytics: 'denied' });
    await settle(200);
    expect(await databases()).toEqual([]);
  });
});
