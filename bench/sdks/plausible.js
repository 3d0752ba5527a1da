// Plausible's npm tracker. Its custom props are flat, so items go as a list of ids and the value
// as revenue; page views are tracked by hand, as the others are.
import { init, track } from '@plausible-analytics/tracker';
import { api, cart, expose } from './shop.js';

init({ domain: 'shop.example', endpoint: `${api()}/api/event`, autoCapturePageviews: false, captureOnLocalhost: true });

function addToCart({ currency, value, items, ...rest }) {
  track('add_to_cart', { props: { ...rest, currency, items: items.map((item) => item.item_id).join(',') }, revenue: { amount: value, currency } });
}

track('pageview', {});
addToCart(cart());
expose('plausible', undefined, (name, props) => addToCart(props));
