import { loadScript, type Category, type ConsentState, type Destination, type DestinationContext } from '@waybill/core';
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

/** A Consent Mode signal: granted, or denied (also while pending). */
const signal = (s?: ConsentState) => (s == 'granted' ? s : 'denied');

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
  const trimmed = (what: string, detail?: unknown) => warn('ga4: trimmed ' + what, detail);
  /** The analytics_storage signal last told. */
  let analytics: string | undefined;
  let gtag: ((...args: unknown[]) => void) | undefined;
  /** The `user_id` last set: undefined until someone signs in, then the id, or null once signed out. */
  let user: string | null | undefined;

  return {
    name: 'ga4',
    // gtag.js queues calls itself: hand each event over at once.
    batchSize: 1,
    category,
    init(ctx) {
      warn = ctx.warn;
    },
    // The core tells consent when the destination is added and after every change, so this is
    // where gtag.js boots: at once in advanced mode, else once the category is granted.
    consent(next) {
      // Google Consent Mode v2 signals: analytics → analytics_storage; marketing → the three ad signals.
      const ads = signal(next.marketing);
      const signals = { ad_storage: ads, ad_user_data: ads, ad_personalization: ads, analytics_storage: (analytics = signal(next.analytics)) };
      if (gtag) gtag('consent', 'update', signals);
      else if (consentMode == 'advanced' || next[category] == 'granted') {
        const w = window as unknown as { dataLayer?: unknown[] };
        gtag = function () {
          // gtag.js reads `arguments` objects off the dataLayer, as Google's snippet pushes them.
          (w.dataLayer ||= []).push(arguments); // eslint-disable-line prefer-rest-params
        };
        // The default must come before any config or event (Google's consent mode guide).
        gtag('consent', 'default', { ...signals, security_storage: 'granted' });
        gtag('js', new Date());
        gtag('config', id, { send_page_view: false });
        // Through core's loader: it carries the page's CSP nonce and a Trusted Types policy.
        loadScript(scriptUrl + '?id=' + id);
      }
    },
    send(events) {
      // gtag is set: the core tells consent (which boots it) before it sends anything.
      for (const e of events) {
        try {
          // Google: send user_id while signed in, null once signed out, nothing before. Not without analytics consent.
          const signedIn = (analytics == 'granted' && e.userId) || null;
          // Loose `!=`: null (signed out) equals undefined (never signed in), so nothing is set before sign-in.
          if (signedIn != user) gtag!('set', { user_id: (user = signedIn) });
          const name = e.type != 'identify' && (e.type != 'page' || sendPageView) && gaName(e.name, trimmed);
          if (name) {
            const { url, referrer, title } = e.context.page;
            const params = { page_location: url, ...(e.type == 'page' && { page_referrer: referrer, page_title: title }), ...e.props };
            gtag!('event', name, { ...fit(params, trimmed), send_to: id });
          }
        } catch (err) {
          warn('ga4: send failed', err);
        }
      }
    },
  };
};
