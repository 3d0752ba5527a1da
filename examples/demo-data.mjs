// A realistic week of a small shop, for `pnpm start --demo-data` and the dashboard's end-to-end
// test: visits that follow the day (quiet nights, busy evenings), consent choices (a few reject
// everything and send nothing; some deny marketing, more of them after yesterday's banner
// change), the funnel from the product list to the purchase, Core Web Vitals as
// @waybill/web-vitals sends them, and the backend's server events for every order: created,
// shipped, delivered, some returned or refunded, a few late with a slow carrier, and three hours
// yesterday when a broken tag lost the browser purchases (a tracking gap).
// Deterministic: the same seed and `now` give the same data.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;

/** A small seeded PRNG (mulberry32): the demo is the same every run. @param {number} seed */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRODUCTS = [
  { item_id: 'TEE-01', item_name: 'Organic tee', item_category: 'Tops', price: 29 },
  { item_id: 'HOOD-02', item_name: 'Zip hoodie', item_category: 'Tops', price: 69 },
  { item_id: 'CAP-03', item_name: 'Canvas cap', item_category: 'Accessories', price: 24 },
  { item_id: 'BAG-04', item_name: 'Tote bag', item_category: 'Accessories', price: 19 },
  { item_id: 'JEAN-05', item_name: 'Straight jeans', item_category: 'Bottoms', price: 89 },
  { item_id: 'SOCK-06', item_name: 'Wool socks', item_category: 'Accessories', price: 12 },
];
const CARRIERS = [
  { name: 'DHL', share: 0.5, shipHours: [10, 30], transitHours: [20, 60] },
  { name: 'UPS', share: 0.3, shipHours: [12, 40], transitHours: [30, 90] },
  { name: 'Colissimo', share: 0.2, shipHours: [16, 48], transitHours: [40, 120] },
];
const SOURCES = [
  { utm_source: 'tiktok', utm_medium: 'paid', utm_campaign: 'spring-drop', click: 'ttclid' },
  { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand', click: 'gclid' },
  { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'weekly' },
  {},
  {},
];

/**
 * The demo's traffic, as what the collector receives: browser batches (wire-format events) and
 * the backend's server-event batches, each with the time it arrives, oldest first.
 * @param {{ now?: number, days?: number, sessionsPerHour?: number, seed?: number }} [options]
 * @returns {{ receivedAt: number, kind: 'browser' | 'server', events: Record<string, unknown>[] }[]}
 */
export function demoTraffic({ now = Date.now(), days = 7, sessionsPerHour = 20, seed = 42 } = {}) {
  const rand = random(seed);
  const pick = (/** @type {any[]} */ list) => list[Math.floor(rand() * list.length)];
  const between = (/** @type {number} */ a, /** @type {number} */ b) => a + rand() * (b - a);
  /** Log-normal around `median`, with spread `sigma`. */
  const lognormal = (/** @type {number} */ median, /** @type {number} */ sigma) => {
    const u = Math.max(1e-9, rand());
    const v = rand();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  };
  /** @type {{ receivedAt: number, kind: 'browser' | 'server', events: Record<string, unknown>[] }[]} */
  const deliveries = [];
  let sequence = 0;
  const id = (/** @type {string} */ prefix) => `${prefix}-${seed}-${(++sequence).toString(36)}`;
  const start = now - days * DAY;
  // Earlier today, three hours during which the storefront's tag was broken: orders, no purchases.
  const gapFrom = now - 10 * HOUR;
  const gapTo = gapFrom + 3 * HOUR;
  // Yesterday afternoon the consent banner changed: marketing denials went up since.
  const bannerChange = now - 20 * HOUR;

  for (let hour = start; hour < now - HOUR / 4; hour += HOUR) {
    const local = new Date(hour).getUTCHours();
    // Quiet at night, busy in the evening; a little busier at the weekend.
    const curve = 0.25 + 0.75 * Math.max(0, Math.sin(((local - 6) / 24) * 2 * Math.PI)) + (local >= 18 && local <= 22 ? 0.6 : 0);
    const weekend = [0, 6].includes(new Date(hour).getUTCDay()) ? 1.25 : 1;
    const sessions = Math.round(sessionsPerHour * curve * weekend * between(0.7, 1.3));
    const inGap = hour + HOUR > gapFrom && hour < gapTo;
    for (let s = 0; s < sessions; s++) {
      // In each hour of the gap, the first two visitors buy (so the gap always shows).
      const forced = inGap && s < 2;
      const begin = forced ? Math.max(gapFrom, hour) + rand() * (Math.min(gapTo, hour + HOUR) - Math.max(gapFrom, hour)) : hour + rand() * HOUR;
      if (begin > now - 2 * MINUTE) continue;
      const choice = forced ? 0.5 : rand();
      const denyMarketing = begin > bannerChange ? 0.45 : 0.2;
      if (choice < 0.1) continue; // rejected everything: nothing is ever sent
      const consent = {
        necessary: 'granted',
        analytics: 'granted',
        marketing: choice < 0.1 + denyMarketing ? 'denied' : choice < 0.14 + denyMarketing ? 'pending' : 'granted',
      };
      const source = pick(SOURCES);
      const { click, ...campaign } = source;
      const clickIds = click ? { [click]: `${click === 'ttclid' ? 'E.C.P.' : 'Cj0K'}${id('c')}` } : {};
      const anonymousId = id('anon');
      const sessionId = id('sess');
      const mobile = rand() < 0.65;
      /** @type {Record<string, unknown>[]} */
      const events = [];
      let t = begin;
      const track = (/** @type {string} */ name, /** @type {Record<string, unknown>} */ props, type = 'track', path = '/') => {
        t += between(8_000, 70_000);
        const event = {
          id: id('evt'),
          type,
          name,
          props,
          ts: Math.round(t),
          anonymousId,
          sessionId,
          context: {
            page: { url: `https://shop.example${path}`, path, referrer: source.utm_source ? `https://${source.utm_source}.com/` : '', title: 'Waybill demo shop' },
            locale: 'en-GB',
            timezone: 'Europe/London',
            screen: mobile ? '390x844' : '1440x900',
            campaign,
            clickIds,
            consent,
            library: { name: 'waybill', version: '0.1.0' },
          },
        };
        events.push(event);
        return event;
      };
      /** The page's Core Web Vitals, as @waybill/web-vitals reports them when the page is hidden. */
      const vitals = (/** @type {string} */ path) => {
        const slow = mobile ? 1.35 : 1;
        const metrics = {
          TTFB: lognormal(380 * slow, 0.5),
          FCP: lognormal(1200 * slow, 0.4),
          LCP: lognormal(1900 * slow, 0.45),
          CLS: rand() < 0.7 ? rand() * 0.05 : lognormal(0.09, 0.8),
          INP: lognormal(110 * slow, 0.6),
        };
        const thresholds = { TTFB: [800, 1800], FCP: [1800, 3000], LCP: [2500, 4000], CLS: [0.1, 0.25], INP: [200, 500] };
        for (const [metric, raw] of Object.entries(metrics)) {
          if (metric === 'INP' && rand() < 0.3) continue; // no interaction on that page
          const value = metric === 'CLS' ? Math.round(raw * 10000) / 10000 : Math.round(raw);
          const [good, poor] = thresholds[/** @type {keyof typeof thresholds} */ (metric)];
          const rating = value <= good ? 'good' : value <= poor ? 'needs-improvement' : 'poor';
          track('web_vital', { metric, value, rating, delta: value, id: `v5-${id('m')}`, navigationType: 'navigate' }, 'track', path);
        }
      };
      track('page_view', {}, 'page', '/');
      vitals('/');
      const product = pick(PRODUCTS);
      const deep = forced ? 0 : rand();
      if (deep < 0.75) track('view_item_list', { item_list_id: 'new', items: PRODUCTS.slice(0, 4) }, 'track', '/collections/new');
      if (deep < 0.55) {
        track('page_view', {}, 'page', `/products/${product.item_id.toLowerCase()}`);
        track('view_item', { currency: 'GBP', value: product.price, items: [product] }, 'track', `/products/${product.item_id.toLowerCase()}`);
        vitals(`/products/${product.item_id.toLowerCase()}`);
      }
      const quantity = rand() < 0.8 ? 1 : 2;
      const line = { ...product, quantity };
      const value = product.price * quantity;
      if (deep < 0.2) track('add_to_cart', { currency: 'GBP', value, items: [line] }, 'track', `/products/${product.item_id.toLowerCase()}`);
      if (deep < 0.1) track('begin_checkout', { currency: 'GBP', value, items: [line] }, 'track', '/checkout');
      const buys = deep < 0.08;
      const orderId = buys ? String(100000 + sequence) : undefined;
      const broken = begin > gapFrom && begin < gapTo;
      // Ad blockers hide about 4 % of purchases from any tag; during the gap, all of them.
      const seen = !broken && rand() > 0.04;
      if (buys && seen) track('purchase', { transaction_id: orderId, currency: 'GBP', value, shipping: 4.5, items: [line] }, 'track', '/checkout/thank-you');
      // The browser sends in two or three batches over the visit.
      const cut = Math.ceil(events.length / 2);
      for (const part of [events.slice(0, cut), events.slice(cut)]) {
        if (part.length === 0) continue;
        deliveries.push({ receivedAt: Math.min(now - MINUTE, (/** @type {number} */ (part[part.length - 1].ts)) + 800), kind: 'browser', events: part });
      }
      if (!buys) continue;

      fulfil(/** @type {string} */ (orderId), t, line, value, 'web');
    }
    // Orders from the TikTok Shop: no storefront visit, counted apart from the tracking gap.
    if (rand() < 0.3) fulfil(`TTS-${id('o')}`, hour + rand() * HOUR, { ...PRODUCTS[0], quantity: 1 }, PRODUCTS[0].price, 'tiktok_shop');
  }

  /** The backend's server events for an order placed at `placed`: created, shipped, delivered, sometimes returned and refunded. */
  function fulfil(/** @type {string} */ orderId, /** @type {number} */ placed, /** @type {Record<string, unknown>} */ line, /** @type {number} */ value, /** @type {string} */ channel) {
    /** @param {number} at @param {Record<string, unknown>} event */
    const server = (at, event) => {
      if (at < now - MINUTE) deliveries.push({ receivedAt: Math.round(at) + 2_000, kind: 'server', events: [event] });
    };
    server(placed - 1_500, { id: `created-${orderId}`, type: 'order_created', transaction_id: orderId, created_at: new Date(placed - 1_500).toISOString(), value, currency: 'GBP', items: [line], ...(channel !== 'web' && { channel }) });
    const roll = rand();
    const carrier = roll < CARRIERS[0].share ? CARRIERS[0] : roll < CARRIERS[0].share + CARRIERS[1].share ? CARRIERS[1] : CARRIERS[2];
    const shipped = placed + between(carrier.shipHours[0], carrier.shipHours[1]) * HOUR;
    server(shipped, { id: `shipped-${orderId}`, type: 'order_shipped', transaction_id: orderId, carrier: carrier.name, tracking_number: `${carrier.name.slice(0, 2).toUpperCase()}${id('t')}`, shipped_at: new Date(shipped).toISOString() });
    // A depot stopped for a while last week: what Colissimo took then (and some others) is still not delivered.
    const stuck = shipped > now - 7.5 * DAY && shipped < now - 5.5 * DAY && (carrier.name === 'Colissimo' || rand() < 0.15);
    const delivered = shipped + between(carrier.transitHours[0], carrier.transitHours[1]) * HOUR;
    if (stuck || rand() < 0.02) return;
    server(delivered, { id: `delivered-${orderId}`, type: 'order_delivered', transaction_id: orderId, delivered_at: new Date(delivered).toISOString() });
    if (rand() < 0.06) {
      const asked = delivered + between(24, 72) * HOUR;
      server(asked, { id: `return-${orderId}`, type: 'return_requested', transaction_id: orderId, reason: 'wrong size', items: [line] });
      const refunded = asked + between(24, 72) * HOUR;
      server(refunded, { id: `refund-${orderId}`, type: 'refund', transaction_id: orderId, value, currency: 'GBP', items: [line], refunded_at: new Date(refunded).toISOString() });
    }
  }
  return deliveries.filter((d) => d.receivedAt < now).sort((a, b) => a.receivedAt - b.receivedAt);
}

/**
 * Loads the demo traffic into a collector (`collector.ingest` / `ingestServerEvents`, each batch
 * at the time it arrived). Resolves how many browser and server events were stored.
 * @param {{ ingest: Function, ingestServerEvents: Function }} collector
 * @param {Parameters<typeof demoTraffic>[0]} [options]
 */
export async function loadDemoData(collector, options) {
  let browser = 0;
  let server = 0;
  for (const d of demoTraffic(options)) {
    if (d.kind === 'browser') browser += (await collector.ingest(d.events, { receivedAt: d.receivedAt })).accepted;
    else server += (await collector.ingestServerEvents(d.events, { receivedAt: d.receivedAt })).accepted;
  }
  return { browser, server };
}

/** The demo's alert rules: a late delivery fires at once; coverage, consent and dead letters are watched. */
export const DEMO_ALERTS = {
  intervalSeconds: 30,
  rules: {
    coverage: { belowPercent: 85, overMinutes: 60, minOrders: 3 },
    deadLetters: { above: 0 },
    lateDelivery: { afterDays: 5 },
    noEvents: { forMinutes: 30 },
    consentDenied: { jumpPoints: 10, minSessions: 30 },
  },
};
