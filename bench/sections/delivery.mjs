// 4. Delivery across navigations: a shopper views 200 pages of the shop; on each, once the SDK
// is ready, 5 add_to_cart are tracked and the page navigates to the next at once (as a click on
// a link right after would; the pages do it themselves, lib/site.mjs). Then the 201st page stays open, as the next page of a visit does,
// until every event arrived or none new arrived for a while. Twice: with the collector healthy,
// and with it answering 503 to everything for the first 30 s.
// - share received: unique events received in 2xx answers / events tracked;
// - copies per event: event copies in 2xx answers / unique events received (1.00 = no duplicate);
// - requests per page: every API request the shop's pages made, whatever the answer, / 200.
// The SDKs run side by side (one browser context each), so the outage's 30 s are waited once a round.
import { browserSection, settle, sleep, waitReady, withSite } from '../lib/harness.mjs';
import { medianOfRounds } from '../lib/stats.mjs';
import { printFigures } from '../lib/table.mjs';

/** One shopper's visit of `pages` pages against `sdk`'s site; `outageMs` of 503 from its start. */
function visit(browser, sdk, options) {
  return withSite(sdk, (site) => visitSite(browser, site, options));
}

async function visitSite(browser, site, { pages, perPage, outageMs }) {
  const { context, page } = await browser.newPage(site.sdk);
  try {
    const start = Date.now();
    if (outageMs) site.failFor(outageMs);
    // The pages drive the visit themselves (see the autopilot in lib/site.mjs).
    const query = `?last=${pages}&per=${perPage}`;
    await page.goto(site.page('1', query), { waitUntil: 'commit' });
    // However slow the machine, a visit fails only when it stops moving.
    let seen = 0;
    let moved = Date.now();
    while (site.pageViews < pages + 1) {
      if (site.pageViews !== seen) [seen, moved] = [site.pageViews, Date.now()];
      if (Date.now() - moved > 60_000) throw new Error(`the visit stalled at page ${seen}`);
      await sleep(200);
    }
    await page.waitForURL(site.page(String(pages + 1), query), { waitUntil: 'commit' });
    await waitReady(page);
    const pagesSeconds = (Date.now() - start) / 1000;
    // After an outage, wait out backoffs of up to 30 s; a healthy collector needs only the flush interval.
    const tracked = pages * perPage;
    const received = await settle(site, {
      since: start,
      expect: tracked,
      notBefore: start + outageMs,
      quietMs: outageMs ? 30_000 : 10_000,
      maxMs: outageMs + 120_000,
    });
    const requests = site.requests.filter((r) => r.at >= start);
    return {
      received: received.unique / tracked,
      copiesPerEvent: received.unique ? received.copies / received.unique : NaN,
      requestsPerPage: requests.length / pages,
      failedRequests: requests.filter((r) => r.status >= 500).length,
      pagesSeconds,
      waitedSeconds: received.waitedMs / 1000,
    };
  } finally {
    await context.close();
  }
}

export async function run(context) {
  const { rounds, quick, log } = context;
  const { browser, sdks } = await browserSection(context);
  const pages = quick ? 20 : 200;
  const perPage = 5;
  const outageMs = quick ? 10_000 : 30_000;

  const allRounds = [];
  for (let round = 1; round <= rounds; round++) {
    log(`  round ${round}/${rounds}: ${sdks.length * 2} visits side by side`);
    const runs = sdks.flatMap((sdk) =>
      [0, outageMs].map(async (outage) => {
        const key = `${sdk.id}${outage ? '-outage' : ''}`;
        try {
          return [key, await visit(browser, sdk.id, { pages, perPage, outageMs: outage })];
        } catch (error) {
          log(`  ${key} failed: ${error?.message ?? error}`);
          return [key, { error: String(error?.message ?? error) }];
        }
      }),
    );
    allRounds.push(Object.fromEntries(await Promise.all(runs)));
  }
  const median = medianOfRounds(allRounds);

  const figures = (suffix) => [
    { label: 'share of events received (%)', value: (r) => r.received * 100, digits: 1, compare: true },
    { label: 'copies received per event', value: (r) => r.copiesPerEvent, digits: 2, compare: true },
    { label: 'requests per page', value: (r) => r.requestsPerPage, digits: 2, compare: true },
    ...(suffix ? [{ label: 'requests answered 503', value: (r) => r.failedRequests }] : []),
    { label: `time to view the ${pages} pages (s)`, value: (r) => r.pagesSeconds, digits: 1 },
  ];
  const pick = (suffix) => Object.fromEntries(sdks.map((sdk) => [sdk.id, median[`${sdk.id}${suffix}`]]));
  const note = `Median of ${rounds} round${rounds > 1 ? 's' : ''}; (×) = peer / Waybill. ${pages} pages × ${perPage} events, navigating away at once after tracking; the SDKs side by side.`;
  printFigures(`Delivery: ${pages} page views, collector healthy`, sdks, figures(''), pick(''), [note]);
  printFigures(`Delivery: ${pages} page views, collector answering 503 for the first ${outageMs / 1000} s`, sdks, figures('-outage'), pick('-outage'), [note]);
  return { sdks, rounds: allRounds, median };
}
