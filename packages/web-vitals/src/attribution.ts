import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals/attribution';
import { reporter } from './report';
import type { Targets } from './types';

export type { VitalsTracker, WebVitalProps, WebVitalsOptions } from './types';

/**
 * `webVitals` over the web-vitals attribution build: as `@waybill/web-vitals`, and LCP, INP
 * and CLS events also carry `target`, a CSS selector of the element behind the metric
 * (`attribution: false` leaves it out). About 2.2 kB brotli more than the plain build.
 * Calling this and the plain `webVitals` for one tracker reports once: the first call wins.
 */
export const webVitals = /* @__PURE__ */ reporter(onINP, [onCLS, onFCP, onLCP, onTTFB], (m) => {
  // LCP names its element `target`, INP `interactionTarget`, CLS `largestShiftTarget`; FCP and TTFB have none.
  const a = m.attribution as Targets | undefined;
  return a && (a.target || a.interactionTarget || a.largestShiftTarget);
});
