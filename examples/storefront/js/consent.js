// The consent banner: the real vanilla-cookieconsent v3 (served from /vendor/, copied from npm).
// It is the only code that decides consent. Waybill follows it by itself: the script tag's
// data-consent="cookieconsent" makes the bundle listen to the banner's cc:onConsent and
// cc:onChange events, so the shop never calls waybill('consent', …) here.
//
// The banner stores the visitor's choice in its own cookie (`cc_cookie`): that is necessary
// storage, allowed before consent. Categories: necessary (always on), analytics, marketing.

/** @typedef {{ analytics: 'granted' | 'denied', marketing: 'granted' | 'denied' }} Choice */

/** The banner's API (its UMD build defines the global), or undefined if a blocker removed it. */
const banner = () => /** @type {any} */ (window).CookieConsent;

const CONFIG = {
  // Ask again when the categories change: bump this and every visitor sees the banner again.
  revision: 1,
  guiOptions: {
    consentModal: { layout: 'box inline', position: 'bottom right', equalWeightButtons: true },
    preferencesModal: { layout: 'box', equalWeightButtons: true },
  },
  categories: {
    necessary: { enabled: true, readOnly: true },
    analytics: {},
    marketing: {},
  },
  language: {
    default: 'en',
    translations: {
      en: {
        consentModal: {
          title: 'Your privacy, your choice',
          description:
            'We would like to measure how the shop is used (analytics), with our own server only. ' +
            'Nothing is sent or stored for either until you choose, and you can change your mind at any time under “Privacy settings”.',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          showPreferencesBtn: 'Manage preferences',
        },
        preferencesModal: {
          title: 'Privacy preferences',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          savePreferencesBtn: 'Save preferences',
          closeIconLabel: 'Close',
          sections: [
            {
              title: 'What we use, and why',
              description: 'Turn each purpose on or off. A purpose you turn off stops at once, and what was kept for it is deleted.',
            },
            {
              title: 'Strictly necessary',
              description: 'Your cart, your order and this choice. Always on: the shop cannot work without them.',
              linkedCategory: 'necessary',
            },
            {
              title: 'Analytics',
              description: 'Events such as “viewed a product” or “placed an order”, sent to this shop’s own server (Waybill), to learn what works in the shop.',
              linkedCategory: 'analytics',
            },
            {
              title: 'Marketing',
              description: 'Would tell ad partners which ads brought you here. This demo shop loads none: the switch shows how Waybill follows your choice.',
              linkedCategory: 'marketing',
            },
          ],
        },
      },
    },
  },
};

/** The current choice, or `null` while the visitor has not chosen. @returns {Choice | null} */
export function currentConsent() {
  const cc = banner();
  if (!cc || !cc.validConsent()) return null;
  const state = (/** @type {string} */ category) => (cc.acceptedCategory(category) ? 'granted' : 'denied');
  return { analytics: state('analytics'), marketing: state('marketing') };
}

/** Start the banner: it shows itself to a visitor who has not chosen yet. Call once per page. */
export function initConsent() {
  banner()?.run(CONFIG);
}

/** Open the preferences dialog (the footer's "Privacy settings" link), so a visitor can change their mind. */
export function openConsent() {
  banner()?.showPreferences();
}

/**
 * Call `listener` whenever the banner reports a choice: on every page with a stored choice,
 * after the first choice and after every change.
 * @param {() => void} listener
 */
export function onConsentChange(listener) {
  window.addEventListener('cc:onConsent', listener);
  window.addEventListener('cc:onChange', listener);
}
