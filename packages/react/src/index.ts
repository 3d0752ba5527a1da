import { createContext, createElement, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactElement, type ReactNode } from 'react';
import { createTracker, inertTracker as inert, type ConsentSnapshot, type Tracker, type TrackerOptions } from '@waybill/core';


const Waybill = /* @__PURE__ */ createContext(inert);

/**
 * Trackers made by providers, by the `options` object they were made from. React may render
 * a component and throw the result away (StrictMode renders it twice in development, an
 * interrupted concurrent render starts again): the second render finds the first one's tracker
 * instead of making another, which would stay alive with its own page-hide listeners.
 */
const made = /* @__PURE__ */ new WeakMap<TrackerOptions, Tracker>();

/** Props of {@link WaybillProvider}: a ready tracker, or the options to make one. */
export type WaybillProviderProps = { children?: ReactNode } & (
  | { tracker: Tracker; options?: undefined }
  | { options: TrackerOptions; tracker?: undefined }
);

/**
 * Gives its children the tracker that `useWaybill()` returns. Pass a ready `tracker`, or
 * `options` for `createTracker`: the tracker is then made once per provider (on its first
 * render; later renders and changed options keep it) and lives on after an unmount, so what
 * it queued still leaves at page hide. Keep `options` in a module-level constant: a remount
 * with the same object gets the same tracker back. On the server (no `window`) the tracker
 * does nothing.
 */
export function WaybillProvider(props: WaybillProviderProps): ReactElement {
  const own = useRef<Tracker>(undefined);
  let tracker = props.tracker;
  if (!tracker) {
    const { options } = props;
    tracker = own.current ||= (options && made.get(options)) || createTracker(options);
    if (options instanceof Object) made.set(options, tracker);
  }
  return createElement(Waybill.Provider, { value: tracker }, props.children);
}

/**
 * The provider's tracker. Outside a provider it returns a tracker whose calls do nothing,
 * never `undefined`, so a component can call it anywhere.
 */
export const useWaybill = (): Tracker => useContext(Waybill);

/** The snapshot while there is none yet (server render, hydration): the server cannot know the shopper's choice. */
const unknown: ConsentSnapshot = {};

/** The last consent snapshot handed to React, per tracker. */
const snapshots = /* @__PURE__ */ new WeakMap<Tracker['consent'], ConsentSnapshot>();

/**
 * The current consent (`{ necessary, analytics, marketing, … }`), re-rendering on every change.
 * On the server and while hydrating it is `{}` (unknown), then the real state: the server's
 * markup and the first client render always agree. Set it with `useWaybill().consent.update(…)`.
 */
export function useConsent(): ConsentSnapshot {
  const { consent } = useWaybill();
  return useSyncExternalStore(
    consent.on,
    () => {
      // `consent.get()` returns a fresh copy: hand React the same object until something changed.
      const now = consent.get();
      const last = snapshots.get(consent);
      return JSON.stringify(now) == JSON.stringify(last) ? last! : (snapshots.set(consent, now), now);
    },
    () => unknown,
  );
}

/** A route as `usePageViews` takes it: a location (`pathname` and `search`) or any string that changes with the route. */
export type Route = string | { pathname: string; search?: string };

/** The last URL each tracker sent a page view for, so a remount or a second hook on the same URL sends none. */
const viewed = /* @__PURE__ */ new WeakMap<Tracker, string>();

const here = () => location.pathname + location.search;

/**
 * One `page()` per route change, after React has rendered the new route (so the event has its
 * title). A page view belongs to a URL: none is sent when the address bar's path and query are
 * those of the last page view (a `replace` of the same URL, a change of hash only, a remount,
 * StrictMode's second effect), and a redirect during render gives one, for the URL it lands on.
 *
 * - With a router, pass its location: `usePageViews(useLocation())` (React Router), or a string
 *   such as `pathname + '?' + searchParams` (Next.js).
 * - With nothing passed it follows the address bar itself, through the Navigation API's
 *   `currententrychange` (every current browser) or, where that is missing, `popstate` and each
 *   render of the component. It patches nothing (no `history.pushState` wrapper) and removes
 *   its listener on unmount.
 */
export function usePageViews(route?: Route): void {
  const tracker = useWaybill();
  const follow = route == null;
  const [, seen] = useState('');
  useEffect(() => {
    if (!follow) return;
    const nav = (window as { navigation?: EventTarget }).navigation;
    const [target, type] = nav ? [nav, 'currententrychange'] : [window, 'popstate'];
    const changed = () => seen(here());
    target.addEventListener(type, changed);
    return () => target.removeEventListener(type, changed);
  }, [follow]);
  useEffect(
    () => {
      const url = here();
      if (viewed.get(tracker) != url) viewed.set(tracker, url), tracker.page();
    },
    follow ? undefined : [typeof route == 'string' ? route : route.pathname + (route.search || ''), tracker],
  );
}
