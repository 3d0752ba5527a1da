// RudderStack analytics-js v3 from npm, the `bundled` export (plugins in the bundle; the default
// export fetches them from RudderStack's CDN). Source configuration inline (`getSourceConfig`), no
// polyfill from a CDN, the data plane is the local stand-in.
import { RudderAnalytics } from '@rudderstack/analytics-js/bundled';
import { api, cart, expose } from './shop.js';

const analytics = new RudderAnalytics();
const ready = new Promise((resolve) => analytics.ready(resolve));
analytics.load('bench-write-key', api(), {
  polyfillIfRequired: false,
  getSourceConfig: () => ({
    source: { id: 'bench', name: 'bench', workspaceId: 'bench', enabled: true, config: {}, destinations: [] },
  }),
});
analytics.page();
analytics.track('add_to_cart', cart());
expose('rudderstack', ready, (name, props) => analytics.track(name, props));
