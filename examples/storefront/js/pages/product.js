// Product page: view_item, add_to_cart, select_item (related products).
import { h, fill, $ } from '../dom.js';
import { products, findProduct, money, imageOf, urlOf, addToCart, cents, CURRENCY } from '../shop.js';
import { waybill, toItem } from '../analytics.js';
import { startPage } from '../layout.js';
import { toast } from '../toast.js';

const product = findProduct(new URLSearchParams(location.search).get('id'));
// Before the page view, so the event carries the product's title.
if (product) document.title = `${product.name} · Northbound Goods`;
startPage({ active: 'shop' });

const main = $('#product');

if (!product) {
  fill(main, h('div', { class: 'empty' },
    h('h1', null, 'We could not find that product'),
    h('p', null, h('a', { class: 'btn btn--primary', href: '/' }, 'Back to the shop'))));
} else {
  waybill('track', 'view_item', { currency: CURRENCY, value: product.price, items: [toItem(product)] });
  fill(main, details(product), related(product));
}

/** @param {import('../shop.js').Product} product */
function details(product) {
  const quantity = /** @type {HTMLInputElement} */ (h('input', { id: 'quantity', type: 'number', min: 1, max: 99, value: 1, inputmode: 'numeric' }));
  const add = (/** @type {Event} */ e) => {
    e.preventDefault();
    const n = Math.max(1, Math.min(99, Math.floor(Number(quantity.value)) || 1));
    addToCart(product.id, n);
    waybill('track', 'add_to_cart', { currency: CURRENCY, value: cents(product.price * n), items: [toItem(product, n)] });
    toast(`${n} × ${product.name} added to your cart.`, { href: '/cart.html', label: 'View cart' });
  };
  return h('article', { class: 'product' },
    h('div', { class: 'art art--large', style: { '--art': product.color } },
      h('img', { src: imageOf(product), alt: product.name, width: 480, height: 360 })),
    h('div', { class: 'product__info' },
      h('p', { class: 'crumbs' }, h('a', { href: '/' }, 'Shop'), ' / ', product.category),
      h('h1', null, product.name),
      h('p', { class: 'price price--large' }, money(product.price)),
      h('p', { class: 'lead' }, product.blurb),
      h('ul', { class: 'ticks' }, product.details.map((d) => h('li', null, d))),
      h('form', { class: 'buy', onsubmit: add },
        h('label', { for: 'quantity' }, 'Quantity'),
        quantity,
        h('button', { type: 'submit', class: 'btn btn--primary' }, 'Add to cart')),
      h('p', { class: 'muted' }, 'Free standard shipping on orders over $100. 30-day returns.')));
}

/** @param {import('../shop.js').Product} product */
function related(product) {
  const list = { item_list_id: 'related_products', item_list_name: 'Related products' };
  const others = products.filter((p) => p.id !== product.id)
    .sort((a, b) => Number(b.category === product.category) - Number(a.category === product.category))
    .slice(0, 3);
  return h('section', { class: 'related' },
    h('h2', null, 'You may also like'),
    h('ul', { class: 'grid grid--small' }, others.map((p, index) =>
      h('li', { class: 'card' },
        h('a', { class: 'card__link', href: urlOf(p), onclick: () => waybill('track', 'select_item', { ...list, items: [toItem(p, 1, index)] }) },
          h('div', { class: 'art', style: { '--art': p.color } }, h('img', { src: imageOf(p), alt: '', width: 240, height: 180, loading: 'lazy' })),
          h('span', { class: 'card__category' }, p.category),
          h('span', { class: 'card__name' }, p.name),
          h('span', { class: 'price' }, money(p.price)))))));
}
