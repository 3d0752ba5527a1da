// Order confirmation: purchase, under the caller's event id `purchase-<order id>`
// so a server-side copy of the same purchase (or a reload of this page) is counted once.
import { h, fill, $ } from '../dom.js';
import { findOrder, findProduct, money, imageOf, CURRENCY } from '../shop.js';
import { waybill, toItem } from '../analytics.js';
import { startPage } from '../layout.js';

startPage();

const main = $('#thanks');
const order = findOrder(new URLSearchParams(location.search).get('order'));

if (!order) {
  fill(main, h('div', { class: 'empty' },
    h('h1', null, 'Order not found'),
    h('p', null, 'This confirmation is only kept in the browser the order was placed in.'),
    h('p', null, h('a', { class: 'btn btn--primary', href: '/' }, 'Back to the shop'))));
} else {
  const lines = order.lines.flatMap((l) => {
    const product = findProduct(l.id);
    return product ? [{ product, quantity: l.quantity }] : [];
  });
  waybill('track', 'purchase', {
    transaction_id: order.id,
    currency: CURRENCY,
    value: order.subtotal,
    tax: order.tax,
    shipping: order.shipping,
    items: lines.map((l, i) => toItem(l.product, l.quantity, i)),
  }, { id: `purchase-${order.id}` });

  fill(main,
    h('div', { class: 'confirm' },
      h('img', { src: '/img/check.svg', alt: '', width: 56, height: 56 }),
      h('h1', null, `Thank you${order.name ? `, ${order.name.split(' ')[0]}` : ''}!`),
      h('p', { class: 'lead' }, 'Your order is confirmed. (It is a demo: nothing will ship and nothing was charged.)'),
      h('p', null, 'Order number ', h('strong', { class: 'order-id' }, order.id))),
    h('div', { class: 'columns' },
      h('section', { class: 'panel' },
        h('h2', null, 'Items'),
        h('ul', { class: 'mini-lines' }, lines.map(({ product, quantity }) =>
          h('li', null,
            h('span', { class: 'art art--mini', style: { '--art': product.color } }, h('img', { src: imageOf(product), alt: '', width: 48, height: 36 })),
            h('span', null, `${quantity} × ${product.name}`),
            h('span', null, money(product.price * quantity))))),
        h('dl', null,
          h('dt', null, 'Subtotal'), h('dd', null, money(order.subtotal)),
          h('dt', null, `Shipping (${order.shippingTier})`), h('dd', null, order.shipping ? money(order.shipping) : 'Free'),
          h('dt', null, 'Tax'), h('dd', null, money(order.tax)),
          h('dt', { class: 'total' }, 'Total paid'), h('dd', { class: 'total' }, money(order.total)))),
      h('aside', { class: 'panel panel--note' },
        h('h2', null, 'What Waybill recorded'),
        h('p', null, 'A ', h('code', null, 'purchase'), ' event with the event id ', h('code', null, `purchase-${order.id}`), '.'),
        h('p', null, 'Reload this page: the purchase is sent again under the same id and the collector counts it as a duplicate instead of a second sale. A shop’s server can send its own copy under that id too.'),
        h('p', null, h('a', { class: 'btn btn--secondary', href: `/events.html?name=purchase` }, 'See it in the live events')))));
}
