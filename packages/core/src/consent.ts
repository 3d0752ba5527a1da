import type { Category, ConsentSnapshot, ConsentState } from './types';

type Listener = (state: ConsentSnapshot) => void;

/**
 * The consent state and its subscribers. `necessary` is always granted; with Global
 * Privacy Control on, `marketing` stays denied (an opt-out signal the law says to honour).
 */
export const createConsent = (initial: Partial<Record<Category, ConsentState>> | undefined, gpc: boolean, warn: (m: string, d?: unknown) => void) => {
  const state: ConsentSnapshot = { analytics: 'pending', marketing: 'pending' };
  const listeners = new Set<Listener>();
  const get = () => ({ ...state });
  const set = (next?: Record<string, unknown>) => {
    let changed = false;
    for (const key in next) {
      const value = next[key] as ConsentState;
      if (!['granted', 'denied', 'pending'].includes(value)) warn('consent: bad state', { [key]: value });
      else if (key == 'necessary' || (gpc && key == 'marketing')) warn('consent: ' + key + ' is fixed');
      else if (state[key] != value) changed = !!(state[key] = value);
    }
    return changed;
  };
  set(initial); // nothing when undefined
  state.necessary = 'granted';
  if (gpc) state.marketing = 'denied';

  return {
    get,
    /** The state of one category (`pending` for a category never set), without copying the snapshot. */
    stateOf_: (category: string): ConsentState => state[category] || 'pending',
    update(next: unknown) {
      if (!next || typeof next != 'object') warn('consent: not an object', next);
      else if (set(next as Record<string, unknown>)) {
        listeners.forEach((fn) => {
          try {
            fn(get());
          } catch (e) {
            warn('consent: listener threw', e);
          }
        });
      }
    },
    on(fn: Listener) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
  };
};

export type Consent = ReturnType<typeof createConsent>;
