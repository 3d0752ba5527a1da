// Trusted Types, for shops that enforce them (`require-trusted-types-for 'script'`).
// Waybill itself needs only its own `waybill` policy. The consent banner, like many widgets,
// builds its markup with innerHTML, which Trusted Types refuses unless a `default` policy
// vouches for the string. This one lets plain markup through and refuses anything that could
// run script, so a bug elsewhere cannot turn it into an injection hole. The page's CSP must
// list the policy: `trusted-types waybill default`. Loaded as a classic script, before the banner.
(function () {
  if (!window.trustedTypes || !trustedTypes.createPolicy || trustedTypes.defaultPolicy) return;
  var RISKY = /<\s*(script|iframe|object|embed|base|meta|link)\b|\son[a-z]+\s*=|javascript:|srcdoc\s*=/i;
  try {
    trustedTypes.createPolicy('default', {
      // Returning undefined blocks the assignment (and reports a violation).
      createHTML: function (html) {
        return RISKY.test(html) ? undefined : html;
      },
    });
  } catch (e) {
    // The page's CSP does not allow a default policy: nothing to do.
  }
})();
