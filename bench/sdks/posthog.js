// PostHog posthog-js from npm. Everything PostHog fetches at run time is off (remote config and
// flags, surveys, session recording, web experiments, product tours, conversations, external
// scripts), and so is what captures events the other SDKs do not (autocapture, automatic page
// views and page leaves, heatmaps, dead clicks, exceptions, performance): the same job for every SDK.
import posthog from 'posthog-js';
import { api, cart, expose } from './shop.js';

let loaded;
const ready = new Promise((resolve) => (loaded = resolve));
posthog.init('phc_bench', {
  api_host: api(),
  advanced_disable_flags: true,
  disable_surveys: true,
  disable_session_recording: true,
  disable_web_experiments: true,
  disable_product_tours: true,
  disable_conversations: true,
  disable_external_dependency_loading: true,
  autocapture: false,
  capture_pageview: false,
  capture_pageleave: false,
  capture_heatmaps: false,
  capture_dead_clicks: false,
  capture_exceptions: false,
  capture_performance: false,
  loaded,
});
posthog.capture('$pageview');
posthog.capture('add_to_cart', cart());
expose('posthog', ready, (name, props) => posthog.capture(name, props));
