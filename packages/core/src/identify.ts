import { copy, type MakeEvent } from './event';
import { hashTraits } from './hash';
import type { IdStore } from './ids';
import { say, type Logger } from './log';
import type { WaybillEvent } from './types';

/**
 * The identify barrier. `identify()` hashes email and phone, which takes a moment; the
 * identify event and every event recorded after it wait behind the hashes, so they reach the
 * queue in the order they were made and carry the hashed traits. The page hiding releases
 * them at once (with whatever traits are hashed by then).
 */
export const createIdentify = (ids: IdStore, make: MakeEvent, route: (e: WaybillEvent) => void, warn: Logger['warn']) => {
  /** The hashed traits, and the user id they belong to. */
  let traits: Record<string, unknown> | undefined;
  let owner: string | null | undefined;
  /** Events held behind `identify` while it hashes. */
  let held: WaybillEvent[] | undefined;
  let hashing = 0;
  let hashed: Promise<unknown> = Promise.resolve();

  /** Traits go only on events of the user they belong to. */
  const pass = (e: WaybillEvent) => {
    if (traits && e.userId == owner) e.traits ||= traits;
    route(e);
  };

  /** Queue the events held behind `identify`. */
  const release = () => {
    const events = held;
    held = undefined;
    events?.map(pass);
  };

  return {
    /** Queue an event (or hold it behind a running `identify`); returns its id. */
    record_(e: WaybillEvent | void) {
      if (e) {
        if (held) held.push(e);
        else pass(e);
        return e.id;
      }
    },
    release_: release,
    /** Settles once every `identify` so far has hashed its traits. */
    hashed_: () => hashed,
    identify_(userId: unknown, raw: unknown) {
      if (userId != null && (typeof userId != 'string' || userId.length > 256)) return warn('identify: bad user id', userId);
      const given = copy(raw, 'identify', warn);
      if (!given) return;
      ids.user_((userId as string) || undefined);
      // Traits belong to one user: another user starts afresh; identify(null) without traits forgets them.
      if (userId != owner || (raw == null && userId == null)) traits = undefined;
      owner = userId as string | null;
      // The event is made now, so its time and place in the queue are those of the call;
      // it and the events after it wait for the hashes (or for the page to hide).
      const e = make('identify', 'identify', {})!;
      (held ||= []).push(e);
      hashing++;
      // Hashed at once, merged in the order of the calls (after the identify before), so a later
      // call's traits win whichever hash is quicker. hashTraits never rejects: a trait it cannot hash is left out.
      hashed = Promise.all([
        hashTraits(given, (err) =>
          crypto.subtle
            ? warn('identify: cannot hash, dropped email/phone', err)
            : say('identify: email and phone are left out: hashing them needs https (or localhost)'),
        ),
        hashed,
      ]).then(([hashedTraits]) => {
        if (owner === userId) {
          if (raw != null) traits = { ...traits, ...hashedTraits };
          if (traits) e.traits = traits;
        }
        if (!--hashing) release();
      });
    },
  };
};
