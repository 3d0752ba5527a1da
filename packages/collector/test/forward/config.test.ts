import { describe, expect, it } from 'vitest';
import { describeForwarding, forwardingFromFlags, resolveForwarding } from '../../src/forward/config';
import { createRouter } from '../../src/forward/route';
import { storedEvent } from './fixtures';

describe('forwarding configuration', () => {
  it('is off per destination without its credentials, and says so once, in a line each (one in all when none is set up)', () => {
    const none = resolveForwarding({});
    expect(none.tiktok).toBeUndefined();
    expect(describeForwarding(none), 'not in use: one line').toEqual(['server-side forwarding off: no TikTok or GA4 credentials (waybill-collector --help lists them)']);
    expect(describeForwarding(resolveForwarding({ ga4: { apiSecret: 's' } }))).toEqual([
      'TikTok Events API off: no pixel code (--tiktok-pixel or WAYBILL_TIKTOK_PIXEL) and no access token (WAYBILL_TIKTOK_ACCESS_TOKEN)',
      'GA4 Measurement Protocol off: no measurement id (--ga4-measurement-id or WAYBILL_GA4_MEASUREMENT_ID)',
    ]);
    const tokenOnly = resolveForwarding({ tiktok: { accessToken: 't' }, ga4: { measurementId: 'G-1', apiSecret: ' ' } });
    expect(tokenOnly.off).toEqual({
      tiktok: 'TikTok Events API off: no pixel code (--tiktok-pixel or WAYBILL_TIKTOK_PIXEL)',
      ga4: 'GA4 Measurement Protocol off: no API secret (WAYBILL_GA4_API_SECRET)',
    });
  });

  it('is on with its credentials, at the vendors\' own hosts by default', () => {
    const on = resolveForwarding({ tiktok: { pixelCode: 'C1', accessToken: 't' }, ga4: { measurementId: 'G-1', apiSecret: 's', validate: true } });
    expect(on.tiktok).toMatchObject({ pixelCode: 'C1', apiUrl: 'https://business-api.tiktok.com' });
    expect(on.ga4).toMatchObject({ measurementId: 'G-1', apiUrl: 'https://www.google-analytics.com' });
    expect(describeForwarding(on)).toEqual([
      'forwarding to the TikTok Events API: pixel C1 at https://business-api.tiktok.com',
      'forwarding to the GA4 Measurement Protocol: G-1 at https://www.google-analytics.com',
      'GA4 validation mode: events go to the validation server and never reach your reports',
    ]);
    expect(() => resolveForwarding({ tiktok: { pixelCode: 'C1', accessToken: 't', apiUrl: 'business-api.tiktok.com' } })).toThrow(/is not an http\(s\) URL/);
  });

  it('reads flags and environment variables; a flag wins; secrets can come from the environment alone', () => {
    const env = {
      WAYBILL_TIKTOK_PIXEL: 'C-ENV',
      WAYBILL_TIKTOK_ACCESS_TOKEN: 'secret-token',
      WAYBILL_GA4_MEASUREMENT_ID: 'G-ENV',
      WAYBILL_GA4_API_SECRET: 'secret',
      WAYBILL_GA4_API_URL: 'https://region1.google-analytics.com',
      WAYBILL_GA4_VALIDATE: 'true',
      WAYBILL_TIKTOK_EVENTS: 'purchase=CompletePayment, search=',
      WAYBILL_FORWARD_MAX_ATTEMPTS: '5',
    };
    const { options, secretFlags } = forwardingFromFlags({ 'tiktok-pixel': 'C-FLAG', 'ga4-event': ['web_vital=web_vital'] }, env);
    expect(secretFlags).toEqual([]);
    expect(options.tiktok).toMatchObject({ pixelCode: 'C-FLAG', accessToken: 'secret-token', eventNames: { purchase: 'CompletePayment', search: false }, forwardCustom: false });
    expect(options.ga4).toMatchObject({ measurementId: 'G-ENV', apiSecret: 'secret', apiUrl: 'https://region1.google-analytics.com', validate: true, eventNames: { web_vital: 'web_vital' } });
    expect(options.maxAttempts).toBe(5);
    expect(forwardingFromFlags({ 'tiktok-access-token': 'x' }, {}).secretFlags).toEqual(['tiktok-access-token']);
  });

  it('refuses bad values with the flag\'s name', () => {
    expect(() => forwardingFromFlags({ 'tiktok-event': ['purchase'] }, {})).toThrow('--tiktok-event takes name=VendorName (or name= to send none), not "purchase"');
    expect(() => forwardingFromFlags({ 'forward-max-attempts': '0' }, {})).toThrow('--forward-max-attempts must be a whole number of at least 1, not "0"');
  });
});

describe('routing by consent', () => {
  const route = createRouter({ tiktok: {}, ga4: {} });
  const under = (marketing: 'granted' | 'denied' | 'pending', analytics: 'granted' | 'denied' | 'pending') =>
    route(storedEvent('purchase', { transaction_id: 'T' }, { context: { consent: { necessary: 'granted', analytics, marketing } } }) as never);

  it('marketing → TikTok, analytics → GA4, each only when granted', () => {
    expect(under('granted', 'granted')).toEqual(['tiktok', 'ga4']);
    expect(under('denied', 'granted')).toEqual(['ga4']);
    expect(under('pending', 'granted')).toEqual(['ga4']);
    expect(under('granted', 'denied')).toEqual(['tiktok']);
    expect(under('denied', 'denied')).toEqual([]);
  });

  it('only to destinations that are on, and that the page asked for', () => {
    const event = storedEvent('purchase', { transaction_id: 'T' }) as never;
    expect(createRouter({ ga4: {} })(event)).toEqual(['ga4']);
    expect(createRouter({})(event)).toEqual([]);
    expect(route(storedEvent('purchase', { transaction_id: 'T' }, { context: { forward: ['ga4'] } }) as never)).toEqual(['ga4']);
    expect(route({ id: 'x', type: 'track', name: 'purchase', ts: 1 }), 'no context at all').toEqual([]);
  });
});
