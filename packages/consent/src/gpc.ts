import { noop, tell, type ConsentTarget, type Unsubscribe } from './tell';

/** True when the browser sends Global Privacy Control (`navigator.globalPrivacyControl`), so a shop can say it honoured it. */
export const hasGpc = (): boolean => {
  try {
    return (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  } catch {
    return false;
  }
};

/**
 * Deny `marketing` when the browser sends Global Privacy Control. The tracker already does this
 * itself unless it was made with `respectGpc: false` (script tag: `data-respect-gpc="false"`);
 * this bridge is for such a tracker, for instance to honour GPC only where the law requires it.
 * It denies once: a banner that grants `marketing` later wins, so call it after your banner's bridge
 * has applied the stored choice, or keep `respectGpc` on.
 *
 * @returns a no-op (nothing to stop), for symmetry with the other bridges.
 */
export const gpc = (tracker: ConsentTarget): Unsubscribe => {
  if (hasGpc()) tell(tracker, { marketing: 0 }, Boolean);
  return noop;
};
