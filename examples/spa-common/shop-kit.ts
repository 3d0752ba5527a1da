// What the React and Vue shops share besides the storefront's catalogue, cart and GA4 items
// (../storefront/js/shop.js and analytics.js, imported as they are): where the vendor
// stand-ins are, the consent banner's stored choice, and the product pictures. No framework
// and no package here: each shop builds it with its own Vite.

/** The TikTok pixel and GA4 stream the shops use (the e2e stand-ins know them). */
export const PIXEL_ID = 'CPIXEL0001';
export const GA4_ID = 'G-TEST0001';

const meta = (name: string, fallback: string): string =>
  document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content || fallback;

/**
 * The vendor scripts: local stand-ins of TikTok's events.js and Google's gtag.js, served by
 * the shop's own server (examples/demo.mjs) unless the page says otherwise (the end-to-end
 * tests point them at their recording server). A real shop leaves `scriptUrl` at its default.
 */
export const vendorScripts = () => ({
  tiktok: meta('shop:tiktok-src', '/stand-ins/tiktok/events.js'),
  gtag: meta('shop:gtag-src', '/stand-ins/gtag/js'),
});

/** The visitor's answer to the banner, which the banner keeps (necessary storage, like any CMP's cookie). */
export type Choice = {
  analytics: 'granted' | 'denied';
  marketing: 'granted' | 'denied';
};

const CHOICE_KEY = 'shop-consent';
const isState = (v: unknown) => v === 'granted' || v === 'denied';

/** The stored choice, or undefined while the visitor has not answered (or storage is unavailable). */
export function storedChoice(): Choice | undefined {
  try {
    const c = JSON.parse(localStorage.getItem(CHOICE_KEY) ?? 'null');
    return c && isState(c.analytics) && isState(c.marketing) ? { analytics: c.analytics, marketing: c.marketing } : undefined;
  } catch {
    return undefined;
  }
}

/** Remember the visitor's answer for their next visit. */
export function storeChoice(choice: Choice): void {
  try {
    localStorage.setItem(CHOICE_KEY, JSON.stringify(choice));
  } catch {
    // Not remembered: the banner asks again on the next visit.
  }
}

const pictures = import.meta.glob<string>('../storefront/img/*.svg', { eager: true, query: '?url', import: 'default' });

/** URL of a product's picture (bundled by Vite from the storefront's images). */
export const imageOf = (product: { id: string }): string => pictures[`../storefront/img/${product.id}.svg`] ?? '';
export const logoUrl = pictures['../storefront/img/logo.svg'];
export const checkUrl = pictures['../storefront/img/check.svg'];

/** Fires when the cart changes, in this tab (the storefront's shop.js event) or another. */
export function onCartChange(listener: () => void): () => void {
  const storage = (e: StorageEvent) => e.key == 'shop-cart' && listener();
  addEventListener('shop:cart', listener);
  addEventListener('storage', storage);
  return () => {
    removeEventListener('shop:cart', listener);
    removeEventListener('storage', storage);
  };
}
