import { win, on, tell, type ConsentTarget, type Unsubscribe } from './tell';

interface CookieConsentApi {
  validConsent(): boolean;
  getUserPreferences(): { acceptedCategories: string[] };
}

/** Default vanilla-cookieconsent mapping: Waybill category → the banner's category name. */
export const COOKIECONSENT_CATEGORIES: Record<string, string> = { analytics: 'analytics', marketing: 'marketing' };

/**
 * Follow vanilla-cookieconsent v3: its `cc:onConsent` (first choice and every later page load)
 * and `cc:onChange` window events, whose `detail.cookie.categories` lists the accepted
 * categories; a mapped category not listed is denied. A choice made before Waybill loaded is
 * read from `window.CookieConsent` (the UMD build). With the ES module build there is no win:
 * create the bridge before `CookieConsent.run()`.
 *
 * @param map Waybill category → banner category; replaces {@link COOKIECONSENT_CATEGORIES}.
 * @returns a function that removes the listeners.
 */
export const cookieConsent = (tracker: ConsentTarget, map: Record<string, string> = COOKIECONSENT_CATEGORIES): Unsubscribe => {
  const apply = (accepted: unknown) => Array.isArray(accepted) && tell(tracker, map, (name) => accepted.includes(name));
  try {
    const cc = win<CookieConsentApi>('CookieConsent');
    if (cc?.validConsent()) apply(cc.getUserPreferences().acceptedCategories);
  } catch {}
  return on(['cc:onConsent', 'cc:onChange'], (event) => apply(event.detail?.cookie?.categories));
};
