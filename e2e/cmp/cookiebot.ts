// A Cookiebot stand-in with only what Cookiebot documents for page scripts: `window.Cookiebot`
// (`consent.necessary|preferences|statistics|marketing`, `consented`, `declined`, `hasResponse`,
// `submitCustomConsent(preferences, statistics, marketing)`), the window events
// `CookiebotOnConsentReady`, `CookiebotOnAccept`, `CookiebotOnDecline`, and the
// matching `CookiebotCallback_On…` functions. Like Cookiebot, it fires OnConsentReady and
// OnAccept/OnDecline on page load for a returning visitor.

/** The stand-in as a classic script; `stored` is a returning visitor's answer. */
export const cookiebotStandIn = (stored?: { preferences: boolean; statistics: boolean; marketing: boolean }) =>
  `<script>${cookiebotCode(stored)}</script>`;

export const cookiebotCode = (stored?: { preferences: boolean; statistics: boolean; marketing: boolean }) => `
  (function (stored) {
    function fire(name) {
      window.dispatchEvent(new Event('Cookiebot' + name));
      var callback = window['CookiebotCallback_' + name];
      if (typeof callback === 'function') callback();
    }
    var cb = (window.Cookiebot = {
      consent: { necessary: true, preferences: false, statistics: false, marketing: false, method: null },
      consented: false,
      declined: false,
      hasResponse: false,
      doNotTrack: false,
      submitCustomConsent: function (preferences, statistics, marketing) {
        answer({ preferences: !!preferences, statistics: !!statistics, marketing: !!marketing }, 'explicit');
      },
      show: function () {},
      hide: function () {},
      renew: function () {},
    });
    function answer(choice, method) {
      cb.consent = { necessary: true, preferences: choice.preferences, statistics: choice.statistics, marketing: choice.marketing, method: method };
      cb.hasResponse = true;
      cb.consented = choice.preferences || choice.statistics || choice.marketing;
      cb.declined = !cb.consented;
      fire('OnConsentReady');
      fire(cb.consented ? 'OnAccept' : 'OnDecline');
    }
    if (stored) answer(stored, 'implied');
  })(${JSON.stringify(stored ?? null)});
`;
