// Layout and routes. usePageViews(useLocation()) sends one page view per route change, after
// the route has set its title; the legacy /product.html?id=… links redirect (one page view, for
// the product URL).
import { useEffect, useState } from 'react';
import { Link, Navigate, NavLink, Route, Routes, useLocation, useSearchParams } from 'react-router';
import { useConsent, usePageViews, useWaybill } from '@waybill/react';
import { logoUrl } from '../../spa-common/shop-kit';
import { ConsentBanner } from './ConsentBanner';
import { useCartCount } from './hooks';
import { Cart } from './pages/Cart';
import { Checkout } from './pages/Checkout';
import { Home } from './pages/Home';
import { NotFound } from './pages/NotFound';
import { Product } from './pages/Product';
import { Thanks } from './pages/Thanks';

const SHOP_NAME = 'Northbound Goods';

export function App() {
  usePageViews(useLocation());
  const [preferences, setPreferences] = useState(false);
  const count = useCartCount();
  // As on the storefront, `waybill` in the browser console is the tracker (`waybill.consent.get()`).
  const waybill = useWaybill();
  useEffect(() => void ((window as { waybill?: unknown }).waybill = waybill), [waybill]);
  return (
    <>
      <Ribbon />
      <header className="site-header">
        <div className="wrap site-header__inner">
          <Link className="brand" to="/">
            <img src={logoUrl} alt="" width={32} height={32} />
            <span>{SHOP_NAME}</span>
          </Link>
          <nav className="site-nav" aria-label="Main">
            <NavLink to="/" end>Shop</NavLink>
            <NavLink to="/cart" className="nav-cart">
              Cart{' '}
              <span className="cart-count" aria-label="items in cart" hidden={count === 0}>{count}</span>
            </NavLink>
          </nav>
        </div>
      </header>
      <main className="wrap">
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/product/:id" element={<Product />} />
          <Route path="/product.html" element={<LegacyProduct />} />
          <Route path="/cart" element={<Cart />} />
          <Route path="/checkout" element={<Checkout />} />
          <Route path="/thanks" element={<Thanks />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
      <footer className="site-footer">
        <div className="wrap site-footer__inner">
          <p>© {new Date().getFullYear()} {SHOP_NAME} · a React demo shop for Waybill. No real orders, no real payments.</p>
          <nav aria-label="Footer">
            <button type="button" className="link-button privacy-link" onClick={() => setPreferences(true)}>Privacy settings</button>
            <a href="/events.html">Live events</a>
          </nav>
        </div>
      </footer>
      <ConsentBanner preferences={preferences} onClose={() => setPreferences(false)} />
    </>
  );
}

/** Old storefront links (/product.html?id=…) go to the product's route. */
function LegacyProduct() {
  const [params] = useSearchParams();
  return <Navigate to={`/product/${encodeURIComponent(params.get('id') ?? '')}`} replace />;
}

/** The demo's strip: what Waybill may do right now (from useConsent). */
function Ribbon() {
  const consent = useConsent();
  const gpc = (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  const badge = (category: string, why?: string) => {
    const state = consent[category] ?? 'pending';
    return <span className={`badge badge--${state}`}>{`${category}: ${state}${why ? ` (${why})` : ''}`}</span>;
  };
  return (
    <div className="ribbon">
      <div className="wrap ribbon__inner">
        <strong>Waybill React demo</strong>
        <span className="ribbon__label">consent:</span>
        <span className="ribbon__state">
          {badge('analytics')}
          {badge('marketing', gpc ? 'by Global Privacy Control' : undefined)}
        </span>
        <a href="/events.html" className="ribbon__link">Live events →</a>
      </div>
    </div>
  );
}
