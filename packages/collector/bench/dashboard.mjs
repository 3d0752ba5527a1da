// `pnpm bench:dashboard`: how fast the dashboard answers over a week of stored events: 10k and
// 1M by default (`--events 10000,1000000`), on SQLite, and on PostgreSQL too when it is on the
// machine (`--stores sqlite,postgres`). For each size: the fill (the demo's week of traffic,
// scaled), each /v1/stats endpoint (median of 5 calls), and the page in Chromium, from
// navigation to every chart drawn (median of 3 loads). Figures only: nothing is asserted.
// Run after `pnpm build`.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../../e2e/chromium.mjs';
import { demoTraffic } from '../../../examples/demo-data.mjs';

const root = new URL('../../../', import.meta.url);
const { values } = parseArgs({ options: { events: { type: 'string', default: '10000,1000000' }, stores: { type: 'string', default: 'sqlite,postgres' } } });
const sizes = values.events.split(',').map(Number);
const { createCollector } = await import(new URL('packages/collector/dist/index.js', root).href);

const DAY = 86_400_000;
/** Events per session-hour of the demo's traffic, about (measured: 21,000 events at 20 sessions an hour). */
const EVENTS_PER_SESSION_HOUR = 21_000 / (7 * 24 * 20);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;

/** Fills `collector` with about `n` events over the week before `now`, a day at a time (the week at once would not fit in memory at 1M). */
async function fill(collector, n, now) {
  const sessionsPerHour = Math.max(1, Math.round(n / (7 * 24 * EVENTS_PER_SESSION_HOUR)));
  let stored = 0;
  for (let day = 6; day >= 0; day--) {
    for (const d of demoTraffic({ now: now - day * DAY, days: 1, sessionsPerHour, seed: 7 + day + n })) {
      if (d.kind === 'browser') stored += (await collector.ingest(d.events, { receivedAt: d.receivedAt })).accepted;
      else stored += (await collector.ingestServerEvents(d.events, { receivedAt: d.receivedAt })).accepted;
    }
  }
  return stored;
}

const ENDPOINTS = ['summary?range=7d', 'events?range=1h', 'events?range=24h', 'events?range=7d', 'consent?range=7d', 'coverage?range=7d', 'vitals?range=7d', 'forwarding', 'fulfilment?days=30', 'alerts'];

async function measure(label, db) {
  const collector = createCollector({ db, alerts: { rules: { coverage: { belowPercent: 85 }, lateDelivery: { afterDays: 5 }, consentDenied: { jumpPoints: 10 } } } });
  const results = [];
  try {
    let filled = 0;
    const url = await collector.listen(0, '127.0.0.1');
    for (const n of sizes) {
      const now = Date.now();
      const started = performance.now();
      filled += await fill(collector, n - filled, now);
      const fillS = (performance.now() - started) / 1000;
      const stats = {};
      for (const path of ENDPOINTS) {
        const times = [];
        for (let i = 0; i < 5; i++) {
          const t = performance.now();
          // (Once more on a reset: the keep-alive connection of before the fill may have timed out.)
          const res = await fetch(`${url}/v1/stats/${path}`).catch(() => fetch(`${url}/v1/stats/${path}`));
          if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
          times.push(performance.now() - t);
        }
        stats[path] = median(times);
      }
      const found = findChromium();
      const browser = await chromium.launch({ executablePath: found?.system ? found.path : undefined, args: CHROMIUM_ARGS });
      const loads = [];
      try {
        for (let i = 0; i < 3; i++) {
          const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
          const t = performance.now();
          await page.goto(`${url}/dashboard#7d`);
          await page.locator('body[data-loaded]').waitFor({ state: 'attached', timeout: 120_000 });
          loads.push(performance.now() - t);
          await page.close();
        }
      } finally {
        await browser.close();
      }
      const row = { store: label, events: filled, fillS, page: median(loads), stats };
      results.push(row);
      console.log(`\n${label}, ${filled.toLocaleString('en-US')} events stored (filled in ${fillS.toFixed(1)} s): dashboard loaded (#7d, every chart drawn) in ${ms(row.page)} (median of 3)`);
      for (const [path, t] of Object.entries(stats)) console.log(`  GET /v1/stats/${path.padEnd(20)} ${ms(t)}`);
      console.log(`  load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores`);
    }
  } finally {
    await collector.close();
  }
  return results;
}

const dir = mkdtempSync(join(tmpdir(), 'waybill-bench-dashboard-'));
try {
  if (values.stores.includes('sqlite')) await measure('SQLite', join(dir, 'bench.db'));
  if (values.stores.includes('postgres')) {
    const { findPostgres, startPostgres } = await import(pathToFileURL(new URL('packages/collector/test/postgres-cluster.mjs', root).pathname).href);
    const found = findPostgres();
    if (!found.available) console.log(`\nPostgreSQL skipped: ${found.reason}`);
    else {
      const cluster = await startPostgres();
      try {
        await measure('PostgreSQL', cluster.url);
      } finally {
        cluster.stop();
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
