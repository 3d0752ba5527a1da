import { noop, on, tell, win, type ConsentTarget, type Unsubscribe } from './tell';

/** The TCData fields the bridge reads (IAB TCF v2.2 CMP API). */
interface TCData {
  gdprApplies?: boolean;
  eventStatus?: string;
  listenerId?: number;
  purpose?: { consents?: Record<number, boolean> };
}

type TcfApi = (command: string, version: number, callback: (data: TCData, success: boolean) => void, parameter?: unknown) => void;

/**
 * Default TCF mapping: a Waybill category is granted when every listed purpose has consent.
 * `analytics`: 1 store/access information on a device, 8 measure content performance,
 * 9 understand audiences through statistics. `marketing`: 1, 2 basic ads, 3 create an ads
 * profile, 4 use it to select ads, 7 measure ad performance.
 */
export const TCF_PURPOSES: Record<string, number[]> = { analytics: [1, 8, 9], marketing: [1, 2, 3, 4, 7] };

/**
 * Follow an IAB TCF v2.2 CMP through `__tcfapi('addEventListener', 2, …)`. Acts on
 * `tcloaded` (a stored choice) and `useractioncomplete` (a new one), not on `cmpuishown`.
 * Only purpose consents count (legitimate interest is not consent). When the CMP says
 * `gdprApplies: false`, every mapped category is granted (GPC still denies `marketing`).
 *
 * Works whether the CMP loads before or after Waybill: a TCF CMP defines `__tcfapi` (its
 * stub) first thing, and the stub queues the call; a CMP without a stub is looked for again
 * when the page has loaded.
 *
 * @param map Waybill category → TCF purpose ids that must all have consent; replaces {@link TCF_PURPOSES}.
 * @returns a function that removes the listener.
 */
export const tcf = (tracker: ConsentTarget, map: Record<string, number[]> = TCF_PURPOSES): Unsubscribe => {
  let id: number | undefined;
  let started: unknown;
  let stopped: unknown;
  const call = (command: string, fn: (data: TCData, success: boolean) => void, parameter?: number) => {
    try {
      win<TcfApi>('__tcfapi')!(command, 2, fn, parameter);
      return 1;
    } catch {}
  };
  const remove = () => id != null && call('removeEventListener', noop, id);
  const listener = (data: TCData, success: boolean) => {
    if (!success || !data) return;
    id = data.listenerId;
    if (stopped) return remove();
    const applies = data.gdprApplies !== false;
    if (!applies || data.eventStatus == 'tcloaded' || data.eventStatus == 'useractioncomplete') {
      tell(tracker, map, (purposes) => !applies || purposes.every((p) => data.purpose?.consents?.[p]));
    }
  };
  const start = () => (started ||= call('addEventListener', listener));
  start();
  const off = on(['load'], start);
  return () => {
    stopped = 1;
    off();
    remove();
  };
};
