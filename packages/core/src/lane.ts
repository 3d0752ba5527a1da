import type { Destination, WaybillEvent } from './types';

/** One destination's queue and delivery state. The tracker keeps one lane per destination. */
export interface Lane {
  destination_: Destination;
  /** Events waiting for the destination's consent: memory only, at most `maxPending`. */
  waiting_: WaybillEvent[];
  /** Events consented and ready to send, oldest first, at most `maxEvents`. */
  ready_: WaybillEvent[];
  /** The chain of sends: one request in flight at a time, so a broken collector cannot cause a retry storm. */
  sending_: Promise<unknown>;
  /** Failed sends in a row: the exponent of the backoff. */
  failures_: number;
  /** Set while backing off after a failure; nothing is sent by fetch until it fires. */
  backoff_?: ReturnType<typeof setTimeout> | 0;
  /** Sends the ready events once the oldest is `flushInterval` old. */
  ageTimer_?: ReturnType<typeof setTimeout>;
  /** The destination's `init` has been called. */
  started_?: boolean;
  /** Events dropped so far because too many waited for consent (said in the debug log). */
  droppedWaiting_?: number;
  /** Times consent closed the lane: a batch that was out during a closing is not put back. */
  closings_?: number;
}

/** A lane for a destination, empty and idle. */
export const createLane = (destination: Destination): Lane => ({ destination_: destination, waiting_: [], ready_: [], sending_: Promise.resolve(), failures_: 0 });
