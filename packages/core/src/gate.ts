import { stamp } from './event';
import type { IdStore } from './ids';
import type { Lane } from './lane';
import type { Outbox } from './outbox';
import type { Queue } from './queue';
import type { Consent } from './consent';

/**
 * The consent gate, run at start and after every consent change. Storage follows `analytics`:
 * granted, the returning visitor's ids come back, waiting events take them, and what earlier
 * pages left is taken over; revoked (or reset), everything stored is deleted. Then each lane
 * opens or closes on its own category.
 * @param storage false with `storage: false`: ids and events are never stored
 */
export const createGate = (consent: Consent, ids: IdStore, lanes: Lane[], outbox: Outbox, queue: Queue, storage: boolean) => {
  /** The analytics state storage last acted on. */
  let acted: string | undefined;
  let storing = false;
  const turn = (on: boolean) => {
    const old = ids.persist_((storing = on));
    outbox.turn_(on);
    return old;
  };
  return () => {
    const analytics = consent.get().analytics;
    if (analytics == acted) {
      // Storage already follows this state.
    } else if ((acted = analytics) == 'granted') {
      if (storage) {
        const old = turn(true);
        const current = ids.touch_(Date.now());
        // Events that waited in memory take the returning visitor's ids, user id and campaign.
        for (const lane of lanes) for (const e of [...lane.waiting_, ...lane.ready_]) if (e.anonymousId == old.anonymousId) stamp(e, current);
        for (const lane of lanes) outbox.keep_(lane, lane.ready_);
      }
    }
    // Revoked or reset: forget what was stored. A denial on a later page also purges what an earlier page kept.
    else if (storing || analytics == 'denied') turn(false);
    queue.follow_();
  };
};
