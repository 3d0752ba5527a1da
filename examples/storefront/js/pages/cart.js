// Cart: view_cart, add_to_cart / remove_from_cart from the quantity buttons.
import { h, fill, $ } from '../dom.js';
import { cartLines, setQuantity, subtotalOf, countOf, money, imageOf, urlOf, onCartChange, cents, freeShippingFrom, CURRENCY } from '../shop.js';
import { waybill, toItem, linesPayload } from '../analytics.js';
import { startPage } from '../layout.js';

startPage({ active: 'cart' });

const main = $('#cart');
const initial = cartLines();
if (initial.length) waybill('track', 'view_cart', linesPayload(initial));

/**
 * Change a line's quantity and record what changed.
 * @param {import('../shop.js').Product} product @param {number} quantity
 */
function change(product, quantity) {
  const before = setQuantity(product.id, quantity);
  const delta = Math.max(0, quantity) - before;
  if (!delta) return;
  const n = Math.abs(delta);
  waybill('track', delta > 0 ? 'add_to_cart' : 'remove_from_cart',
    { currency: CURRENCY, value: cents(product.price * n), items: [toItem(product, n)] });
}

function render() {
  const lines = cartLines();
  if (!lines.length) {
    fill(main, h('div', { class: 'empty' },
      h('h1', null, 'Your cart is empty'),
      h('p', null, 'Find something you like in the shop.'),
      h('p', null, h('a', { class: 'btn btn--primary', href: '/' }, 'Browse products'))));
    return;
  }
  const subtotal = subtotalOf(lines);
  fill(main,
    h('h1', null, 'Your cart'),
    h('div', { class: 'columns' },
      h('ul', { class: 'lines' }, lines.map(({ product, quantity }) =>
        h('li', { class: 'line' },
          h('a', { class: 'art art--thumb', href: urlOf(product), style: { '--art': product.color } },
            h('img', { src: imageOf(product), alt: '', width: 96, height: 72 })),
          h('div', { class: 'line__info' },
            h('a', { class: 'line__name', href: urlOf(product) }, product.name),
            h('span', { class: 'muted' }, `${money(product.price)} each`)),
          h('div', { class: 'stepper', role: 'group', 'aria-label': `Quantity of ${product.name}` },
            h('button', { type: 'button', 'aria-label': 'One less', onclick: () => change(product, quantity - 1) }, '−'),
            h('output', { 'aria-live': 'polite' }, String(quantity)),
            h('button', { type: 'button', 'aria-label': 'One more', onclick: () => change(product, quantity + 1) }, '+')),
          h('span', { class: 'line__total' }, money(product.price * quantity)),
          h('button', { type: 'button', class: 'link-button', onclick: () => change(product, 0) }, 'Remove')))),
      h('aside', { class: 'summary' },
        h('h2', null, 'Summary'),
        h('dl', null,
          h('dt', null, `Items (${countOf(lines)})`), h('dd', null, money(subtotal)),
          h('dt', null, 'Shipping'), h('dd', null, subtotal >= freeShippingFrom ? 'Free' : 'From $5.00')),
        h('p', { class: 'muted' }, subtotal >= freeShippingFrom
          ? 'You get free standard shipping.'
          : `Add ${money(freeShippingFrom - subtotal)} more for free standard shipping.`),
        h('a', { class: 'btn btn--primary btn--block', href: '/checkout.html' }, 'Checkout'),
        h('a', { class: 'btn btn--ghost btn--block', href: '/' }, 'Continue shopping'))));
}

render();
onCartChange(render);
