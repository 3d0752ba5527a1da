// @vitest-environment happy-dom
// What the outbox guarantees across pages and tabs: nothing lost when the page goes before
// IndexedDB has written, no resend of what the destination already holds, and the events of a
// closed or crashed tab taken over by the next page within seconds.
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { createTracker, type Destination, type TrackerOptions, type WaybillEvent } from '@waybill/core';
import { fakeDestination, isolatePage, leavePage, newPage, settle, storedText, until, useFakeClock, type Reply } from './helpers';

isolatePage();

const granted = { analytics: 'granted' } as const;

/** A page with the first-party-like destination: stored, answering `replies`, knowing what `known` says. */
const page = (replies: Reply[] = ['ok'], known?: Destination['known'], options: TrackerOptions = {}) => {
  const d = { ...fakeDestination({ name: 'first-party', persist: true, replies }), known };
  const t = createTracker({ destinations: [d], consent: granted, ...options });
  return { d, t };
};
const sentIds = (d: { sent(): WaybillEvent[] }) => d.sent().map((e) => e.id);
const isStored = async (id: string | undefined) => (await storedText()).includes(id!);
/** The `waybill_left <owner>` entries: pages hidden since the last take-over. */
const leftKeys = () => Object.keys(localStorage).filter((key) => key.startsWith('waybill_left '));

/** What a tab that crashed left in IndexedDB: its events, and a heartbeat `age` ms old. */
async function crashedTab(events: WaybillEvent[], age: number) {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open('waybill');
    open.onupgradeneeded = () => open.result.createObjectStore('q');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  await new Promise<void>((resolve) => {
    const tx = db.transaction('q', 'readwrite');
    events.forEach((e, n) => tx.objectStore('q').put({ d: 'first-party', o: 'crashed-tab', n, e }, 'first-party ' + e.id));
    tx.objectStore('q').put(Date.now() - age, 'hb crashed-tab');
    tx.oncomplete = () => resolve();
  });
  db.close();
}

/** Events as some page tracked them (with ids and times), for a tab's leftovers. */
const made = (names: string[]) => {
  const d = fakeDestination({ category: 'necessary', replies: ['beacon'] });
  const t = createTracker({ destinations: [d], storage: false });
  for (const name of names) t.track(name);
  leavePage();
  expect(d.names()).toEqual(names);
  return d.sent();
};

describe('the page goes before IndexedDB has written', () => {
  it('copies the unwritten events to localStorage in the same task, and the next page delivers them', async () => {
    const first = page([() => new Promise(() => {})]);
    const ids = [first.t.track('a'), first.t.track('b'), first.t.track('c')];
    leavePage(); // in the same task as the calls: no IndexedDB transaction has run
    expect(leftKeys()).toHaveLength(1);
    expect(localStorage.getItem(leftKeys()[0]!)).toContain(ids[2]);
    newPage('/next');
    const next = page(['ok']);
    await until(async () => (await next.t.flush(), next.d.calls.length > 0), 'the copied events sent');
    expect(sentIds(next.d)).toEqual(ids);
    await until(() => leftKeys().length == 0, 'the copy removed once taken over');
    await until(async () => !(await isStored(ids[0])), 'delivered events forgotten');
  });

  it('delivers the copy without waiting for an IndexedDB that never opens (blocked behind a page frozen while creating it)', async () => {
    const first = page([() => new Promise(() => {})]);
    const ids = [first.t.track('a'), first.t.track('b')];
    leavePage();
    newPage('/next');
    // Every open waits for ever, as WebKit's does behind such a page.
    (globalThis as { indexedDB: unknown }).indexedDB = { open: () => ({}), deleteDatabase: () => ({}), databases: async () => [] };
    const next = page(['ok'], async () => []);
    await until(async () => (await next.t.flush(), next.d.calls.length > 0), 'the copied events sent');
    expect(sentIds(next.d)).toEqual(ids);
  });

  it('writes the events of one task in one IndexedDB transaction, not one per event', async () => {
    const transactions = vi.spyOn(IDBDatabase.prototype, 'transaction');
    const { t } = page(['retry']);
    await settle(); // the start: the database opens and the first take-over reads it
    const before = transactions.mock.calls.filter(([, mode]) => mode == 'readwrite').length;
    const ids = Array.from({ length: 100 }, (_, i) => t.track('e' + i));
    await until(() => isStored(ids[99]), 'all stored');
    const writes = transactions.mock.calls.filter(([, mode]) => mode == 'readwrite').length - before;
    expect(writes).toBeLessThanOrEqual(2);
  });

  it('does not write the ids to localStorage for every event', async () => {
    const { t } = page(['retry']);
    await settle();
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    for (let i = 0; i < 50; i++) t.track('e' + i);
    expect(setItem.mock.calls.filter(([key]) => key == 'waybill_ids').length).toBeLessThanOrEqual(1);
  });
});

describe('events an earlier page stored and may have sent', () => {
  it('are asked about, and only those the destination does not hold are sent again, then all forgotten', async () => {
    const first = page(['beacon']);
    const ids = ['a', 'b', 'c', 'd'].map((name) => first.t.track(name)!);
    await until(() => isStored(ids[3]), 'stored');
    newPage('/next'); // the beacon goes with all four; the collector got a, c and d
    const asked: string[][] = [];
    const next = page(['ok'], async (question) => (asked.push(question), question.filter((id) => id != ids[1])));
    await until(async () => (await next.t.flush(), next.d.calls.length > 0), 'the missing event sent');
    expect(asked).toEqual([ids]);
    expect(sentIds(next.d)).toEqual([ids[1]]);
    await until(async () => !(await Promise.all(ids.map(isStored))).some(Boolean), 'all forgotten');
  });

  it.each([
    ['answers nothing (a collector that cannot tell)', async () => undefined],
    ['has no known()', undefined],
  ] as [string, Destination['known']][])('are all sent again when the destination %s', async (_, known) => {
    const first = page(['beacon']);
    const ids = [first.t.track('a'), first.t.track('b')];
    await until(() => isStored(ids[1]), 'stored');
    newPage('/next');
    const next = page(['ok'], known);
    await until(async () => (await next.t.flush(), next.d.calls.length > 0), 'sent again');
    expect(sentIds(next.d)).toEqual(ids);
  });

  it('are asked about again later, and not sent meanwhile, when the question gets no answer (offline, collector down)', async () => {
    useFakeClock();
    const first = page(['beacon']);
    const ids = [first.t.track('a'), first.t.track('b')];
    await until(() => isStored(ids[1]), 'stored');
    newPage('/next');
    let down = true;
    const asked: string[][] = [];
    const next = page(['ok'], async (question) => {
      asked.push(question);
      if (down) throw new TypeError('Failed to fetch');
      return [ids[0]!];
    });
    await until(() => asked.length == 1, 'asked once');
    await settle();
    await next.t.flush();
    expect(next.d.calls).toHaveLength(0);
    down = false;
    // Asked again at a later heartbeat (2 s, then less and less often).
    for (let s = 0; s < 10 && !next.d.calls.length; s++) {
      await vi.advanceTimersByTimeAsync(1000);
      await settle();
      await next.t.flush();
    }
    expect(asked.length).toBeGreaterThan(1);
    expect(sentIds(next.d)).toEqual([ids[1]]);
  });

  it('are not sent again, nor asked about, by a page of another tab while their page is open', async () => {
    const first = page(['retry']);
    const id = first.t.track('a');
    await first.t.flush();
    await until(() => isStored(id), 'stored');
    sessionStorage.clear();
    const known = vi.fn(async () => []);
    const other = page(['ok'], known);
    await settle();
    await other.t.flush();
    expect(other.d.calls).toHaveLength(0);
    expect(known).not.toHaveBeenCalled();
  });

  it('are dropped, not asked about, when consent is revoked while the question is out', async () => {
    const first = page(['beacon']);
    const id = first.t.track('a');
    await until(() => isStored(id), 'stored');
    newPage('/next');
    let answer!: (held: string[]) => void;
    const next = page(['ok'], () => new Promise((resolve) => (answer = resolve)));
    await until(() => answer != undefined, 'asked');
    next.t.consent.update({ analytics: 'denied' });
    answer([]);
    next.t.consent.update(granted);
    await settle();
    await next.t.flush();
    expect(next.d.calls).toHaveLength(0);
  });
});

describe('a tab that crashed (no pagehide: its heartbeat just stops)', () => {
  it('has its events taken over at once by a page that opens once its heartbeat is 5 s old', async () => {
    const events = made(['a', 'b']);
    await crashedTab(events, 6000);
    const next = page(['ok'], async () => []);
    await until(async () => (await next.t.flush(), next.d.calls.length > 0), 'taken over');
    expect(next.d.sent()).toEqual(events);
  });

  it('has its events taken over within seconds by a page that was already open (it re-checks while it runs)', async () => {
    useFakeClock();
    const events = made(['a', 'b']);
    await crashedTab(events, 0); // it was alive a moment ago
    const next = page(['ok'], async () => []);
    await settle();
    await next.t.flush();
    expect(next.d.calls).toHaveLength(0);
    // The heartbeat is checked every 2 s; a tab silent for 5 s is gone.
    for (let s = 0; s < 8 && !next.d.calls.length; s++) {
      await vi.advanceTimersByTimeAsync(1000);
      await settle();
      await next.t.flush();
    }
    expect(next.d.sent()).toEqual(events);
  });
});

describe('revoking analytics consent', () => {
  it('also removes the copies left in localStorage, and what 0.1 kept in sessionStorage', async () => {
    const first = page([() => new Promise(() => {})]);
    first.t.track('a');
    leavePage();
    expect(leftKeys()).toHaveLength(1);
    sessionStorage.setItem('waybill_tab', 'tab-of-0.1');
    newPage('/next');
    const next = page(['ok'], undefined, { consent: { analytics: 'denied' } });
    await settle();
    expect(next.d.calls).toHaveLength(0);
    expect(leftKeys()).toEqual([]);
    expect(sessionStorage.length).toBe(0);
  });
});
