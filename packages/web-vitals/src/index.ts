import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals';
import { reporter } from './report';
import type { VitalsTracker, WebVitalsOptions } from './types';

export type { VitalsTracker, WebVitalProps, WebVitalsOptions } from './types';

/**
 * Report LCP, INP, CLS, FCP and TTFB to `tracker` as `web_vital` events, each metric once per
 * page load (CLS and INP when the page is first hidden). The events wait for `analytics`
 * consent like every event; observing starts at once, reading only the page's own
 * performance entries. A second call for the same tracker does nothing. It lasts for the
 * page: the web-vitals library has no way to remove its observers.
 *
 * This build has no attribution code (hence `attribution?: false`): for the element behind
 * LCP, INP and CLS, import `webVitals` from `@waybill/web-vitals/attribution`.
 */
export const webVitals: (tracker: VitalsTracker, options?: WebVitalsOptions & { attribution?: false }) => void = /* @__PURE__ */ reporter(onINP, [onCLS, onFCP, onLCP, onTTFB]);
