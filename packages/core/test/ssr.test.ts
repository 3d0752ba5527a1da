// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createTracker } from '@waybill/core';

describe('without a window (server-side rendering)', () => {
  it('runs in an environment that really has no window', () => {
    expect(typeof window).toBe('undefined');
  });

  it('returns a tracker whose every method does nothing and does not throw', async () => {
    const send = () => {
      throw new Error('must not be called');
    };
    const t = createTracker({ destinations: [{ name: 'x', category: 'necessary', send }], consent: { analytics: 'granted' } });
    expect(t.page()).toBeUndefined();
    expect(t.track('purchase', { transaction_id: 'T1' })).toBeUndefined();
    expect(() => t.identify('user-1', { email: 'a@example.com' })).not.toThrow();
    expect(() => t.consent.update({ analytics: 'granted' })).not.toThrow();
    expect(t.consent.get()).toEqual({});
    const off = t.consent.on(() => {});
    expect(() => off()).not.toThrow();
    expect(() => t.use({ name: 'y', category: 'analytics', send })).not.toThrow();
    await expect(t.flush()).resolves.toBeUndefined();
  });

  it('does not throw without options', () => {
    expect(() => createTracker()).not.toThrow();
  });
});
