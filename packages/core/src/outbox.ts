import type { Lane } from './lane';
import type { Logger } from './log';
import type { Store } from './store';
import type { WaybillEvent } from './types';
import { uuid } from './uuid';

/**
 * A stored event, kept in IndexedDB under `<destination> <event id>`. The one-letter names are
 * a stored format, read by every later release (test/compat.test.ts): never rename them.
 * (0.1.0 also wrote `g`, the page; it is ignored.)
 */
interface StoredRecord {
  /** the destination's name */
  d: string;
  /** its owner: the page that will send it (a page takes a new owner id each time it is hidden) */
  o: string;
  /** its order among the events of its page, for events of the same millisecond */
  n: number;
  /** the event */
  e: WaybillEvent;
}

type Entry = [key: string, record: StoredRecord];

/** While storing, a page writes its heartbeat (`hb <owner>`: the time) this often. */
const BEAT = 2000;
/** An owner whose heartbeat is older than this is gone (a crash, a page killed): its events may be taken over. */
const ALIVE = 5000;
/**
 * A page being hidden writes `waybill_left <owner>` to localStorage, synchronously: its owner
 * is released, and the value holds the records IndexedDB had not written yet.
 */
const LEFT = 'waybill_left ';
/** Records per IndexedDB transaction, so a burst of events is written in a few tasks, not one long one. */
const WRITE_BATCH = 250;

/**
 * The outbox: events of persisting destinations, stored (only while analytics is granted)
 * until their destination has them.
 *
 * - Writes are batched: one transaction for the events of a task, after `track()` has returned.
 * - When the page is hidden, what IndexedDB has not written yet is copied to localStorage in
 *   the same task, and the page gives up ownership of everything it stored.
 * - Every page takes over (`sweep`) the events of owners that are gone: released at page hide,
 *   or silent for {@link ALIVE} ms (crashed). At start, then every {@link BEAT} ms if needed.
 * - Before sending them again it asks the destination which it already holds (`known`):
 *   a beacon whose fate the old page never learnt has usually arrived, and is not sent twice.
 *
 * @param resend sends a lane's ready events now, by fetch (taken-over events were just put in front)
 * @param maxEvents most events kept (each lane's queue is capped at this number too); the oldest go first
 * @param maxAge ms after which a stored event is dropped
 */
export const createOutbox = (
  store: Store,
  lanes: Lane[],
  granted: (lane: Lane) => boolean,
  resend: (lane: Lane) => unknown,
  log: Logger['log'],
  maxEvents: number,
  maxAge: number,
) => {
  let owner = uuid();
  /** This owner has records (so it must release them when the page is hidden). */
  let owns = false;
  let storing = false;
  let order = 0;
  /** Records to write, and records in a transaction that has not completed: both are lost if the page goes now. */
  const unwritten = new Map<string, StoredRecord>();
  const writing = new Map<string, StoredRecord>();
  /** A chain of writes is running: each transaction starts when the one before has completed. */
  let busy = false;
  let beatTimer: ReturnType<typeof setInterval> | undefined;

  const keyOf = (d: string, e: WaybillEvent) => d + ' ' + e.id;
  const heartbeat = (): [string, number] => ['hb ' + owner, Date.now()];
  const keeps = (lane: Lane) => storing && lane.destination_.persist;

  /** Write records (and the heartbeat) in one transaction; resolves when it has completed (or failed). */
  const write = (entries: Entry[]) => {
    for (const [key, record] of entries) writing.set(key, record);
    return store.set([heartbeat(), ...entries]).then(() => {
      for (const [key, record] of entries) if (writing.get(key) == record) writing.delete(key);
    });
  };

  const writeSome = () => {
    const entries: Entry[] = [];
    for (const entry of unwritten) if (entries.push(entry) == WRITE_BATCH) break;
    for (const [key] of entries) unwritten.delete(key);
    if ((busy = entries.length > 0)) write(entries).then(writeSome);
  };

  const keep = (lane: Lane, events: WaybillEvent[]) => {
    if (keeps(lane) && events.length) {
      for (const e of events) unwritten.set(keyOf(lane.destination_.name, e), { d: lane.destination_.name, o: owner, n: order++, e });
      owns = true;
      // After the task that tracked them: every event tracked in it goes in one transaction.
      if (!busy) (busy = true), queueMicrotask(writeSome);
    }
  };

  const forget = (lane: Lane, events: WaybillEvent[]) => {
    const keys = events.map((e) => keyOf(lane.destination_.name, e));
    for (const key of keys) unwritten.delete(key), writing.delete(key);
    // A put still in flight lands first: IndexedDB runs a store's read-write transactions in order.
    store.del(keys);
  };

  /** The `waybill_left` keys in localStorage: pages that have been hidden since the last sweep. */
  const left = () => {
    const keys: string[] = [];
    try {
      for (let i = localStorage.length; i--; ) if (localStorage.key(i)!.startsWith(LEFT)) keys.push(localStorage.key(i)!);
    } catch {}
    return keys;
  };

  // Two tabs sweeping at once must not both take the same events.
  const locked = <T>(fn: () => Promise<T>) => ((navigator.locks ? navigator.locks.request('waybill', fn) : fn()) as Promise<T>).catch(() => {});

  /**
   * Tidy the store (age, count, dead heartbeats) and take over the events whose owner is gone;
   * then, per destination, ask which of them it holds and send the rest again.
   */
  const sweep = () =>
    locked(async () => {
      if (!storing) return;
      const now = Date.now();
      const gone = left();
      const released = new Set(gone.map((key) => key.slice(LEFT.length)));
      const records = new Map<string, StoredRecord>();
      for (const key of gone) {
        try {
          for (const record of JSON.parse(localStorage.getItem(key)!)) records.set(keyOf(record.d, record.e), record);
        } catch {}
      }
      const live = new Set([owner]);
      const drop: string[] = [];
      for (const [key, value] of (await store.all<StoredRecord | number>()) || []) {
        if (typeof value != 'number') records.set(key, value);
        else if (now - value < ALIVE && !released.has(key.slice(3))) live.add(key.slice(3));
        else drop.push(key);
      }
      const kept = [...records].filter(([key, r]) => now - r?.e?.ts < maxAge || !drop.push(key));
      kept.sort((a, b) => a[1].e.ts - b[1].e.ts || a[1].n - b[1].n);
      while (kept.length > maxEvents) drop.push(kept.shift()![0]);
      const taken = kept.filter(([, r]) => !live.has(r.o)).map(([key, r]): Entry => [key, { ...r, o: owner }]);
      owns ||= !!taken.length;
      await Promise.all([write(taken), store.del(drop)]);
      for (const key of gone) localStorage.removeItem(key);
      return taken;
    }).then(async (taken) => {
      const asker = owner;
      for (const lane of lanes) {
        const events = (taken || []).filter(([, r]) => r.d == lane.destination_.name).map(([, r]) => r.e);
        const closings = lane.closings_;
        if (!events.length || !granted(lane)) continue;
        let held: string[] | void;
        try {
          held = await lane.destination_.known?.(events.map((e) => e.id));
        } catch {}
        // Consent may have been revoked while the question was out: then these are gone. Or the
        // page was hidden, so they are released (a question cut off by a navigation is no answer).
        if (lane.closings_ != closings || owner != asker) continue;
        const missing = events.filter((e) => !held?.includes(e.id));
        forget(lane, events.filter((e) => !missing.includes(e)));
        if (missing.length) {
          log('resending stored', missing);
          lane.ready_.unshift(...missing);
          // Send them now, by fetch, so a confirmed delivery clears them before this page hides.
          resend(lane);
        }
      }
    });

  /** Say this page is alive; take over from an owner that has been hidden or has gone silent. */
  const beat = async () => {
    // Nothing to keep alive or take over without a destination that stores its events.
    if (!lanes.some((lane) => lane.destination_.persist)) return;
    store.set([heartbeat()]);
    const beats = (await store.all<number>('hb ')) || [];
    if (left().length || beats.some(([key, time]) => key != 'hb ' + owner && Date.now() - time > ALIVE)) sweep();
  };

  return {
    /** Store events of the lane (when it keeps them): written in the next task, with whatever else is tracked in this one. */
    keep_: keep,
    /** Forget events the destination has taken (or refused for good). */
    forget_: forget,
    /** Start storing (analytics granted) and take over what earlier pages left, or stop and delete everything stored (revoked). */
    turn_(on: boolean) {
      storing = on;
      clearInterval(beatTimer);
      if (on) store.open(), (beatTimer = setInterval(beat, BEAT)), sweep();
      else {
        store.drop();
        unwritten.clear();
        writing.clear();
        try {
          for (const key of left()) localStorage.removeItem(key);
          // What 0.1 kept for the tab.
          sessionStorage.removeItem('waybill_tab');
        } catch {}
      }
    },
    /**
     * The page is being hidden: copy what is not written yet to localStorage and give up what
     * this page owns, all now (the page may be gone before another task runs). Later events
     * get a new owner. With `gone` (pagehide) the heartbeat stops; `pageshow` restarts it.
     */
    leave_(gone?: boolean) {
      if (storing && owns) {
        try {
          localStorage.setItem(LEFT + owner, JSON.stringify([...writing.values(), ...unwritten.values()]));
        } catch {}
        unwritten.clear();
        owner = uuid();
        owns = false;
      }
      if (gone) clearInterval(beatTimer);
    },
    /** Back from the back/forward cache: alive again. */
    resume_() {
      if (storing) clearInterval(beatTimer), (beatTimer = setInterval(beat, BEAT)), sweep();
    },
  };
};

export type Outbox = ReturnType<typeof createOutbox>;
