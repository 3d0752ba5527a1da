// @vitest-environment happy-dom
import { StrictMode, useEffect } from 'react';
import { act, cleanup, render } from '@testing-library/react';
import { BrowserRouter, Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTracker, type Tracker } from '@waybill/core';
import { usePageViews, WaybillProvider } from '@waybill/react';
import { consoleCalls, listenerLedger, recorded } from './helpers';

beforeEach(() => history.replaceState(null, '', '/'));
afterEach(cleanup);

/** Send what the tracker holds and return the paths (with query) of its page views. */
async function pagesOf(tracker: Tracker, sink: ReturnType<typeof recorded>['sink']): Promise<string[]> {
  await act(() => tracker.flush());
  return sink.pages();
}

function setup() {
  const { options, sink } = recorded();
  const tracker = createTracker(options);
  return { tracker, sink, pages: () => pagesOf(tracker, sink) };
}

describe('usePageViews with React Router', () => {
  function Shop() {
    usePageViews(useLocation());
    return (
      <Routes>
        <Route path="/" element={<Link to="/p/tee">Tee</Link>} />
        <Route path="/p/:id" element={<Product />} />
        <Route path="/old-cart" element={<Navigate to="/cart" replace />} />
        <Route path="/cart" element={<Cart />} />
      </Routes>
    );
  }
  function Product() {
    useEffect(() => void (document.title = 'Tee'), []);
    return <Link to="/cart">Cart</Link>;
  }
  let navigate!: ReturnType<typeof useNavigate>;
  function Cart() {
    navigate = useNavigate();
    return <Link to="/">Home</Link>;
  }
  const mount = (tracker: Tracker) =>
    render(
      <StrictMode>
        <WaybillProvider tracker={tracker}>
          <BrowserRouter>
            <Shop />
          </BrowserRouter>
        </WaybillProvider>
      </StrictMode>,
    );

  it('sends one page view per route change under StrictMode, after the route rendered its title', async () => {
    const quiet = consoleCalls();
    const { tracker, sink, pages } = setup();
    const view = mount(tracker);
    act(() => view.getByText('Tee').click());
    act(() => view.getByText('Cart').click());
    act(() => view.getByText('Home').click());
    expect(await pages()).toEqual(['/', '/p/tee', '/cart', '/']);
    expect(sink.events.find((e) => e.context.page.path == '/p/tee')!.context.page.title).toBe('Tee');
    expect(quiet).toEqual([]);
  });

  it('sends none for a replace of the same URL, nor for a change of hash only', async () => {
    const { tracker, pages } = setup();
    history.replaceState(null, '', '/cart');
    mount(tracker);
    act(() => navigate('/cart', { replace: true }));
    act(() => navigate('/cart#summary'));
    act(() => navigate('/cart?coupon=SPRING'));
    expect(await pages()).toEqual(['/cart', '/cart?coupon=SPRING']);
  });

  it('sends one page view for a redirect, for the URL it lands on', async () => {
    const { tracker, pages } = setup();
    history.replaceState(null, '', '/old-cart');
    mount(tracker);
    expect(location.pathname).toBe('/cart');
    expect(await pages()).toEqual(['/cart']);
  });

  it('accepts a string route (Next.js: pathname and search params)', async () => {
    const { tracker, pages } = setup();
    function Next({ path }: { path: string }) {
      usePageViews(path);
      return null;
    }
    const view = render(
      <WaybillProvider tracker={tracker}>
        <Next path="/" />
      </WaybillProvider>,
    );
    history.pushState(null, '', '/p/tee');
    view.rerender(
      <WaybillProvider tracker={tracker}>
        <Next path="/p/tee" />
      </WaybillProvider>,
    );
    expect(await pages()).toEqual(['/', '/p/tee']);
  });
});

describe('usePageViews with nothing passed (plain History API)', () => {
  function Plain() {
    usePageViews();
    return null;
  }
  const mount = (tracker: Tracker) =>
    render(
      <StrictMode>
        <WaybillProvider tracker={tracker}>
          <Plain />
        </WaybillProvider>
      </StrictMode>,
    );

  it('follows the Navigation API where there is one, and leaves history alone', async () => {
    const navigation = new EventTarget();
    Object.defineProperty(window, 'navigation', { value: navigation, configurable: true });
    const { pushState, replaceState } = history;
    const ledger = listenerLedger(navigation);
    try {
      const { tracker, pages } = setup();
      const view = mount(tracker);
      expect(ledger.count('currententrychange')).toBe(1);
      const go = (url: string, replace = false) =>
        act(() => {
          (replace ? history.replaceState : history.pushState).call(history, null, '', url);
          navigation.dispatchEvent(new Event('currententrychange'));
        });
      go('/p/tee');
      go('/p/tee', true);
      go('/p/tee#reviews');
      go('/cart');
      expect(await pages()).toEqual(['/', '/p/tee', '/cart']);
      expect([history.pushState, history.replaceState]).toEqual([pushState, replaceState]);
      view.unmount();
      expect(ledger.count('currententrychange')).toBe(0);
    } finally {
      delete (window as { navigation?: unknown }).navigation;
    }
  });

  it('falls back to popstate (back and forward) where there is no Navigation API, and removes its listener on unmount', async () => {
    expect('navigation' in window).toBe(false);
    const ledger = listenerLedger(window);
    const { tracker, pages } = setup();
    const view = mount(tracker);
    expect(ledger.count('popstate')).toBe(1);
    act(() => {
      history.pushState(null, '', '/p/tee');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    expect(await pages()).toEqual(['/', '/p/tee']);
    view.unmount();
    expect(ledger.count('popstate')).toBe(0);
  });

  it('sends none on a remount on the same URL', async () => {
    const { tracker, pages } = setup();
    mount(tracker).unmount();
    mount(tracker);
    expect(await pages()).toEqual(['/']);
  });
});
