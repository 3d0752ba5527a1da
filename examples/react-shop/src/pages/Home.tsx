// Product list with search: view_item_list, select_item, search, add_to_cart.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useWaybill } from '@waybill/react';
import { toItem } from '../../../storefront/js/analytics.js';
import { addToCart, CURRENCY, money, products } from '../../../storefront/js/shop.js';
import { imageOf } from '../../../spa-common/shop-kit';
import { useTitle, useTrackOnce } from '../hooks';
import { useToast } from '../Toast';

const ALL = { item_list_id: 'all_products', item_list_name: 'All products' };
const RESULTS = { item_list_id: 'search_results', item_list_name: 'Search results' };

export function Home() {
  const waybill = useWaybill();
  const toast = useToast();
  const [term, setTerm] = useState('');
  const searched = useRef('');
  useTitle('Shop');
  useTrackOnce('all', () => waybill.track('view_item_list', { ...ALL, items: products.map((p, i) => toItem(p, 1, i)) }));

  // Record the term once the shopper pauses typing or presses Enter.
  const recordSearch = () => {
    const t = term.trim();
    if (t && t !== searched.current) waybill.track('search', { search_term: t });
    searched.current = t;
  };
  useEffect(() => {
    const timer = setTimeout(recordSearch, 800);
    return () => clearTimeout(timer);
  });

  const needle = term.trim().toLowerCase();
  const list = needle ? RESULTS : ALL;
  const shown = products.filter((p) => !needle || `${p.name} ${p.category} ${p.blurb}`.toLowerCase().includes(needle));
  return (
    <>
      <section className="hero">
        <div className="hero__text">
          <p className="eyebrow">Spring collection</p>
          <h1>Useful things, made to last.</h1>
          <p className="lead">Six well-made everyday goods, shipped from a small workshop. Free standard shipping over $100.</p>
        </div>
        <form className="search" role="search" onSubmit={(e) => (e.preventDefault(), recordSearch())}>
          <label htmlFor="search" className="visually-hidden">Search products</label>
          <input id="search" type="search" placeholder="Search products, e.g. “mug”" autoComplete="off" value={term} onChange={(e) => setTerm(e.target.value)} />
          <button className="btn btn--primary" type="submit">Search</button>
        </form>
      </section>
      <p className="search-status" aria-live="polite">
        {!needle ? '' : shown.length ? `${shown.length} ${shown.length === 1 ? 'product matches' : 'products match'} “${term.trim()}”` : `No products match “${term.trim()}”. Try “mug” or “apparel”.`}
      </p>
      <ul className="grid" aria-label="Products">
        {shown.map((product, index) => {
          const item = toItem(product, 1, index);
          return (
            <li className="card" key={product.id}>
              <Link className="card__link" to={`/product/${product.id}`} onClick={() => waybill.track('select_item', { ...list, items: [item] })}>
                <div className="art" style={{ '--art': product.color } as React.CSSProperties}>
                  <img src={imageOf(product)} alt="" width={240} height={180} loading="lazy" />
                </div>
                <span className="card__category">{product.category}</span>
                <span className="card__name">{product.name}</span>
              </Link>
              <div className="card__foot">
                <span className="price">{money(product.price)}</span>
                <button
                  type="button"
                  className="btn btn--small"
                  aria-label={`Add ${product.name} to cart`}
                  onClick={() => {
                    addToCart(product.id);
                    waybill.track('add_to_cart', { currency: CURRENCY, value: product.price, items: [{ ...item, ...list }] });
                    toast.show(`${product.name} added to your cart.`);
                  }}
                >
                  Add to cart
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      {toast.view}
    </>
  );
}
