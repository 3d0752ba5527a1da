import { afterEach } from 'vitest';
import type { ConsentTarget } from '@waybill/consent';

/** A tracker stand-in that records every `consent.update` and keeps the merged state. */
export function fakeTracker() {
  const updates: Record<string, string>[] = [];
  const state: Record<string, string> = {};
  const tracker: ConsentTarget & { updates: typeof updates; state: typeof state } = {
    updates,
    state,
    consent: {
      update(next) {
        updates.push({ ...(next as Record<string, string>) });
        Object.assign(state, next);
      },
    },
  };
  return tracker;
}

/** Remove the CMP globals a test defined, so tests do not see each other's CMPs. */
export function cleanGlobals(...names: string[]) {
  afterEach(() => {
    for (const name of names) delete (globalThis as Record<string, unknown>)[name];
  });
}

export const fire = (name: string, detail?: unknown) => window.dispatchEvent(new CustomEvent(name, { detail }));
