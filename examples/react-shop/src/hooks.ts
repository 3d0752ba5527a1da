import { useEffect, useRef, useSyncExternalStore } from 'react';
import { cartLines, countOf } from '../../storefront/js/shop.js';
import { onCartChange } from '../../spa-common/shop-kit';

/** Set the document title; route components do it in an effect, which runs before usePageViews' (a parent's). */
export function useTitle(title: string): void {
  useEffect(() => void (document.title = `${title} · Northbound Goods`), [title]);
}

/**
 * Call `send` once per `key` (false: not yet). StrictMode runs every effect twice in
 * development; the ref survives that, so `view_item` and `purchase` are tracked once.
 */
export function useTrackOnce(key: string | false, send: () => void): void {
  const done = useRef<string | false>(false);
  useEffect(() => {
    if (key === false || done.current === key) return;
    done.current = key;
    send();
    // `send` is a fresh closure each render; only the key says when to send.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
}

/** Items in the cart, re-rendering when it changes. */
export const useCartCount = (): number => useSyncExternalStore(onCartChange, () => countOf(cartLines()), () => 0);

/** The cart lines, re-read when it changes. */
export function useCart() {
  useCartCount();
  return cartLines();
}
