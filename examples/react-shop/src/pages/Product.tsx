// Product page: view_item, add_to_cart, select_item (related products).
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useWaybill } from '@waybill/react';
import { toItem } from '../../../storefront/js/analytics.js';
import { addToCart, cents, CURRENCY, findProduct, money, products } from '../../../storefront/js/shop.js';
import { imageOf } from '../../../spa-common/shop-kit';
import { useTitle, useTrackOnce } from '../hooks';
import { useToast } from '../Toast';
import { NotFound } from './NotFound';

const RELATED = { item_list_id: 'related_products', item_list_name: 'Related products' };

export function Product() {
  const { id = '' } = useParams();
  const product = findProduct(id);
  const waybill = useWaybill();
  const toast = useToast();
  const [quantity, setQuantity] = useState('1');
  useTitle(product ? product.name : 'Product not found');
  useTrackOnce(!!product && product.id, () => waybill.track('view_item', { currency: CURRENCY, value: product!.price, items: [toItem(product!)] }));
  if (!product) return <NotFound title="We could not find that product" />;

  const add = (e: FormEvent) => {
    e.preventDefault();
    const n = Math.max(1, Math.min(99, Math.floor(Number(quantity)) || 1));
    addToCart(product.id, n);
    waybill.track('add_to_cart', { currency: CURRENCY, value: cents(product.price * n), items: [toItem(product, n)] });
    toast.show(`${n} × ${product.name} added to your cart.`);
  };
  const others = products
    .filter((p) => p.id !== product.id)
    .sort((a, b) => Number(b.category === product.category) - Number(a.category === product.category))
    .slice(0, 3);
  return (
    <>
      <article className="product">
        <div className="art art--large" style={{ '--art': product.color } as React.CSSProperties}>
          <img src={imageOf(product)} alt={product.name} width={480} height={360} />
        </div>
        <div className="product__info">
          <p className="crumbs"><Link to="/">Shop</Link> / {product.category}</p>
          <h1>{product.name}</h1>
          <p className="price price--large">{money(product.price)}</p>
          <p className="lead">{product.blurb}</p>
          <ul className="ticks">{product.details.map((d) => <li key={d}>{d}</li>)}</ul>
          <form className="buy" onSubmit={add}>
            <label htmlFor="quantity">Quantity</label>
            <input id="quantity" type="number" min={1} max={99} inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} />
            <button type="submit" className="btn btn--primary">Add to cart</button>
          </form>
          <p className="muted">Free standard shipping on orders over $100. 30-day returns.</p>
        </div>
      </article>
      <section className="related">
        <h2>You may also like</h2>
        <ul className="grid grid--small">
          {others.map((p, index) => (
            <li className="card" key={p.id}>
              <Link className="card__link" to={`/product/${p.id}`} onClick={() => waybill.track('select_item', { ...RELATED, items: [toItem(p, 1, index)] })}>
                <div className="art" style={{ '--art': p.color } as React.CSSProperties}>
                  <img src={imageOf(p)} alt="" width={240} height={180} loading="lazy" />
                </div>
                <span className="card__category">{p.category}</span>
                <span className="card__name">{p.name}</span>
                <span className="price">{money(p.price)}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      {toast.view}
    </>
  );
}
