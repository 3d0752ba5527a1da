// What every shop page shares: the demo ribbon, header, footer, consent banner
// and the page view.
import { h, fill } from './dom.js';
import { cartLines, countOf, onCartChange } from './shop.js';
import { initConsent, openConsent, currentConsent, onConsentChange } from './consent.js';
import { waybill } from './analytics.js';

export const SHOP_NAME = 'Northbound Goods';

/**
 * Render the shared layout around the page's <main>, start the consent banner and
 * record the page view. Call first in every page script. Events wait in Waybill's memory
 * until the banner reports a choice (Waybill listens to the banner itself).
 * @param {{ active?: 'shop' | 'cart' | 'checkout' }} [options]
 */
export function startPage(options = {}) {
  const main = document.querySelector('main');
  const cartCount = h('span', { class: 'cart-count', 'aria-label': 'items in cart' });
  const showCount = () => {
    const n = countOf(cartLines());
    cartCount.textContent = String(n);
    cartCount.hidden = n === 0;
  };
  showCount();
  onCartChange(showCount);

  document.body.prepend(
    ribbon(),
    h('header', { class: 'site-header' },
      h('div', { class: 'wrap site-header__inner' },
        h('a', { class: 'brand', href: '/' },
          h('img', { src: '/img/logo.svg', alt: '', width: 32, height: 32 }),
          h('span', null, SHOP_NAME)),
        h('nav', { class: 'site-nav', 'aria-label': 'Main' },
          h('a', { href: '/', 'aria-current': options.active === 'shop' ? 'page' : null }, 'Shop'),
          h('a', { href: '/cart.html', class: 'nav-cart', 'aria-current': options.active === 'cart' ? 'page' : null },
            'Cart', cartCount)))),
  );
  if (main) main.classList.add('wrap');
  document.body.append(
    h('footer', { class: 'site-footer' },
      h('div', { class: 'wrap site-footer__inner' },
        h('p', null, `© ${new Date().getFullYear()} ${SHOP_NAME} · a demo shop for Waybill. No real orders, no real payments.`),
        h('nav', { 'aria-label': 'Footer' },
          h('a', { href: '#privacy', class: 'privacy-link', onclick: (/** @type {Event} */ e) => { e.preventDefault(); openConsent(); } }, 'Privacy settings'),
          h('a', { href: '/events.html' }, 'Live events')))),
  );

  initConsent();
  waybill('page');
}

/** The demo's debug strip: what Waybill may do right now, and where to watch it. */
function ribbon() {
  const state = h('span', { class: 'ribbon__state' });
  // Global Privacy Control: Waybill denies marketing whatever the banner says, and the shop says so.
  const gpc = /** @type {any} */ (navigator).globalPrivacyControl === true;
  const show = () => {
    const c = currentConsent();
    fill(state,
      badge('analytics', c ? c.analytics : 'pending'),
      gpc ? badge('marketing', 'denied', 'by Global Privacy Control') : badge('marketing', c ? c.marketing : 'pending'));
  };
  show();
  onConsentChange(show);
  return h('div', { class: 'ribbon' },
    h('div', { class: 'wrap ribbon__inner' },
      h('strong', null, 'Waybill demo'),
      h('span', { class: 'ribbon__label' }, 'consent:'),
      state,
      h('a', { href: '/events.html', class: 'ribbon__link' }, 'Live events →')));
}

/** @param {string} category @param {string} value @param {string} [why] */
export const badge = (category, value, why) =>
  h('span', { class: `badge badge--${value}`, title: why || null }, `${category}: ${value}${why ? ` (${why})` : ''}`);
