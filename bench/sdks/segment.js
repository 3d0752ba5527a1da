// Segment analytics-next from npm. Settings inline (`cdnSettings`), so nothing is fetched from
// Segment's CDN; Segment.io's API host is the local stand-in. Delivery strategy: the default.
import { AnalyticsBrowser } from '@segment/analytics-next';
import { api, cart, expose } from './shop.js';

const [, host] = /^https?:\/\/(.*)$/.exec(api());
const analytics = AnalyticsBrowser.load({
  writeKey: 'bench',
  cdnSettings: { integrations: { 'Segment.io': { apiKey: 'bench', apiHost: `${host}/v1`, protocol: 'http' } } },
});
analytics.page();
analytics.track('add_to_cart', cart());
expose('segment', analytics, (name, props) => analytics.track(name, props));
