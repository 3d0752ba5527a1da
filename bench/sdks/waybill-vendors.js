// Waybill from npm with the TikTok and GA4 adapters (bytes only: running it would load the vendors' scripts).
import { createTracker } from '@waybill/core';
import { firstParty } from '@waybill/first-party';
import { tiktok } from '@waybill/tiktok';
import { ga4 } from '@waybill/ga4';
import { api, cart, expose } from './shop.js';

const waybill = createTracker({
  destinations: [firstParty({ endpoint: `${api()}/collect` }), tiktok({ pixelId: 'C0000000000' }), ga4({ measurementId: 'G-XXXXXXX' })],
});
waybill.page();
waybill.track('add_to_cart', cart());
waybill.consent.update({ analytics: 'granted', marketing: 'granted' });
expose('waybill-vendors', undefined, (name, props) => waybill.track(name, props));
