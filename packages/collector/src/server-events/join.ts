// How a server event becomes a stored event, and how it inherits the attribution of the browser
// purchase of its order. Pure: both stores call these, inside their own transactions.
import type { StoredEvent } from '../store/store';
import type { StorableEvent, ValidEvent } from '../wire';
import type { ServerEvent } from './schema';

/**
 * What a server event takes from its order's browser purchase: who (anonymous, session and user
 * ids, hashed traits), where from (page, campaign, click ids, vendor cookie values, the
 * destinations the page asked to forward to) and the consent the purchase was collected under,
 * which decides where the server event may be forwarded.
 */
export function inherit(event: ValidEvent, purchase: Pick<StoredEvent, 'id' | 'anonymousId' | 'sessionId' | 'userId' | 'traits' | 'context'>): ValidEvent {
  const { anonymousId, sessionId, userId, traits, context } = purchase;
  return {
    ...event,
    ...(anonymousId != null && { anonymousId }),
    ...(sessionId != null && { sessionId }),
    // The backend's own user id, when it sent one, wins.
    ...(event.userId == null && userId != null && { userId }),
    ...(traits != null && { traits }),
    context: { ...(context as unknown as ValidEvent['context']) },
    joined: purchase.id,
  };
}

/** Whether a stored event (as JSON) already carries its purchase's attribution. */
export const isJoined = (event: ValidEvent): boolean => typeof event.joined === 'string';

/**
 * The stored form of a server event: a `track` event named by its type, at the time it happened,
 * whose props are the fields sent (GA4's `refund` takes `transaction_id`, `value`, `currency`
 * and `items` as they are), joined to `purchase` when the order has one.
 */
export function storedServerEvent(e: ServerEvent, purchase: StoredEvent | undefined): StorableEvent {
  const { user_id, ...props } = e.fields;
  let event: ValidEvent = {
    id: e.id,
    type: 'track',
    name: e.type,
    ts: e.at,
    props: { ...props, transaction_id: e.transactionId },
    ...(typeof user_id === 'string' && { userId: user_id }),
    source: 'server',
    context: {},
  };
  if (purchase) event = inherit(event, purchase);
  return { event, json: JSON.stringify(event) };
}

/** The transaction id of a browser purchase, as a string, or undefined when it is not one. */
export function purchaseTransaction(event: ValidEvent): string | undefined {
  if (event.type !== 'track' || event.name !== 'purchase') return undefined;
  const id = (event.props as Record<string, unknown> | null | undefined)?.transaction_id;
  if (typeof id === 'string' && id !== '' && id.length <= 128) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return String(id);
  return undefined;
}
