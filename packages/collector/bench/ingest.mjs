// Ingest throughput of `POST /collect`: 20-event batches (each event shaped as the browser SDK
// sends it, every id new, so nothing is a duplicate) at concurrency 10 and 50, with autocannon.
// The collector runs in its own process on a fresh SQLite file, as `waybill-collector` would.
// Besides requests per second, it prints the collector's CPU time per request, which other load
// on the machine disturbs far less: compare builds on that figure when the machine is busy.
//
//   node packages/collector/bench/ingest.mjs [--dist <folder with index.js>] [--against <another>] [--seconds 10] [--rounds 1]
//
// Run after `pnpm build`. `--dist` points at another build (say, a copy of an older release's
// dist folder, with its schema/ folder beside it); `--against` measures a second build at the
// same time as the first, so that both see the same machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BATCH, load, spawnCollector } from './shared.mjs';

const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: fileURLToPath(new URL('../dist', import.meta.url)) },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    concurrency: { type: 'string', multiple: true, default: ['10', '50'] },
    against: { type: 'string' },
  },
});
const WARM_UP_REQUESTS = 5000;

/** The collector of `dist` in its own process, on a fresh SQLite file. */
function startCollector(dist) {
  const dir = mkdtempSync(join(tmpdir(), 'waybill-bench-'));
  const collector = spawnCollector(dist, { db: join(dir, 'bench.db'), allowedOrigins: ['https://shop.example'] });
  return { ...collector, stop: () => collector.stop().finally(() => rmSync(dir, { recursive: true, force: true })) };
}

const run = (url, connections, seconds, amount) => load(url, connections, { seconds, amount });

/** Measures the collector of `dist` at concurrency `c` for `seconds`; resolves its figures. */
async function measure(dist, c, seconds) {
  const collector = startCollector(dist);
  try {
    const url = await collector.url;
    // Warm up by count, not time: on a busy machine two seconds may be too few requests for the
    // JIT to have compiled the hot path, which would measure the compiler, not the collector.
    await run(url, c, 0, WARM_UP_REQUESTS);
    const before = await collector.cpu();
    const r = await run(url, c, seconds);
    const after = await collector.cpu();
    const perRequest = (key) => (after[key] - before[key]) / r.requests.total;
    return { ...r, cpuPerRequest: perRequest('user') + perRequest('system'), systemPerRequest: perRequest('system') };
  } finally {
    await collector.stop();
  }
}

const line = (label, c, r) =>
  [
    label,
    `c${c}`.padEnd(4),
    `${Math.round(r.requests.average)} req/s`.padStart(11),
    `${Math.round(r.requests.average * BATCH)} events/s`.padStart(15),
    `p50 ${r.latency.p50} ms`.padStart(11),
    `p99 ${r.latency.p99} ms`.padStart(11),
    `${Math.round(r.cpuPerRequest)} µs CPU/req`.padStart(17),
    `(${Math.round(r.systemPerRequest)} in the kernel)`.padStart(18),
    r.errors || r.non2xx ? `errors ${r.errors}, non-2xx ${r.non2xx}` : '',
  ].join('  ');

const seconds = Number(values.seconds);
const builds = [values.dist, ...(values.against ? [values.against] : [])];
console.log(`POST /collect, ${BATCH}-event batches, ${seconds} s per run`);
builds.forEach((dist, i) => console.log(`  build ${'AB'[i]}: ${dist}`));
if (builds.length > 1) console.log('  (both at once, under the same load, so that a busy machine slows both alike)');
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const c of values.concurrency.map(Number)) {
    const results = await Promise.all(builds.map((dist) => measure(dist, c, seconds)));
    results.forEach((r, i) => console.log(line(builds.length > 1 ? 'AB'[i] : '', c, r)));
  }
}
