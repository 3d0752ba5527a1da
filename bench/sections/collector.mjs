// 5. Collector ingest: autocannon posts 20-event batches to Waybill's collector and, side by side,
// to a bare node:http + better-sqlite3 server doing the minimum (servers/bare.mjs), each in a
// process of its own on a fresh SQLite file, at concurrency 10, at concurrency 50, and at a fixed
// 1,000 requests/s (20,000 events/s offered). The batch is one the SDK really sent: Waybill's npm
// build in Chromium tracks the bench cart and the first 20-event request is kept; each posted copy
// gets fresh event ids of the kind the SDK made (UUIDv7 if the SDK's are, else v4), so every event
// is new to the collector.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { browserBundlesOnce } from '../lib/bundle.mjs';
import { startServer } from '../lib/child.mjs';
import { inPageBurst, openPage, settle, withSite } from '../lib/harness.mjs';
import { medianOfRounds } from '../lib/stats.mjs';
import { num, printTable, ratio } from '../lib/table.mjs';

const BATCH = 20;

/** A batch of 20 events as the SDK sent it, from a real page. */
function sdkBatch(browser) {
  return withSite('waybill', async (site) => {
    const { context, page } = await openPage(browser, site);
    const since = Date.now();
    await page.evaluate(inPageBurst, { n: 2 * BATCH, tag: 5 });
    await settle(site, { since, expect: 2 * BATCH, maxMs: 20_000 });
    await context.close();
    const body = site.bodies.find((b) => JSON.parse(b).events?.length >= BATCH);
    if (!body) throw new Error('the SDK sent no batch of 20 events');
    const batch = JSON.parse(body);
    return { ...batch, events: batch.events.slice(0, BATCH) };
  }, { keepBodies: true });
}

/** Event ids like the sample's: time-ordered UUIDv7 (RFC 9562) when the SDK's are, random v4 otherwise. */
function idMaker(sample) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7/i.test(sample)) return { kind: 'UUIDv4', next: randomUUID };
  let pool = randomBytes(0);
  let at = 0;
  const next = () => {
    if (at + 10 > pool.length) {
      pool = randomBytes(10 * 4096);
      at = 0;
    }
    const r = pool.toString('hex', at, (at += 10));
    const t = Date.now().toString(16).padStart(12, '0');
    return `${t.slice(0, 8)}-${t.slice(8)}-7${r.slice(0, 3)}-${((parseInt(r[3], 16) & 3) | 8).toString(16)}${r.slice(4, 7)}-${r.slice(7, 19)}`;
  };
  return { kind: 'UUIDv7', next };
}

/** A function that returns the batch's JSON with fresh ids each call (string pieces, so no stringify per request). */
function bodyMaker(batch, nextId) {
  const MARK = '"@bench-id@"'; // printable: JSON.stringify would escape a control character
  const pieces = JSON.stringify({ ...batch, events: batch.events.map((e) => ({ ...e, id: MARK.slice(1, -1) })) }).split(MARK);
  if (pieces.length !== batch.events.length + 1) throw new Error('collector: the batch template has no place for its ids');
  return () => {
    let body = pieces[0];
    for (let i = 1; i < pieces.length; i++) body += `"${nextId()}"${pieces[i]}`;
    return body;
  };
}

/** One load against a fresh server: `{ eventsPerSecond, p50, p99, non2xx, errors, unaccepted }`. */
async function load(server, { connections, overallRate }, makeBody, seconds) {
  const dir = mkdtempSync(join(tmpdir(), 'waybill-bench-ingest-'));
  const child = await startServer(server, [join(dir, 'events.db')]);
  let sampled = 0;
  let unaccepted = 0;
  const run = (duration, rate) =>
    autocannon({
      url: `${child.url}/collect`,
      connections,
      duration,
      overallRate: rate,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://shop.example' },
          setupRequest: (request) => ({ ...request, body: makeBody() }),
          // One answer in 25 is read: every event of it must have been new and accepted.
          onResponse: (status, body) => {
            if (status !== 200 || Math.random() >= 0.04) return;
            sampled++;
            unaccepted += BATCH - (JSON.parse(body).accepted ?? 0);
          },
        },
      ],
    });
  try {
    await run(1, undefined); // warm-up: JIT, SQLite page cache
    sampled = 0;
    unaccepted = 0;
    const r = await run(seconds, overallRate);
    return {
      eventsPerSecond: (r['2xx'] * BATCH) / r.duration,
      requestsPerSecond: r['2xx'] / r.duration,
      p50: r.latency.p50,
      p99: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      unacceptedShare: sampled ? unaccepted / (sampled * BATCH) : NaN,
    };
  } finally {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run({ rounds, quick, browser: getBrowser, log }) {
  await browserBundlesOnce();
  const batch = await sdkBatch(await getBrowser());
  const ids = idMaker(batch.events[0].id);
  const makeBody = bodyMaker(batch, ids.next);
  const bodyBytes = Buffer.byteLength(makeBody());
  const seconds = quick ? 2 : 5;
  const loads = [
    { id: 'c10', label: 'concurrency 10', connections: 10 },
    { id: 'c50', label: 'concurrency 50', connections: 50 },
    { id: 'r1000', label: '1,000 req/s (20,000 events/s offered)', connections: 50, overallRate: 1000 },
  ];
  const servers = [
    { id: 'waybill', label: 'Waybill collector' },
    { id: 'bare', label: 'bare node:http + better-sqlite3' },
  ];

  const all = [];
  for (let round = 1; round <= rounds; round++) {
    const rows = {};
    for (const l of loads) {
      for (const s of round % 2 ? servers : [...servers].reverse()) {
        log(`  round ${round}/${rounds}: ${s.id} at ${l.id}`);
        rows[`${s.id}-${l.id}`] = await load(s.id, l, makeBody, seconds);
      }
    }
    all.push(rows);
  }
  const m = medianOfRounds(all);

  printTable(
    'Collector ingest',
    ['load', 'server', 'events/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'Waybill / bare'],
    loads.flatMap((l) =>
      servers.map((s) => {
        const r = m[`${s.id}-${l.id}`];
        return [l.label, s.label, num(r.eventsPerSecond), num(r.p50, 1), num(r.p99, 1), num(r.non2xx), num(r.errors), s.id === 'waybill' ? ratio(r.eventsPerSecond, m[`bare-${l.id}`].eventsPerSecond) : ''];
      }),
    ),
    [
      `Median of ${rounds} round${rounds > 1 ? 's' : ''}, ${seconds} s each after a 1 s warm-up, a fresh database each; ` +
        `${BATCH}-event batches of ${num(bodyBytes)} bytes as the SDK sent them, ${ids.kind} ids like the SDK's; autocannon in the bench process, each server in its own.`,
    ],
  );
  const unaccepted = Math.max(0, ...Object.values(m).map((r) => r.unacceptedShare || 0));
  if (unaccepted > 0) log(`collector: ${(unaccepted * 100).toFixed(1)} % of sampled events were not accepted (duplicates or rejected): check the ids`);
  return { batchBytes: bodyBytes, ids: ids.kind, seconds, rounds: all, median: m };
}
