/** TikTok's global as its base code leaves it: an array that queues `[method, ...args]` until events.js loads. */
export type Ttq = unknown[] & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- vendor global

/**
 * `window` with the globals TikTok's base code defines (the adapter's `init` defines them, before
 * any other use). The adapter reads `window.ttq` at each call, never a copy: events.js may
 * replace the global when it loads.
 */
export type TtqWindow = Window & { ttq: Ttq; TiktokAnalyticsObject: string };

// The base code defers 16 methods; the adapter calls only these. events.js replaces them when it loads.
export const METHODS = ['track', 'identify', 'grantConsent', 'revokeConsent'];
