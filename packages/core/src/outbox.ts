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
 * is released, and the value holds its records.
 */
const LEFT = 'waybill_left ';
/** Records per IndexedDB transaction, so a burst of events is written in a few tasks, not one long one. */
const WRITE_BATCH = 250;

/**
 * The outbox: events of persisting destinations, stored (only while analytics is granted)
 * until their destination has them.
 *
 * - Writes are batched: one transaction for the events of a task, after `track()` has returned.
 * - When the page is hidden, what it holds is copied to localStorage in the same task (whether
 *   or not IndexedDB has written it yet), and the page gives up ownership of it.
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
  /**
   * Every record this owner holds (written or not, until forgotten), all copied to localStorage
   * when the page is hidden: IndexedDB may not have written them yet, and WebKit was seen to
   * lose writes it had reported complete when the page went on. And the records still to write.
   */
  const mine = new Map<string, StoredRecord>();
  const unwritten = new Map<string, StoredRecord>();
  /** A chain of writes is running: each transaction starts when the one before has completed. */
  let busy = false;
  let beatTimer: ReturnType<typeof setInterval> | undefined;
  /** Taken-over events whose destination could not be asked (offline, collector down): asked again, less and less often. */
  let unasked: Entry[] = [];
  let askFailures = 0;
  let askAgainAt = 0;

  const keyOf = (d: string, e: WaybillEvent) => d + ' ' + e.id;
  const heartbeat = (): [string, number] => ['hb ' + owner, Date.now()];
  const keeps = (lane: Lane) => storing && lane.destination_.persist;

  /** Write records (and the heartbeat) in one transaction, as this owner's; resolves to whether it completed. */
  const write = (entries: Entry[]) => {
    for (const [key, record] of entries) mine.set(key, record);
    return store.set([heartbeat(), ...entries]);
  };

  const writeSome = () => {
    const entries: Entry[] = [];
    for (const entry of unwritten) if (entries.push(entry) == WRITE_BATCH) break;
    for (const [key] of entries) unwritten.delete(key);
    if ((busy = entries.length > 0)) write(entries).then(writeSome);
  };

  const keep = (lane: Lane, events: WaybillEvent[]) => {
    if (keeps(lane) && events.length) {
      for (const e of events) {
        const key = keyOf(lane.destination_.name, e);
        const record = { d: lane.destination_.name, o: owner, n: order++, e };
        unwritten.set(key, record), mine.set(key, record);
      }
      owns = true;
      // After the task that tracked them: every event tracked in it goes in one transaction.
      if (!busy) (busy = true), queueMicrotask(writeSome);
    }
  };

  const forget = (lane: Lane, events: WaybillEvent[]) => {
    const keys = events.map((e) => keyOf(lane.destination_.name, e));
    for (const key of keys) unwritten.delete(key), mine.delete(key);
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

  /** Lets go of the lock of a sweep still running when the page is left. */
  let unlock: (value?: unknown) => void = () => {};

  /**
   * Two tabs sweeping at once must not both take the same events: a Web Lock (where there is
   * one). A page being left lets go of it even mid-sweep: WebKit would keep the lock of a page
   * frozen in the back/forward cache, and every other page would wait for it.
   */
  const locked = <T>(fn: () => Promise<T>): Promise<T | void> =>
    ((navigator.locks ? navigator.locks.request('waybill', () => new Promise((done) => ((unlock = done), fn().then(done)))) : fn()) as Promise<T>).catch(() => {});

  /**
   * Tidy the store (age, count, dead heartbeats) and take over the events whose owner is gone;
   * then, per destination, ask which of them it holds and send the rest again.
   */
  const sweep = () =>
    locked(async () => {
      if (!storing) return;
      const now = Date.now();
      /** Records not expired, oldest first (at most `maxEvents`), taken over as this page's; the rest dropped. */
      const take = (records: Entry[], drop: string[] = []) => {
        const kept = records.filter(([key, r]) => (now - r?.e?.ts < maxAge && !mine.has(key)) || !drop.push(key));
        kept.sort((a, b) => a[1].e.ts - b[1].e.ts || a[1].n - b[1].n);
        while (kept.length > maxEvents) drop.push(kept.shift()![0]);
        owns ||= !!kept.length;
        return kept.map(([key, r]): Entry => [key, { ...r, o: owner }]);
      };
      // First the copies pages left in localStorage as they were hidden: asked about at once, so
      // that they do not wait for IndexedDB (which can be slow to open, or stuck: see store.ts).
      const gone = left();
      const released = new Set(gone.map((key) => key.slice(LEFT.length)));
      const copies: Entry[] = [];
      for (const key of gone) {
        try {
          for (const record of JSON.parse(localStorage.getItem(key)!)) copies.push([keyOf(record.d, record.e), record]);
        } catch {}
      }
      const copied = take(copies);
      const moved = write(copied);
      ask(copied);
      // Then the events IndexedDB holds for owners that are gone.
      const live = new Set([owner]);
      const records: Entry[] = [];
      const drop: string[] = [];
      for (const [key, value] of (await store.all<StoredRecord | number>()) || []) {
        if (typeof value != 'number') records.push([key, value]);
        else if (now - value < ALIVE && !released.has(key.slice(3))) live.add(key.slice(3));
        else drop.push(key);
      }
      const taken = take(records.filter(([, r]) => !live.has(r.o)), drop);
      await Promise.all([write(taken), store.del(drop)]);
      // The copies go once IndexedDB holds their records (else a later sweep tries again; what
      // this page took is in `mine`, so it is not taken twice, and is copied again at page hide).
      if (await moved) for (const key of gone) localStorage.removeItem(key);
      return taken;
    }).then((taken) => taken && ask(taken));

  /**
   * Ask each destination which of these taken-over events it holds, and send it the rest. A
   * destination that cannot tell gets them all again; one that could not be asked (`known`
   * rejects: offline, the collector down, the page leaving) is asked again later.
   */
  const ask = async (taken: Entry[]) => {
    const asker = owner;
    for (const lane of lanes) {
      const entries = taken.filter(([, r]) => r.d == lane.destination_.name);
      const events = entries.map(([, r]) => r.e);
      const closings = lane.closings_;
      if (!events.length || !granted(lane)) continue;
      let held: string[] | void;
      try {
        held = await lane.destination_.known?.(events.map((e) => e.id));
      } catch {
        if (owner == asker) unasked.push(...entries), (askAgainAt = Date.now() + Math.min(BEAT << askFailures++, 6e4));
        continue;
      }
      askFailures = 0;
      // Consent may have been revoked while the question was out: then these are gone. Or the
      // page was hidden, so they are released to whichever page comes next.
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
  };

  /** Say this page is alive; take over from an owner that has been hidden or has gone silent. */
  const beat = async () => {
    // Nothing to keep alive or take over without a destination that stores its events.
    if (!lanes.some((lane) => lane.destination_.persist)) return;
    store.set([heartbeat()]);
    if (unasked.length && Date.now() >= askAgainAt) ask(unasked.splice(0));
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
      // The first sweep once this task is done: the tracker adds its destinations right after.
      if (on) store.open(), (beatTimer = setInterval(beat, BEAT)), queueMicrotask(sweep);
      else {
        store.drop();
        unwritten.clear();
        mine.clear();
        unasked = [];
        try {
          for (const key of left()) localStorage.removeItem(key);
          // What 0.1 kept for the tab.
          sessionStorage.removeItem('waybill_tab');
        } catch {}
      }
    },
    /**
     * The page is being hidden: copy what this page holds to localStorage and give it up, all
     * now (the page may be gone before another task runs). Later events get a new owner. With
     * `gone` (pagehide) the heartbeat stops; `pageshow` restarts it.
     */
    leave_(gone?: boolean) {
      if (storing && owns) {
        try {
          localStorage.setItem(LEFT + owner, JSON.stringify([...mine.values()]));
        } catch {}
        unwritten.clear();
        mine.clear();
        // Released with the rest: the next page asks about them.
        unasked = [];
        owner = uuid();
        owns = false;
      }
      if (gone) clearInterval(beatTimer), unlock();
    },
    /** The browser is back online: ask at once what could not be asked. */
    online_: () => (askAgainAt = 0),
    /** Back from the back/forward cache: alive again. */
    resume_() {
      if (storing) clearInterval(beatTimer), (beatTimer = setInterval(beat, BEAT)), sweep();
    },
  };
};

export type Outbox = ReturnType<typeof createOutbox>;
