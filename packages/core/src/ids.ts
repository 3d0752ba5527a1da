import { uuid } from './uuid';

/** The visitor's ids and the landing of their session, as the tracker holds them. */
export interface Ids {
  anonymousId: string;
  sessionId: string;
  /** Last activity (ms since the epoch): a session ends after `sessionTimeout` without any. */
  lastSeen_: number;
  userId?: string;
  /** `utm_*` parameters of the URL the session started on. */
  campaign?: Record<string, string>;
  /** Ad click ids (`ttclid`, `gclid`, `fbclid`) of the URL the session started on. */
  clickIds?: Record<string, string>;
}

/** The campaign and click ids of a landing URL, or nothing when it has neither. */
export type Landing = Pick<Ids, 'campaign' | 'clickIds'>;

/**
 * The ids as saved under {@link IDS_KEY} in localStorage. These short names are a stored
 * format: every release must read what earlier ones wrote (test/compat.test.ts).
 */
interface SavedIds {
  /** anonymous id */
  a: string;
  /** session id */
  s: string;
  /** last activity */
  t: number;
  /** user id */
  u?: string;
  /** campaign */
  c?: Record<string, string>;
  /** click ids */
  k?: Record<string, string>;
}

export const IDS_KEY = 'waybill_ids';

/**
 * Anonymous, session and user ids. They live in memory until `persist(true)`
 * (analytics granted) and are forgotten by `persist(false)` (revoked).
 * `read` gives the campaign and click ids of the URL now, or nothing: read once for this
 * page, and again when a session starts later on it (a single-page app left idle).
 */
export const createIds = (timeout: number, read: () => Landing) => {
  const landing = read();
  const fresh = (): Ids => ({ anonymousId: uuid(), sessionId: uuid(), lastSeen_: Date.now(), ...landing });
  let ids = fresh();
  let keep = false;
  /** `lastSeen_` as last saved. */
  let saved = 0;
  const save = () => {
    try {
      if (keep) {
        const stored: SavedIds = { a: ids.anonymousId, s: ids.sessionId, t: (saved = ids.lastSeen_), u: ids.userId, c: ids.campaign, k: ids.clickIds };
        localStorage.setItem(IDS_KEY, JSON.stringify(stored));
      }
    } catch {}
  };
  return {
    /**
     * The ids now: a new session after `timeout` of inactivity, with the campaign of the URL it
     * starts on. Saved when they change, and the time of activity at most once a minute (and
     * when the page is hidden), not on every event.
     */
    touch_(now: number) {
      if (now - ids.lastSeen_ > timeout) ids = { anonymousId: ids.anonymousId, sessionId: uuid(), lastSeen_: now, userId: ids.userId, ...read() };
      else if (now - saved < 6e4) return (ids.lastSeen_ = now), ids;
      ids.lastSeen_ = now;
      save();
      return ids;
    },
    save_: save,
    user_(userId?: string) {
      ids.userId = userId;
      save();
    },
    /** Start keeping ids (a returning visitor gets theirs back) or forget them. Returns the ids replaced. */
    persist_(on: boolean) {
      const old = ids;
      keep = on;
      try {
        if (!on) localStorage.removeItem(IDS_KEY), (ids = fresh());
        else {
          const saved: SavedIds | null = JSON.parse(localStorage.getItem(IDS_KEY)!);
          // A fresh landing's campaign wins over the saved one.
          if (saved?.a && saved.s) ids = { anonymousId: saved.a, sessionId: saved.s, lastSeen_: saved.t, userId: ids.userId || saved.u, campaign: saved.c, clickIds: saved.k, ...landing };
        }
      } catch {}
      save();
      return old;
    },
  };
};

export type IdStore = ReturnType<typeof createIds>;
