// Waybill from npm: core + first-party, as the README's quick start.
import { createTracker } from '@waybill/core';
import { firstParty } from '@waybill/first-party';
import { api, cart, expose } from './shop.js';

const waybill = createTracker({ destinations: [firstParty({ endpoint: `${api()}/collect` })] });
waybill.page();
waybill.track('add_to_cart', cart());
waybill.consent.update({ analytics: 'granted' }); // the shop's banner: a shopper who accepted
expose('waybill', undefined, (name, props) => waybill.track(name, props));
