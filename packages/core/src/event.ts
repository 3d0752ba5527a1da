import type { ConsentApi, EventType, WaybillEvent } from './types';
import type { IdStore, Ids } from './ids';
import type { Logger } from './log';
import { pageContext } from './context';
import { uuid } from './uuid';

/** What a caller's own event id may look like (the collector accepts the same). */
const ID = /^[\w.:-]{1,128}$/;

/** A JSON-safe copy of an object (so later changes by the shop do not reach the queue), or a warning. */
export const copy = (value: unknown, what: string, warn: Logger['warn']) => {
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
export const stamp = (e: WaybillEvent, ids: Ids) => {
  e.anonymousId = ids.anonymousId;
  e.sessionId = ids.sessionId;
  e.context.campaign = ids.campaign || {};
  e.context.clickIds = ids.clickIds || {};
  if (ids.userId && !e.userId) e.userId = ids.userId;
  return e;
};

/**
 * The event envelope: `make(type, name, props, options)` checks the call, copies the props and
 * gives the event its id, time, ids and page context (with the server-side destinations
 * `forwardTo` names), or warns and returns nothing.
 */
export const createEvents = (ids: IdStore, consent: Pick<ConsentApi, 'get'>, forwardTo: () => string[], warn: Logger['warn']) =>
  (type: EventType, name: unknown, raw: unknown, options?: unknown): WaybillEvent | void => {
    if (typeof name != 'string' || !name || name.length > 128) return warn(type + ': bad name', name);
    const props = copy(raw, name, warn);
    let id = (options as { id?: unknown })?.id;
    if (id != null && (typeof id != 'string' || !ID.test(id))) warn(name + ': bad id, made a new one', (id = 0));
    const now = Date.now();
    const current = ids.touch_(now);
    if (props) {
      const e = { id: (id as string) || uuid(now), type, name, props, ts: now, context: pageContext(consent.get()) } as unknown as WaybillEvent;
      const forward = forwardTo();
      if (forward[0]) e.context.forward = forward;
      return stamp(e, current);
    }
  };

export type MakeEvent = ReturnType<typeof createEvents>;
