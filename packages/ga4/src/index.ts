import { loadScript, type Category, type ConsentSnapshot, type Destination, type DestinationContext } from '@waybill/core';
import { fit, gaName } from './limits';

export interface Ga4Options {
  /** The web stream's measurement id, `G-XXXXXXX`. */
  measurementId: string;
  /** gtag.js without its query (the adapter appends `?id=<measurementId>`). Default Google's own URL. */
  scriptUrl?: string;
  /**
   * Consent category this destination needs. Default `'analytics'` in basic mode; `'necessary'`
   * in advanced mode, so events reach gtag.js while consent is denied, as cookieless pings.
   */
  category?: Category;
  /**
   * Google Consent Mode: `'basic'` (default) loads gtag.js only once analytics is granted;
   * `'advanced'` loads it at once with the visitor's (usually denied) consent, as Google documents.
   */
  consentMode?: 'basic' | 'advanced';
  /** Send each Waybill `page()` as a GA4 `page_view`. Default `true`. */
  sendPageView?: boolean;
}

const state = (on: boolean) => (on ? 'granted' : 'denied');

/** Google Consent Mode v2 signals from Waybill's consent: analytics → analytics_storage; marketing → the three ad signals. */
const signals = (s: ConsentSnapshot) => {
  const ads = state(s.marketing == 'granted');
  return { ad_storage: ads, ad_user_data: ads, ad_personalization: ads, analytics_storage: state(s.analytics == 'granted') };
};

/**
 * Google Analytics 4 through gtag.js. Sets Consent Mode v2 defaults before anything else and
 * updates them on every change; sends the catalogue as GA4 recommended events (the catalogue
 * uses GA4's names and `items[]` fields) and page views explicitly, so single-page apps count right.
 */
export const ga4 = ({
  measurementId: id,
  scriptUrl = 'https://www.googletagmanager.com/gtag/js',
  consentMode,
  category = consentMode == 'advanced' ? 'necessary' : 'analytics',
  sendPageView = true,
}: Ga4Options): Destination => {
  let warn: DestinationContext['warn'] = () => {};
  let consent: ConsentSnapshot = {};
  let ready: unknown;
  let gtag: ((...args: unknown[]) => void) | undefined;
  /** The `user_id` last set: undefined until someone signs in, then the id, or null once signed out. */
  let user: string | null | undefined;

  const boot = () => {
    if (gtag) return;
    const w = window as unknown as { dataLayer?: unknown[] };
    gtag = function () {
      // gtag.js reads `arguments` objects off the dataLayer, as Google's snippet pushes them.
      (w.dataLayer ||= []).push(arguments); // eslint-disable-line prefer-rest-params
    };
    // The default must come before any config or event (Google's consent mode guide).
    gtag('consent', 'default', { ...signals(consent), security_storage: 'granted' });
    gtag('js', new Date());
    gtag('config', id, { send_page_view: false });
    // Through core's loader: it carries the page's CSP nonce and a Trusted Types policy.
    loadScript(scriptUrl + '?id=' + id);
  };

  return {
    name: 'ga4',
    // gtag.js queues calls itself: hand each event over at once.
    batchSize: 1,
    category,
    init(ctx) {
      warn = ctx.warn;
      ready = 1;
      // The core tells consent before init when the category is granted from the start, after it on a change.
      if (consent[category] == 'granted') boot();
    },
    consent(next) {
      consent = next;
      if (gtag) gtag('consent', 'update', signals(next));
      else if (ready || consentMode == 'advanced') boot();
    },
    send(events) {
      // gtag is set: the core tells consent (which boots it) before it sends anything.
      for (const e of events) {
        try {
          // Google: send user_id while signed in, null once signed out, nothing before. Not without analytics consent.
          const signedIn = (consent.analytics == 'granted' && e.userId) || null;
          if (signedIn != (user ?? null)) gtag!('set', { user_id: (user = signedIn) });
          const name = e.type != 'identify' && (e.type != 'page' || sendPageView) && gaName(e.name, warn);
          if (!name) continue;
          const { url, referrer, title } = e.context.page;
          const p: Record<string, unknown> = { page_location: url, ...(e.type == 'page' && { page_referrer: referrer, page_title: title }), ...e.props };
          gtag!('event', name, { ...fit(p, warn), send_to: id });
        } catch (err) {
          warn('ga4: send failed', err);
        }
      }
    },
  };
};
