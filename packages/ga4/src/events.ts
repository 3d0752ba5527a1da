// The catalogue's mapping to GA4, shared by the gtag.js adapter and the collector's
// Measurement Protocol forwarding (`@waybill/ga4/events`), so an event has the same name and
// parameters whichever path takes it to GA4.
import type { EventName, WaybillEvent } from '@waybill/core';
import { fit, gaName, type Trimmed } from './limits';

export { fit, gaName, type Trimmed };

/** The options that decide which events go to GA4, and under which names. */
export interface Ga4Mapping {
  /** Send each Waybill `page()` as a GA4 `page_view`. Default `true`. */
  sendPageView?: boolean;
  /**
   * GA4 event name per Waybill event name, over the catalogue's own (which are GA4's); `false`
   * stops sending that event. `web_vital` (from `@waybill/web-vitals`) is not sent unless named
   * here, e.g. `{ web_vital: 'web_vital' }`.
   */
  eventNames?: Partial<Record<EventName, string | false>>;
}

/** The GA4 event an event becomes: its name and its parameters, within GA4's limits. */
export interface Ga4Event {
  name: string;
  params: Record<string, unknown>;
}

/**
 * The GA4 event for `e` under `mapping`, or nothing. Identify events only set the user id;
 * `web_vital` is first-party only unless named in `eventNames` (GA4 would count each metric
 * as an event). Every event carries `page_location` (so a batched event keeps its page); page
 * views also their referrer and title.
 */
export const ga4Event = (
  { type, name, props, context }: Pick<WaybillEvent, 'type' | 'name' | 'props' | 'context'>,
  { sendPageView = true, eventNames }: Ga4Mapping,
  trimmed: Trimmed,
): Ga4Event | undefined => {
  // No prototype: an event named `constructor` is a name, not Object's own function.
  const mapped = ({ __proto__: null, web_vital: false, ...eventNames } as unknown as Record<string, string | false | undefined>)[name] ?? name;
  const gaEvent = mapped && type != 'identify' && (type != 'page' || sendPageView) && gaName(mapped, trimmed);
  if (gaEvent) {
    const { url, referrer, title } = context.page;
    const params = { page_location: url, ...(type == 'page' && { page_referrer: referrer, page_title: title }), ...props };
    return { name: gaEvent, params: fit(params, trimmed) };
  }
};

/**
 * Event names GA4 reserves: the Measurement Protocol refuses them, and gtag.js events under
 * them are dropped. (Collector only: the adapter does not import it.)
 */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  'ad_activeview',
  'ad_click',
  'ad_exposure',
  'ad_impression',
  'ad_query',
  'adunit_exposure',
  'app_clear_data',
  'app_install',
  'app_update',
  'app_remove',
  'error',
  'first_open',
  'first_visit',
  'in_app_purchase',
  'notification_dismiss',
  'notification_foreground',
  'notification_open',
  'notification_receive',
  'os_update',
  'screen_view',
  'session_start',
  'user_engagement',
]);
