import type { Delivery } from './delivery';
import { createLane, type Lane } from './lane';
import { guard, say, type Logger } from './log';
import type { Outbox } from './outbox';
import type { Consent } from './consent';
import type { ConsentState, Destination, DestinationContext, WaybillEvent } from './types';

/**
 * The queue: one lane per destination. An event goes to every lane: ready (and stored) where
 * the lane's consent is granted, waiting in memory where it is pending, nowhere where it is
 * denied. Both queues are capped; the oldest event goes first.
 * @param maxEvents most events ready to send per destination
 * @param maxPending most events waiting for consent per destination
 * @param context what a destination's `init` is given: `warn` is the tracker's
 */
export const createQueue = (
  lanes: Lane[],
  consent: Consent,
  outbox: Outbox,
  delivery: Delivery,
  maxEvents: number,
  maxPending: number,
  context: DestinationContext,
  log: Logger['log'],
) => {
  const { warn } = context;
  const stateOf = (lane: Lane) => consent.stateOf_(lane.destination_.category);
  /** The destinations' `forward`, for every event's `context.forward`: replaced, never changed, as events keep it. */
  let forward: string[] = [];

  /** Tell the destination the consent now, granted or not (for vendor signals such as Consent Mode). */
  const tell = (lane: Lane) => guard(warn, lane.destination_.name + ': consent', () => lane.destination_.consent?.(consent.get()));

  /** The lane's consent is granted: start the destination, release what waited (stamped with the consent now). */
  const open = (lane: Lane) => {
    if (!lane.started_) guard(warn, lane.destination_.name + ': init', () => lane.destination_.init?.(context));
    lane.started_ = true;
    const waited = lane.waiting_.splice(0);
    const now = consent.get();
    for (const e of waited) e.context.consent = now;
    lane.ready_.push(...waited);
    outbox.keep_(lane, waited);
    // What waited for consent goes at once.
    if (waited.length) delivery.drain_(lane, 1);
  };

  /** The lane's consent is withdrawn: what was ready goes; on a denial what waited goes too. */
  const close = (lane: Lane, state: ConsentState) => {
    if (state == 'denied') lane.waiting_ = [];
    if (lane.ready_.length) warn(lane.destination_.name + ': revoked, dropped', lane.ready_);
    lane.ready_ = [];
    lane.closings_ = -~lane.closings_!;
  };

  const route = (e: WaybillEvent) => {
    log('queued ' + e.name, e);
    for (const lane of lanes) {
      const state = stateOf(lane);
      if (state == 'granted') {
        // Capped in memory and in storage alike (a destination down for long must not fill either).
        if (lane.ready_.push(e) > maxEvents) {
          outbox.forget_(lane, [lane.ready_.shift()!]);
          say(lane.destination_.name + ': ' + maxEvents + ' events are waiting to be sent; dropping the oldest');
        }
        outbox.keep_(lane, [e]);
        delivery.schedule_(lane);
      } else if (state == 'pending' && lane.waiting_.push(e) > maxPending) {
        lane.waiting_.shift();
        // Counted: the debug log says how many this destination has lost so far.
        log(lane.destination_.name + ': waiting queue full, dropped oldest; in all', (lane.droppedWaiting_ = -~lane.droppedWaiting_!));
      }
    }
  };

  const add = (destination: Destination) => {
    if (typeof destination?.send != 'function' || typeof destination.name != 'string' || typeof destination.category != 'string') {
      return warn('use: bad destination', destination);
    }
    const lane = createLane(destination);
    lanes.push(lane);
    // Two destinations may name the same one (two pixels): the collector reads the list as a set.
    if (destination.forward) forward = [...forward, destination.forward];
    tell(lane);
    if (stateOf(lane) == 'granted') open(lane);
  };

  /** Apply the consent now to every lane. */
  const follow = () => {
    for (const lane of lanes) {
      const state = stateOf(lane);
      if (state == 'granted') open(lane);
      else close(lane, state);
      tell(lane);
    }
  };

  return { route_: route, add_: add, follow_: follow, forward_: () => forward };
};

export type Queue = ReturnType<typeof createQueue>;
