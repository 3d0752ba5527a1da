import type { Lane } from './lane';
import type { Logger } from './log';
import type { Store } from './store';
import type { WaybillEvent } from './types';
import { uuid } from './uuid';

/**
 * A stored event, kept in IndexedDB under `<destination> <event id>`. The one-letter names are
 * a stored format, read by every later release (test/compat.test.ts): never rename them.
 */
interface StoredRecord {
  /** the destination's name */
  d: string;
  /** the tab that owns it (its id in sessionStorage under {@link TAB_KEY}) */
  o: string;
  /** the page that stored it */
  g: string;
  /** its order among the events the page stored, for events of the same millisecond */
  n: number;
  /** the event */
  e: WaybillEvent;
}

export const TAB_KEY = 'waybill_tab';
/** A tab that wrote no heartbeat (`hb <tab>`: a time) for this long is gone; its stored events may be taken over. */
const ALIVE = 9e4;

/**
 * The outbox: the events of persisting destinations, stored in IndexedDB (only while
 * analytics is granted) until a destination confirms them, with retention (age, count) and
 * the cross-tab claim that lets the next page send what an earlier one could not.
 * @param resend sends a lane's ready events now, by fetch (events taken over from storage were just put in front)
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
  /** This tab (kept in sessionStorage while storing) and this page. */
  let tab = uuid();
  const page = uuid();
  let storing = false;
  let order = 0;

  const keyOf = (lane: Lane, e: WaybillEvent) => lane.destination_.name + ' ' + e.id;
  const heartbeat = (): [string, number] => ['hb ' + tab, Date.now()];
  const keeps = (lane: Lane) => storing && lane.destination_.persist;
  /** Write records of the lane's events, owned by this tab and page, with this tab's heartbeat. */
  const write = (lane: Lane, events: WaybillEvent[], orders?: number[]) =>
    store.set([heartbeat(), ...events.map((e, i): [string, StoredRecord] => [keyOf(lane, e), { d: lane.destination_.name, o: tab, g: page, n: orders ? orders[i] : order++, e }])]);

  /**
   * Expire old events, cap the count, and take over the events that no live tab owns:
   * those of the page before this one in the same tab, or of a closed tab.
   */
  const restore = async () => {
    const all = (await store.all<StoredRecord | number>()) || [];
    const now = Date.now();
    const drop: string[] = [];
    const kept: [string, StoredRecord][] = [];
    const live = new Set<string>();
    for (const [key, value] of all) {
      if (typeof value == 'number') now - value < ALIVE ? live.add(key.slice(3)) : drop.push(key);
      else if (now - value?.e?.ts < maxAge) kept.push([key, value]);
      else drop.push(key);
    }
    kept.sort((a, b) => a[1].e.ts - b[1].e.ts || a[1].n - b[1].n);
    while (kept.length > maxEvents) drop.push(kept.shift()![0]);
    await store.del(drop);
    if (!storing) return;
    for (const lane of lanes) {
      const mine = new Set(lane.ready_.map((e) => e.id));
      const records = kept.map((k) => k[1]).filter((r) => r.d == lane.destination_.name && r.g != page && !mine.has(r.e.id) && (r.o == tab || !live.has(r.o)));
      if (granted(lane) && records.length) {
        log('resending stored', records);
        const events = records.map((r) => r.e);
        // Now this page's, in the order they had.
        write(lane, events, records.map((r) => r.n));
        lane.ready_.unshift(...events);
        // Send them now, by fetch, so a confirmed delivery clears them before this page hides.
        resend(lane);
      }
    }
  };

  return {
    /** Whether the lane's events are stored now. */
    keeps_: keeps,
    /** Store events of the lane (when it keeps them). */
    keep_: (lane: Lane, events: WaybillEvent[]) => keeps(lane) && events.length && write(lane, events),
    /** Forget events the destination has taken (or refused for good). */
    forget_: (lane: Lane, events: WaybillEvent[]) => keeps(lane) && store.del(events.map((e) => keyOf(lane, e))),
    /** Say this tab is alive, before a send whose answer may come after the page is gone. */
    beat_: (lane: Lane) => keeps(lane) && store.set([heartbeat()]),
    /** Start storing (analytics granted) or stop and delete everything stored (revoked). */
    turn_(on: boolean) {
      storing = on;
      if (on) store.open();
      else store.drop(), (tab = uuid());
      try {
        if (on) sessionStorage.setItem(TAB_KEY, (tab = sessionStorage.getItem(TAB_KEY) || tab));
        else sessionStorage.removeItem(TAB_KEY);
      } catch {}
    },
    /** Tidy the store and take over what earlier pages and closed tabs left; two tabs opening at once must not both take the same events. */
    claim_: () => (navigator.locks ? navigator.locks.request('waybill', restore) : restore()).catch(() => {}),
  };
};

export type Outbox = ReturnType<typeof createOutbox>;
