/**
 * The typed e-commerce catalogue: GA4's recommended event names and `items[]` fields,
 * plus fulfilment events. `track()` autocompletes these and checks their props;
 * any other name is allowed with free-form props.
 */

/** One line item, with GA4's field names. */
export interface Item {
  item_id?: string;
  item_name?: string;
  affiliation?: string;
  coupon?: string;
  discount?: number;
  index?: number;
  item_brand?: string;
  item_category?: string;
  item_category2?: string;
  item_category3?: string;
  item_category4?: string;
  item_category5?: string;
  item_list_id?: string;
  item_list_name?: string;
  item_variant?: string;
  location_id?: string;
  price?: number;
  quantity?: number;
  [key: string]: unknown;
}

interface Props {
  [key: string]: unknown;
}
/** An event about items with a monetary value. */
export interface ValueProps extends Props {
  currency?: string;
  value?: number;
  items?: Item[];
}
export interface ListProps extends Props {
  item_list_id?: string;
  item_list_name?: string;
  items?: Item[];
}
export interface CheckoutProps extends ValueProps {
  coupon?: string;
}
export interface OrderProps extends CheckoutProps {
  transaction_id: string;
  shipping?: number;
  tax?: number;
}
export interface FulfilmentProps extends Props {
  transaction_id: string;
  items?: Item[];
  carrier?: string;
  tracking_number?: string;
  reason?: string;
}

/** Event name → its props. */
export interface Catalogue {
  view_item_list: ListProps;
  select_item: ListProps;
  view_item: ValueProps;
  add_to_cart: ValueProps;
  remove_from_cart: ValueProps;
  view_cart: ValueProps;
  add_to_wishlist: ValueProps;
  begin_checkout: CheckoutProps;
  add_shipping_info: CheckoutProps & { shipping_tier?: string };
  add_payment_info: CheckoutProps & { payment_type?: string };
  purchase: OrderProps;
  refund: Partial<OrderProps> & { transaction_id: string };
  search: Props & { search_term: string };
  sign_up: Props & { method?: string };
  login: Props & { method?: string };
  order_shipped: FulfilmentProps;
  order_delivered: FulfilmentProps;
  return_requested: FulfilmentProps;
}

/** A catalogue name, or any custom name (keeps autocompletion). */
export type EventName = keyof Catalogue | (string & {});
/** The props of a catalogue event, or free-form props for a custom one. */
export type CatalogueProps<N> = N extends keyof Catalogue ? Catalogue[N] : Record<string, unknown>;
