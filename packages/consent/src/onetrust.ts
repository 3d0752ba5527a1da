import { win, on, tell, type ConsentTarget, type Unsubscribe } from './tell';

/** Default OneTrust mapping (OneTrust's usual group ids; check yours in its admin). */
export const ONETRUST_GROUPS: Record<string, string> = { analytics: 'C0002', marketing: 'C0004' };

/**
 * Follow OneTrust: its `OneTrustGroupsUpdated` window event (fired on every page load and on
 * every change, `detail` = the active group ids) and, for a OneTrust that loaded before Waybill,
 * `window.OnetrustActiveGroups` (`",C0001,C0002,"`). An active group grants its category; an
 * inactive one denies it only once `OneTrust.IsAlertBoxClosed()` says the visitor has decided.
 *
 * It does not wrap `window.OptanonWrapper`: a page that defines that function after Waybill
 * would replace the wrapper, and the event fires at the same moments.
 *
 * @param map Waybill category → OneTrust group id; replaces {@link ONETRUST_GROUPS}.
 * @returns a function that removes the listener.
 */
export const oneTrust = (tracker: ConsentTarget, map: Record<string, string> = ONETRUST_GROUPS): Unsubscribe => {
  const read = (groups?: unknown) => {
    const active = groups || win('OnetrustActiveGroups') || win('OptanonActiveGroups');
    if (active) {
      const list = Array.isArray(active) ? active : String(active).split(',');
      tell(tracker, map, (group) => list.includes(group), () => win<{ IsAlertBoxClosed?(): boolean }>('OneTrust')?.IsAlertBoxClosed?.());
    }
  };
  read();
  return on(['OneTrustGroupsUpdated'], (event) => read(event.detail));
};
