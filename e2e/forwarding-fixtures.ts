// Fixtures of the forwarding end-to-end tests: the vendor stand-ins (the TikTok pixel and gtag.js,
// the Events API and the Measurement Protocol) and a site whose collector forwards to them,
// retrying quickly. `test.use({ mapping })` gives the collector its own event names.
import type { ForwardingOptions } from '@waybill/collector';
import { test as base } from './fixtures';
import { startSite } from './server';
import { GA4_ID, PIXEL_ID, startVendors, type Vendors } from './stand-ins/vendors';
import { startEventsApi, startMeasurementProtocol, type EventsApi, type MeasurementProtocol } from './stand-ins/vendor-apis.mjs';

export const TOKEN = 'tiktok-access-token';
export const SECRET = 'ga4-api-secret';

/** The stand-ins of the vendors' server APIs. */
export interface Apis {
  tiktok: EventsApi;
  ga4: MeasurementProtocol;
}

export const test = base.extend<{ vendors: Vendors; apis: Apis; mapping: Pick<ForwardingOptions, 'tiktok' | 'ga4'> }>({
  mapping: [{}, { option: true }],
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring
  vendors: async ({}, use) => {
    const vendors = await startVendors();
    await use(vendors);
    await vendors.close();
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring
  apis: async ({}, use) => {
    const [tiktok, ga4] = await Promise.all([startEventsApi({ pixel: PIXEL_ID, token: TOKEN }), startMeasurementProtocol({ measurementId: GA4_ID, apiSecret: SECRET })]);
    await use({ tiktok, ga4 });
    await Promise.all([tiktok.close(), ga4.close()]);
  },
  site: async ({ apis, mapping }, use) => {
    const site = await startSite({
      forwarding: {
        tiktok: { pixelCode: PIXEL_ID, accessToken: TOKEN, apiUrl: apis.tiktok.url, ...mapping.tiktok },
        ga4: { measurementId: GA4_ID, apiSecret: SECRET, apiUrl: apis.ga4.url, ...mapping.ga4 },
        baseMs: 50,
        timeoutMs: 2000,
      },
    });
    await use(site);
    await site.close();
  },
});
