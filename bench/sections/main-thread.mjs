// 2. Main thread in Chromium, each figure on a fresh browser context (empty storage and cache):
// - init: from the bundle's <script> being parsed to the SDK saying it is ready (load, compile,
//   run, ready callback);
// - track(): each of 10,000 calls timed alone with performance.now() (5 µs resolution: the page
//   is cross-origin isolated), 100 calls per task so the SDK's timers and callbacks run between;
// - long tasks (≥ 50 ms, PerformanceObserver) during a burst of 1,000 events and their delivery,
//   the burst's own task (the caller's) not counted;
// - main-thread ms per event, async work included: CDP Performance.getMetrics TaskDuration (all
//   main-thread tasks of the page's renderer) from before the burst to after its delivery settled
//   (all 1,000 received, or nothing new for 6 s), divided by 1,000;
// - JS heap after 10,000 events: Runtime.getHeapUsage after two forced garbage collections.
import { metrics, heapAfterGc } from '../lib/browser.mjs';
import { browserSection, eachRound, inPageBurst, inPageObserveLongTasks, inPageTimedCalls, openPage, settle, sleep } from '../lib/harness.mjs';
import { printFigures } from '../lib/table.mjs';

const MB = 2 ** 20;

export async function run(context) {
  const { rounds, quick, log } = context;
  const { browser, sdks } = await browserSection(context);
  const burstSize = quick ? 200 : 1000;
  const calls = quick ? 2000 : 10_000;
  // A peer whose track() takes milliseconds would need minutes for 10,000 calls: stop at this.
  const capMs = quick ? 10_000 : 20_000;

  const result = await eachRound(
    rounds,
    sdks,
    async (sdk, site) => {
      // The burst, its long tasks and its main-thread time.
      const a = await openPage(browser, site, 'burst');
      await sleep(1000);
      await a.page.evaluate(inPageObserveLongTasks);
      const before = await metrics(a.page.cdp);
      const since = Date.now();
      const burst = await a.page.evaluate(inPageBurst, { n: burstSize, tag: 1 });
      const delivered = await settle(site, { since, expect: burstSize, maxMs: quick ? 30_000 : 90_000 });
      await sleep(1000);
      const after = await metrics(a.page.cdp);
      const tasks = (await a.page.evaluate(() => window.benchLongTasks)).filter(
        (t) => !(t.start <= burst.start && t.start + t.duration >= burst.end - 1),
      );
      await a.context.close();

      // 10,000 calls one by one, then the heap.
      const b = await openPage(browser, site, 'calls');
      await sleep(1000);
      const heapBefore = await heapAfterGc(b.page.cdp);
      const timed = await b.page.evaluate(inPageTimedCalls, { n: calls, capMs, tag: 2 });
      await sleep(1000);
      const heapAfter = await heapAfterGc(b.page.cdp);
      await b.context.close();

      return {
        initMs: a.init,
        initMs2: b.init,
        trackMedianUs: timed.medianUs,
        trackP99Us: timed.p99Us,
        trackMeanUs: timed.meanUs,
        calls: timed.calls,
        isolated: timed.isolated,
        burstMs: burst.end - burst.start,
        longTasks: tasks.length,
        longTaskMs: tasks.reduce((sum, t) => sum + t.duration, 0),
        longestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)),
        mainMsPerEvent: ((after.taskSeconds - before.taskSeconds) * 1000) / burstSize,
        scriptMsPerEvent: ((after.scriptSeconds - before.scriptSeconds) * 1000) / burstSize,
        burstDelivered: delivered.unique,
        settleMs: delivered.waitedMs,
        heapMB: heapAfter / MB,
        heapGrowthMB: (heapAfter - heapBefore) / MB,
      };
    },
    log,
  );

  const m = result.median;
  printFigures(
    'Main thread (Chromium)',
    sdks,
    [
      { label: 'init, load + ready (ms)', value: (r) => r.initMs, compare: true },
      { label: `\`track()\` median, ${calls.toLocaleString('en-US')} calls (µs)`, value: (r) => r.trackMedianUs, compare: true },
      { label: '`track()` p99 (µs)', value: (r) => r.trackP99Us, compare: true },
      { label: '`track()` mean (µs)', value: (r) => r.trackMeanUs, compare: true },
      { label: 'calls timed (when fewer, stopped at the time cap)', value: (r) => r.calls },
      { label: `burst of ${burstSize.toLocaleString('en-US')} track() calls, one task (ms)`, value: (r) => r.burstMs },
      { label: 'long tasks after the burst, during delivery (count)', value: (r) => r.longTasks },
      { label: 'their total (ms)', value: (r) => r.longTaskMs },
      { label: 'main-thread ms per event, async work included', value: (r) => r.mainMsPerEvent, digits: 2, compare: true },
      { label: `events of the burst delivered`, value: (r) => r.burstDelivered },
      { label: `JS heap after ${calls.toLocaleString('en-US')} events (MB)`, value: (r) => r.heapMB, digits: 1, compare: true },
      { label: 'of which grown during them (MB)', value: (r) => r.heapGrowthMB, digits: 1 },
    ],
    m,
    [
      `Median of ${rounds} round${rounds > 1 ? 's' : ''}; (×) = peer / Waybill. track() timing stops after ${capMs / 1000} s for a slow SDK. ` +
        'Main-thread ms per event is CDP TaskDuration from before the burst to its settled delivery, divided by the events.',
      ...sdks.filter((s) => m[s.id]?.error).map((s) => `${s.label} failed: ${m[s.id].error}`),
    ],
  );
  return { sdks, ...result };
}
