#!/usr/bin/env node
// The cost of `track()` on the caller's path, in Chromium, with the npm build of core and the
// first-party destination sending to a real collector (analytics granted, so events are stored
// too). Not part of `pnpm test`.
//
//   npx -y pnpm@10.34.8 build && node e2e/measure/track.mjs [--core packages/core/dist] [--calls 10000]
//
// `--core` may point at another build of core (the dist folder of an older release) to compare.
// Two figures: the median of the mean cost per call over batches of 100 calls (precise), and
// per-call median and p99 (performance.now() is coarsened to 5 µs even cross-origin isolated).
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../chromium.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({ options: { core: { type: 'string', default: join(ROOT, 'packages/core/dist') }, calls: { type: 'string', default: '10000' } } });
const CALLS = Number(args.calls);
const core = readFileSync(join(resolve(args.core), 'index.js'));
const idbKeyval = readFileSync(join(dirname(createRequire(join(ROOT, 'packages/core/package.json')).resolve('idb-keyval/package.json')), 'dist/index.js'));
const { createCollector } = await import(pathToFileURL(join(ROOT, 'packages/collector/dist/index.js')).href);

const dir = mkdtempSync(join(tmpdir(), 'waybill-track-'));
const collector = createCollector({ db: join(dir, 'track.db') });
const collectorUrl = await collector.listen(0, '127.0.0.1');

const page = `<!doctype html><meta charset="utf-8"><title>track()</title>
<script type="importmap">{"imports":{"@waybill/core":"/core.js","idb-keyval":"/idb-keyval.js"}}</script>
<script type="module">
  import * as waybill from '@waybill/core';
  const destination = {
    name: 'first-party', category: 'analytics', persist: true,
    send: (events, unload) => waybill.sendBatch('/collect', events, unload),
    known: waybill.askKnown && ((ids) => waybill.askKnown('/collect', ids)),
  };
  window.tracker = waybill.createTracker({ destinations: [destination], consent: { analytics: 'granted' } });
</script>`;
// Cross-origin isolated, for the finest performance.now() Chromium gives.
const isolated = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
const site = createServer((req, res) => {
  if (req.url === '/core.js') return res.writeHead(200, { ...isolated, 'content-type': 'text/javascript' }).end(core);
  if (req.url === '/idb-keyval.js') return res.writeHead(200, { ...isolated, 'content-type': 'text/javascript' }).end(idbKeyval);
  if (req.url === '/collect') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const answer = await fetch(collectorUrl + '/collect', { method: 'POST', body: Buffer.concat(chunks), headers: { 'content-type': 'text/plain' } });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
    return;
  }
  res.writeHead(200, { ...isolated, 'content-type': 'text/html' }).end(page);
});
await new Promise((done) => site.listen(0, '127.0.0.1', done));

const found = findChromium();
const browser = await chromium.launch({ executablePath: found?.system ? found.path : undefined, args: CHROMIUM_ARGS });
try {
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${site.address().port}/`);
  await tab.waitForFunction(() => window.tracker);
  const result = await tab.evaluate(async (calls) => {
    const props = { currency: 'EUR', value: 25, items: [{ item_id: 'SKU-1', item_name: 'Organic tee', price: 25, quantity: 1, item_category: 'Tops' }] };
    const pause = () => new Promise((done) => setTimeout(done, 0));
    // Warm up (the JIT, the database opened), then measure in batches of 100 with a task between them.
    for (let i = 0; i < 1000; i++) window.tracker.track('add_to_cart', props);
    await new Promise((done) => setTimeout(done, 500));
    const perCall = [];
    const perBatch = [];
    for (let b = 0; b < calls / 100; b++) {
      const batchStart = performance.now();
      for (let i = 0; i < 100; i++) {
        const start = performance.now();
        window.tracker.track('add_to_cart', props);
        perCall.push(performance.now() - start);
      }
      perBatch.push((performance.now() - batchStart) / 100);
      await pause();
    }
    const at = (list, q) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))];
    return { isolated: crossOriginIsolated, batchMedian: at(perBatch, 0.5), callMedian: at(perCall, 0.5), callP99: at(perCall, 0.99) };
  }, CALLS);
  const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;
  console.log(`track() with ${args.core}, ${CALLS} calls (cross-origin isolated: ${result.isolated})`);
  console.log(`  median of the mean per call over batches of 100: ${us(result.batchMedian)}`);
  console.log(`  per call: median ${us(result.callMedian)}, p99 ${us(result.callP99)}`);
} finally {
  await browser.close();
  await collector.close();
  site.close();
  rmSync(dir, { recursive: true, force: true });
}
