// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { COOKIEBOT_CATEGORIES, cookiebot } from '@waybill/consent';
import { cleanGlobals, fakeTracker, fire } from './helpers';

cleanGlobals('Cookiebot');

const setCookiebot = (consent: Record<string, boolean>, hasResponse: boolean) => {
  (window as any).Cookiebot = { consent: { necessary: true, preferences: false, ...consent }, hasResponse, consented: hasResponse, declined: false };
};

describe('cookiebot', () => {
  it('maps statistics to analytics and marketing to marketing by default', () => {
    expect(COOKIEBOT_CATEGORIES).toEqual({ analytics: 'statistics', marketing: 'marketing' });
  });

  it('reads Cookiebot.consent when Cookiebot loaded first', () => {
    setCookiebot({ statistics: true, marketing: false }, true);
    const t = fakeTracker();
    cookiebot(t);
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'denied' });
  });

  it('leaves categories pending until the visitor answered', () => {
    setCookiebot({ statistics: false, marketing: false }, false);
    const t = fakeTracker();
    cookiebot(t);
    expect(t.state).toEqual({});
  });

  it.each(['CookiebotOnConsentReady', 'CookiebotOnAccept', 'CookiebotOnDecline'])('follows %s', (event) => {
    const t = fakeTracker();
    cookiebot(t);
    setCookiebot({ statistics: true, marketing: true }, true);
    fire(event);
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'granted' });
  });

  it('follows a decline after an accept', () => {
    setCookiebot({ statistics: true, marketing: true }, true);
    const t = fakeTracker();
    cookiebot(t);
    setCookiebot({ statistics: false, marketing: false }, true);
    fire('CookiebotOnDecline');
    expect(t.state).toEqual({ analytics: 'denied', marketing: 'denied' });
  });

  it('takes a custom map and leaves out categories Cookiebot does not report', () => {
    setCookiebot({ statistics: true, marketing: false }, true);
    const t = fakeTracker();
    cookiebot(t, { personalisation: 'preferences', other: 'nonexistent' });
    expect(t.state).toEqual({ personalisation: 'denied' });
  });

  it('stops listening on unsubscribe', () => {
    const t = fakeTracker();
    cookiebot(t)();
    setCookiebot({ statistics: true, marketing: true }, true);
    fire('CookiebotOnAccept');
    expect(t.updates).toEqual([]);
  });
});
