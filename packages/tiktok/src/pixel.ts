import { loadScript } from '@waybill/core';

/** TikTok's global as its base code leaves it: an array that queues `[method, ...args]` until events.js loads. */
export type Ttq = unknown[] & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- vendor global

// The base code defers 16 methods; the adapter calls only these. events.js replaces them when it loads.
const METHODS = ['track', 'identify', 'grantConsent', 'revokeConsent'];

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
  for (const m of METHODS) q[m] ||= (...args: unknown[]) => q.push([m, ...args]);
  (q._i ||= {})[pixelId] = Object.assign([], { _u: url });
  (q._t ||= {})[pixelId] = Date.now();
  (q._o ||= {})[pixelId] = {};
  // Through core's loader: it carries the page's CSP nonce and a Trusted Types policy.
  loadScript(url + '?sdkid=' + pixelId + '&lib=ttq');
};
