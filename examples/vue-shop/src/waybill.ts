// The shop's tracker options. app.use(waybill, { ...options, router }) makes the tracker once for
// the app (see @waybill/vue). The consent the visitor gave on an earlier visit is applied before
// the first event, so a returning shopper is not asked again.
import type { TrackerOptions } from '@waybill/core';
import { firstParty } from '@waybill/first-party';
import { ga4 } from '@waybill/ga4';
import { tiktok } from '@waybill/tiktok';
import { GA4_ID, PIXEL_ID, storedChoice, vendorScripts } from '../../spa-common/shop-kit';

const scripts = vendorScripts();

export const options: TrackerOptions = {
  destinations: [
    firstParty({ endpoint: '/collect' }),
    tiktok({ pixelId: PIXEL_ID, scriptUrl: scripts.tiktok }),
    ga4({ measurementId: GA4_ID, scriptUrl: scripts.gtag }),
  ],
  consent: storedChoice(),
};
