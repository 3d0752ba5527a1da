import { getCurrentInstance, hasInjectionContext, inject, nextTick, onMounted, onUnmounted, shallowRef, type App, type InjectionKey, type Ref } from 'vue';
import { createTracker, inertTracker as inert, type ConsentSnapshot, type Tracker, type TrackerOptions } from '@waybill/core';


const key: InjectionKey<Tracker> = /* @__PURE__ */ Symbol('waybill');

/**
 * What the plugin needs of a router: vue-router's `afterEach`. Typed structurally, so this
 * package does not depend on vue-router.
 */
export interface RouterLike {
  afterEach(hook: (to: unknown, from: unknown, failure?: unknown) => unknown): () => void;
}

/** Options of `app.use(waybill, options)`: a ready `tracker` or `createTracker` options, and a router for page views. */
export type WaybillPluginOptions = TrackerOptions & {
  /** Use this tracker instead of making one from the other options. */
  tracker?: Tracker;
  /** Send one `page()` per navigation of this vue-router router. */
  router?: RouterLike;
};

/** The last URL each tracker sent a page view for: one page view per URL, however it was reached. */
const viewed = /* @__PURE__ */ new WeakMap<Tracker, string>();

/**
 * The plugin: `app.use(waybill, options)`. Makes the tracker once per app (or takes
 * `options.tracker`) and provides it to `useWaybill()`. With `router`, sends one `page()` per
 * navigation once it has resolved and the new route has rendered (so the event has its
 * title): none for a navigation that failed, was aborted or was redirected (the redirect's
 * target gets the one), and none when the address bar's path and query are those of the last
 * page view (a `replace` of the same route, a change of hash only). On the server (no
 * `window`) the tracker does nothing.
 */
export const waybill = {
  install(app: App, options: WaybillPluginOptions = {}): void {
    const { tracker: given, router, ...trackerOptions } = options;
    const tracker = given || createTracker(trackerOptions);
    app.provide(key, tracker);
    // A server renders one URL and has no address bar: page views are the browser's.
    const stop = typeof window != 'undefined' && router?.afterEach(
      (_to, _from, failure) =>
        failure ||
        nextTick(() => {
          const url = location.pathname + location.search;
          if (viewed.get(tracker) != url) viewed.set(tracker, url), tracker.page();
        }),
    );
    // Vue 3.5+: an unmounted app stops sending page views for a router that lives on.
    if (stop) app.onUnmount?.(stop);
  },
};

/**
 * The app's tracker (inject). Without the plugin, or outside a component's `setup`, it returns a
 * tracker whose calls do nothing, never `undefined`.
 */
export const useWaybill = (): Tracker => (hasInjectionContext() && inject(key, inert)) || inert;

/**
 * The current consent as a read-only ref (`{ necessary, analytics, marketing, … }`), updated on
 * every change. It is `{}` (unknown) until the component is mounted, so the server's markup and
 * the hydrating client agree. Call it in `setup`; set consent with `useWaybill().consent.update(…)`.
 */
export function useConsent(): Readonly<Ref<ConsentSnapshot>> {
  const { consent } = useWaybill();
  const state = shallowRef<ConsentSnapshot>({});
  const start = () => {
    state.value = consent.get();
    return consent.on((now) => (state.value = now));
  };
  if (getCurrentInstance()) {
    let stop: () => void = () => {};
    onMounted(() => (stop = start()));
    onUnmounted(() => stop());
  } else start();
  return state;
}
