import { createConsent } from './consent';
import { landing, pageContext } from './context';
import { hashTraits } from './hash';
import { createIds, type Ids } from './ids';
import { logger } from './log';
import { createStore } from './store';
import { uuid } from './uuid';
import type { ConsentSnapshot, Destination, EventType, SendResult, Tracker, TrackerOptions, WaybillEvent } from './types';

/** One destination's queue. */
interface Lane {
  d: Destination;
  /** waiting for consent (memory only) */
  p: WaybillEvent[];
  /** ready to send */
  b: WaybillEvent[];
  /** the chain of sends: one request in flight at a time, so no retry storm */
  q: Promise<unknown>;
  /** failed attempts in a row */
  n: number;
  /** backing off */
  w?: unknown;
  /** age timer */
  t?: ReturnType<typeof setTimeout>;
  /** init called */
  i?: boolean;
  /** events dropped while waiting for consent */
  x?: number;
  /** consent changes that left the lane closed: a batch out during one is not put back */
  r?: number;
}

/** A stored event: destination, owning tab and page, order within the page, the event. */
interface Stored {
  d: string;
  o: string;
  g: string;
  n: number;
  e: WaybillEvent;
}

export const TAB_KEY = 'waybill_tab';
/** A tab that wrote no heartbeat for this long is gone; its stored events may be taken over. */
const ALIVE = 9e4;
const ID = /^[\w.:-]{1,128}$/;

const noop = () => {};

/** A tracker that does nothing: on the server (no `window`) and if set-up fails. */
const inert: Tracker = {
  page: noop as Tracker['page'],
  track: noop as Tracker['track'],
  identify: noop,
  consent: { update: noop, get: () => ({}), on: () => noop },
  flush: async () => {},
  use: noop,
};

/**
 * Create a tracker. Events wait in memory until the consent category of a destination
 * is granted; ids and events are stored only once `analytics` is granted.
 */
export const createTracker = (options: TrackerOptions = {}): Tracker => {
  try {
    return typeof window == 'undefined' ? inert : tracker(options || {});
  } catch (e) {
    // Most likely not a secure context (https or localhost), where crypto.randomUUID is missing.
    try {
      if (options.debug) console.warn('[waybill] disabled:', e);
    } catch {}
    return inert;
  }
};

const tracker = ({
  debug = false,
  batchSize = 20,
  flushInterval = 5000,
  maxPending = 100,
  sessionTimeout = 18e5,
  respectGpc = true,
  storage,
  consent: initial,
  destinations = [],
}: TrackerOptions): Tracker => {
  // Retention of stored events; `maxEvents` also caps each ready queue, with storage or without.
  const { maxEvents, maxAge } = { maxEvents: 1000, maxAge: 6048e5, ...storage };
  const { warn, log } = logger(debug);
  const consent = createConsent(initial, respectGpc && (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true, warn);
  const ids = createIds(sessionTimeout, landing);
  const store = createStore();
  const lanes: Lane[] = [];
  /** this tab (sessionStorage once storing) and this page */
  let tab = uuid();
  const page = uuid();
  let storing = false;
  let stored = 0;
  let traits: Record<string, unknown> | undefined;
  /** the user id the traits belong to */
  let owner: string | null | undefined;
  /** events held behind `identify` while it hashes, so they keep their order */
  let held: WaybillEvent[] | undefined;
  let hashing = 0;
  let hashed: Promise<unknown> = Promise.resolve();
  /** analytics state the storage last acted on */
  let storageState: string | undefined;
  /** order of events stored by this page, for events of the same millisecond */
  let seq = 0;
  /** the destinations' `forward`, for every event's `context.forward`; replaced, never changed, as events keep it */
  let forward: string[] = [];

  const state = (lane: Lane) => consent.get()[lane.d.category] || 'pending';
  const granted = (lane: Lane) => state(lane) == 'granted';
  const keyOf = (lane: Lane, e: WaybillEvent) => lane.d.name + ' ' + e.id;
  const size = (lane: Lane) => lane.d.batchSize || batchSize;
  const guard = (what: string, fn: () => unknown) => {
    try {
      return fn();
    } catch (e) {
      warn(what + ': failed', e);
    }
  };

  // --- persistence: only while analytics is granted ---------------------------

  const beat = (): [string, number] => ['hb ' + tab, Date.now()];
  const keeps = (lane: Lane) => storing && lane.d.persist;

  const persist = (lane: Lane, events: WaybillEvent[]) => {
    if (keeps(lane) && events.length) {
      store.set([beat(), ...events.map((e): [string, Stored] => [keyOf(lane, e), { d: lane.d.name, o: tab, g: page, n: seq++, e }])]);
      if ((stored += events.length) > maxEvents) locked(restore);
    }
  };

  /**
   * Expire old events, cap the count, and (with `claim`) take over the events that no
   * live tab owns: those of the page before this one in the same tab, or of a closed tab.
   * Called only with storage on (once analytics is granted).
   */
  const restore = async (claim?: unknown) => {
    const all = (await store.all<Stored | number>()) || [];
    const now = Date.now();
    const drop: string[] = [];
    const keep: [string, Stored][] = [];
    const live = new Set<string>();
    for (const [key, value] of all) {
      if (typeof value == 'number') now - value < ALIVE ? live.add(key.slice(3)) : drop.push(key);
      else if (now - value?.e?.ts < maxAge) keep.push([key, value]);
      else drop.push(key);
    }
    keep.sort((a, b) => a[1].e.ts - b[1].e.ts || a[1].n - b[1].n);
    while (keep.length > maxEvents) drop.push(keep.shift()![0]);
    stored = keep.length;
    await store.del(drop);
    if (claim !== true || !storing) return;
    const taken: [string, unknown][] = [beat()];
    for (const lane of lanes) {
      const mine = new Set(lane.b.map((e) => e.id));
      const events = keep.map((k) => k[1]).filter((r) => r.d == lane.d.name && r.g != page && !mine.has(r.e.id) && (r.o == tab || !live.has(r.o)));
      if (granted(lane) && events.length) {
        log('resending stored', events);
        taken.push(...events.map((r): [string, Stored] => [keyOf(lane, r.e), { ...r, o: tab, g: page }]));
        lane.b.unshift(...events.map((r) => r.e));
        // Send them now, by fetch, so a confirmed delivery clears them before this page hides.
        drain(lane, 1);
      }
    }
    await store.set(taken);
  };

  // Two tabs opening at once must not both take the same events.
  const locked = (fn: (claim?: unknown) => Promise<void>, claim?: boolean) =>
    (navigator.locks ? navigator.locks.request('waybill', () => fn(claim)) : fn(claim)).catch(noop);

  const storeIds = (on: boolean) => {
    const old = ids.persist((storing = on));
    if (on) store.open();
    else store.drop(), (stored = 0), (tab = uuid());
    try {
      if (on) sessionStorage.setItem(TAB_KEY, (tab = sessionStorage.getItem(TAB_KEY) || tab));
      else sessionStorage.removeItem(TAB_KEY);
    } catch {}
    return old;
  };

  // --- delivery ---------------------------------------------------------------

  /** Send one batch if the lane may send now; retry failures with backoff and jitter. */
  const sendOne = async (lane: Lane) => {
    clearTimeout(lane.t);
    lane.t = undefined;
    if (lane.w || !lane.b.length || !granted(lane)) return;
    const batch = lane.b.splice(0, size(lane));
    const revokes = lane.r;
    let result: SendResult;
    try {
      if (keeps(lane)) store.set([beat()]);
      result = await lane.d.send(batch, false);
    } catch (e) {
      warn(lane.d.name + ': send threw', e);
      result = 'retry';
    }
    if (result! == 'retry' || typeof result! == 'number') {
      // Consent may have been revoked while the request was out (and granted again since).
      if (lane.r == revokes) lane.b.unshift(...batch);
      warn(lane.d.name + ': send failed, retrying');
      const delay = Math.max(+result || 0, Math.min(1e3 * 2 ** lane.n++, 6e4) * (0.5 + Math.random() / 2));
      lane.w = setTimeout(() => drain(lane, (lane.w = 0)), Math.min(delay, 36e5));
      return;
    }
    lane.n = 0;
    if (result! == 'drop') warn(lane.d.name + ': rejected, dropped', batch);
    else log('sent ' + batch.length + ' to ' + lane.d.name, batch);
    // A beacon's fate is unknown: its events stay stored and go again from the next page.
    if (result! != 'beacon' && keeps(lane)) store.del(batch.map((e) => keyOf(lane, e)));
    if (lane.b.length) schedule(lane);
  };

  const drain = (lane: Lane, all?: unknown) =>
    (lane.q = lane.q.then(async () => {
      do await sendOne(lane);
      while (all && lane.b.length && !lane.w && granted(lane));
    }));

  const schedule = (lane: Lane) => {
    if (lane.b.length >= size(lane)) drain(lane);
    else lane.t ||= setTimeout(drain, flushInterval, lane);
  };

  /** The page is being hidden: hand everything to the beacon now, synchronously. */
  const hide = () => {
    release();
    for (const lane of lanes) {
      clearTimeout(lane.t);
      lane.t = undefined;
      while (granted(lane) && lane.b.length) {
        const batch = lane.b.splice(0, size(lane));
        guard(lane.d.name + ': send', () => (lane.d.send(batch, true) as Promise<unknown>)?.catch?.(noop));
      }
    }
  };

  // --- the consent gate ---------------------------------------------------------

  const tell = (lane: Lane, now: ConsentSnapshot) => guard(lane.d.name + ': consent', () => lane.d.consent?.(now));

  const open = (lane: Lane) => {
    if (!lane.i) guard(lane.d.name + ': init', () => lane.d.init?.({ warn, debug }));
    lane.i = true;
    const waiting = lane.p.splice(0);
    const now = consent.get();
    for (const e of waiting) e.context.consent = now;
    lane.b.push(...waiting);
    persist(lane, waiting);
    if (lane.b.length) schedule(lane);
  };

  const gate = () => {
    const now = consent.get();
    const analytics = now.analytics;
    if (analytics == storageState) {
      // Storage already follows this state.
    } else if ((storageState = analytics) == 'granted') {
      if (storage !== false) {
        const old = storeIds(true);
        const current = ids.touch(Date.now());
        // Events that waited in memory take the returning visitor's ids, user id and campaign.
        for (const lane of lanes) for (const e of [...lane.p, ...lane.b]) if (e.anonymousId == old.a) stamp(e, current);
        for (const lane of lanes) persist(lane, lane.b);
        locked(restore, true);
      }
    }
    // Revoked or reset: forget what was stored. A denial on a later page also purges what an earlier page kept.
    else if (storing || analytics == 'denied') storeIds(false);
    for (const lane of lanes) {
      const s = state(lane);
      if (s == 'granted') open(lane);
      else {
        // Revoked (to denied or pending): what was queued under the consent goes; denied: what waited goes too.
        if (s == 'denied') lane.p = [];
        if (lane.b.length) warn(lane.d.name + ': revoked, dropped', lane.b);
        lane.b = [];
        lane.r = -~lane.r!;
      }
      tell(lane, now);
    }
  };

  // --- events -------------------------------------------------------------------

  const route = (e: WaybillEvent) => {
    // Traits go only on events of the user they belong to.
    if (traits && e.userId == owner) e.traits ||= traits;
    log('queued ' + e.name, e);
    for (const lane of lanes) {
      const s = state(lane);
      if (s == 'granted') {
        if (lane.b.push(e) > maxEvents) lane.b.shift(), warn(lane.d.name + ': queue full, dropped oldest');
        persist(lane, [e]);
        schedule(lane);
      } else if (s == 'pending' && lane.p.push(e) > maxPending) {
        lane.p.shift();
        // Counted: the debug log says how many this destination has lost so far.
        log(lane.d.name + ': waiting queue full, dropped oldest; in all', (lane.x = -~lane.x!));
      }
    }
  };

  /** A JSON-safe copy of an object (so later changes by the shop do not reach the queue), or a warning. */
  const copy = (value: unknown, what: string) => {
    if (value == null) return {};
    try {
      // Arrays, primitives and functions are not objects here, nor is an object whose `toJSON` (a Date, say) makes it something else.
      const json = typeof value == 'object' && JSON.stringify(value);
      if (!json || json[0] != '{') warn(what + ': not an object', value);
      else if (json.length < 32768) return JSON.parse(json) as Record<string, unknown>;
      else warn(what + ': over 32 KB');
    } catch (e) {
      warn(what + ': not JSON (circular?)', e);
    }
  };

  /** Whose event it is: the visitor's ids, the user id (unless it has one) and the session's campaign. */
  const stamp = (e: WaybillEvent, i: Ids) => {
    e.anonymousId = i.a;
    e.sessionId = i.s;
    e.context.campaign = i.c || {};
    e.context.clickIds = i.k || {};
    if (i.u && !e.userId) e.userId = i.u;
    return e;
  };

  const make = (type: EventType, name: unknown, raw: unknown, opts?: unknown): WaybillEvent | void => {
    if (typeof name != 'string' || !name || name.length > 128) return warn(type + ': bad name', name);
    const props = copy(raw, name);
    let id = (opts as { id?: unknown })?.id;
    if (id != null && (typeof id != 'string' || !ID.test(id))) warn(name + ': bad id, made a new one', (id = 0));
    const now = Date.now();
    const i = ids.touch(now);
    if (props) {
      const e = { id: (id as string) || uuid(), type, name, props, ts: now, context: pageContext(consent.get()) } as unknown as WaybillEvent;
      if (forward[0]) e.context.forward = forward;
      return stamp(e, i);
    }
  };

  /** Queue the events held behind `identify`. */
  const release = () => {
    const events = held;
    held = undefined;
    events?.map(route);
  };

  const record = (e: WaybillEvent | void) => {
    if (e) {
      if (held) held.push(e);
      else route(e);
      return e.id;
    }
  };

  const use = (d: Destination) => {
    if (typeof d?.send != 'function' || typeof d.name != 'string' || typeof d.category != 'string') return warn('use: bad destination', d);
    const lane: Lane = { d, p: [], b: [], q: Promise.resolve(), n: 0 };
    lanes.push(lane);
    // Two destinations may name the same one (two pixels): the collector reads the list as a set.
    if (d.forward) forward = [...forward, d.forward];
    tell(lane, consent.get());
    if (granted(lane)) open(lane);
  };

  // The gate subscribes first, so it acts before the shop's own listeners.
  consent.on(gate);
  gate();
  destinations.map(use);
  addEventListener('visibilitychange', () => document.visibilityState == 'hidden' && hide());
  addEventListener('pagehide', hide);

  return {
    page: (raw, opts) => guard('page', () => record(make('page', 'page_view', raw, opts))) as string | undefined,
    track: ((name: unknown, raw: unknown, opts: unknown) => guard('track', () => record(make('track', name, raw, opts)))) as Tracker['track'],
    identify: (userId, raw) =>
      void guard('identify', () => {
        if (userId != null && (typeof userId != 'string' || userId.length > 256)) return warn('identify: bad user id', userId);
        const t = copy(raw, 'identify');
        if (!t) return;
        ids.user(userId || undefined);
        // Traits belong to one user: another user starts afresh; identify(null) without traits forgets them.
        if (userId != owner || (raw == null && userId == null)) traits = undefined;
        owner = userId;
        // The event is made now, so its time and place in the queue are those of the call;
        // it and the events after it wait for the hashes (or for the page to hide).
        const e = make('identify', 'identify', {})!;
        (held ||= []).push(e);
        hashing++;
        hashed = Promise.all([
          hashed,
          // hashTraits never rejects: a trait it cannot hash is left out.
          hashTraits(t, (err) => warn('identify: cannot hash, dropped email/phone', err)).then((h) => {
            if (owner === userId) {
              if (raw != null) traits = { ...traits, ...h };
              if (traits) e.traits = traits;
            }
            if (!--hashing) release();
          }),
        ]);
      }),
    consent: {
      update: (next) => void guard('consent', () => consent.update(next)),
      get: consent.get,
      on: (fn) => (typeof fn == 'function' ? consent.on(fn) : (warn('consent.on: not a function', fn), noop)),
    },
    async flush() {
      try {
        await hashed;
        await Promise.all(lanes.map((lane) => drain(lane, 1)));
      } catch {}
    },
    use: (d) => void guard('use', () => use(d)),
  };
};
