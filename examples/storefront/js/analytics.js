// Shop data → Waybill calls. Items use GA4's field names, which is what the
// Waybill e-commerce catalogue expects.
import { CURRENCY, subtotalOf } from './shop.js';

/**
 * Call the Waybill script-tag API. The stub in each page's <head> queues calls
 * until the bundle has loaded. The guard keeps the shop working when a blocker
 * removed the stub: analytics must never break checkout.
 * @param {...unknown} args
 */
export function waybill(...args) {
  const w = /** @type {any} */ (window).waybill;
  if (typeof w === 'function') return w(...args);
}

/**
 * A GA4 item.
 * @param {import('./shop.js').Product} product
 * @param {number} [quantity]
 * @param {number} [index] position in the list the shopper saw it in
 */
export function toItem(product, quantity = 1, index) {
  const item = { item_id: product.id, item_name: product.name, item_category: product.category, price: product.price, quantity };
  return index === undefined ? item : { ...item, index };
}

/**
 * `{ currency, value, items }` for some cart lines; `value` is the sum of price × quantity
 * (GA4 excludes tax and shipping from it).
 * @param {import('./shop.js').Line[]} lines
 * @param {Record<string, unknown>} [extra] more props, e.g. `shipping_tier`
 */
export const linesPayload = (lines, extra) => ({
  currency: CURRENCY,
  value: subtotalOf(lines),
  ...extra,
  items: lines.map((l, i) => toItem(l.product, l.quantity, i)),
});
