// Product list with search: view_item_list, select_item, search, add_to_cart.
import { h, fill, $ } from '../dom.js';
import { products, money, imageOf, urlOf, addToCart, CURRENCY } from '../shop.js';
import { waybill, toItem } from '../analytics.js';
import { startPage } from '../layout.js';
import { toast } from '../toast.js';

startPage({ active: 'shop' });

const ALL = { item_list_id: 'all_products', item_list_name: 'All products' };
const RESULTS = { item_list_id: 'search_results', item_list_name: 'Search results' };

const grid = $('#products');
const input = /** @type {HTMLInputElement} */ ($('#search'));
const status = $('#search-status');

waybill('track', 'view_item_list', { ...ALL, items: products.map((p, i) => toItem(p, 1, i)) });

/** @param {string} term */
function render(term) {
  const needle = term.trim().toLowerCase();
  const list = needle ? RESULTS : ALL;
  const shown = products.filter((p) => !needle || `${p.name} ${p.category} ${p.blurb}`.toLowerCase().includes(needle));
  fill(grid, shown.map((product, index) => card(product, index, list)));
  status.textContent = !needle ? '' : shown.length
    ? `${shown.length} ${shown.length === 1 ? 'product matches' : 'products match'} “${term.trim()}”`
    : `No products match “${term.trim()}”. Try “mug” or “apparel”.`;
}

/**
 * @param {import('../shop.js').Product} product @param {number} index
 * @param {{ item_list_id: string, item_list_name: string }} list
 */
function card(product, index, list) {
  const item = () => toItem(product, 1, index);
  return h('li', { class: 'card' },
    h('a', { class: 'card__link', href: urlOf(product), onclick: () => waybill('track', 'select_item', { ...list, items: [item()] }) },
      h('div', { class: 'art', style: { '--art': product.color } },
        h('img', { src: imageOf(product), alt: '', width: 240, height: 180, loading: 'lazy' })),
      h('span', { class: 'card__category' }, product.category),
      h('span', { class: 'card__name' }, product.name)),
    h('div', { class: 'card__foot' },
      h('span', { class: 'price' }, money(product.price)),
      h('button', {
        type: 'button', class: 'btn btn--small', 'aria-label': `Add ${product.name} to cart`,
        onclick: () => {
          addToCart(product.id);
          waybill('track', 'add_to_cart', { currency: CURRENCY, value: product.price, items: [{ ...item(), ...list }] });
          toast(`${product.name} added to your cart.`, { href: '/cart.html', label: 'View cart' });
        },
      }, 'Add to cart')));
}

// Search: filter as the shopper types; record the term once they pause or press Enter.
let searched = '';
let timer = 0;
const recordSearch = () => {
  clearTimeout(timer);
  const term = input.value.trim();
  if (term && term !== searched) waybill('track', 'search', { search_term: term });
  searched = term;
};
input.addEventListener('input', () => {
  render(input.value);
  clearTimeout(timer);
  timer = window.setTimeout(recordSearch, 800);
});
$('#search-form').addEventListener('submit', (e) => { e.preventDefault(); recordSearch(); });

render('');
