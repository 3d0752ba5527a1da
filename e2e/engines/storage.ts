// What a browser holds for the page's origin, read the same way in every engine: cookies from
// the driver (it sees HttpOnly ones too), Web Storage and IndexedDB from inside the page.
import type { BrowserCookie, EnginePage } from './driver';

/** One IndexedDB object store: its keys and values. */
export interface StoreDump {
  name: string;
  keys: unknown[];
  values: unknown[];
}

/** Everything the origin holds. */
export interface Held {
  cookies: BrowserCookie[];
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  /**
   * Every IndexedDB database of the origin, with its stores. `unanswered`: opening it got no
   * answer at all (WebKitGTK can leave a page's `indexedDB.open` pending; see the README).
   */
  indexedDB: { name: string; stores: StoreDump[]; unanswered?: true }[];
}

/** Runs in the page. Reading creates nothing: a database deleted since `databases()` is not re-created. */
async function dumpInPage(): Promise<Omit<Held, 'cookies'>> {
  const dump = (s: Storage) => {
    const out: Record<string, string> = {};
    for (let i = 0; i < s.length; i++) out[s.key(i)!] = s.getItem(s.key(i)!)!;
    return out;
  };
  const UNANSWERED = 'unanswered';
  const result = <T>(req: IDBRequest<T>) =>
    new Promise<T | undefined | typeof UNANSWERED>((done) => {
      req.onsuccess = () => done(req.result);
      req.onerror = () => done(undefined);
      setTimeout(() => done(UNANSWERED), 3000);
    });
  const indexedDB: { name: string; stores: { name: string; keys: unknown[]; values: unknown[] }[]; unanswered?: true }[] = [];
  for (const info of await window.indexedDB.databases()) {
    if (!info.name) continue;
    const open = window.indexedDB.open(info.name);
    open.onupgradeneeded = () => open.transaction?.abort();
    const db = await result(open);
    if (db === UNANSWERED) indexedDB.push({ name: info.name, stores: [], unanswered: true });
    if (!db || db === UNANSWERED) continue;
    db.onversionchange = () => db.close(); // never block the SDK deleting it
    const stores = [];
    for (const name of Array.from(db.objectStoreNames)) {
      const store = db.transaction(name, 'readonly').objectStore(name);
      const [keys, values] = await Promise.all([result(store.getAllKeys()), result(store.getAll())]);
      // Through JSON, so every driver returns the same plain data.
      stores.push(JSON.parse(JSON.stringify({ name, keys: Array.isArray(keys) ? keys : [], values: Array.isArray(values) ? values : [] })));
    }
    db.close();
    indexedDB.push({ name: info.name, stores });
  }
  return { localStorage: dump(window.localStorage), sessionStorage: dump(window.sessionStorage), indexedDB };
}

/** Cookies, Web Storage and IndexedDB of the page's origin. */
export async function readStorage(page: EnginePage): Promise<Held> {
  const [cookies, inPage] = await Promise.all([page.cookies(), page.evaluate(dumpInPage)]);
  return { cookies, ...inPage };
}

/** Everything held, as one string to search. */
export const heldText = (held: Held): string => JSON.stringify(held);

const EVENT_TYPES = ['page', 'track', 'identify'];

/**
 * Events Waybill keeps in its IndexedDB databases, wherever they sit in a record (today one
 * `{ e: event, … }` per event; a batch of them would do as well); not the tabs' heartbeats.
 */
export function storedEvents(held: Held): { id: string; name: string }[] {
  const found: { id: string; name: string }[] = [];
  const walk = (value: unknown, depth: number): void => {
    if (!value || typeof value !== 'object' || depth > 4) return;
    const v = value as { id?: unknown; type?: unknown; name?: unknown };
    if (typeof v.id === 'string' && EVENT_TYPES.includes(v.type as string)) return void found.push({ id: v.id, name: String(v.name) });
    for (const child of Object.values(value)) walk(child, depth + 1);
  };
  for (const db of held.indexedDB) if (db.name.startsWith('waybill')) for (const store of db.stores) walk(store.values, 0);
  return found;
}

/** Waybill's own keys: its localStorage and sessionStorage entries and IndexedDB databases. */
export function waybillKeys(held: Held): string[] {
  return [
    ...Object.keys(held.localStorage).map((k) => `localStorage:${k}`),
    ...Object.keys(held.sessionStorage).map((k) => `sessionStorage:${k}`),
    ...held.indexedDB.map((db) => `indexedDB:${db.name}`),
  ].filter((key) => key.split(':')[1]!.startsWith('waybill'));
}
