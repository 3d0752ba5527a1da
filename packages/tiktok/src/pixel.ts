/** TikTok's global as its base code leaves it: an array that queues `[method, ...args]` until events.js loads. */
export type Ttq = unknown[] & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- vendor global

// The base code's method list (snippets since 2024 add the three consent calls); events.js replaces them.
const METHODS = 'page track identify instances debug on off once ready alias group enableCookie disableCookie holdConsent revokeConsent grantConsent'.split(' ');

/** The live `ttq`: read each time, because events.js may replace the global when it loads. */
export const ttq = (): Ttq => (window as unknown as { ttq: Ttq }).ttq;

/**
 * What TikTok's base code does for `ttq.load(pixelId)`, with our own script URL: define the
 * queueing global (or reuse one already on the page), record the pixel where events.js
 * looks for it, then insert events.js.
 */
export const loadPixel = (pixelId: string, url: string) => {
  const w = window as unknown as { ttq?: Ttq; TiktokAnalyticsObject?: string };
  w.TiktokAnalyticsObject = 'ttq';
  const q = (w.ttq ||= [] as unknown as Ttq);
  q.methods ||= METHODS;
  for (const m of METHODS) q[m] ||= (...args: unknown[]) => q.push([m, ...args]);
  (q._i ||= {})[pixelId] = Object.assign([], { _u: url });
  (q._t ||= {})[pixelId] = Date.now();
  (q._o ||= {})[pixelId] = {};
  const script = document.createElement('script');
  script.async = true;
  script.src = url + '?sdkid=' + encodeURIComponent(pixelId) + '&lib=ttq';
  document.head.appendChild(script);
};
