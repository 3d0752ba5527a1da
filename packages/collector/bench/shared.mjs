// What the collector's benches share: a collector in its own process, SDK-shaped batches, autocannon.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

/** Events per batch, as the SDK sends a busy page's queue. */
export const BATCH = 20;

/**
 * Starts a collector of the build in `dist` in a child process, as `waybill-collector` would run,
 * with `options` (JSON) for `createCollector`. Returns `url` (a promise of its base URL), `cpu()`
 * (a promise of its CPU time so far, in µs: `{ user, system }`) and `stop()`.
 */
export function spawnCollector(dist, options) {
  const entry = pathToFileURL(join(dist, 'index.js')).href;
  const script = `
    const { createCollector } = await import(${JSON.stringify(entry)});
    const collector = createCollector(${JSON.stringify(options)});
    process.stdout.write(await collector.listen(0, '127.0.0.1') + '\\n');
    process.on('message', () => process.send(process.cpuUsage()));
    process.on('SIGTERM', () => collector.close().then(() => process.exit(0)));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const url = new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
  url.catch(() => {}); // awaited by the caller
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
  const cpu = () =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('cpu');
    });
  return { url, cpu, stop };
}

let sequence = 0;
/** One SDK-shaped event, with a new id each time (so nothing is a duplicate). */
export function benchEvent(i = 0) {
  sequence++;
  return {
    id: `bench-${process.pid}-${Date.now().toString(36)}-${sequence}`,
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
  };
}

/** A body of {@link BATCH} new events, as the SDK sends them. */
export const batchBody = () => JSON.stringify({ v: 1, sentAt: new Date().toISOString(), events: Array.from({ length: BATCH }, (_, i) => benchEvent(i)) });

/** `POST /collect` on `url` (or several, shared round-robin) with `connections`, for `seconds` or `amount` requests. */
export function load(url, connections, { seconds, amount }) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: Array.isArray(url) ? url.map((u) => `${u}/collect`) : `${url}/collect`,
        connections,
        ...(amount ? { amount } : { duration: seconds }),
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://shop.example' },
        requests: [{ setupRequest: (request) => ({ ...request, body: batchBody() }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}
