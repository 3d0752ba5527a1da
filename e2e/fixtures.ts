// Playwright fixtures and helpers shared by the end-to-end tests.
import { createHash } from 'node:crypto';
import { test as base, expect, type Cookie, type Page } from '@playwright/test';
import type { StoredEvent } from '@waybill/collector';
import type { Tracker, WaybillEvent, WireBatch, WireBatchV2 } from '@waybill/core';
import { unbatch } from '../packages/collector/src/wire';
import { plainPage, shopPage, type Mode, type ShopPageOptions } from './pages';
import { startSite, type TestSite } from './server';

export { expect };
export type { Mode, StoredEvent, TestSite };

declare global {
  interface Window {
    /** The page's command function (see pages.ts): `wb('track', name, props)`. */
    wb(command: string, ...args: unknown[]): unknown;
    /** The loaded tracker (`window.waybill` or `window.tracker`), undefined until the bundle ran. */
    sdk(): Tracker | undefined;
    waybill: ((...args: unknown[]) => unknown) & Partial<Tracker> & { q?: ArrayLike<unknown>[] };
    tracker: Tracker;
    pageScriptDone?: boolean;
  }
}

interface Fixtures {
  /** How the shop page installs the SDK. Set with `test.use({ mode })`. */
  mode: Mode;
  /** This test's own site and collector. */
  site: TestSite;
  /** Serve a shop page (in this test's mode) and return its URL. */
  shop(options?: Omit<ShopPageOptions, 'mode'>): string;
  /** Serve a page without the SDK and return its URL. */
  elsewhere(): string;
  /** Uncaught errors and unhandled rejections of the page; the test fails if any. */
  pageErrors: Error[];
}

export const test = base.extend<Fixtures>({
  mode: ['script', { option: true }],
  // Playwright reads the fixtures a fixture needs from this (empty) pattern.
  site: async ({}, use) => {
    const site = await startSite();
    await use(site);
    await site.close();
  },
  shop: async ({ site, mode }, use) => {
    await use((options = {}) => site.addPage(shopPage({ mode, ...options })));
  },
  elsewhere: async ({ site }, use) => {
    await use(() => site.addPage(plainPage()));
  },
  pageErrors: [
    async ({ page }, use) => {
      const errors: Error[] = [];
      page.on('pageerror', (error) => errors.push(error));
      // E2E_CONSOLE=1 shows the SDK's debug log while working on a test.
      if (process.env.E2E_CONSOLE) page.on('console', (m) => console.log(`[${m.type()}] ${m.text().slice(0, 300)}`));
      await use(errors);
      expect(errors.map(String), 'uncaught errors in the page').toEqual([]);
    },
    { auto: true },
  ],
});

/** Both ways of installing the SDK, for `for (const mode of MODES) test.describe(...)`. */
export const MODES: Mode[] = ['script', 'npm'];

/** Wait until the SDK has loaded in the page (the async bundle, or the module). */
export async function sdkReady(page: Page): Promise<void> {
  await page.waitForFunction(() => window.pageScriptDone === true && window.sdk() !== undefined);
}

/** Call the tracker's `flush()` in the page and wait for it to settle. */
export async function flush(page: Page): Promise<void> {
  await sdkReady(page);
  await page.evaluate(() => window.sdk()!.flush());
}

/**
 * `expect.poll` with short intervals: the conditions here are cheap to check and usually
 * met within a few hundred milliseconds, and the default backoff would add seconds per wait.
 */
export const poll = <T>(fn: () => T | Promise<T>, message: string) =>
  expect.poll(fn, { message, timeout: 15_000, intervals: [50, 100, 200] });

/** Poll the collector until it holds at least `n` events (named `name`, if given) and every request to it is answered; returns the events oldest first. */
export async function waitForEvents(site: TestSite, n: number, name?: string): Promise<StoredEvent[]> {
  await poll(() => site.events(name).length, `collector holds ${n} ${name ?? ''} events`).toBeGreaterThanOrEqual(n);
  // The collector stores before it answers: let the answers reach the record too.
  await poll(() => site.requests.filter((r) => r.status === undefined).length, 'requests still unanswered').toBe(0);
  return site.events(name);
}

/** Every event in every request body to /collect, whole (a v2 batch's rebuilt), in the order sent (a request's body that is not a batch is skipped). */
export function wireEvents(site: TestSite): (WaybillEvent & { request: number })[] {
  return site.requests.flatMap((r, request) => {
    try {
      return unbatch(JSON.parse(r.body) as WireBatch | WireBatchV2).map((e) => ({ ...e, request }));
    } catch {
      return [];
    }
  });
}

/** Requests whose body carries an event with one of these ids. */
export const requestsWith = (site: TestSite, ids: string[]) =>
  site.requests.filter((r) => ids.some((id) => r.body.includes(JSON.stringify(id))));

/** Hex SHA-256, as the SDK must send hashed traits. */
export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** What the browser holds for the page's origin. */
export interface BrowserStorage {
  cookies: Cookie[];
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  /** Every IndexedDB database of the origin with its stores, their entry counts and contents (JSON). */
  indexedDB: { name: string; stores: { name: string; count: number; content: string }[] }[];
}

/** Cookies, Web Storage and IndexedDB of the page's origin. Reading never creates a database. */
export async function browserStorage(page: Page): Promise<BrowserStorage> {
  const inPage = await page.evaluate(async () => {
    const dump = (s: Storage) => {
      const out: Record<string, string> = {};
      for (let i = 0; i < s.length; i++) out[s.key(i)!] = s.getItem(s.key(i)!)!;
      return out;
    };
    const asPromise = <T>(req: IDBRequest<T>) =>
      new Promise<T | undefined>((done) => {
        req.onsuccess = () => done(req.result);
        req.onerror = () => done(undefined);
      });
    const json = (value: unknown) => {
      try {
        return JSON.stringify(value);
      } catch {
        return String(value);
      }
    };
    const databases = [];
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const open = indexedDB.open(info.name);
      // Fires only if the database was deleted since databases(): abort, so reading creates nothing.
      open.onupgradeneeded = () => open.transaction?.abort();
      const db = await asPromise(open);
      if (!db) continue;
      db.onversionchange = () => db.close(); // never block the SDK deleting it
      const stores = [];
      for (const name of Array.from(db.objectStoreNames)) {
        const store = db.transaction(name, 'readonly').objectStore(name);
        const [keys, values] = await Promise.all([asPromise(store.getAllKeys()), asPromise(store.getAll())]);
        stores.push({ name, count: keys?.length ?? 0, content: json({ keys, values }) });
      }
      db.close();
      databases.push({ name: info.name, stores });
    }
    return { localStorage: dump(localStorage), sessionStorage: dump(sessionStorage), indexedDB: databases };
  });
  return { cookies: await page.context().cookies(), ...inPage };
}

/** Entries in the SDK's IndexedDB databases (names starting with `waybill`). */
export const storedCount = (s: BrowserStorage): number =>
  s.indexedDB.filter((db) => db.name.startsWith('waybill')).reduce((n, db) => n + db.stores.reduce((m, st) => m + st.count, 0), 0);

/** Everything the browser holds, as one string to search. */
export const storageText = (s: BrowserStorage): string =>
  JSON.stringify([s.cookies, s.localStorage, s.sessionStorage, s.indexedDB.map((db) => db.stores.map((st) => st.content))]);

/** Assert that the browser holds nothing at all for the origin: no cookie, no Web Storage key, no IndexedDB database. */
export async function expectNothingStored(page: Page, when: string): Promise<void> {
  const s = await browserStorage(page);
  expect(s.cookies, `cookies ${when}`).toEqual([]);
  expect(Object.keys(s.localStorage), `localStorage ${when}`).toEqual([]);
  expect(Object.keys(s.sessionStorage), `sessionStorage ${when}`).toEqual([]);
  expect(s.indexedDB.map((db) => db.name), `IndexedDB databases ${when}`).toEqual([]);
}

/**
 * Leave the current page for a new shop page and prove that the previous page sent nothing
 * when it was hidden: the new page grants consent and sends `sentinel`; a beacon sent at the
 * previous page's pagehide leaves before this page even loads, so once the sentinel is stored
 * every earlier request has arrived. Also checks that nothing was stored before the grant.
 */
export async function leaveAndProveSilence(page: Page, site: TestSite, shop: Fixtures['shop']): Promise<void> {
  await page.goto(shop({ flushInterval: 100 }));
  await sdkReady(page);
  await expectNothingStored(page, 'on the next page, before consent');
  await page.evaluate(() => {
    window.wb('consent', { analytics: 'granted' });
    window.wb('track', 'sentinel');
  });
  await waitForEvents(site, 1, 'sentinel');
  expect(wireEvents(site).map((e) => e.name), 'events sent: only the sentinel').toEqual(['sentinel']);
}
