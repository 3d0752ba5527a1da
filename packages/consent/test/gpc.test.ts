// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { createTracker } from '@waybill/core';
import { gpc, hasGpc } from '@waybill/consent';
import { fakeTracker } from './helpers';

const setGpc = (on?: boolean) => Object.defineProperty(navigator, 'globalPrivacyControl', { configurable: true, value: on });
afterEach(() => setGpc(undefined));

describe('gpc', () => {
  it('hasGpc tells whether the browser sends Global Privacy Control', () => {
    expect(hasGpc()).toBe(false);
    setGpc(true);
    expect(hasGpc()).toBe(true);
  });

  it('denies marketing under GPC, and only marketing', () => {
    setGpc(true);
    const t = fakeTracker();
    expect(gpc(t)).toBeTypeOf('function');
    expect(t.updates).toEqual([{ marketing: 'denied' }]);
  });

  it('does nothing without GPC', () => {
    const t = fakeTracker();
    gpc(t);
    expect(t.updates).toEqual([]);
  });

  it('applies GPC to a tracker made with respectGpc: false', () => {
    setGpc(true);
    const tracker = createTracker({ respectGpc: false, consent: { marketing: 'granted' } });
    expect(tracker.consent.get().marketing).toBe('granted');
    gpc(tracker);
    expect(tracker.consent.get().marketing).toBe('denied');
  });
});
