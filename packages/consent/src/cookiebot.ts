import { win, on, tell, type ConsentTarget, type Unsubscribe } from './tell';

interface Cookiebot {
  consent?: Record<string, boolean>;
  hasResponse?: boolean;
}

/** Default Cookiebot mapping: Waybill category → Cookiebot category. */
export const COOKIEBOT_CATEGORIES: Record<string, string> = { analytics: 'statistics', marketing: 'marketing' };

/**
 * Follow Cookiebot: `window.Cookiebot.consent`, read now (a Cookiebot that loaded first) and on its
 * `CookiebotOnConsentReady`, `CookiebotOnAccept` and `CookiebotOnDecline` window events. A
 * category off denies only once `Cookiebot.hasResponse` says the visitor has answered.
 *
 * @param map Waybill category → Cookiebot category; replaces {@link COOKIEBOT_CATEGORIES}.
 * @returns a function that removes the listeners.
 */
export const cookiebot = (tracker: ConsentTarget, map: Record<string, string> = COOKIEBOT_CATEGORIES): Unsubscribe => {
  const read = () => {
    const cb = win<Cookiebot>('Cookiebot');
    if (cb?.consent) tell(tracker, map, (name) => cb.consent![name], () => cb.hasResponse);
  };
  read();
  return on(['CookiebotOnConsentReady', 'CookiebotOnAccept', 'CookiebotOnDecline'], read);
};
