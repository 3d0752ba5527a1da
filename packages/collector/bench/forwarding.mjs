// Forwarding benchmark: 100,000 events (from 1,000 browsers, each POST one browser's batch, as
// the SDK sends them, every event asking for TikTok and GA4), against the vendor stand-ins on
// 127.0.0.1.
//
//   1. ingest, forwarding off: POST /collect to a collector without vendor credentials;
//   2. ingest, forwarding on, worker idle: the outbox queue rows are written (in each batch's
//      transaction) but the vendors are unreachable, so nothing is sent: the cost of routing and rows;
//   3. ingest, forwarding on: the worker sends to both stand-ins while the events come in;
//   4. forwarding throughput: a collector started on the backlog of 2 (100,000 events × 2
//      destinations), timed until the backlog is sent.
//
//   node packages/collector/bench/forwarding.mjs [--events 100000] [--batch 50] [--concurrency 10] [--rounds 3]
//     [--postgres postgres://user@host:port/db]  (PostgreSQL instead of SQLite files: a fresh database
//     per measure, made and dropped through that URL, whose user may CREATE DATABASE)
//
// The measures run in turn, round after round, and the medians are printed: on a shared machine
// one run says little. The stand-ins run in a process of their own (vendor-process.mjs).
//
// Run after `pnpm build`. The collector runs as `waybill-collector`, in its own process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    postgres: { type: 'string' },
  },
});
const ROUNDS = Number(values.rounds);
const EVENTS = Number(values.events);
const BATCH = Number(values.batch);
const CONCURRENCY = Number(values.concurrency);
const BIN = fileURLToPath(new URL('../bin/waybill-collector.js', import.meta.url));
const PIXEL = 'CBENCH0001';
const GA = 'G-BENCH0001';
const SECRETS = { WAYBILL_TIKTOK_ACCESS_TOKEN: 'bench-token', WAYBILL_GA4_API_SECRET: 'bench-secret', WAYBILL_ADMIN_TOKEN: 'bench-admin-token-0123' };
const ADMIN = { Authorization: `Bearer ${SECRETS.WAYBILL_ADMIN_TOKEN}` };
const dir = mkdtempSync(join(tmpdir(), 'waybill-bench-forwarding-'));

const pg = values.postgres && (await import('postgres')).default(values.postgres, { max: 1, onnotice: () => {} });
const made = new Set();
/** Where measure `name` stores: a SQLite file, or a PostgreSQL database made for it (the same name opens the same one). */
async function database(name) {
  if (!pg) return join(dir, name);
  const db = `waybill_bench_${name.replace(/\W/g, '_')}`;
  if (!made.has(db)) {
    await pg.unsafe(`DROP DATABASE IF EXISTS ${db}`);
    await pg.unsafe(`CREATE DATABASE ${db}`);
    made.add(db);
  }
  const url = new URL(values.postgres);
  url.pathname = `/${db}`;
  return url.href;
}

/** Starts `waybill-collector`; resolves its URL and a stop function. */
async function collector(db, flags = []) {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--db', await database(db), '--allow-origin', 'https://shop.example', ...flags], {
    env: { ...process.env, ...SECRETS },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text) => {
      out += text;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
    });
  return { url, stop };
}

const forwardingFlags = (tiktokUrl, ga4Url, extra = []) => ['--tiktok-pixel', PIXEL, '--tiktok-api-url', tiktokUrl, '--ga4-measurement-id', GA, '--ga4-api-url', ga4Url, ...extra];

const NAMES = ['page_view', 'view_item', 'view_item', 'add_to_cart', 'begin_checkout', 'purchase'];
/** Event `n` of the run: a catalogue event with items, asking for both vendors, from the browser of its batch. */
function event(run, n) {
  const browser = Math.floor(n / BATCH) % 1000;
  const name = NAMES[n % NAMES.length];
  return {
    id: `bench-${run}-${n}`,
    type: name === 'page_view' ? 'page' : 'track',
    name,
    props: { currency: 'USD', value: 30, transaction_id: name === 'purchase' ? `T-${run}-${n}` : undefined, items: [{ item_id: `SKU${n % 50}`, item_name: 'Tee', price: 30, quantity: 1 }] },
    ts: Date.now(),
    anonymousId: `browser-${browser}`,
    sessionId: `session-${browser}`,
    userId: browser % 3 === 0 ? `user-${browser}` : undefined,
    traits: { email: 'a'.repeat(64) },
    context: {
      page: { url: 'https://shop.example/p/tee', path: '/p/tee', referrer: 'https://www.tiktok.com/', title: 'Tee' },
      locale: 'en-US',
      timezone: 'Europe/Paris',
      screen: '1280x720',
      campaign: { utm_source: 'tiktok' },
      clickIds: { ttclid: 'E.C.P.bench' },
      consent: { necessary: 'granted', analytics: 'granted', marketing: 'granted' },
      library: { name: 'waybill', version: '0.1.0' },
      forward: ['tiktok', 'ga4'],
    },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/collect`, { method: 'POST', agent, headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://shop.example' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`POST /collect: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs `EVENTS` new events in batches; resolves events per second. */
async function ingest(url, run) {
  const bodies = [];
  for (let n = 0; n < EVENTS; n += BATCH) {
    const events = [];
    for (let i = n; i < Math.min(n + BATCH, EVENTS); i++) events.push(event(run, i));
    bodies.push(JSON.stringify({ v: 1, sentAt: new Date().toISOString(), events }));
  }
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < bodies.length) await post(url, bodies[next++]);
  }));
  return EVENTS / ((performance.now() - started) / 1000);
}

const report = async (url) => (await fetch(`${url}/forwarding`, { headers: ADMIN })).json();
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Waits until both destinations have sent at least `target` rows; resolves the time it took (s). */
async function drained(url, target, started) {
  for (;;) {
    const { tiktok, ga4 } = await report(url);
    if (tiktok.sent >= target && ga4.sent >= target) return (performance.now() - started) / 1000;
    await sleep(100);
  }
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const less = (rate, base) => `${((1 - rate / base) * 100).toFixed(1)} % less than off`;
const closed = 'http://127.0.0.1:9';
const vendors = spawn(process.execPath, [fileURLToPath(new URL('vendor-process.mjs', import.meta.url)), PIXEL, SECRETS.WAYBILL_TIKTOK_ACCESS_TOKEN, GA, SECRETS.WAYBILL_GA4_API_SECRET], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
/** The next message of the stand-ins' process. */
const fromVendors = () => new Promise((resolve) => vendors.once('message', resolve));
const urls = await fromVendors();
const tiktokApi = { url: urls.tiktok };
const ga4Api = { url: urls.ga4 };

/** One round of the four measures, one after the other, each on a fresh database. */
async function round(n) {
  const off = await collector(`off-${n}.db`);
  const offRate = await ingest(off.url, `off-${n}`);
  await off.stop();

  // Vendors unreachable (a closed port) and the first retry an hour away: the rows stay pending
  // but for the first claims', which wait for their retry. This also builds the backlog for 4.
  const build = await collector(`backlog-${n}.db`, forwardingFlags(closed, closed, ['--forward-retry-ms', '3600000']));
  const idleRate = await ingest(build.url, `backlog-${n}`);
  const held = await report(build.url);
  await build.stop();

  const on = await collector(`on-${n}.db`, forwardingFlags(tiktokApi.url, ga4Api.url));
  const onStarted = performance.now();
  const busyRate = await ingest(on.url, `on-${n}`);
  const liveSeconds = await drained(on.url, EVENTS, onStarted);
  await on.stop();

  const waiting = Math.max(held.tiktok.failed, held.ga4.failed);
  const drain = await collector(`backlog-${n}.db`, forwardingFlags(tiktokApi.url, ga4Api.url));
  const drainStarted = performance.now();
  const seconds = await drained(drain.url, EVENTS - waiting, drainStarted);
  const sent = await report(drain.url);
  await drain.stop();
  const stats = fromVendors();
  vendors.send('stats');
  const { tiktok, ga4 } = await stats;
  const problems = tiktok.problems + ga4.problems;
  const requests = [tiktok.requests, ga4.requests];
  vendors.send('clear');
  const result = { offRate, idleRate, busyRate, liveSeconds, rows: sent.tiktok.sent + sent.ga4.sent, seconds, requests, problems };
  console.log(
    `round ${n}: ingest off ${fmt(offRate)}, on (worker idle) ${fmt(idleRate)}, on (worker busy) ${fmt(busyRate)} events/s; ` +
      `backlog ${fmt(result.rows / seconds)} rows/s; requests ${fmt(requests[0])} Events API + ${fmt(requests[1])} MP; malformed ${problems}`,
  );
  return result;
}

try {
  console.log(`${fmt(EVENTS)} events a measure, ${BATCH} per POST /collect, ${CONCURRENCY} at a time, into ${pg ? 'PostgreSQL' : 'SQLite'}; TikTok and GA4 stand-ins on 127.0.0.1; ${ROUNDS} rounds, medians below`);
  const results = [];
  for (let n = 1; n <= ROUNDS; n++) results.push(await round(n));
  const m = (key) => median(results.map((r) => r[key]));
  const [off, idle, busy] = [m('offRate'), m('idleRate'), m('busyRate')];
  console.log(`ingest, forwarding off:              ${fmt(off)} events/s`);
  console.log(`ingest, forwarding on, worker idle:  ${fmt(idle)} events/s (${less(idle, off)}: routing and the outbox rows)`);
  console.log(`ingest, forwarding on, worker busy:  ${fmt(busy)} events/s (${less(busy, off)}; goal: at most 20 %)`);
  console.log(`  everything forwarded ${m('liveSeconds').toFixed(1)} s after the first POST (the worker keeps to 10 % of the time while events come in)`);
  console.log(`forwarding a backlog of ${fmt(2 * EVENTS)} rows: ${fmt(median(results.map((r) => r.rows / r.seconds)))} rows/s to the two vendors`);
} finally {
  agent.destroy();
  const stopped = new Promise((done) => vendors.once('exit', done));
  vendors.send('close');
  await stopped;
  rmSync(dir, { recursive: true, force: true });
  if (pg) {
    for (const db of made) await pg.unsafe(`DROP DATABASE IF EXISTS ${db}`);
    await pg.end();
  }
}
