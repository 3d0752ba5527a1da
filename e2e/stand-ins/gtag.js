// Stand-in for Google's gtag.js. It implements only the documented call surface: it reads
// the `arguments` objects on `window.dataLayer` (those queued before it loaded, then each
// new push) and reports every command to the test's vendor server. Like gtag.js, it writes
// the `_ga` cookie only when analytics storage is allowed: granted, or no consent default at all.
(function () {
  var src = new URL(document.currentScript.src);
  var dataLayer = (window.dataLayer = window.dataLayer || []);
  var consent = null;
  var n = 0;
  var handle = function (entry) {
    var isArguments = Object.prototype.toString.call(entry) === '[object Arguments]';
    var args = isArguments ? Array.prototype.slice.call(entry) : [entry];
    var command = isArguments ? args[0] : 'not-arguments';
    if (command === 'consent') consent = Object.assign({}, consent, args[2]);
    if ((command === 'config' || command === 'event') && (!consent || consent.analytics_storage === 'granted') && !/(^|; )_ga=/.test(document.cookie)) {
      document.cookie = '_ga=GA1.1.' + Date.now() + '; path=/; max-age=34190000';
    }
    var hit = { vendor: 'ga4', n: n++, command: command, args: args.slice(1), id: src.searchParams.get('id'), consent: consent };
    fetch(src.origin + '/hit', { method: 'POST', body: JSON.stringify(hit), keepalive: true, mode: 'no-cors' });
  };
  dataLayer.forEach(handle);
  var push = dataLayer.push;
  dataLayer.push = function () {
    for (var i = 0; i < arguments.length; i++) handle(arguments[i]);
    return push.apply(dataLayer, arguments);
  };
})();
