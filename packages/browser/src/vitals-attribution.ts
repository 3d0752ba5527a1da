// waybill-vitals-attribution.min.js: the add-on for `data-web-vitals="attribution"` (events
// also name the element behind LCP, INP and CLS).
import type { Tracker } from '@waybill/core';
import { webVitals } from '@waybill/web-vitals/attribution';

webVitals((window as unknown as { waybill: Tracker }).waybill);
