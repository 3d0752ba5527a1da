// waybill-vitals.min.js: the add-on that waybill.min.js loads for `data-web-vitals`. It reports
// to the script tag's tracker, which is `window.waybill` by the time this runs.
import type { Tracker } from '@waybill/core';
import { webVitals } from '@waybill/web-vitals';

webVitals((window as unknown as { waybill: Tracker }).waybill);
