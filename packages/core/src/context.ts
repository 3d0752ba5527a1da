import type { Landing } from './ids';
import type { ConsentSnapshot, EventContext } from './types';

declare const __VERSION__: string;

const CLICK_IDS = ['ttclid', 'gclid', 'fbclid'];

/** `utm_*` parameters and ad click ids of this page's URL, or nothing when it has none. */
export const landing = (): Landing => {
  const campaign: Record<string, string> = {};
  const clickIds: Record<string, string> = {};
  let found;
  new URLSearchParams(location.search).forEach((value, key) => {
    key = key.toLowerCase();
    if (key.startsWith('utm_')) found = campaign[key] = value.slice(0, 256);
    if (CLICK_IDS.includes(key)) found = clickIds[key] = value.slice(0, 512);
  });
  return found == null ? {} : { campaign, clickIds };
};

/** The time zone, read once: making an `Intl.DateTimeFormat` costs about 0.15 ms, too much for every event. */
let zone: string | undefined;

/**
 * The page context of an event, read when the event is created. `campaign` and `clickIds`
 * belong to the session: the tracker adds them with the ids.
 */
export const pageContext = (consent: ConsentSnapshot): Omit<EventContext, 'campaign' | 'clickIds'> => ({
  page: { url: location.href, path: location.pathname, referrer: document.referrer, title: document.title },
  locale: navigator.language,
  timezone: (zone ||= Intl.DateTimeFormat().resolvedOptions().timeZone),
  screen: screen.width + 'x' + screen.height,
  consent,
  library: { name: 'waybill', version: __VERSION__ },
});
