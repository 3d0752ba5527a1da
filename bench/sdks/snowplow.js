// Snowplow browser tracker from npm with its e-commerce plugin (the Snowplow way to track a cart);
// the collector endpoint is the local stand-in, everything else is the tracker's defaults.
import { newTracker, trackPageView } from '@snowplow/browser-tracker';
import { SnowplowEcommercePlugin, trackAddToCart } from '@snowplow/browser-plugin-snowplow-ecommerce';
import { api, cart, expose } from './shop.js';

newTracker('sp', api(), { appId: 'bench', plugins: [SnowplowEcommercePlugin()] });

/** GA4-shaped props to Snowplow's cart: items become product entities; other props a context entity. */
function addToCart({ currency, value, items, ...rest }) {
  trackAddToCart({
    total_value: value,
    currency,
    products: items.map((item) => ({
      id: item.item_id,
      name: item.item_name,
      brand: item.item_brand,
      category: item.item_category,
      variant: item.item_variant,
      price: item.price,
      quantity: item.quantity,
      currency,
    })),
    context: Object.keys(rest).length ? [{ schema: 'iglu:dev.waybill/bench/jsonschema/1-0-0', data: rest }] : undefined,
  });
}

trackPageView();
addToCart(cart());
expose('snowplow', undefined, (name, props) => addToCart(props));
