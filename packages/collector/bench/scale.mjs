// Scale: ingest (events/s and p99 latency of `POST /collect`, 20-event batches at concurrency 50)
// and `GET /events` page time, for SQLite (one collector) and PostgreSQL (one and three collector
// processes on one database), with 10,000 and 1,000,000 events already stored. PostgreSQL runs
// on this machine as the tests run it (a throwaway cluster), but durable (fsync on), with 512 MB
// of shared buffers and otherwise its default settings. Everything shares the machine: the load
// average is printed with each figure.
//
//   node packages/collector/bench/scale.mjs [--sizes 10000,1000000] [--seconds 10] [--setups sqlite,pg1,pg3]
//
// Run after `pnpm build`. Not part of `pnpm test`: it takes a few minutes and about 3 GB of disk.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { postgresVersion, startPostgres } from '../test/postgres-cluster.mjs';
import { benchEvent, load, spawnCollector, BATCH } from './shared.mjs';

const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: fileURLToPath(new URL('../dist', import.meta.url)) },
    sizes: { type: 'string', default: '10000,1000000' },
    seconds: { type: 'string', default: '10' },
    setups: { type: 'string', default: 'sqlite,pg1,pg3' },
    concurrency: { type: 'string', default: '50' },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const WARM_UP_REQUESTS = 2000;
const PAGE_SAMPLES = 40;
const ORIGINS = ['https://shop.example'];

const load1 = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p99 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];

/** An SDK-shaped event's JSON without the fields that vary, for the bulk fills. */
const TEMPLATE = JSON.stringify({ ...benchEvent(1), id: undefined, ts: undefined });

/** Fills a SQLite file (schema made by the collector itself) with `size` events received over the last `size` ms. */
async function fillSqlite(file, size) {
  const { createCollector } = await import(join(values.dist, 'index.js'));
  await createCollector({ db: file }).close(); // migrations
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @size)
     INSERT INTO events (id, type, name, ts, received_at, anonymous_id, session_id, user_id, event)
     SELECT id, 'track', name, 1.7e12 + i, @now - (@size - i), 'anon-' || (i % 50000), 'sess-' || (i % 100000), NULL,
            json_set(@template, '$.id', id, '$.name', name, '$.ts', 1.7e12 + i)
     FROM (SELECT i, 'fill-' || lower(hex(randomblob(16))) AS id, CASE WHEN i % 5 = 0 THEN 'page_view' ELSE 'view_item' END AS name FROM n)`,
  ).run({ size, now: Date.now(), template: TEMPLATE });
  db.close();
}

/** Fills a PostgreSQL database (schema made by the collector itself) the same way. */
async function fillPostgres(url, size) {
  const { createCollector } = await import(join(values.dist, 'index.js'));
  const maker = createCollector({ db: url });
  await maker.listen(0); // waits for the migrations
  await maker.close();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql`
    INSERT INTO waybill.events (id, type, name, ts, received_at, anonymous_id, session_id, user_id, event)
    SELECT id, 'track', name, 1.7e12 + i, ${Date.now()}::bigint - (${size} - i), 'anon-' || (i % 50000), 'sess-' || (i % 100000), NULL,
           ${TEMPLATE}::text::jsonb || jsonb_build_object('id', id, 'name', name, 'ts', 1.7e12 + i)
    FROM (SELECT i, 'fill-' || md5(random()::text || i) AS id, CASE WHEN i % 5 = 0 THEN 'page_view' ELSE 'view_item' END AS name
          FROM generate_series(1, ${size}) AS i) AS s`;
  await sql`UPDATE waybill.event_count SET events = events + ${size} WHERE slot = 0`;
  await sql`VACUUM ANALYZE waybill.events`; // as autovacuum would have, by then
  await sql`CHECKPOINT`; // the fill's writes are not the measurement's
  const [{ bytes }] = await sql`SELECT pg_database_size(current_database())::float8 AS bytes`;
  await sql.end();
  return bytes;
}

/** Times `GET /events` pages: the newest 100, 100 from the middle (by cursor), the newest 100 of one name. */
async function pageTimes(url, middleCursor) {
  const time = async (path) => {
    const samples = [];
    for (let i = 0; i < PAGE_SAMPLES; i++) {
      const start = performance.now();
      const res = await fetch(`${url}${path}`);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      samples.push(performance.now() - start);
    }
    return { median: median(samples), p99: p99(samples) };
  };
  return {
    newest: await time('/events?limit=100'),
    middle: await time(`/events?limit=100&before=${middleCursor}`),
    byName: await time('/events?limit=100&name=page_view'),
  };
}

/** Runs `processes` collectors on `db`, warms them up, loads them; resolves the figures. */
async function measure(db, processes, size) {
  const collectors = Array.from({ length: processes }, () => spawnCollector(values.dist, { db, allowedOrigins: ORIGINS }));
  try {
    const urls = await Promise.all(collectors.map((c) => c.url));
    await load(urls, CONCURRENCY, { amount: WARM_UP_REQUESTS });
    const loadBefore = load1();
    const r = await load(urls, CONCURRENCY, { seconds: SECONDS });
    const pages = await pageTimes(urls[0], String(Math.floor(size / 2)));
    return { r, pages, loadBefore, loadAfter: load1() };
  } finally {
    await Promise.all(collectors.map((c) => c.stop()));
  }
}

const setups = values.setups.split(',');
const sizes = values.sizes.split(',').map(Number);
console.log(`collector scale bench: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${postgresVersion() ?? 'no PostgreSQL'}`);
console.log(`POST /collect: ${BATCH}-event batches at concurrency ${CONCURRENCY}, ${SECONDS} s after ${WARM_UP_REQUESTS} warm-up requests; GET /events: ${PAGE_SAMPLES} pages of 100 each, one at a time`);
console.log(`load average at start: ${load1()}\n`);

// Durable, with the one setting every production server changes: a shared buffer cache the size of a small machine's.
const cluster = setups.some((s) => s.startsWith('pg')) ? await startPostgres({ durable: true, settings: { shared_buffers: '512MB' } }) : undefined;
const admin = cluster && postgres(cluster.url, { max: 1, onnotice: () => {} });
const rows = [];
try {
  for (const size of sizes) {
    let sqliteFile;
    let pgUrl;
    const dir = mkdtempSync(join(tmpdir(), 'waybill-scale-'));
    try {
      for (const setup of setups) {
        let db;
        let stored;
        if (setup === 'sqlite') {
          sqliteFile = join(dir, 'waybill.db');
          const t = performance.now();
          await fillSqlite(sqliteFile, size);
          stored = `${(statSync(sqliteFile).size / 2 ** 20).toFixed(0)} MiB, filled in ${((performance.now() - t) / 1000).toFixed(0)} s`;
          db = sqliteFile;
        } else {
          // pg1 and pg3 share one database per size: pg3 measures on what pg1 left (a few % more events)
          if (!pgUrl) {
            const name = `scale_${size}`;
            await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
            await admin.unsafe(`CREATE DATABASE ${name}`);
            pgUrl = cluster.url.replace(/\/postgres$/, `/${name}`);
            const t = performance.now();
            const bytes = await fillPostgres(pgUrl, size);
            stored = `${(bytes / 2 ** 20).toFixed(0)} MiB, filled in ${((performance.now() - t) / 1000).toFixed(0)} s`;
          }
          db = pgUrl;
        }
        const processes = setup === 'pg3' ? 3 : 1;
        const { r, pages, loadBefore, loadAfter } = await measure(db, processes, size);
        const row = {
          setup: setup === 'sqlite' ? 'SQLite, 1 collector' : `PostgreSQL, ${processes} collector${processes > 1 ? 's' : ''}`,
          size,
          eventsPerSecond: Math.round(r.requests.average * BATCH),
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors: r.errors + r.non2xx,
          pages,
          load: `${loadBefore} → ${loadAfter}`,
        };
        rows.push(row);
        const ms = (t) => `${t.median.toFixed(1)} / ${t.p99.toFixed(1)} ms`;
        console.log(
          `${row.setup.padEnd(26)} ${String(size).padStart(8)} stored: ${String(row.eventsPerSecond).padStart(6)} events/s, p50 ${row.p50} ms, p99 ${row.p99} ms` +
            `${row.errors ? `, ${row.errors} errors` : ''}; GET /events median/p99: newest ${ms(pages.newest)}, middle ${ms(pages.middle)}, by name ${ms(pages.byName)}` +
            `; load ${row.load}${stored ? `; store ${stored}` : ''}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (pgUrl) await admin.unsafe(`DROP DATABASE IF EXISTS scale_${size} WITH (FORCE)`);
    }
  }
} finally {
  await admin?.end();
  cluster?.stop();
}

console.log('\n| setup | stored events | events/s | p50 | p99 | GET /events newest page (median) | page from the middle | newest of one name | load average (1, 5, 15 min) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.setup} | ${r.size.toLocaleString('en')} | ${r.eventsPerSecond.toLocaleString('en')} | ${r.p50} ms | ${r.p99} ms | ${r.pages.newest.median.toFixed(1)} ms | ${r.pages.middle.median.toFixed(1)} ms | ${r.pages.byName.median.toFixed(1)} ms | ${r.load} |`,
  );
}
