// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ONETRUST_GROUPS, oneTrust } from '@waybill/consent';
import { cleanGlobals, fakeTracker, fire } from './helpers';

cleanGlobals('OneTrust', 'OnetrustActiveGroups', 'OptanonActiveGroups');

/** OneTrust's globals after its script ran; `closed` is what `IsAlertBoxClosed()` answers. */
const loadOneTrust = (groups: string, closed: boolean) => {
  (window as any).OnetrustActiveGroups = groups;
  (window as any).OneTrust = { IsAlertBoxClosed: () => closed };
};

describe('oneTrust', () => {
  it('maps C0002 to analytics and C0004 to marketing by default', () => {
    expect(ONETRUST_GROUPS).toEqual({ analytics: 'C0002', marketing: 'C0004' });
  });

  it('reads OnetrustActiveGroups when OneTrust loaded first', () => {
    loadOneTrust(',C0001,C0002,', true);
    const t = fakeTracker();
    oneTrust(t);
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'denied' });
  });

  it('falls back to the legacy OptanonActiveGroups', () => {
    (window as any).OptanonActiveGroups = ',C0001,C0002,C0004,';
    (window as any).OneTrust = { IsAlertBoxClosed: () => true };
    const t = fakeTracker();
    oneTrust(t);
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'granted' });
  });

  it('before the visitor decided, only grants: an inactive group stays pending', () => {
    loadOneTrust(',C0001,', false);
    const t = fakeTracker();
    oneTrust(t);
    expect(t.state).toEqual({});
    // An implied-consent region: groups active by default, no decision needed.
    fire('OneTrustGroupsUpdated', ['C0001', 'C0002']);
    expect(t.state).toEqual({ analytics: 'granted' });
  });

  it('follows OneTrustGroupsUpdated when OneTrust loads after Waybill, and every change after', () => {
    const t = fakeTracker();
    oneTrust(t);
    expect(t.updates).toEqual([]);
    loadOneTrust(',C0001,C0002,C0004,', true);
    fire('OneTrustGroupsUpdated', ['C0001', 'C0002', 'C0004']);
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'granted' });
    loadOneTrust(',C0001,C0002,', true);
    fire('OneTrustGroupsUpdated', ['C0001', 'C0002']);
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'denied' });
  });

  it('does not mistake C00021 for C0002', () => {
    loadOneTrust(',C0001,C00021,', true);
    const t = fakeTracker();
    oneTrust(t);
    expect(t.state.analytics).toBe('denied');
  });

  it('takes a custom map', () => {
    loadOneTrust(',C0001,C0003,', true);
    const t = fakeTracker();
    oneTrust(t, { analytics: 'C0003', ads: 'C0005' });
    expect(t.state).toEqual({ analytics: 'granted', ads: 'denied' });
  });

  it('stops listening on unsubscribe', () => {
    const t = fakeTracker();
    oneTrust(t)();
    loadOneTrust(',C0001,C0002,', true);
    fire('OneTrustGroupsUpdated', ['C0001', 'C0002']);
    expect(t.updates).toEqual([]);
  });

  it('never throws', () => {
    (window as any).OneTrust = {
      IsAlertBoxClosed() {
        throw new Error('not ready');
      },
    };
    (window as any).OnetrustActiveGroups = ',C0002,';
    expect(() => oneTrust(fakeTracker())).not.toThrow();
    expect(() => fire('OneTrustGroupsUpdated', { not: 'an array' })).not.toThrow();
  });
});
