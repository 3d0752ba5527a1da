import type { ConsentSnapshot, EventContext } from './types';

declare const __VERSION__: string;

const CLICK_IDS = ['ttclid', 'gclid', 'fbclid'];

/** `utm_*` parameters (`c`) and ad click ids (`k`) of this page's URL, or nothing when it has none. */
export const landing = () => {
  const c: Record<string, string> = {};
  const k: Record<string, string> = {};
  let found;
  new URLSearchParams(location.search).forEach((value, key) => {
    key = key.toLowerCase();
    if (key.startsWith('utm_')) found = c[key] = value.slice(0, 256);
    if (CLICK_IDS.includes(key)) found = k[key] = value.slice(0, 512);
  });
  return found == null ? {} : { c, k };
};

/** The page context of an event, read when the event is created. */
export const pageContext = (consent: ConsentSnapshot, campaign: Record<string, string>, clickIds: Record<string, string>): EventContext => {
  return {
    page: { url: location.href, path: location.pathname, referrer: document.referrer, title: document.title },
    locale: navigator.language,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    screen: screen.width + 'x' + screen.height,
    campaign,
    clickIds,
    consent,
    library: { name: 'waybill', version: __VERSION__ },
  };
};
