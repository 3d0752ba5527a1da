// A OneTrust stand-in with only what OneTrust documents for page scripts: the
// `OnetrustActiveGroups` / `OptanonActiveGroups` strings, the `OneTrustGroupsUpdated` window
// event (detail: active group ids), `OptanonWrapper()`, and `OneTrust.IsAlertBoxClosed()`,
// `AllowAll()`, `RejectAll()`, `UpdateConsent('Category', 'C0002:1')`. Opt-in model: before a
// choice only the strictly necessary group C0001 is active.

/** The stand-in as a classic script; `stored` is a returning visitor's active groups. */
export const oneTrustStandIn = (stored?: string[]) => `<script>${oneTrustCode(stored)}</script>`;

export const oneTrustCode = (stored?: string[]) => `
  (function (stored) {
    var ALL = ['C0001', 'C0002', 'C0003', 'C0004'];
    var groups = stored || ['C0001'];
    var closed = !!stored;
    function publish() {
      window.OnetrustActiveGroups = window.OptanonActiveGroups = ',' + groups.join(',') + ',';
      if (typeof window.OptanonWrapper === 'function') window.OptanonWrapper();
      window.dispatchEvent(new CustomEvent('OneTrustGroupsUpdated', { detail: groups.slice() }));
    }
    function decide(next) {
      groups = next;
      closed = true;
      publish();
    }
    window.OneTrust = {
      IsAlertBoxClosed: function () { return closed; },
      AllowAll: function () { decide(ALL.slice()); },
      RejectAll: function () { decide(['C0001']); },
      UpdateConsent: function (type, value) {
        var parts = String(value).split(':');
        var rest = groups.filter(function (g) { return g !== parts[0]; });
        decide(parts[1] === '1' ? rest.concat(parts[0]) : rest);
      },
    };
    publish();
  })(${JSON.stringify(stored ?? null)});
`;
