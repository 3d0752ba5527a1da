// 3. Wire, as the stand-in (or Waybill's collector) received it:
// - requests and request body bytes per 100 events: 100 add_to_cart tracked at once on a page
//   whose own load-time events have already gone; bytes as sent (compressed where the SDK
//   compresses), and decompressed beside them;
// - events delivered of 10,000 tracked at a steady ~1,600/s (16 each 10 ms), counted until all
//   arrived or nothing new arrived for 6 s.
import { browserSection, eachRound, inPageBurst, inPageSteady, openPage, settle, sleep } from '../lib/harness.mjs';
import { printFigures } from '../lib/table.mjs';

/** Waits until the page's load-time events (page view, add_to_cart) have gone: a request, then 1.5 s without one (at most 8 s). */
async function loadEventsSent(site) {
  const start = Date.now();
  while (Date.now() - start < 8000) {
    const last = site.requests.at(-1);
    if (last && Date.now() - last.at >= 1500) return;
    await sleep(100);
  }
}

export async function run(context) {
  const { rounds, quick, log } = context;
  const { browser, sdks } = await browserSection(context);
  const steadyEvents = quick ? 2000 : 10_000;
  const rate = 1600;
  // 10,000 events take 6.25 s at that pace; an SDK whose track() cannot keep it stops at this.
  const capMs = quick ? 10_000 : 20_000;

  const result = await eachRound(
    rounds,
    sdks,
    async (sdk, site) => {
      const a = await openPage(browser, site, 'hundred');
      await loadEventsSent(site);
      const since = Date.now();
      await a.page.evaluate(inPageBurst, { n: 100, tag: 3 });
      await settle(site, { since, expect: 100, maxMs: 30_000 });
      await a.context.close();
      const window = site.requests.filter((r) => r.at >= since);
      const carrying = window.filter((r) => r.ids.length > 0);
      const sum = (list, key) => list.reduce((total, r) => total + r[key], 0);

      // A renderer that crashes under the steady load (Snowplow's did in every run here) loses
      // only these figures.
      let steady;
      let b;
      try {
        b = await openPage(browser, site, 'steady');
        await sleep(1000);
        const steadySince = Date.now();
        const pace = await b.page.evaluate(inPageSteady, { n: steadyEvents, rate, tag: 4, capMs });
        const received = await settle(site, { since: steadySince, expect: pace.tracked, maxMs: 60_000 });
        const requests = site.requests.filter((r) => r.at >= steadySince && r.ids.length > 0);
        steady = {
          steadyTracked: pace.tracked,
          steadyDelivered: received.unique,
          steadyCopies: received.copies,
          steadyRate: pace.tracked / pace.seconds,
          steadyRequests: requests.length,
          steadyLargestRequest: Math.max(0, ...requests.map((r) => r.bytes)),
        };
      } catch (error) {
        log(`  ${sdk.id}: steady rate: ${error?.message ?? error}`);
        steady = { steadyError: String(error?.message ?? error) };
      } finally {
        await b?.context.close().catch(() => {});
      }

      return {
        requestsPer100: carrying.length,
        otherRequests: window.length - carrying.length,
        bytesPerEvent: sum(carrying, 'bytes') / 100,
        plainBytesPerEvent: sum(carrying, 'plainBytes') / 100,
        delivered100: new Set(carrying.flatMap((r) => r.ids)).size,
        ...steady,
      };
    },
    log,
  );

  printFigures(
    'Wire',
    sdks,
    [
      { label: 'requests per 100 events', value: (r) => r.requestsPer100, compare: true },
      { label: 'other requests meanwhile (no event in them)', value: (r) => r.otherRequests },
      { label: 'request body bytes per event (100 events), as sent', value: (r) => r.bytesPerEvent, compare: true },
      { label: 'the same, decompressed', value: (r) => r.plainBytesPerEvent, compare: true },
      { label: `events delivered of ${steadyEvents.toLocaleString('en-US')} tracked at ~${rate.toLocaleString('en-US')}/s`, value: (r) => r.steadyDelivered, compare: true },
      { label: `events tracked (when fewer, stopped after ${capMs / 1000} s)`, value: (r) => r.steadyTracked },
      { label: 'pace the page kept (events/s)', value: (r) => r.steadyRate },
      { label: 'requests for them', value: (r) => r.steadyRequests },
      { label: 'largest request (bytes)', value: (r) => r.steadyLargestRequest },
    ],
    result.median,
    [
      `Median of ${rounds} round${rounds > 1 ? 's' : ''}; (×) = peer / Waybill. Delivered counts unique events received in 2xx answers, until all arrived or none new for 6 s (at most 60 s).`,
      ...sdks.filter((s) => result.median[s.id]?.steadyError).map((s) => `${s.label}, steady rate: ${result.median[s.id].steadyError}`),
    ],
  );
  return { sdks, ...result };
}
