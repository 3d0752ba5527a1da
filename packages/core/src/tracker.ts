import { createConsent } from './consent';
import { landing } from './context';
import { createDelivery } from './delivery';
import { createEvents } from './event';
import { createGate } from './gate';
import { createIdentify } from './identify';
import { createIds } from './ids';
import type { Lane } from './lane';
import { guard, logger } from './log';
import { createOutbox } from './outbox';
import { createQueue } from './queue';
import { createStore } from './store';
import type { Tracker, TrackerOptions } from './types';

const noop = () => {};

/**
 * A tracker that does nothing: what `createTracker` gives on the server (no `window`) and if
 * set-up fails, and what the framework bindings give outside a provider. Every call does nothing
 * and never throws.
 */
export const inert: Tracker = {
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
    // A browser without what Waybill needs (no `crypto.getRandomValues`, say): said, debug or not.
    try {
      console.warn('[waybill] disabled:', e);
    } catch {}
    return inert;
  }
};

/** The wiring: each concern is a module (see the package README); this connects them and is the public surface. */
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
  const lanes: Lane[] = [];
  const granted = (lane: Lane) => consent.stateOf_(lane.destination_.category) == 'granted';
  const outbox = createOutbox(createStore(), lanes, granted, (lane) => delivery.drain_(lane, 1), log, maxEvents, maxAge);
  const delivery = createDelivery(outbox, granted, batchSize, flushInterval, warn, log);
  const queue = createQueue(lanes, consent, outbox, delivery, maxEvents, maxPending, { warn, debug }, log);
  const make = createEvents(ids, consent, queue.forward_, warn);
  const identify = createIdentify(ids, make, queue.route_, warn);
  const gate = createGate(consent, ids, lanes, outbox, queue, storage !== false);

  /**
   * The page is being hidden (and may be gone before another task runs): what identify holds
   * joins the queue, everything goes by beacon, and what is not in IndexedDB yet is copied to
   * localStorage, now. `gone`: the page is being left (pagehide), not just hidden.
   */
  const hide = (gone?: boolean) => {
    identify.release_();
    delivery.hide_(lanes);
    outbox.leave_(gone);
    ids.save_();
  };

  // The gate subscribes first, so it acts before the shop's own listeners.
  consent.on(gate);
  gate();
  destinations.map(queue.add_);
  addEventListener('visibilitychange', () => document.visibilityState == 'hidden' && hide());
  addEventListener('pagehide', () => hide(true));
  addEventListener('pageshow', (e) => e.persisted && (delivery.restored_(lanes), outbox.resume_()));
  addEventListener('online', () => (delivery.online_(lanes), outbox.online_()));

  return {
    page: (raw, opts) => guard(warn, 'page', () => identify.record_(make('page', 'page_view', raw, opts))) as string | undefined,
    track: ((name: unknown, raw: unknown, opts: unknown) => guard(warn, 'track', () => identify.record_(make('track', name, raw, opts)))) as Tracker['track'],
    identify: (userId, raw) => void guard(warn, 'identify', () => identify.identify_(userId, raw)),
    consent: {
      update: (next) => void guard(warn, 'consent', () => consent.update(next)),
      get: consent.get,
      on: (fn) => (typeof fn == 'function' ? consent.on(fn) : (warn('consent.on: not a function', fn), noop)),
    },
    async flush() {
      try {
        await identify.hashed_();
        await Promise.all(lanes.map((lane) => delivery.drain_(lane, 1)));
      } catch {}
    },
    use: (d) => void guard(warn, 'use', () => queue.add_(d)),
  };
};
