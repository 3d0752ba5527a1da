// Checkout in two steps: begin_checkout; identify (hashed email and phone) + add_shipping_info;
// add_payment_info; then the order is placed and the shopper goes to /thanks (purchase).
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useWaybill } from '@waybill/react';
import { linesPayload } from '../../../storefront/js/analytics.js';
import { cartLines, clearCart, money, newOrderId, saveOrder, shippingOptions, totalsOf } from '../../../storefront/js/shop.js';
import { useTitle, useTrackOnce } from '../hooks';
import { MiniLines } from '../MiniLines';

const FIELDS = [
  { id: 'email', label: 'Email', type: 'email', autoComplete: 'email', required: true, placeholder: 'you@example.com' },
  { id: 'phone', label: 'Phone (optional, for delivery updates)', type: 'tel', autoComplete: 'tel', required: false, placeholder: '+1 555 010 9999' },
  { id: 'name', label: 'Full name', type: 'text', autoComplete: 'name', required: true, placeholder: 'Alex Rivera' },
  { id: 'address', label: 'Address', type: 'text', autoComplete: 'street-address', required: true, placeholder: '12 Harbor Street' },
  { id: 'city', label: 'City', type: 'text', autoComplete: 'address-level2', required: true, placeholder: 'Portland' },
  { id: 'postal', label: 'ZIP code', type: 'text', autoComplete: 'postal-code', required: true, placeholder: '97201' },
] as const;

export function Checkout() {
  const waybill = useWaybill();
  const navigate = useNavigate();
  // The lines being bought: fixed when checkout starts.
  const [lines] = useState(cartLines);
  const [contact, setContact] = useState<Record<string, string>>({});
  const [shippingId, setShippingId] = useState(shippingOptions[0]!.id);
  const [step, setStep] = useState<'shipping' | 'payment'>('shipping');
  useTitle('Checkout');
  useTrackOnce(lines.length > 0 && 'checkout', () => waybill.track('begin_checkout', linesPayload(lines)));

  if (!lines.length) {
    return (
      <div className="empty">
        <h1>Nothing to check out yet</h1>
        <p>Your cart is empty.</p>
        <p><Link className="btn btn--primary" to="/">Browse products</Link></p>
      </div>
    );
  }
  const shipping = shippingOptions.find((o) => o.id === shippingId) ?? shippingOptions[0]!;
  const totals = totalsOf(lines, shipping);
  const field = (id: string) => (contact[id] ?? '').trim();

  const toPayment = (e: FormEvent) => {
    e.preventDefault();
    // Waybill normalises and hashes email and phone in the browser; raw values never leave the
    // page. Guests have no customer id, so the user id is null.
    const phone = field('phone');
    waybill.identify(null, phone ? { email: field('email'), phone } : { email: field('email') });
    waybill.track('add_shipping_info', linesPayload(lines, { shipping_tier: shipping.label }));
    setStep('payment');
  };
  const pay = (e: FormEvent) => {
    e.preventDefault();
    const paymentType = 'Credit Card';
    waybill.track('add_payment_info', linesPayload(lines, { payment_type: paymentType }));
    const id = newOrderId();
    saveOrder({
      id, placedAt: Date.now(), lines: lines.map((l) => ({ id: l.product.id, quantity: l.quantity })),
      ...totals, shippingTier: shipping.label, paymentType, name: field('name'), city: field('city'),
    });
    clearCart();
    navigate(`/thanks?order=${encodeURIComponent(id)}`);
  };
  const paying = step === 'payment';

  return (
    <>
      <h1>Checkout</h1>
      <div className="columns">
        <div className="steps">
          <section className={`step${paying ? ' step--done' : ''}`}>
            <header className="step__head">
              <h2><span className="step__number">1</span> Contact and shipping</h2>
              <button type="button" className="link-button step__edit" onClick={() => setStep('shipping')}>Edit</button>
            </header>
            <p className="step__recap muted">{paying && `${field('name')}, ${field('address')}, ${field('city')} · ${shipping.label} shipping`}</p>
            <form className="form step__body" onSubmit={toPayment}>
              {FIELDS.map((f) => (
                <div className={f.id === 'city' || f.id === 'postal' ? 'field' : 'field field--wide'} key={f.id}>
                  <label htmlFor={f.id}>{f.label}</label>
                  <input id={f.id} name={f.id} type={f.type} autoComplete={f.autoComplete} required={f.required} placeholder={f.placeholder}
                    value={contact[f.id] ?? ''} onChange={(e) => setContact({ ...contact, [f.id]: e.target.value })} />
                </div>
              ))}
              <fieldset className="field field--wide">
                <legend>Shipping method</legend>
                <div className="choices">
                  {shippingOptions.map((option) => {
                    const price = totalsOf(lines, option).shipping;
                    return (
                      <label className="choice" key={option.id}>
                        <input type="radio" name="shipping" value={option.id} checked={option.id === shippingId} onChange={() => setShippingId(option.id)} />
                        <span className="choice__label"><strong>{option.label}</strong><span className="muted">{option.days}</span></span>
                        <span>{price ? money(price) : 'Free'}</span>
                      </label>
                    );
                  })}
                </div>
              </fieldset>
              <button type="submit" className="btn btn--primary">Continue to payment</button>
            </form>
          </section>
          <section className={`step${paying ? '' : ' step--locked'}`}>
            <header className="step__head">
              <h2><span className="step__number">2</span> Payment</h2>
            </header>
            <form className="form step__body" onSubmit={pay}>
              <p className="note field--wide">This is a demo: nothing is charged and card details never leave this page. Any numbers will do.</p>
              <div className="field field--wide">
                <label htmlFor="card">Card number</label>
                <input id="card" name="card" autoComplete="cc-number" inputMode="numeric" required placeholder="4242 4242 4242 4242" disabled={!paying} />
              </div>
              <div className="field">
                <label htmlFor="expiry">Expiry</label>
                <input id="expiry" name="expiry" autoComplete="cc-exp" required placeholder="MM / YY" disabled={!paying} />
              </div>
              <div className="field">
                <label htmlFor="cvc">CVC</label>
                <input id="cvc" name="cvc" autoComplete="cc-csc" inputMode="numeric" required placeholder="123" disabled={!paying} />
              </div>
              <button id="pay" type="submit" className="btn btn--primary btn--block field--wide" disabled={!paying}>Place order · {money(totals.total)}</button>
            </form>
          </section>
        </div>
        <aside className="summary">
          <h2>Order summary</h2>
          <MiniLines lines={lines} />
          <dl>
            <dt>Subtotal</dt><dd>{money(totals.subtotal)}</dd>
            <dt>Shipping ({shipping.label})</dt><dd>{totals.shipping ? money(totals.shipping) : 'Free'}</dd>
            <dt>Tax (8%)</dt><dd>{money(totals.tax)}</dd>
            <dt className="total">Total</dt><dd className="total">{money(totals.total)}</dd>
          </dl>
        </aside>
      </div>
    </>
  );
}
