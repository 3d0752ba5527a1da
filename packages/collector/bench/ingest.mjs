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
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: fileURLToPath(new URL('../dist', import.meta.url)) },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    concurrency: { type: 'string', multiple: true, default: ['10', '50'] },
    against: { type: 'string' },
  },
});
const BATCH = 20;
const WARM_UP_REQUESTS = 5000;

/** Starts the collector of `dist` in a child process; resolves its URL and a stop function. */
function startCollector(dist) {
  const dir = mkdtempSync(join(tmpdir(), 'waybill-bench-'));
  const entry = pathToFileURL(join(dist, 'index.js')).href;
  const script = `
    const { createCollector } = await import(${JSON.stringify(entry)});
    const collector = createCollector({ db: ${JSON.stringify(join(dir, 'bench.db'))}, allowedOrigins: ['https://shop.example'] });
    process.stdout.write(await collector.listen(0, '127.0.0.1') + '\\n');
    process.on('message', () => process.send(process.cpuUsage()));
    process.on('SIGTERM', () => collector.close().then(() => process.exit(0)));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const url = new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  /** CPU time the collector process has used so far, in µs: `{ user, system }`. */
  const cpu = () =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('cpu');
    });
  return { url, cpu, stop };
}

let sequence = 0;
/** A batch of `BATCH` new events, as the SDK sends them. */
function body() {
  const events = [];
  for (let i = 0; i < BATCH; i++) {
    sequence++;
    events.push({
      id: `bench-${process.pid}-${sequence}`,
      type: 'track',
      name: i % 5 === 0 ? 'page_view' : 'view_item',
      props: { currency: 'USD', value: 30, items: [{ item_id: `SKU${i}`, item_name: 'Tee', price: 30, quantity: 1 }] },
      ts: 1_700_000_000_000 + sequence,
      anonymousId: '6f1c1c1e-6a39-4b8e-9d7e-2c1f0e3c9b10',
      sessionId: '0b8a6a3e-1d2f-4c5b-8a9e-7f6d5c4b3a21',
      context: {
        page: { url: 'https://shop.example/p/tee?utm_source=tiktok', path: '/p/tee', referrer: 'https://www.tiktok.com/', title: 'Tee' },
        locale: 'en-US',
        timezone: 'Europe/Paris',
        screen: '1280x720',
        campaign: { utm_source: 'tiktok', utm_medium: 'paid' },
        clickIds: { ttclid: 'E.C.P.abc123' },
        consent: { necessary: 'granted', analytics: 'granted', marketing: 'granted' },
        library: { name: 'waybill', version: '0.1.0' },
      },
    });
  }
  return JSON.stringify({ v: 1, sentAt: new Date().toISOString(), events });
}

/** Runs autocannon for `seconds`, or for `amount` requests. */
function run(url, connections, seconds, amount) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/collect`,
        connections,
        ...(amount ? { amount } : { duration: seconds }),
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://shop.example' },
        requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

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
