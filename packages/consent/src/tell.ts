import type { Category, ConsentState } from '@waybill/core';

/** What a bridge needs from Waybill: the npm tracker, or `window.waybill` once the script-tag bundle has loaded. */
export interface ConsentTarget {
  consent: { update(state: Partial<Record<Category, ConsentState>>): void };
}

/** Stops a bridge: it removes its listeners and never updates the tracker again. */
export type Unsubscribe = () => void;

export const noop: Unsubscribe = () => {};

/**
 * Pass a banner's answer on, one Waybill category at a time: `test(map[category])` true
 * grants, false denies, undefined leaves the category as it is. A false only denies once the
 * visitor has `decided()`: before that, a banner reports its opt-in categories as off, and
 * denying them would drop the events that wait for the visitor's choice.
 */
export const tell = <V>(tracker: ConsentTarget, map: Record<string, V>, test: (value: V) => unknown, decided?: () => unknown) => {
  try {
    const sure = !decided || decided();
    const next: Record<string, ConsentState> = {};
    for (const category in map) {
      const yes = test(map[category]);
      if (yes != null && (yes || sure)) next[category] = yes ? 'granted' : 'denied';
    }
    tracker.consent.update(next);
  } catch {
    // A bridge never breaks the page: a bad map or a broken CMP global changes nothing.
  }
};

/**
 * Listen to window events (a CMP's documented ones); returns the function that stops listening.
 * The handlers never throw: they only read CMP globals and call {@link tell}.
 */
export const on = (names: string[], fn: (event: CustomEvent) => void): Unsubscribe => {
  const each = (method: 'addEventListener' | 'removeEventListener') => {
    try {
      for (const name of names) globalThis[method](name, fn as EventListener);
    } catch {
      // No window (server-side rendering): nothing to listen to.
    }
  };
  each('addEventListener');
  return () => each('removeEventListener');
};

/** A CMP global, or undefined (also on the server). */
export const win = <T>(name: string): T | undefined => (globalThis as unknown as Record<string, T | undefined>)[name];
