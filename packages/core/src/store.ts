import { createStore as idbStore, promisifyRequest as done, type UseStore } from 'idb-keyval';

export const DB = 'waybill';

/**
 * The IndexedDB store behind persistence: an idb-keyval store of its own. Nothing is
 * opened before `open()` and the first call after it, so nothing exists before consent;
 * after `drop()` calls do nothing until the next `open()`, and an `open()` right after a
 * `drop()` (deny, then grant) waits until the old database is gone. Every call resolves,
 * within 3 s, even when storage throws or hangs (private modes, blocked cookies, quota).
 */
export const createStore = () => {
  let use: UseStore | undefined;
  /** The last `drop()`: a new database is opened only after it. */
  let dropped: Promise<unknown> = Promise.resolve();
  const run = async <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => T | PromiseLike<T>, store = use) => {
    try {
      return await Promise.race([
        store?.(mode, (s) => {
          // Let another tab delete the database (a revoke there) instead of blocking it.
          s.transaction.db.onversionchange = () => s.transaction.db.close();
          return fn(s);
        }),
        // Given up after 3 s (as a failure): an open can wait for ever behind another page's,
        // when that page was frozen in the back/forward cache while creating the database (WebKit).
        new Promise<void>((done) => setTimeout(done, 3e3)),
      ]);
    } catch {}
  };

  return {
    open() {
      if (!use) {
        const opened = dropped.then(() => idbStore(DB, 'q'));
        use = (mode, fn) => opened.then((s) => s(mode, fn));
      }
    },
    /** Resolves to true once the transaction has completed, and to nothing when it failed. */
    set: (items: [string, unknown][]) => run('readwrite', (s) => (items.map(([k, v]) => s.put(v, k)), done(s.transaction).then(() => true))),
    del: (keys: string[]) => run('readwrite', (s) => (keys.map((k) => s.delete(k)), done(s.transaction))),
    /** Every entry, or those whose keys start with `prefix`. */
    all: <T>(prefix?: string) =>
      run('readonly', (s) => {
        const range = prefix ? IDBKeyRange.bound(prefix, prefix + '\uffff') : undefined;
        return Promise.all([done(s.getAllKeys(range)), done(s.getAll(range))]);
      }).then(
        (r) => r && r[0].map((k, i): [string, T] => [k as string, r[1][i]]),
      ),
    /** Close the connection and delete the database. */
    drop() {
      const old = use;
      use = undefined;
      dropped = run('readonly', (s) => s.transaction.db.close(), old)
        .then(() => done(indexedDB.deleteDatabase(DB)))
        .catch(() => {});
    },
  };
};

export type Store = ReturnType<typeof createStore>;
