// Segment analytics-next from npm. Settings inline (`cdnSettings`), so nothing is fetched from
// Segment's CDN; Segment.io's API host (events and Segment's own metrics) is the local stand-in.
// Delivery strategy: the default.
import { AnalyticsBrowser } from '@segment/analytics-next';
import { api, cart, expose } from './shop.js';

const [, host] = /^https?:\/\/(.*)$/.exec(api());
const segmentIo = { apiHost: `${host}/v1`, protocol: 'http' };
const analytics = AnalyticsBrowser.load(
  { writeKey: 'bench', cdnSettings: { integrations: { 'Segment.io': { apiKey: 'bench', ...segmentIo } } } },
  // Also in the load options: Segment's own metrics take their host from there, not from cdnSettings.
  { integrations: { 'Segment.io': segmentIo } },
);
analytics.page();
analytics.track('add_to_cart', cart());
expose('segment', analytics, (name, props) => analytics.track(name, props));
