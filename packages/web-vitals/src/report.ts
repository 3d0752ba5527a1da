import type { Metric, Observe, VitalsTracker, WebVitalProps, WebVitalsOptions } from './types';

/** Trackers that already report: shared by both entries (one chunk), so neither can start a second set. */
const started = new WeakSet<object>();

/**
 * Make `webVitals` over one build of the web-vitals library: its `onINP`, its other `on…`
 * functions, and for the attribution build `target`, which names the element behind a metric.
 * @internal
 */
export const reporter =
  (onINP: Observe, observers: Observe[], target?: (metric: Metric) => string | undefined) =>
  (tracker: VitalsTracker, options?: WebVitalsOptions): void => {
    // On the server, or not a tracker: nothing to observe and nowhere to report.
    if (typeof window == 'undefined' || !tracker?.track || started.has(tracker)) return;
    started.add(tracker);
    const named = options?.attribution != false && target;
    // The library reports a metric again (CLS each time the page is hidden anew, INP below at
    // every change): the first report is the one sent, so a metric counts once.
    const sent: Record<string, true> = {};
    const send = (m: Metric) => {
      if (sent[m.id]) return;
      sent[m.id] = true;
      // Sent once, so the change since the last report is all of the value.
      const props: WebVitalProps = { metric: m.name, value: m.value, rating: m.rating, delta: m.value, id: m.id, navigationType: m.navigationType };
      const element = named && named(m);
      if (element) props.target = element;
      // A throw here would surface in the library's observer callback, uncaught on the page.
      try {
        tracker.track('web_vital', props as unknown as Record<string, unknown>);
      } catch {}
    };
    // INP follows every change and goes when the page is hidden. The library's own report at
    // hide misses an interaction whose entries were still waiting for an idle callback (a slow
    // click just before leaving): that callback runs at hide too, but reports only as a change.
    let inp: Metric | undefined;
    const sendINPIfHidden = (): unknown => document.visibilityState == 'hidden' && inp && send(inp);
    try {
      onINP((m) => ((inp = m), sendINPIfHidden()), { reportAllChanges: true });
      // After the library's listeners (window, capture), before the tracker's beacon (window, bubbling).
      document.addEventListener('visibilitychange', sendINPIfHidden);
    } catch {}
    // Each metric apart: a browser that lacks what one needs still reports the others.
    for (const observe of observers) {
      try {
        observe(send);
      } catch {}
    }
  };
