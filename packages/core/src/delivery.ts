import type { Lane } from './lane';
import { guard, type Logger } from './log';
import type { Outbox } from './outbox';
import type { SendResult } from './types';

/**
 * Most events per send when the destination sets no `batchSize` of its own: a backlog goes in
 * large requests (the transport splits them under the 60 kB keepalive quota), and the
 * collector takes at most 500 events a request.
 */
const MAX_PER_SEND = 500;

/**
 * Delivery: a send when `batchSize` events wait or the oldest is `flushInterval` old, one
 * request in flight per destination, retries with exponential backoff and jitter (honouring
 * `Retry-After`), the beacon at page hide, and a retry at once when the browser is back online.
 * @param batchSize events that make a batch full (sent at once)
 * @param flushInterval ms after which waiting events go, a full batch or not
 */
export const createDelivery = (
  outbox: Outbox,
  granted: (lane: Lane) => boolean,
  batchSize: number,
  flushInterval: number,
  warn: Logger['warn'],
  log: Logger['log'],
) => {
  /** The next batch, if the lane may send (the age timer is over either way). */
  const take = (lane: Lane) => {
    clearTimeout(lane.ageTimer_);
    lane.ageTimer_ = undefined;
    return granted(lane) && lane.ready_.length ? lane.ready_.splice(0, lane.destination_.batchSize || MAX_PER_SEND) : undefined;
  };

  /** Send one batch if the lane may send now; retry failures with backoff and jitter. */
  const sendOne = async (lane: Lane) => {
    const batch = !lane.backoff_ && take(lane);
    if (!batch) return;
    const { destination_: destination } = lane;
    const closings = lane.closings_;
    let result: SendResult;
    try {
      result = await destination.send(batch, false);
    } catch (e) {
      warn(destination.name + ': send threw', e);
      result = 'retry';
    }
    if (result! == 'retry' || typeof result! == 'number') {
      // Consent may have been revoked while the request was out (and granted again since).
      if (lane.closings_ == closings) lane.ready_.unshift(...batch);
      warn(destination.name + ': send failed, retrying');
      const delay = Math.max(+result || 0, Math.min(1e3 * 2 ** lane.failures_++, 6e4) * (0.5 + Math.random() / 2));
      lane.backoff_ = setTimeout(() => drain(lane, (lane.backoff_ = 0)), Math.min(delay, 36e5));
      return;
    }
    lane.failures_ = 0;
    if (result! == 'drop') warn(destination.name + ': rejected, dropped', batch);
    else log('sent ' + batch.length + ' to ' + destination.name, batch);
    // A beacon's fate is unknown: its events stay stored, and the next page asks the collector about them.
    if (result! != 'beacon') outbox.forget_(lane, batch);
    if (lane.ready_.length) schedule(lane);
  };

  /** Queue a send on the lane's chain; with `all`, keep sending while there is something to send. */
  const drain = (lane: Lane, all?: unknown) =>
    (lane.sending_ = lane.sending_.then(async () => {
      do await sendOne(lane);
      while (all && lane.ready_.length && !lane.backoff_ && granted(lane));
    }));

  /** Send now if a batch is full (the destination's own `batchSize`, or the tracker's), or once the oldest ready event is `flushInterval` old. */
  const schedule = (lane: Lane) => {
    if (lane.ready_.length >= (lane.destination_.batchSize || batchSize)) drain(lane);
    else lane.ageTimer_ ||= setTimeout(drain, flushInterval, lane);
  };

  return {
    drain_: drain,
    schedule_: schedule,
    /** The page is being hidden: hand everything ready to the beacon now, synchronously. */
    hide_(lanes: Lane[]) {
      for (const lane of lanes) {
        for (let batch; (batch = take(lane)); ) {
          guard(warn, lane.destination_.name + ': send', () => (lane.destination_.send(batch, true) as Promise<unknown>)?.catch?.(() => {}));
        }
      }
    },
    /** The browser is back online: what is backing off goes now, not at the end of a long backoff. */
    online_(lanes: Lane[]) {
      for (const lane of lanes) if (lane.backoff_) clearTimeout(lane.backoff_), drain(lane, (lane.backoff_ = 0));
    },
  };
};

export type Delivery = ReturnType<typeof createDelivery>;
