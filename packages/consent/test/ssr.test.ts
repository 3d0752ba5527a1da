// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { cookieConsent, cookiebot, gpc, hasGpc, oneTrust, tcf } from '@waybill/consent';
import { fakeTracker } from './helpers';

describe('on the server (no window)', () => {
  it.each([tcf, gpc, oneTrust, cookiebot, cookieConsent])('%o returns an unsubscribe function and changes nothing', (bridge) => {
    const t = fakeTracker();
    let stop: unknown;
    expect(() => (stop = bridge(t))).not.toThrow();
    expect(stop).toBeTypeOf('function');
    expect(() => (stop as () => void)()).not.toThrow();
    expect(t.updates).toEqual([]);
  });

  it('hasGpc is false', () => {
    expect(hasGpc()).toBe(false);
  });
});
