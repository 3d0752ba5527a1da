// The shopping trip the example shops (the storefront, and the React and Vue shops) are driven
// through end to end, as the catalogue events a shopper causes along it.

/** Every catalogue event of the trip, in the order the shopper causes them. */
export const FUNNEL = [
  'view_item_list',
  'search',
  'select_item',
  'view_item',
  'add_to_cart',
  'view_cart',
  'add_to_cart',
  'remove_from_cart',
  'begin_checkout',
  'add_shipping_info',
  'add_payment_info',
  'purchase',
];
