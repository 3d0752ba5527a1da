import { createStore as idbStore, promisifyRequest as done, type UseStore } from 'idb-keyval';

export const DB = 'waybill';

/**
 * The IndexedDB store behind persistence: an idb-keyval store of its own, which opens
 * the database on first use, so nothing exists before consent. Every call resolves,
 * even when storage fails (private modes, quota).
 */
export const createStore = () => {
  let use: UseStore | undefined;
  const run = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => T | PromiseLike<T>) =>
    (use ||= idbStore(DB, 'q'))(mode, (s) => {
      // Let another tab delete the database (a revoke there) instead of blocking it.
      s.transaction.db.onversionchange = () => s.transaction.db.close();
      return fn(s);
    }).catch(() => undefined);

  return {
    set: (items: [string, unknown][]) => run('readwrite', (s) => (items.map(([k, v]) => s.put(v, k)), done(s.transaction))),
    del: (keys: string[]) => run('readwrite', (s) => (keys.map((k) => s.delete(k)), done(s.transaction))),
    all: <T>() =>
      run('readonly', (s) => Promise.all([done(s.getAllKeys()), done(s.getAll())])).then(
        (r) => r && r[0].map((k, i): [string, T] => [k as string, r[1][i]]),
      ),
    /** Close the connection and delete the database. */
    async drop() {
      if (use) await run('readonly', (s) => s.transaction.db.close());
      use = undefined;
      await done(indexedDB.deleteDatabase(DB)).catch(() => {});
    },
  };
};

export type Store = ReturnType<typeof createStore>;
