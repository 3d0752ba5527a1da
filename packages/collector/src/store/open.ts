import { openPostgresStore, type PostgresStoreOptions } from './postgres';
import { openSqliteStore } from './sqlite';
import type { Store } from './store';

/** Whether `db` names a PostgreSQL database (`postgres://` or `postgresql://`) rather than a SQLite file. */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db);

/** The store's methods, each of which waits for the store to be open. */
const METHODS = [
  'insert', 'list', 'count', 'known', 'deleteOlderThan', 'eraseUser',
  'claim', 'release', 'sent', 'failed', 'dead', 'expired', 'retryDead', 'stats',
  'purchasesOf', 'eventCounts', 'lastEventMinute', 'consentCounts', 'vitalCounts', 'coverage', 'orders', 'lateOrders', 'alertStates', 'moveAlert',
] as const satisfies readonly Exclude<keyof Store, 'close'>[];

/** A store, and, if it opens in the background, a promise that it is open (rejected, with the reason, if it could not be). */
export interface OpenedStore {
  store: Store;
  ready?(): Promise<void>;
}

/**
 * Opens the store `db` names: a PostgreSQL URL, or a SQLite file. SQLite opens at once (and
 * throws here); PostgreSQL opens in the background, and every call waits for it. A PostgreSQL
 * store that could not be opened (the server is down) is tried again on the next call, so that
 * a collector started before its database serves once the database is up.
 */
export function openStore(db: string, options: PostgresStoreOptions = {}): OpenedStore {
  if (!isPostgresUrl(db)) {
    return { store: openSqliteStore(db) };
  }
  let opening: Promise<Store> | undefined;
  let closed = false;
  const open = (): Promise<Store> => {
    if (closed) return Promise.reject(new Error('the store is closed'));
    return (opening ??= openPostgresStore(db, options).catch((error: unknown) => {
      opening = undefined;
      throw error;
    }));
  };
  const store = Object.fromEntries(
    METHODS.map((method) => [method, async (...args: unknown[]) => ((await open())[method] as (...a: unknown[]) => unknown)(...args)]),
  ) as unknown as Store;
  store.close = async () => {
    closed = true;
    const opened = await opening?.catch(() => undefined);
    await opened?.close();
  };
  void open().catch(() => {}); // start connecting now; the error is the caller's, through ready() or a call
  return { store, ready: () => open().then(() => undefined) };
}
