// Stand-ins for the vendors' server APIs, on 127.0.0.1: the TikTok Events API and the GA4
// Measurement Protocol (its collection and validation endpoints). Each checks every request
// against the documented shape (../shared/reference/tiktok.md §7, ga4.md §6), records what it
// got and what was wrong with it, and answers as the vendor does. Tests can make the next
// answers fail, or hold them. Plain JavaScript, so the forwarding benchmark runs it under Node.
import { createServer } from 'node:http';

const HEX64 = /^[0-9a-f]{64}$/;
const CURRENCY = /^[A-Z]{3}$/;
const TIKTOK_STANDARD = new Set([
  'Pageview', 'ViewContent', 'AddToCart', 'AddToWishlist', 'InitiateCheckout', 'AddPaymentInfo', 'Purchase', 'Search',
  'CompleteRegistration', 'Subscribe', 'Contact', 'Download', 'Lead', 'StartTrial', 'SubmitApplication', 'ApplicationApproval',
  'CustomizeProduct', 'FindLocation', 'Schedule', 'CompletePayment', 'PlaceAnOrder', 'SubmitForm', 'ClickButton',
]);
const TIKTOK_CUSTOM = /^[A-Za-z][\w-]{0,49}$/;
const TIKTOK_USER = new Set(['email', 'phone', 'external_id', 'ttclid', 'ttp', 'ip', 'user_agent', 'locale']);
const GA4_RESERVED = new Set([
  'ad_activeview', 'ad_click', 'ad_exposure', 'ad_impression', 'ad_query', 'adunit_exposure', 'app_clear_data', 'app_install',
  'app_update', 'app_remove', 'error', 'first_open', 'first_visit', 'in_app_purchase', 'notification_dismiss',
  'notification_foreground', 'notification_open', 'notification_receive', 'os_update', 'screen_view', 'session_start', 'user_engagement',
]);
const GA4_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const GA4_LONG = { page_location: 1000, page_referrer: 420, page_title: 300 };
const GA4_CONSENT = new Set(['GRANTED', 'DENIED']);
const HOURS_72 = 72 * 3600e3;

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v) => typeof v === 'string' && v !== '';

/**
 * What is wrong with an Events API body, by the documented shape: `event_source: "web"`, the pixel
 * code, 1 to 50 `data` entries with a standard or valid custom `event`, `event_time` in seconds,
 * `event_id`, `user` keys hashed (SHA-256 hex) where they must be, `page.url`, `properties`.
 */
export function checkEventsApi(body, { pixel, now = Date.now() } = {}) {
  const problems = [];
  const say = (where, what) => problems.push(`${where}: ${what}`);
  if (!isObject(body)) return ['body: not a JSON object'];
  if (body.event_source !== 'web') say('event_source', `must be "web", is ${JSON.stringify(body.event_source)}`);
  if (!isString(body.event_source_id)) say('event_source_id', 'missing');
  else if (pixel && body.event_source_id !== pixel) say('event_source_id', `is ${body.event_source_id}, not the pixel ${pixel}`);
  if (body.test_event_code !== undefined && !isString(body.test_event_code)) say('test_event_code', 'not a string');
  for (const key of Object.keys(body)) if (!['event_source', 'event_source_id', 'test_event_code', 'partner_name', 'data'].includes(key)) say(key, 'unknown field');
  if (!Array.isArray(body.data) || body.data.length < 1 || body.data.length > 50) return [...problems, 'data: must be 1 to 50 events'];
  body.data.forEach((e, i) => {
    const at = `data[${i}]`;
    if (!isObject(e)) return say(at, 'not an object');
    if (!isString(e.event) || (!TIKTOK_STANDARD.has(e.event) && !TIKTOK_CUSTOM.test(e.event))) say(`${at}.event`, `bad name ${JSON.stringify(e.event)}`);
    if (!Number.isInteger(e.event_time) || e.event_time > now / 1000 + 300 || e.event_time < 1e9) say(`${at}.event_time`, `not unix seconds: ${e.event_time}`);
    if (!isString(e.event_id)) say(`${at}.event_id`, 'missing');
    if (!isObject(e.user)) say(`${at}.user`, 'missing');
    else {
      for (const [key, value] of Object.entries(e.user)) {
        if (!TIKTOK_USER.has(key)) say(`${at}.user.${key}`, 'unknown field');
        else if (!isString(value)) say(`${at}.user.${key}`, 'not a non-empty string');
        else if (['email', 'phone', 'external_id'].includes(key) && !HEX64.test(value)) say(`${at}.user.${key}`, 'not SHA-256 hex');
      }
    }
    if (e.page !== undefined) {
      if (!isObject(e.page) || !/^https?:\/\//.test(e.page.url)) say(`${at}.page.url`, 'not a URL');
      else if (e.page.referrer !== undefined && typeof e.page.referrer !== 'string') say(`${at}.page.referrer`, 'not a string');
    }
    const p = e.properties;
    if (p !== undefined) {
      if (!isObject(p)) return say(`${at}.properties`, 'not an object');
      if (p.value !== undefined && typeof p.value !== 'number') say(`${at}.properties.value`, 'not a number');
      if (p.currency !== undefined && !CURRENCY.test(p.currency)) say(`${at}.properties.currency`, 'not ISO 4217');
      if (p.content_type !== undefined && !['product', 'product_group'].includes(p.content_type)) say(`${at}.properties.content_type`, 'not product or product_group');
      if (p.contents !== undefined) {
        if (!Array.isArray(p.contents)) say(`${at}.properties.contents`, 'not an array');
        else
          p.contents.forEach((c, j) => {
            const where = `${at}.properties.contents[${j}]`;
            if (!isObject(c)) return say(where, 'not an object');
            if (c.content_id !== undefined && typeof c.content_id !== 'string') say(`${where}.content_id`, 'not a string');
            for (const n of ['price', 'quantity']) if (c[n] !== undefined && typeof c[n] !== 'number') say(`${where}.${n}`, 'not a number');
          });
      }
    }
  });
  return problems;
}

/**
 * What is wrong with a Measurement Protocol request, by the documented shape and limits:
 * `measurement_id` and `api_secret` in the query, a `client_id`, 1 to 25 events with valid,
 * unreserved names, at most 25 parameters each (`items` aside), values within their lengths,
 * `session_id` and `engagement_time_msec` on each (Realtime needs them), items with an id or a
 * name, timestamps within 72 hours, consent values in capitals, and a body under 130 kB.
 */
export function checkMeasurementProtocol(body, query, { measurementId, apiSecret, now = Date.now(), bytes = 0 } = {}) {
  const problems = [];
  const say = (where, what) => problems.push(`${where}: ${what}`);
  if (measurementId && query.get('measurement_id') !== measurementId) say('measurement_id', `is ${query.get('measurement_id')}`);
  if (apiSecret && query.get('api_secret') !== apiSecret) say('api_secret', 'wrong');
  if (bytes >= 130_000) say('body', `${bytes} bytes, not under 130 kB`);
  if (!isObject(body)) return [...problems, 'body: not a JSON object'];
  if (!isString(body.client_id)) say('client_id', 'missing');
  if (body.user_id !== undefined && (!isString(body.user_id) || body.user_id.length > 256)) say('user_id', 'not a string of at most 256');
  const time = (where, micros) => {
    if (micros === undefined) return;
    if (!Number.isInteger(micros) || micros > (now + 300e3) * 1000 || micros < (now - HOURS_72) * 1000) say(where, `not microseconds within 72 h: ${micros}`);
  };
  time('timestamp_micros', body.timestamp_micros);
  if (body.consent !== undefined) {
    if (!isObject(body.consent)) say('consent', 'not an object');
    else for (const [k, v] of Object.entries(body.consent)) if (!['ad_user_data', 'ad_personalization'].includes(k) || !GA4_CONSENT.has(v)) say(`consent.${k}`, `bad: ${v}`);
  }
  for (const key of Object.keys(body)) {
    if (!['client_id', 'user_id', 'timestamp_micros', 'user_properties', 'user_data', 'consent', 'ip_override', 'user_location', 'device', 'validation_behavior', 'events'].includes(key)) say(key, 'unknown field');
  }
  if (!Array.isArray(body.events) || body.events.length < 1 || body.events.length > 25) return [...problems, 'events: must be 1 to 25'];
  body.events.forEach((e, i) => {
    const at = `events[${i}]`;
    if (!isObject(e)) return say(at, 'not an object');
    if (!GA4_NAME.test(e.name ?? '')) say(`${at}.name`, `bad name ${JSON.stringify(e.name)}`);
    else if (GA4_RESERVED.has(e.name)) say(`${at}.name`, `reserved: ${e.name}`);
    time(`${at}.timestamp_micros`, e.timestamp_micros);
    const params = e.params ?? {};
    if (!isObject(params)) return say(`${at}.params`, 'not an object');
    const counted = Object.keys(params).filter((k) => k !== 'items');
    if (counted.length > 25) say(`${at}.params`, `${counted.length} parameters, over 25`);
    if (params.session_id === undefined) say(`${at}.params.session_id`, 'missing (Realtime needs it)');
    if (!(typeof params.engagement_time_msec === 'number' && params.engagement_time_msec > 0)) say(`${at}.params.engagement_time_msec`, 'missing or not positive');
    for (const [k, v] of Object.entries(params)) {
      if (!GA4_NAME.test(k)) say(`${at}.params.${k}`, 'bad parameter name');
      if (typeof v === 'string' && v.length > (GA4_LONG[k] ?? 100)) say(`${at}.params.${k}`, `${v.length} characters, over the limit`);
    }
    if (params.currency !== undefined && !CURRENCY.test(params.currency)) say(`${at}.params.currency`, 'not ISO 4217 in capitals');
    if (params.items !== undefined) {
      if (!Array.isArray(params.items) || params.items.length > 200) say(`${at}.params.items`, 'not an array of at most 200');
      else
        params.items.forEach((item, j) => {
          if (!isObject(item) || (!isString(item.item_id) && !isString(item.item_name))) say(`${at}.params.items[${j}]`, 'needs item_id or item_name');
        });
    }
  });
  return problems;
}

const readBody = (req) =>
  new Promise((done, fail) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => done(Buffer.concat(chunks)));
    req.on('error', fail);
  });

/** A loopback server that records requests and answers them (canned failures first). */
async function standIn(handle) {
  const requests = [];
  const failures = [];
  /** Requests answered so far (or being answered). */
  let answered = 0;
  let holding;
  const server = createServer(async (req, res) => {
    try {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://stand-in');
      let body;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      const record = { at: Date.now(), method: req.method, path: url.pathname, query: url.searchParams, headers: req.headers, bytes: raw.length, body, problems: [], status: undefined, answer: undefined };
      requests.push(record);
      if (holding && answered >= holding.after) {
        holding.held.push({ record, res });
        await holding.promise;
        if (record.dropped) return;
      }
      answered++;
      const failure = failures.shift();
      if (failure) {
        if (failure.hang) return; // never answered: the client's timeout must fire
        record.status = failure.status;
        const text = failure.body ?? JSON.stringify({ error: `injected ${failure.status}` });
        try {
          record.answer = JSON.parse(text);
        } catch {
          record.answer = text;
        }
        res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers }).end(text);
        return;
      }
      const [status, answer] = handle(record);
      record.status = status;
      record.answer = answer;
      res.writeHead(status, { 'content-type': 'application/json' }).end(answer === undefined ? undefined : JSON.stringify(answer));
    } catch {
      res.destroy();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    /** Forgets the requests so far (long benchmarks). */
    clear() {
      requests.length = 0;
    },
    failNext(count, status, options = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, ...options });
    },
    hold({ after = 0 } = {}) {
      let release;
      const promise = new Promise((done) => (release = done));
      const hold = (holding = { after: answered + after, promise, release, held: [] });
      return () => {
        if (holding === hold) holding = undefined;
        release();
      };
    },
    drop() {
      const hold = holding;
      if (!hold) return 0;
      holding = undefined;
      for (const { record, res } of hold.held) {
        record.dropped = true;
        res.destroy();
      }
      hold.release();
      return hold.held.length;
    },
    close: () =>
      new Promise((done) => {
        holding?.release();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/**
 * The TikTok Events API stand-in: `POST /open_api/v1.3/event/track/` with `Access-Token`.
 * Answers `{ code: 0 }` for a well-formed call, 40001 (an authentication code) for a wrong token
 * and 40000 with the problems for a malformed body, HTTP 200 either way, as TikTok does. (Which
 * code TikTok gives a bad parameter is not documented where we could read it; 40000 stands for
 * any code that is neither success, rate limit, authentication nor a server error.)
 */
export async function startEventsApi({ pixel, token }) {
  const api = await standIn((r) => {
    if (r.method !== 'POST' || r.path !== '/open_api/v1.3/event/track/') return [404, { code: 40400, message: 'no such path' }];
    if (r.headers['access-token'] !== token) return [200, { code: 40001, message: 'No permission: bad access token' }];
    if (!/^application\/json/.test(r.headers['content-type'] ?? '')) r.problems.push('Content-Type: not application/json');
    r.problems.push(...checkEventsApi(r.body, { pixel }));
    return r.problems.length ? [200, { code: 40000, message: r.problems.join('; ') }] : [200, { code: 0, message: 'OK', request_id: String(api.requests.length), data: {} }];
  });
  return {
    ...api,
    /** The events of every call TikTok accepted (answered code 0), in order. */
    events: () => api.requests.filter((r) => r.status === 200 && r.answer?.code === 0).flatMap((r) => r.body.data),
  };
}

/**
 * The GA4 Measurement Protocol stand-in: `POST /mp/collect` answers 204 whatever it gets, as
 * Google does (the problems are recorded for the tests), and `POST /debug/mp/collect` answers
 * `{ validationMessages }`.
 */
export async function startMeasurementProtocol({ measurementId, apiSecret }) {
  const api = await standIn((r) => {
    r.problems.push(...checkMeasurementProtocol(r.body, r.query, { measurementId, apiSecret, bytes: r.bytes }));
    if (r.method === 'POST' && r.path === '/mp/collect') return [204, undefined];
    if (r.method === 'POST' && r.path === '/debug/mp/collect') {
      return [200, { validationMessages: r.problems.map((p) => ({ fieldPath: p.split(':')[0], description: p, validationCode: 'VALUE_INVALID' })) }];
    }
    return [404, undefined];
  });
  return {
    ...api,
    /** Every event collected (`/mp/collect`, answered 2xx), each with its request's fields, in order. */
    events: () =>
      api.requests
        .filter((r) => r.path === '/mp/collect' && r.status >= 200 && r.status < 300)
        .flatMap((r) => r.body.events.map((e) => ({ ...e, client_id: r.body.client_id, user_id: r.body.user_id, consent: r.body.consent, problems: r.problems }))),
  };
}
