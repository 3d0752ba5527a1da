// Cart: view_cart, add_to_cart / remove_from_cart from the quantity buttons.
import { Link } from 'react-router';
import { useWaybill } from '@waybill/react';
import { linesPayload, toItem } from '../../../storefront/js/analytics.js';
import { cents, countOf, CURRENCY, freeShippingFrom, money, setQuantity, subtotalOf, type Product } from '../../../storefront/js/shop.js';
import { imageOf } from '../../../spa-common/shop-kit';
import { useCart, useTitle, useTrackOnce } from '../hooks';

export function Cart() {
  const waybill = useWaybill();
  const lines = useCart();
  useTitle('Cart');
  useTrackOnce(lines.length > 0 && 'cart', () => waybill.track('view_cart', linesPayload(lines)));

  const change = (product: Product, quantity: number) => {
    const before = setQuantity(product.id, quantity);
    const delta = Math.max(0, quantity) - before;
    if (!delta) return;
    const n = Math.abs(delta);
    waybill.track(delta > 0 ? 'add_to_cart' : 'remove_from_cart', { currency: CURRENCY, value: cents(product.price * n), items: [toItem(product, n)] });
  };

  if (!lines.length) {
    return (
      <div className="empty">
        <h1>Your cart is empty</h1>
        <p>Find something you like in the shop.</p>
        <p><Link className="btn btn--primary" to="/">Browse products</Link></p>
      </div>
    );
  }
  const subtotal = subtotalOf(lines);
  return (
    <>
      <h1>Your cart</h1>
      <div className="columns">
        <ul className="lines">
          {lines.map(({ product, quantity }) => (
            <li className="line" key={product.id}>
              <Link className="art art--thumb" to={`/product/${product.id}`} style={{ '--art': product.color } as React.CSSProperties}>
                <img src={imageOf(product)} alt="" width={96} height={72} />
              </Link>
              <div className="line__info">
                <Link className="line__name" to={`/product/${product.id}`}>{product.name}</Link>
                <span className="muted">{money(product.price)} each</span>
              </div>
              <div className="stepper" role="group" aria-label={`Quantity of ${product.name}`}>
                <button type="button" aria-label="One less" onClick={() => change(product, quantity - 1)}>−</button>
                <output aria-live="polite">{quantity}</output>
                <button type="button" aria-label="One more" onClick={() => change(product, quantity + 1)}>+</button>
              </div>
              <span className="line__total">{money(product.price * quantity)}</span>
              <button type="button" className="link-button" onClick={() => change(product, 0)}>Remove</button>
            </li>
          ))}
        </ul>
        <aside className="summary">
          <h2>Summary</h2>
          <dl>
            <dt>Items ({countOf(lines)})</dt>
            <dd>{money(subtotal)}</dd>
            <dt>Shipping</dt>
            <dd>{subtotal >= freeShippingFrom ? 'Free' : 'From $5.00'}</dd>
          </dl>
          <p className="muted">{subtotal >= freeShippingFrom ? 'You get free standard shipping.' : `Add ${money(freeShippingFrom - subtotal)} more for free standard shipping.`}</p>
          <Link className="btn btn--primary btn--block" to="/checkout">Checkout</Link>
          <Link className="btn btn--ghost btn--block" to="/">Continue shopping</Link>
        </aside>
      </div>
    </>
  );
}
