import { uuid } from './uuid';

/** The ids, as kept under `waybill_ids` in localStorage once analytics is granted. */
export interface Ids {
  /** anonymous id */
  a: string;
  /** session id */
  s: string;
  /** last activity (ms) */
  t: number;
  /** user id */
  u?: string;
  /** the session's landing: `utm_*` and click ids */
  c?: Record<string, string>;
  k?: Record<string, string>;
}

export const IDS_KEY = 'waybill_ids';

/**
 * Anonymous, session and user ids. They live in memory until `persist(true)`
 * (analytics granted) and are forgotten by `persist(false)` (revoked).
 * `read` gives the campaign and click ids of the URL now, or nothing: read once for this
 * page, and again when a session starts later on it (a single-page app left idle).
 */
export const createIds = (timeout: number, read: () => Pick<Ids, 'c' | 'k'>) => {
  const landing = read();
  const fresh = (): Ids => ({ a: uuid(), s: uuid(), t: Date.now(), ...landing });
  let ids = fresh();
  let keep = false;
  const save = () => {
    try {
      if (keep) localStorage.setItem(IDS_KEY, JSON.stringify(ids));
    } catch {}
  };
  return {
    /** The ids now: a new session after `timeout` of inactivity, with the campaign of the URL it starts on. */
    touch(now: number) {
      if (now - ids.t > timeout) ids = { a: ids.a, s: uuid(), t: now, u: ids.u, ...read() };
      ids.t = now;
      save();
      return ids;
    },
    user(userId?: string) {
      ids.u = userId;
      save();
    },
    /** Start keeping ids (a returning visitor gets theirs back) or forget them. Returns the ids replaced. */
    persist(on: boolean) {
      const old = ids;
      keep = on;
      try {
        if (!on) localStorage.removeItem(IDS_KEY), (ids = fresh());
        else {
          const saved: Ids | null = JSON.parse(localStorage.getItem(IDS_KEY)!);
          // A fresh landing's campaign wins over the saved one.
          if (saved?.a && saved.s) ids = { ...saved, ...landing, u: ids.u || saved.u };
        }
      } catch {}
      save();
      return old;
    },
  };
};
