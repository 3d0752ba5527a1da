// What every SDK's entry shares: the shop's cart and the hook the harness drives.
// Bundled into each entry, so it costs every SDK the same bytes.

/** The `add_to_cart` props (GA4 shape): a fresh object per call, as a shop's code makes one. */
export function cart(extra) {
  return {
    currency: 'USD',
    value: 54,
    items: [
      { item_id: 'SKU-1042', item_name: 'Organic cotton tee', item_brand: 'Northwind', item_category: 'Tops', item_variant: 'M / Navy', price: 24, quantity: 1 },
      { item_id: 'SKU-2210', item_name: 'Canvas tote', item_brand: 'Northwind', item_category: 'Bags', item_variant: 'Natural', price: 30, quantity: 1 },
    ],
    ...extra,
  };
}

/** The endpoint base an entry sends to (`window.BENCH.api`, set by the page), such as `http://127.0.0.1:4000/segment`. */
export const api = () => window.BENCH.api;

/**
 * Publishes the SDK to the harness: `ready` resolves when the SDK says it is loaded,
 * `track(name, props)` is the shop's one call per event.
 */
export function expose(name, ready, track) {
  window.bench = { name, cart, track, ready: Promise.resolve(ready).then(() => (window.bench.readyAt = performance.now())) };
}
