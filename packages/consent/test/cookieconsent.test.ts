// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { COOKIECONSENT_CATEGORIES, cookieConsent } from '@waybill/consent';
import { cleanGlobals, fakeTracker, fire } from './helpers';

cleanGlobals('CookieConsent');

const cookie = (categories: string[]) => ({ cookie: { categories, revision: 0, data: null, consentId: 'x', services: {} } });

describe('cookieConsent', () => {
  it('maps analytics and marketing to the banner categories of the same names by default', () => {
    expect(COOKIECONSENT_CATEGORIES).toEqual({ analytics: 'analytics', marketing: 'marketing' });
  });

  it('follows cc:onConsent: accepted categories are granted, the others denied', () => {
    const t = fakeTracker();
    cookieConsent(t);
    fire('cc:onConsent', cookie(['necessary', 'analytics']));
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'denied' });
  });

  it('follows cc:onChange (a change of mind)', () => {
    const t = fakeTracker();
    cookieConsent(t);
    fire('cc:onConsent', cookie(['necessary', 'analytics', 'marketing']));
    fire('cc:onChange', { ...cookie(['necessary']), changedCategories: ['analytics', 'marketing'] });
    expect(t.state).toEqual({ analytics: 'denied', marketing: 'denied' });
  });

  it('reads a choice made before Waybill loaded from window.CookieConsent', () => {
    (window as any).CookieConsent = { validConsent: () => true, getUserPreferences: () => ({ acceptedCategories: ['necessary', 'marketing'] }) };
    const t = fakeTracker();
    cookieConsent(t);
    expect(t.state).toEqual({ analytics: 'denied', marketing: 'granted' });
  });

  it('changes nothing while the banner has no valid consent', () => {
    (window as any).CookieConsent = { validConsent: () => false, getUserPreferences: () => ({ acceptedCategories: ['necessary'] }) };
    const t = fakeTracker();
    cookieConsent(t);
    fire('cc:onModalShow', { modalName: 'consentModal' });
    expect(t.updates).toEqual([]);
  });

  it('takes a custom map', () => {
    const t = fakeTracker();
    cookieConsent(t, { analytics: 'performance', marketing: 'ads' });
    fire('cc:onConsent', cookie(['necessary', 'performance']));
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'denied' });
  });

  it('stops listening on unsubscribe', () => {
    const t = fakeTracker();
    cookieConsent(t)();
    fire('cc:onConsent', cookie(['necessary', 'analytics']));
    expect(t.updates).toEqual([]);
  });

  it('never throws on odd events or a broken global', () => {
    (window as any).CookieConsent = {
      validConsent() {
        throw new Error('not run yet');
      },
    };
    const t = fakeTracker();
    expect(() => cookieConsent(t)).not.toThrow();
    expect(() => fire('cc:onConsent')).not.toThrow();
    expect(() => fire('cc:onConsent', { cookie: { categories: 'analytics' } })).not.toThrow();
    expect(t.updates).toEqual([]);
  });
});
