// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { createTracker } from '@waybill/core';
import { webVitals } from '../src/index';
import { webVitals as webVitalsWithAttribution } from '../src/attribution';
import { fakeTracker } from './helpers';

describe('on the server (no window)', () => {
  it('runs in an environment that really has no window', () => {
    expect(typeof window).toBe('undefined');
  });

  it('does nothing, throws nothing and logs nothing, with the inert tracker or any other', () => {
    const spies = (['log', 'warn', 'error'] as const).map((level) => vi.spyOn(console, level));
    const t = fakeTracker();
    for (const plugin of [webVitals, webVitalsWithAttribution]) {
      expect(plugin(createTracker())).toBeUndefined();
      expect(plugin(t)).toBeUndefined();
    }
    expect(t.calls).toEqual([]);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
