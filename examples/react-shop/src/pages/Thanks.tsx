// Order confirmation: purchase, under the event id `purchase-<order id>`, so a server-side copy
// of the same purchase (or a reload of this page) is counted once.
import { Link, useSearchParams } from 'react-router';
import { useWaybill } from '@waybill/react';
import { toItem } from '../../../storefront/js/analytics.js';
import { CURRENCY, findOrder, findProduct, money } from '../../../storefront/js/shop.js';
import { checkUrl } from '../../../spa-common/shop-kit';
import { useTitle, useTrackOnce } from '../hooks';
import { MiniLines } from '../MiniLines';

export function Thanks() {
  const waybill = useWaybill();
  const [params] = useSearchParams();
  const order = findOrder(params.get('order'));
  const lines = (order?.lines ?? []).flatMap((l) => {
    const product = findProduct(l.id);
    return product ? [{ product, quantity: l.quantity }] : [];
  });
  useTitle(order ? 'Thank you' : 'Order not found');
  useTrackOnce(!!order && order.id, () =>
    waybill.track(
      'purchase',
      { transaction_id: order!.id, currency: CURRENCY, value: order!.subtotal, tax: order!.tax, shipping: order!.shipping, items: lines.map((l, i) => toItem(l.product, l.quantity, i)) },
      { id: `purchase-${order!.id}` },
    ),
  );
  if (!order) {
    return (
      <div className="empty">
        <h1>Order not found</h1>
        <p>This confirmation is only kept in the browser the order was placed in.</p>
        <p><Link className="btn btn--primary" to="/">Back to the shop</Link></p>
      </div>
    );
  }
  return (
    <>
      <div className="confirm">
        <img src={checkUrl} alt="" width={56} height={56} />
        <h1>Thank you{order.name ? `, ${order.name.split(' ')[0]}` : ''}!</h1>
        <p className="lead">Your order is confirmed. (It is a demo: nothing will ship and nothing was charged.)</p>
        <p>Order number <strong className="order-id">{order.id}</strong></p>
      </div>
      <div className="columns">
        <section className="panel">
          <h2>Items</h2>
          <MiniLines lines={lines} />
          <dl>
            <dt>Subtotal</dt><dd>{money(order.subtotal)}</dd>
            <dt>Shipping ({order.shippingTier})</dt><dd>{order.shipping ? money(order.shipping) : 'Free'}</dd>
            <dt>Tax</dt><dd>{money(order.tax)}</dd>
            <dt className="total">Total paid</dt><dd className="total">{money(order.total)}</dd>
          </dl>
        </section>
        <aside className="panel panel--note">
          <h2>What Waybill recorded</h2>
          <p>A <code>purchase</code> event with the event id <code>purchase-{order.id}</code>.</p>
          <p>Reload this page: the purchase is sent again under the same id and the collector counts it as a duplicate instead of a second sale.</p>
          <p><a className="btn btn--secondary" href="/events.html?name=purchase">See it in the live events</a></p>
        </aside>
      </div>
    </>
  );
}
