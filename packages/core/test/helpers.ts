import { afterEach, beforeEach, vi } from 'vitest';
import corePackage from '../package.json';
import { IDBFactory } from 'fake-indexeddb';
import type { Category, Destination, SendResult, WaybillEvent } from '@waybill/core';

/** What a fake destination answers: a `SendResult`, an `Error` to throw, or a function of the call. */
export type Reply = SendResult | Error | ((events: WaybillEvent[], unload: boolean, call: number) => SendResult | Promise<SendResult>);

export interface Call {
  events: WaybillEvent[];
  unload: boolean;
  /** `Date.now()` when `send` was called (fake time in timer tests). */
  at: number;
}

export interface FakeDestination extends Destination {
  calls: Call[];
  /** Names of every event sent, in order. */
  names(): string[];
  /** Every event sent, in order. */
  sent(): WaybillEvent[];
}

/**
 * A destination that records what it is sent and answers from a script: `replies[n]` for
 * the n-th call, the last reply for every call after that (default `'ok'`).
 */
export function fakeDestination(options: { name?: string; category?: Category; persist?: boolean; replies?: Reply[] } = {}): FakeDestination {
  const { name = 'fake', category = 'analytics', persist, replies = ['ok'] } = options;
  const calls: Call[] = [];
  return {
    name,
    category,
    persist,
    calls,
    names: () => calls.flatMap((c) => c.events.map((e) => e.name)),
    sent: () => calls.flatMap((c) => c.events),
    send(events, unload) {
      const call = calls.length;
      // A copy, so a later change to the queue cannot rewrite what was sent.
      calls.push({ events: JSON.parse(JSON.stringify(events)), unload, at: Date.now() });
      const reply = replies[Math.min(call, replies.length - 1)];
      if (reply instanceof Error) throw reply;
      return typeof reply == 'function' ? reply(events, unload, call) : reply;
    },
  };
}

/** A promise with its resolve function, to hold a `send` in flight. */
export function deferred<T = SendResult>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** One real macrotask: lets promise chains and fake-indexeddb (which runs on `setImmediate`) move on. */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Wait (in real macrotasks, never in time) until `condition` holds; fails after 2,000 turns. */
export async function until(condition: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await condition()) return;
    await tick();
  }
  throw new Error('never happened: ' + what);
}

/** Let pending storage and promise work settle (a fixed number of macrotasks, not a time). */
export async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await tick();
}

/**
 * Timer faking that leaves `setImmediate` real, because fake-indexeddb needs it.
 * `Date` is faked too, so `Date.now()` follows the fake clock.
 */
export function useFakeClock(now = Date.UTC(2025, 0, 15, 12, 0, 0)) {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now });
}

/** The page is being hidden (tab switch, navigation on mobile). */
export function hidePage() {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  // As in browsers, the event fires at the document and bubbles to the window.
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  delete (document as { visibilityState?: unknown }).visibilityState;
}

/** The page is being left. */
export function leavePage() {
  window.dispatchEvent(new Event('pagehide'));
}

/**
 * Per-test isolation for DOM tests: a fresh IndexedDB, empty Web Storage,
 * the landing URL reset, and the page-level listeners of every tracker created in the
 * test removed afterwards (a tracker has no destroy method; a real page would be gone).
 */
export function isolatePage() {
  const listeners: [string, EventListenerOrEventListenerObject][] = [];
  beforeEach(() => {
    (globalThis as { indexedDB: unknown }).indexedDB = new IDBFactory();
    localStorage.clear();
    sessionStorage.clear();
    history.replaceState(null, '', '/');
    const add = globalThis.addEventListener.bind(globalThis);
    vi.spyOn(globalThis, 'addEventListener').mockImplementation((type: string, fn: EventListenerOrEventListenerObject, opts?: boolean | AddEventListenerOptions) => {
      listeners.push([type, fn]);
      add(type, fn, opts);
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    for (const [type, fn] of listeners.splice(0)) globalThis.removeEventListener(type, fn);
    vi.useRealTimers();
    delete (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl;
  });
}

/**
 * Simulate a new page in the same tab: the old page is left (its `pagehide` fires, as in a
 * navigation), storage stays, and the URL is the new page's.
 */
export function newPage(url = '/') {
  leavePage();
  history.replaceState(null, '', url);
}

/** Names of the IndexedDB databases that exist now. */
export const databases = async () => (await indexedDB.databases()).map((d) => d.name);

/**
 * Everything in Waybill's IndexedDB store as one JSON string ('' when there is no database),
 * so tests can look for an event id or a raw value without knowing the record layout.
 */
export async function storedText(): Promise<string> {
  if (!(await databases()).includes('waybill')) return '';
  const db = await new Promise<IDBDatabase | undefined>((resolve) => {
    const open = indexedDB.open('waybill');
    // Deleted since databases() (a revoke): abort, so that reading never creates a database.
    open.onupgradeneeded = () => open.transaction?.abort();
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => resolve(undefined);
  });
  if (!db) return '';
  try {
    if (!db.objectStoreNames.length) return '';
    const store = db.transaction(Array.from(db.objectStoreNames), 'readonly').objectStore(db.objectStoreNames[0]);
    const values = await new Promise<unknown[]>((resolve, reject) => {
      const all = store.getAll();
      all.onsuccess = () => resolve(all.result);
      all.onerror = () => reject(all.error);
    });
    return JSON.stringify(values);
  } finally {
    db.close();
  }
}

/** Everything in localStorage, sessionStorage and cookies as one string. */
export function webStorageText(): string {
  const dump = (s: Storage) => Array.from({ length: s.length }, (_, i) => s.key(i) + '=' + s.getItem(s.key(i)!)).join('\n');
  return [dump(localStorage), dump(sessionStorage), document.cookie].join('\n');
}

/** The package version, which the build writes into every event's `context.library`. */
export const VERSION: string = corePackage.version;

/** A random (version 4) UUID: the visitor's anonymous and session ids. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A time-ordered (version 7) UUID: event ids. */
export const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A minimal wire event; `pad` adds that many characters of props. */
export const wireEvent = (n: number, pad = 0): WaybillEvent => ({
  id: 'evt-' + n,
  type: 'track',
  name: 'view_item',
  props: pad ? { pad: 'x'.repeat(pad) } : {},
  ts: 1_700_000_000_000 + n,
  anonymousId: 'anon',
  sessionId: 'sess',
  context: {
    page: { url: 'https://shop.example/', path: '/', referrer: '', title: 'Shop' },
    locale: 'en-US',
    timezone: 'UTC',
    screen: '1280x720',
    campaign: {},
    clickIds: {},
    consent: { necessary: 'granted', analytics: 'granted' },
    library: { name: 'waybill', version: '0.0.0-test' },
  },
});
