// What the browser sections share: a shop site per SDK (with a real collector behind Waybill's),
// a fresh page per measurement, waiting for delivery, and the code that runs in the page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './child.mjs';
import { startSite } from './site.mjs';
import { browserBundlesOnce, browserSdks } from './bundle.mjs';
import { medianOfRounds } from './stats.mjs';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * The site for `sdk` (and, for Waybill, a collector on a new SQLite file). Resolves the site
 * with `close()`. `options` go to startSite.
 */
export async function openSite(sdk, options = {}) {
  if (sdk !== 'waybill') return startSite({ sdk, ...options });
  const dir = mkdtempSync(join(tmpdir(), 'waybill-bench-'));
  const collector = await startServer('waybill', [join(dir, 'events.db')]);
  const site = await startSite({ sdk, collector: collector.url, ...options });
  const close = site.close;
  site.close = async () => {
    await close();
    await collector.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return site;
}

/**
 * What a browser section starts with: the bundles built, Chromium, and the SDKs it runs
 * (`--sdks` keeps some; Waybill, the reference, always runs).
 */
export async function browserSection({ browser, only }) {
  await browserBundlesOnce();
  const sdks = browserSdks().filter((sdk) => !only || sdk.id === 'waybill' || only.includes(sdk.id));
  return { browser: await browser(), sdks };
}

/** Runs `fn(site)` on a fresh site for `sdk` (see {@link openSite}) and closes the site after. */
export async function withSite(sdk, fn, options) {
  const site = await openSite(sdk, options);
  try {
    return await fn(site);
  } finally {
    await site.close();
  }
}

/**
 * Opens `site`'s page `name` in a fresh browser context and waits until the SDK is ready.
 * Resolves `{ context, page, init }`, `init` being load + ready in ms (from the bundle's
 * `<script>` being parsed to the SDK saying it is loaded).
 */
export async function openPage(browser, site, name = 'home') {
  const { context, page } = await browser.newPage(site.sdk);
  await page.cdp.send('Performance.enable');
  await page.goto(site.page(name));
  await waitReady(page);
  const init = await page.evaluate(() => window.bench.readyAt - window.BENCH.t0);
  return { context, page, init };
}

/** Waits until the page's SDK is ready. */
export const waitReady = (page) => page.waitForFunction(() => window.bench?.readyAt !== undefined, null, { timeout: 60_000, polling: 50 });

/**
 * Waits until `expect` bench ids sent since `since` have been received, or until none new
 * arrived for `quietMs` (default 6 s: longer than any SDK's flush interval), or `maxMs` passed;
 * never before the time `notBefore` (the quiet counting from then at the earliest).
 * Resolves `{ unique, copies, waitedMs }`.
 */
export async function settle(site, { since, expect = Infinity, quietMs = 6000, maxMs = 60_000, notBefore = 0 }) {
  const start = Date.now();
  let count = -1;
  let changed = start;
  for (;;) {
    const { unique, copies } = site.received(since);
    if (unique.size !== count) {
      count = unique.size;
      changed = Date.now();
    }
    const now = Date.now();
    const done = now >= notBefore && (count >= expect || now - Math.max(changed, notBefore) >= quietMs);
    if (done || now - start >= maxMs) return { unique: unique.size, copies, waitedMs: now - start };
    await sleep(100);
  }
}

/** Waits `ms`. */
export { sleep };

// ---- in the page -------------------------------------------------------------------------
// These run in the browser (page.evaluate): self-contained, no closures over Node values.

/** Tracks `n` events in one synchronous burst; resolves its start and end (ms, page clock). */
export function inPageBurst({ n, tag }) {
  const start = performance.now();
  for (let i = 0; i < n; i++) window.bench.track('add_to_cart', window.bench.cart({ bench_id: `bench-${tag}-${i}` }));
  return { start, end: performance.now() };
}

/**
 * Times `n` calls of `track()` one by one, 100 per task (yielding between, so the SDK's own
 * timers and callbacks run as they would on a page), stopping early after `capMs`.
 * The props object is made before the clock starts. Resolves µs figures.
 */
export async function inPageTimedCalls({ n, capMs, tag }) {
  const times = new Float64Array(n);
  const nextTask = () =>
    new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(0);
    });
  const start = performance.now();
  let i = 0;
  while (i < n) {
    for (let k = 0; k < 100 && i < n; k++, i++) {
      const props = window.bench.cart({ bench_id: `bench-${tag}-${i}` });
      const t = performance.now();
      window.bench.track('add_to_cart', props);
      times[i] = performance.now() - t;
    }
    if (performance.now() - start > capMs) break;
    await nextTask();
  }
  const done = times.slice(0, i).sort();
  const total = done.reduce((sum, t) => sum + t, 0);
  return {
    calls: i,
    medianUs: done[i >> 1] * 1000,
    p99Us: done[Math.max(0, Math.ceil(0.99 * i) - 1)] * 1000,
    meanUs: (total / i) * 1000,
    wallMs: performance.now() - start,
    isolated: self.crossOriginIsolated,
  };
}

/**
 * Tracks `n` events at a steady `rate` per second (catching up each 10 ms tick), stopping early
 * after `capMs` (an SDK too slow to keep the pace); resolves how many it tracked and how fast.
 */
export function inPageSteady({ n, rate, tag, capMs }) {
  return new Promise((resolve) => {
    const start = performance.now();
    let sent = 0;
    const over = () => performance.now() - start > capMs;
    const tick = () => {
      const due = Math.min(n, Math.floor(((performance.now() - start) * rate) / 1000));
      // The cap is checked per call: an SDK whose track() slows as its queue grows could
      // otherwise spend minutes catching up inside one tick.
      while (sent < due && !over()) window.bench.track('add_to_cart', window.bench.cart({ bench_id: `bench-${tag}-${sent++}` }));
      if (sent >= n || over()) resolve({ tracked: sent, seconds: (performance.now() - start) / 1000 });
      else setTimeout(tick, 10);
    };
    tick();
  });
}

/** Starts collecting long tasks (≥ 50 ms) into `window.benchLongTasks`. */
export function inPageObserveLongTasks() {
  window.benchLongTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.benchLongTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask' });
}

/**
 * Runs `measure(sdk, site, round)` on a fresh site for every SDK in every round (the order turning
 * each round, so no SDK always runs first on a cold machine) and returns `{ rounds, median }`:
 * each round's rows by SDK id, and the median of the rounds figure by figure. An SDK that fails
 * gets `{ error }`.
 */
export async function eachRound(rounds, sdks, measure, log) {
  const all = [];
  for (let round = 0; round < rounds; round++) {
    const rows = {};
    const order = sdks.map((_, i) => sdks[(i + round) % sdks.length]);
    for (const sdk of order) {
      log?.(`  round ${round + 1}/${rounds}: ${sdk.id}`);
      try {
        rows[sdk.id] = await withSite(sdk.id, (site) => measure(sdk, site, round));
      } catch (error) {
        log?.(`  ${sdk.id} failed: ${error?.message ?? error}`);
        rows[sdk.id] = { error: String(error?.message ?? error) };
      }
    }
    all.push(rows);
  }
  return { rounds: all, median: medianOfRounds(all) };
}
