// Checkout in two steps: begin_checkout, identify + add_shipping_info,
// add_payment_info, then the order is placed and the shopper goes to thanks.html
// (where `purchase` is recorded).
import { h, fill, $ } from '../dom.js';
import { cartLines, totalsOf, shippingOptions, money, imageOf, clearCart, saveOrder, newOrderId } from '../shop.js';
import { waybill, linesPayload } from '../analytics.js';
import { startPage } from '../layout.js';

startPage({ active: 'checkout' });

const main = $('#checkout');
const lines = cartLines();

if (!lines.length) {
  fill(main, h('div', { class: 'empty' },
    h('h1', null, 'Nothing to check out yet'),
    h('p', null, 'Your cart is empty.'),
    h('p', null, h('a', { class: 'btn btn--primary', href: '/' }, 'Browse products'))));
} else {
  waybill('track', 'begin_checkout', linesPayload(lines));
  checkout();
}

function checkout() {
  const shippingForm = /** @type {HTMLFormElement} */ ($('#shipping-form'));
  const paymentForm = /** @type {HTMLFormElement} */ ($('#payment-form'));
  const shippingStep = $('#step-shipping');
  const paymentStep = $('#step-payment');
  const payButton = $('#pay');
  const field = (/** @type {string} */ name) => String(new FormData(shippingForm).get(name) || '').trim();
  const shipping = () => shippingOptions.find((o) => o.id === field('shipping')) || shippingOptions[0];

  // Shipping choices, priced for this cart (standard is free above the threshold).
  fill($('#shipping-options'), shippingOptions.map((option, i) => {
    const price = totalsOf(lines, option).shipping;
    return h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'shipping', value: option.id, checked: i === 0 }),
      h('span', { class: 'choice__label' }, h('strong', null, option.label), h('span', { class: 'muted' }, option.days)),
      h('span', null, price ? money(price) : 'Free'));
  }));

  const summary = () => {
    const totals = totalsOf(lines, shipping());
    fill($('#order-summary'),
      h('h2', null, 'Order summary'),
      h('ul', { class: 'mini-lines' }, lines.map(({ product, quantity }) =>
        h('li', null,
          h('span', { class: 'art art--mini', style: { '--art': product.color } }, h('img', { src: imageOf(product), alt: '', width: 48, height: 36 })),
          h('span', null, `${quantity} × ${product.name}`),
          h('span', null, money(product.price * quantity))))),
      h('dl', null,
        h('dt', null, 'Subtotal'), h('dd', null, money(totals.subtotal)),
        h('dt', null, `Shipping (${shipping().label})`), h('dd', null, totals.shipping ? money(totals.shipping) : 'Free'),
        h('dt', null, 'Tax (8%)'), h('dd', null, money(totals.tax)),
        h('dt', { class: 'total' }, 'Total'), h('dd', { class: 'total' }, money(totals.total))));
    payButton.textContent = `Place order · ${money(totals.total)}`;
  };
  summary();
  shippingForm.addEventListener('change', summary);

  shippingForm.addEventListener('submit', (e) => {
    e.preventDefault();
    // The SDK normalises and hashes email and phone in the browser; the raw values
    // never leave the page. Guests have no customer id, so the user id is null.
    const phone = field('phone');
    waybill('identify', null, phone ? { email: field('email'), phone } : { email: field('email') });
    waybill('track', 'add_shipping_info', linesPayload(lines, { shipping_tier: shipping().label }));
    fill($('#shipping-recap'), `${field('name')}, ${field('address')}, ${field('city')} · ${shipping().label} shipping`);
    shippingStep.classList.add('step--done');
    paymentStep.classList.remove('step--locked');
    paymentForm.querySelectorAll('input, button').forEach((el) => el.removeAttribute('disabled'));
    /** @type {HTMLInputElement} */ (paymentForm.querySelector('input')).focus();
  });

  $('#edit-shipping').addEventListener('click', () => {
    shippingStep.classList.remove('step--done');
    /** @type {HTMLInputElement} */ (shippingForm.querySelector('input')).focus();
  });

  paymentForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const paymentType = 'Credit Card';
    waybill('track', 'add_payment_info', linesPayload(lines, { payment_type: paymentType }));
    // A real shop would now charge the card on its server; the demo only keeps the
    // order (no card data, no email or phone) for the confirmation page.
    const totals = totalsOf(lines, shipping());
    const id = newOrderId();
    saveOrder({
      id, placedAt: Date.now(), lines: lines.map((l) => ({ id: l.product.id, quantity: l.quantity })),
      ...totals, shippingTier: shipping().label, paymentType, name: field('name'), city: field('city'),
    });
    clearCart();
    location.assign(`/thanks.html?order=${encodeURIComponent(id)}`);
  });
}
