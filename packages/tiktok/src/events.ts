import type { Item } from '@waybill/core';

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

/**
 * TikTok `track` parameters from catalogue props: `contents[]` from `items[]`, `value`, `currency`,
 * `query`. Absent ones stay `undefined`, which the pixel's JSON leaves out.
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
