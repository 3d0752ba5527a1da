#!/usr/bin/env node
// Delivery figures of the built script tag against the real collector, in Chromium: the rounds
// issue 8 states. Prints a table per scenario; not part of `pnpm test` (it takes a few minutes).
//
//   npx -y pnpm@10.34.8 build && node e2e/measure/delivery.mjs [--rounds 10] [--pages 100] [--bundle <waybill.min.js>]
//
// `--bundle` measures another build of the script tag (an older release's, to compare).
// - loss: the collector down, a page tracks 30 events and navigates at once to another page of
//   the shop; the collector back, the next page: how many of the 30 arrive (goal: 30, every round);
// - storm: pages of 5 events, each navigating on at once, the collector up: every event stored
//   once, and how often each was sent (goal: at most 2 % twice, none three times);
// - orphans: two tabs tracking while the collector is down, both closed, then a new tab; and a
//   tab whose renderer crashes with 10 events stored: seconds until the next page has sent them
//   (goal: within 10 s);
// - burst: 10,000 events tracked at about 1,600/s, the collector up: how many arrive, in how many requests.
import { createServer, request } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../chromium.mjs';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '10' }, pages: { type: 'string', default: '100' }, bundle: { type: 'string' } },
});
const ROUNDS = Number(args.rounds);
const PAGES = Number(args.pages);
const ROOT = resolve(import.meta.dirname, '../..');
const dist = (file) => join(ROOT, 'packages', file);
for (const file of ['browser/dist/waybill.min.js', 'browser/dist/waybill-stub.js', 'collector/dist/index.js']) {
  if (!existsSync(dist(file))) throw new Error(`${file} is missing: run the build first`);
}
const bundle = readFileSync(args.bundle ?? dist('browser/dist/waybill.min.js'));
console.log(`script tag: ${args.bundle ?? 'packages/browser/dist/waybill.min.js'}`);
const stub = readFileSync(dist('browser/dist/waybill-stub.js'), 'utf8');
const { createCollector } = await import(pathToFileURL(dist('collector/dist/index.js')).href);

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
/** Resolves when `fn()` is true (checked every 50 ms), or false after `ms`. */
const until = async (fn, ms) => {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (await fn()) return true;
  return fn();
};

// --- the site: shop pages, the bundle, and /collect passed to a real collector --------------

const dir = mkdtempSync(join(tmpdir(), 'waybill-measure-'));
let collector;
let collectorUrl;
let down = false;
/** Every POST /collect body with events: the ids it carried. */
let sent = [];
const pages = new Map();
let pageCount = 0;

const site = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/waybill.min.js') return res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(bundle);
  if (url.pathname === '/collect') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (down) return res.destroy();
      try {
        const batch = JSON.parse(body);
        if (batch.events) sent.push(batch.events.map((e) => e.id));
      } catch {}
      const up = request(new URL('/collect', collectorUrl), { method: req.method, headers: { ...req.headers, 'content-length': body.length }, agent: false }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(body);
    });
    return;
  }
  const html = pages.get(url.pathname);
  if (html) return res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' }).end(html);
  res.writeHead(404).end();
});
await new Promise((done) => site.listen(0, '127.0.0.1', done));
const origin = `http://127.0.0.1:${site.address().port}`;

const startCollector = async (db) => {
  collector = createCollector({ db: join(dir, `${db}.db`), allowedOrigins: [origin] });
  collectorUrl = await collector.listen(0, '127.0.0.1');
};

/** A shop page on the script tag with analytics granted, running `script`; returns its URL. */
const shopPage = (script = '', flushInterval = 5000) => {
  const path = `/p${++pageCount}`;
  pages.set(
    path,
    `<!doctype html><meta charset="utf-8"><title>shop</title><script>${stub}</script>
<script async src="/waybill.min.js" data-endpoint="/collect" data-flush-interval="${flushInterval}"></script>
<script>waybill('consent', { analytics: 'granted' }); ${script}</script>`,
  );
  return origin + path;
};
/** Page script: leave for `url` as soon as the bundle has run the calls before it. */
const leaveAtOnce = (url) =>
  `document.querySelector('script[src="/waybill.min.js"]').addEventListener('load', () => { location.href = ${JSON.stringify(url)}; });`;

const found = findChromium();
const browser = await chromium.launch({ executablePath: found?.system ? found.path : undefined, args: CHROMIUM_ARGS });
/** Every stored event (of `name`), page by page: the collector lists at most 1,000 at a time. */
const stored = async (name) => {
  const all = [];
  for (let before; ; ) {
    const page = await collector.events({ limit: 1000, ...(name !== undefined && { name }), ...(before && { before }) });
    all.push(...page.events);
    if (!page.next) return all;
    before = page.next;
  }
};
const fresh = async (db) => {
  await collector?.close();
  sent = [];
  down = false;
  await startCollector(db);
  return browser.newContext();
};
const pct = (n, of) => `${((100 * n) / of).toFixed(1)} %`;

try {
  // --- loss at a navigation with the collector down -------------------------------------------
  console.log(`\nloss: collector down, 30 events tracked right before a navigation (${ROUNDS} rounds)`);
  const losses = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const context = await fresh(`loss-${round}`);
    const tab = await context.newPage();
    down = true;
    const next = shopPage('', 100);
    await tab.goto(shopPage(`for (let i = 0; i < 30; i++) waybill('track', 'view_item', { round: ${round}, i }); ${leaveAtOnce(next)}`));
    await tab.waitForURL(next);
    await sleep(500);
    down = false;
    await tab.goto(shopPage('', 100));
    await until(async () => (await stored('view_item')).length >= 30, 20_000);
    const arrived = new Set((await stored('view_item')).map((e) => e.id)).size;
    losses.push(arrived);
    console.log(`  round ${String(round).padStart(2)}: ${arrived} of 30 arrived`);
    await context.close();
  }
  console.log(`  => ${losses.filter((n) => n === 30).length} of ${ROUNDS} rounds with 30 of 30`);

  // --- the storm of copies with the collector up ----------------------------------------------
  console.log(`\nstorm: ${PAGES} pages of 5 events, each navigating on at once, collector up (3 rounds)`);
  const storms = [];
  for (let round = 1; round <= 3; round++) {
    const context = await fresh(`storm-${round}`);
    const tab = await context.newPage();
    const urls = [shopPage('', 100)];
    for (let n = PAGES - 1; n >= 0; n--) urls.unshift(shopPage(`for (let i = 0; i < 5; i++) waybill('track', 'view_item', { page: ${n}, i }); ${leaveAtOnce(urls[0])}`));
    const started = Date.now();
    await tab.goto(urls[0]);
    await tab.waitForURL(urls[PAGES], { timeout: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    await until(async () => (await stored('view_item')).length >= PAGES * 5, 30_000);
    // The last page stays: let it ask about what the others left and finish.
    await sleep(3000);
    const copies = new Map();
    for (const ids of sent) for (const id of ids) copies.set(id, (copies.get(id) ?? 0) + 1);
    const events = PAGES * 5;
    const twice = [...copies.values()].filter((n) => n > 1).length;
    const more = [...copies.values()].filter((n) => n > 2).length;
    const storedOnce = new Set((await stored('view_item')).map((e) => e.id)).size;
    storms.push({ twice, more, max: Math.max(...copies.values()) });
    console.log(
      `  round ${round}: ${storedOnce} of ${events} stored; sent more than once ${twice} (${pct(twice, events)}), of which three times or more ${more}; most copies of one event ${Math.max(...copies.values())}; ${sent.length} requests with events; ${seconds.toFixed(1)} s of navigation`,
    );
    await context.close();
  }

  // --- orphaned events ------------------------------------------------------------------------
  console.log(`\norphans: the events of closed and crashed tabs, taken over by the next page (${Math.min(ROUNDS, 3)} rounds)`);
  for (let round = 1; round <= Math.min(ROUNDS, 3); round++) {
    let context = await fresh(`closed-${round}`);
    down = true;
    const tabs = [await context.newPage(), await context.newPage()];
    for (const [n, tab] of tabs.entries()) {
      await tab.goto(shopPage(`for (let i = 0; i < 10; i++) waybill('track', 'view_item', { tab: ${n}, i });`));
      await tab.waitForFunction(() => typeof window.waybill.track === 'function');
    }
    await sleep(300);
    await Promise.all(tabs.map((tab) => tab.close()));
    down = false;
    let opened = Date.now();
    await (await context.newPage()).goto(shopPage());
    const closedOk = await until(async () => (await stored('view_item')).length >= 20, 30_000);
    const closedIn = (Date.now() - opened) / 1000;
    await context.close();

    context = await fresh(`crashed-${round}`);
    down = true;
    const tab = await context.newPage();
    await tab.goto(shopPage(`for (let i = 0; i < 10; i++) waybill('track', 'view_item', { i });`));
    await tab.waitForFunction(() => typeof window.waybill.track === 'function');
    await sleep(500);
    await tab.goto('chrome://crash').catch(() => {});
    down = false;
    opened = Date.now();
    await (await context.newPage()).goto(shopPage());
    const crashedOk = await until(async () => (await stored('view_item')).length >= 10, 30_000);
    const crashedIn = (Date.now() - opened) / 1000;
    await context.close();
    console.log(
      `  round ${round}: two closed tabs, ${closedOk ? `20 of 20 in ${closedIn.toFixed(1)} s` : `${(await stored('view_item')).length} of 20 after 30 s`}; ` +
        `a crashed tab, ${crashedOk ? `10 of 10 in ${crashedIn.toFixed(1)} s` : 'not all after 30 s'}`,
    );
  }

  // --- a burst, the collector up --------------------------------------------------------------
  console.log('\nburst: 10,000 events tracked at about 1,600/s, collector up');
  {
    const context = await fresh('burst');
    const tab = await context.newPage();
    await tab.goto(shopPage());
    await tab.waitForFunction(() => typeof window.waybill.track === 'function');
    const started = Date.now();
    await tab.evaluate(async () => {
      // 1.6 events a millisecond, caught up every 10 ms (timers run late on a busy machine).
      const start = performance.now();
      for (let i = 0; i < 10_000; await new Promise((done) => setTimeout(done, 10))) {
        const due = Math.min(10_000, Math.floor((performance.now() - start) * 1.6));
        for (; i < due; i++) window.waybill.track('view_item', { i, sku: 'SKU-' + (i % 50) });
      }
    });
    const trackedIn = (Date.now() - started) / 1000;
    await until(async () => (await stored('view_item')).length >= 10_000, 60_000);
    console.log(`  ${(await stored('view_item')).length} of 10,000 arrived (tracked in ${trackedIn.toFixed(1)} s, ${Math.round(10_000 / trackedIn)}/s), in ${sent.length} requests`);
    await context.close();
  }
} finally {
  await browser.close();
  await collector?.close();
  site.close();
  rmSync(dir, { recursive: true, force: true });
}
