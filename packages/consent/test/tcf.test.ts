// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { TCF_PURPOSES, tcf } from '@waybill/consent';
import { cleanGlobals, fakeTracker } from './helpers';

cleanGlobals('__tcfapi');

type Listener = (data: unknown, success: boolean) => void;
interface Cmp {
  listeners: Map<number, Listener>;
  removed: number[];
  /** Tell every listener, as a CMP does on each change. */
  emit(data: Record<string, unknown>): void;
}

const tcData = (eventStatus: string, consents: number[], extra: Record<string, unknown> = {}) => ({
  gdprApplies: true,
  eventStatus,
  tcString: 'CQ…',
  purpose: { consents: Object.fromEntries(consents.map((p) => [p, true])), legitimateInterests: {} },
  ...extra,
});

/** A loaded CMP as the spec describes it: addEventListener calls back at once (with the current data) and on every change. */
function installCmp(current?: Record<string, unknown>): Cmp {
  const listeners = new Map<number, Listener>();
  const removed: number[] = [];
  let next = 1;
  const cmp: Cmp = {
    listeners,
    removed,
    emit(data) {
      current = data;
      for (const [listenerId, fn] of listeners) fn({ ...data, listenerId }, true);
    },
  };
  (window as any).__tcfapi = (command: string, version: number, callback: (...args: unknown[]) => void, parameter?: number) => {
    if (version !== 2) return callback(null, false);
    if (command === 'addEventListener') {
      const listenerId = next++;
      listeners.set(listenerId, callback);
      if (current) callback({ ...current, listenerId }, true);
    } else if (command === 'removeEventListener') {
      removed.push(parameter!);
      callback(listeners.delete(parameter!));
    }
  };
  return cmp;
}

describe('tcf', () => {
  it('grants analytics and marketing when every mapped purpose has consent (stored choice, tcloaded)', () => {
    installCmp(tcData('tcloaded', [1, 2, 3, 4, 7, 8, 9, 10]));
    const t = fakeTracker();
    tcf(t);
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'granted' });
  });

  it('maps storage + measurement purposes to analytics and advertising purposes to marketing by default', () => {
    expect(TCF_PURPOSES).toEqual({ analytics: [1, 8, 9], marketing: [1, 2, 3, 4, 7] });
    installCmp(tcData('tcloaded', [1, 8, 9]));
    const t = fakeTracker();
    tcf(t);
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'denied' });
  });

  it('denies everything without purpose 1 (storage), whatever else was consented', () => {
    installCmp(tcData('tcloaded', [2, 3, 4, 7, 8, 9]));
    const t = fakeTracker();
    tcf(t);
    expect(t.state).toEqual({ analytics: 'denied', marketing: 'denied' });
  });

  it('does not count legitimate interest as consent', () => {
    installCmp(tcData('tcloaded', [1], { purpose: { consents: { 1: true }, legitimateInterests: { 8: true, 9: true } } }));
    const t = fakeTracker();
    tcf(t);
    expect(t.state.analytics).toBe('denied');
  });

  it('waits while the banner shows (cmpuishown) and acts on useractioncomplete', () => {
    const cmp = installCmp(tcData('cmpuishown', []));
    const t = fakeTracker();
    tcf(t);
    expect(t.updates).toEqual([]);
    cmp.emit(tcData('useractioncomplete', [1, 8, 9]));
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'denied' });
  });

  it('follows a change of mind', () => {
    const cmp = installCmp(tcData('tcloaded', [1, 2, 3, 4, 7, 8, 9]));
    const t = fakeTracker();
    tcf(t);
    cmp.emit(tcData('cmpuishown', [1, 2, 3, 4, 7, 8, 9]));
    cmp.emit(tcData('useractioncomplete', []));
    expect(t.state).toEqual({ analytics: 'denied', marketing: 'denied' });
  });

  it('grants every mapped category when GDPR does not apply', () => {
    installCmp({ gdprApplies: false, tcfPolicyVersion: 5, cmpId: 10, cmpVersion: 1 });
    const t = fakeTracker();
    tcf(t);
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'granted' });
  });

  it('takes a custom map (it replaces the default)', () => {
    installCmp(tcData('tcloaded', [1, 9]));
    const t = fakeTracker();
    tcf(t, { analytics: [1, 9], personalisation: [1, 5, 6] });
    expect(t.state).toEqual({ analytics: 'granted', personalisation: 'denied' });
  });

  it('ignores unsuccessful callbacks', () => {
    (window as any).__tcfapi = (_c: string, _v: number, cb: Listener) => cb(null, false);
    const t = fakeTracker();
    tcf(t);
    expect(t.updates).toEqual([]);
  });

  it('goes through the stub queue when the CMP loads after Waybill', () => {
    // The CMP's stub, as its snippet defines it: queues calls, returns the queue when called without arguments.
    const queue: unknown[][] = [];
    (window as any).__tcfapi = (...args: unknown[]) => (args.length ? void queue.push(args) : queue);
    const t = fakeTracker();
    tcf(t);
    expect(queue).toHaveLength(1);
    expect(t.updates).toEqual([]);
    // The CMP loads, takes over the global and replays the queue.
    const calls = (window as any).__tcfapi() as unknown[][];
    const cmp = installCmp(tcData('tcloaded', [1, 8, 9]));
    for (const args of calls) (window as any).__tcfapi(...args);
    expect(cmp.listeners.size).toBe(1);
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'denied' });
  });

  it('without a stub, looks for the CMP again when the page has loaded', () => {
    const t = fakeTracker();
    tcf(t);
    installCmp(tcData('tcloaded', [1, 2, 3, 4, 7, 8, 9]));
    expect(t.updates).toEqual([]);
    window.dispatchEvent(new Event('load'));
    expect(t.state).toEqual({ analytics: 'granted', marketing: 'granted' });
    // A second load event (or any later one) does not add a second listener.
    window.dispatchEvent(new Event('load'));
    expect(t.updates).toHaveLength(1);
  });

  it('removes its listener on unsubscribe and then ignores the CMP', () => {
    const cmp = installCmp(tcData('tcloaded', [1, 8, 9]));
    const t = fakeTracker();
    const stop = tcf(t);
    stop();
    expect(cmp.removed).toEqual([1]);
    expect(cmp.listeners.size).toBe(0);
    cmp.emit(tcData('useractioncomplete', [1, 2, 3, 4, 7, 8, 9]));
    expect(t.updates).toHaveLength(1);
  });

  it('unsubscribed before the CMP answered: removes the listener once its id is known, and changes nothing', () => {
    const queue: unknown[][] = [];
    (window as any).__tcfapi = (...args: unknown[]) => void queue.push(args);
    const t = fakeTracker();
    const stop = tcf(t);
    stop();
    const cmp = installCmp(tcData('tcloaded', [1, 8, 9]));
    for (const args of queue) (window as any).__tcfapi(...args);
    expect(cmp.removed).toEqual([1]);
    expect(t.updates).toEqual([]);
    // And the load event no longer starts it.
    window.dispatchEvent(new Event('load'));
    expect(cmp.listeners.size).toBe(0);
  });

  it('never throws, whatever the CMP or the map does', () => {
    (window as any).__tcfapi = () => {
      throw new Error('broken CMP');
    };
    const t = fakeTracker();
    expect(() => tcf(t)()).not.toThrow();
    installCmp(tcData('tcloaded', [1]));
    expect(() => tcf(t, { analytics: 'nope' as never })).not.toThrow();
    expect(() => tcf(undefined as never)).not.toThrow();
    expect(t.updates).toEqual([]);
  });

  it('calls the CMP with version 2', () => {
    const spy = vi.fn();
    (window as any).__tcfapi = spy;
    tcf(fakeTracker());
    expect(spy).toHaveBeenCalledWith('addEventListener', 2, expect.any(Function), undefined);
  });
});
