import { loadScript, type Category, type ConsentState, type Destination, type DestinationContext } from '@waybill/core';
import { ga4Event, type Ga4Mapping } from './events';

export type { Ga4Mapping };

export interface Ga4Options extends Ga4Mapping {
  /** The web stream's measurement id, `G-XXXXXXX`. */
  measurementId: string;
  /**
   * Who sends events to GA4, one path only (GA4 does not deduplicate): `'gtag'` (the default),
   * gtag.js in the page; `'server'`, the collector through the Measurement Protocol, with no
   * Google script and no Google cookie on the page, for events collected under analytics consent.
   */
  mode?: 'gtag' | 'server';
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
}

/** A Consent Mode signal: granted, or denied (also while pending). */
const signal = (s?: ConsentState) => (s == 'granted' ? s : 'denied');

/**
 * Google Analytics 4 through gtag.js, or through the collector (`mode: 'server'`). Sets Consent
 * Mode v2 defaults before anything else and updates them on every change; sends the catalogue
 * as GA4 recommended events (the catalogue uses GA4's names and `items[]` fields) and page views
 * explicitly, so single-page apps count right.
 */
export const ga4 = (options: Ga4Options): Destination => {
  const { measurementId: id, scriptUrl = 'https://www.googletagmanager.com/gtag/js', consentMode, mode } = options;
  const { category = consentMode == 'advanced' ? 'necessary' : 'analytics' } = options;
  // The collector alone (it forwards what analytics consent allows): nothing to do in the page.
  if (mode == 'server') return { name: 'ga4', category, forward: 'ga4', send() {} };
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
          const event = ga4Event(e, options, trimmed);
          if (event) gtag!('event', event.name, { ...event.params, send_to: id });
        } catch (err) {
          warn('ga4: send failed', err);
        }
      }
    },
  };
};
