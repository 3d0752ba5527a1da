/** Options of `webVitals`. */
export interface WebVitalsOptions {
  /**
   * Add `target` (a CSS selector of the element behind the metric) to LCP, INP and CLS events.
   * Only the attribution build has that code: `import { webVitals } from '@waybill/web-vitals/attribution'`,
   * where it is on unless `false`. From the plain `@waybill/web-vitals` it can only be `false`.
   */
  attribution?: boolean;
}

/** What `webVitals` needs of a tracker: the npm tracker (`createTracker`), or `window.waybill` once the script tag has loaded. */
export interface VitalsTracker {
  track(name: 'web_vital', props: Record<string, unknown>): unknown;
}

/** The props of a `web_vital` event. */
export interface WebVitalProps {
  /** `'LCP'`, `'INP'`, `'CLS'`, `'FCP'` or `'TTFB'`. */
  metric: 'LCP' | 'INP' | 'CLS' | 'FCP' | 'TTFB';
  /** Milliseconds, except CLS (a unitless layout-shift score). */
  value: number;
  /** By Google's thresholds for the metric. */
  rating: 'good' | 'needs-improvement' | 'poor';
  /** Change since the metric's last report: each metric is reported once, so it equals `value`. */
  delta: number;
  /** The web-vitals library's id of this metric instance (one per page load, and per back/forward-cache restore). */
  id: string;
  /** `'navigate'`, `'reload'`, `'back-forward'`, `'back-forward-cache'`, `'prerender'` or `'restore'`. */
  navigationType: string;
  /** With attribution: selector of the LCP element, the INP interaction's target, or the largest CLS shift's source. */
  target?: string;
}

/**
 * A metric as a web-vitals `on…` callback gets it, as far as Waybill reads it (both builds).
 * @internal
 */
export interface Metric {
  name: WebVitalProps['metric'];
  value: number;
  rating: WebVitalProps['rating'];
  id: string;
  navigationType: string;
  /** Attribution build only: one of the metric-specific shapes, of which {@link Targets} is read. */
  attribution?: object;
}

/**
 * Where each attribution shape names its element: LCP `target`, INP `interactionTarget`, CLS `largestShiftTarget`.
 * @internal
 */
export interface Targets {
  target?: string;
  interactionTarget?: string;
  largestShiftTarget?: string;
}

/**
 * One of web-vitals' `on…` functions, from either build.
 * @internal
 */
export type Observe = (report: (metric: Metric) => void, options?: { reportAllChanges?: boolean }) => void;
