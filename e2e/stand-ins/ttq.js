// Stand-in for TikTok's events.js. It implements only the documented call surface
// (what TikTok's base code queues: `[method, ...args]` on the `ttq` array, with the pixel
// recorded in `ttq._i`) and reports every call to the test's vendor server, as the real
// pixel would report events to TikTok. Like the real pixel, it sets `_ttp` when it loads.
(function () {
  var src = new URL(document.currentScript.src);
  var name = window.TiktokAnalyticsObject;
  var ttq = window[name];
  var n = 0;
  var record = function (method, args) {
    var hit = { vendor: 'tiktok', n: n++, method: method, args: args, global: name, sdkid: src.searchParams.get('sdkid'), lib: src.searchParams.get('lib'), pixels: Object.keys(ttq._i || {}) };
    fetch(src.origin + '/hit', { method: 'POST', body: JSON.stringify(hit), keepalive: true, mode: 'no-cors' });
  };
  document.cookie = '_ttp=standin.' + Date.now() + '; path=/; max-age=34190000';
  var queued = Array.prototype.slice.call(ttq);
  ttq.length = 0;
  ['page', 'track', 'identify', 'holdConsent', 'grantConsent', 'revokeConsent', 'enableCookie', 'disableCookie'].forEach(function (method) {
    ttq[method] = function () {
      record(method, Array.prototype.slice.call(arguments));
    };
  });
  // The real library takes over the queue in order; so does the stand-in.
  queued.forEach(function (call) {
    ttq[call[0]].apply(ttq, call.slice(1));
  });
})();
