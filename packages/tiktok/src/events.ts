// The catalogue's mapping to TikTok, shared by the pixel adapter and the collector's Events
// API forwarding (`@waybill/tiktok/events`), so both copies of an event carry the same
// name and parameters and TikTok deduplicates them.
import type { EventName, Item } from '@waybill/core';

/**
 * Catalogue events that TikTok has a standard event for, by TikTok's current names (the
 * May 2025 renames: `Purchase`, not `CompletePayment`). `page_view` is the page view, named
 * as TikTok's own tag template sends it. Catalogue events not listed have no TikTok equivalent.
 */
export const TIKTOK_EVENTS: Readonly<Record<string, string>> = {
  page_view: 'Pageview',
  view_item: 'ViewContent',
  add_to_cart: 'AddToCart',
  add_to_wishlist: 'AddToWishlist',
  begin_checkout: 'InitiateCheckout',
  add_payment_info: 'AddPaymentInfo',
  purchase: 'Purchase',
  search: 'Search',
  sign_up: 'CompleteRegistration',
};

/** A custom event name TikTok accepts: letters, digits, `_` and `-`, starting with a letter, at most 50. */
export const CUSTOM_NAME = /^[a-z][\w-]{0,49}$/i;

/** The options that decide which events go to TikTok, and under which names. */
export interface TikTokMapping {
  /** Send each Waybill `page()` as a TikTok page view. Default `true`. */
  autoPageView?: boolean;
  /**
   * TikTok event name per Waybill event name, over the defaults (see `TIKTOK_EVENTS`), e.g.
   * `{ purchase: 'CompletePayment' }` for an account still optimising on the old name, or
   * `{ login: 'Contact' }`; `false` stops sending that event. `web_vital` (from
   * `@waybill/web-vitals`) is not sent unless named here.
   */
  eventNames?: Partial<Record<EventName, string | false>>;
  /** Send events TikTok has no standard event for as custom events, under their own names. Default `false`. */
  forwardCustom?: boolean;
}

/**
 * Names events for TikTok under `mapping`: gives the TikTok event an event is sent as, or
 * nothing (no equivalent; not a `track` custom event; a custom name TikTok refuses, which `bad`
 * is told about). `web_vital` is first-party only unless named in `eventNames`: Core Web
 * Vitals are the shop's own performance data, and TikTok would count each one as an event.
 */
export const tiktokNaming = ({ autoPageView = true, eventNames, forwardCustom }: TikTokMapping) => {
  const names = {
    // No prototype: an event named `constructor` is a name, not Object's own function.
    __proto__: null,
    web_vital: false,
    ...TIKTOK_EVENTS,
    ...(!autoPageView && { page_view: false }),
    ...eventNames,
  } as unknown as Record<string, string | false | undefined>;
  return ({ type, name }: { type: string; name: string }, bad: (name: string) => void): string | false | void =>
    names[name] ?? (forwardCustom && type == 'track' && (CUSTOM_NAME.test(name) || bad(name)) && name);
};

/**
 * TikTok `track` parameters (Events API `properties`) from catalogue props: `contents[]` from
 * `items[]`, `value`, `currency`, `query`. Absent ones stay `undefined`, which JSON leaves out.
 */
export const params = ({ items, value, currency, search_term: query }: Record<string, unknown>) => ({
  value,
  currency,
  query,
  ...(Array.isArray(items) &&
    items.length && {
      // Object(): an item that is not an object (null, a string) gives an entry without its fields.
      contents: items.map(Object).map(({ item_id, item_name, quantity = 1, price }: Item) => ({
        content_id: item_id,
        content_type: 'product',
        content_name: item_name,
        quantity,
        price,
      })),
      content_type: 'product',
    }),
});
