// The forwarding worker: claims due outbox rows, sends them to their vendor in requests within
// the API's limits, and marks each row with the outcome. Rows are leased while in flight, so a
// collector killed between send and mark sends that one request again after the lease, and
// never a row it had marked sent.
import type { Log, LogLevel } from '../log';
import type { ForwardDestination, Outbox, OutboxRow } from '../outbox';
import { retryDelay, type Backoff, type Outcome } from './outcome';
import { unsendable, type Prepared, type Vendor } from './vendor';

/** Options of {@link createWorker}. */
export interface WorkerOptions extends Backoff {
  outbox: Outbox;
  vendors: Vendor[];
  /** Attempts before a row that keeps failing is a dead letter. Default 16. */
  maxAttempts?: number;
  /** A request that has not answered after this long has failed (ms). Default 10,000. */
  timeoutMs?: number;
  /** How long claimed rows stay leased to this worker (ms). Default six timeouts (60,000), at least four. */
  leaseMs?: number;
  /** Requests in flight per destination. Default 4. */
  concurrency?: number;
  /** With nothing due, look again after this long (ms), or sooner when {@link Worker.wake} is called. Default 1000. */
  pollMs?: number;
  /**
   * Whether the collector is busy taking events in. While it is, the worker takes at most
   * `busyShare` of the time (it waits after each round), so forwarding never slows ingest much:
   * a burst builds a backlog that is sent once it has passed. Default: never busy.
   */
  busy?: () => boolean;
  /** Share of the time the worker may take while `busy()`. Default 0.1. */
  busyShare?: number;
  /** One line per failed request (`warn`) and per dead letter (`error`). */
  log?: Log;
  /** The clock (tests). */
  now?: () => number;
  /** Jitter source (tests). */
  random?: () => number;
}

/** A running worker. */
export interface Worker {
  /** Rows may be due now (new events were stored): look without waiting for the poll. */
  wake(): void;
  /** One pass over every destination: claims, sends and marks what is due; resolves the rows handled. */
  runOnce(): Promise<number>;
  /** Starts the loop (once). */
  start(): void;
  /** Stops the loop after the requests in flight have been answered and marked. */
  stop(): Promise<void>;
  /** Until when a destination holds its requests after a failure (ms since the epoch), if it does. */
  pausedUntil(destination: ForwardDestination): number | undefined;
}

/** Runs `task` on every item, at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  });
  await Promise.all(lanes);
}

/** Creates the worker (it does nothing until {@link Worker.start} or {@link Worker.runOnce}). */
export function createWorker(options: WorkerOptions): Worker {
  const { outbox, vendors, maxAttempts = 16, timeoutMs = 10_000, concurrency = 4, pollMs = 1000, now = Date.now, random = Math.random } = options;
  // Long enough for a round's requests one after another (a split request takes several), so no
  // other worker takes rows still on their way.
  const leaseMs = Math.max(options.leaseMs ?? timeoutMs * 6, timeoutMs * 4);
  const log = (line: string, level: LogLevel = 'error') => {
    try {
      options.log?.(line, level);
    } catch {
      // a failing logger must not stop forwarding
    }
  };
  /** A destination waits after a failed request (its vendor is down or limiting us), instead of failing the rest of its backlog too. */
  const paused = new Map<ForwardDestination, number>();
  /** Failed requests in a row, per destination: the pause grows with them. */
  const failures = new Map<ForwardDestination, number>();
  let running = false;
  let loop: Promise<void> | undefined;
  /** Ends the current sleep; unset while not sleeping. */
  let waker: (() => void) | undefined;
  /** Woken while not sleeping (during a round): the next sleep is skipped, so no new event waits a whole poll. */
  let woken = false;

  const wake = () => {
    woken = true;
    waker?.();
  };
  const sleep = (ms: number) =>
    new Promise<void>((done) => {
      if (woken) return done();
      const timer = setTimeout(done, ms);
      waker = () => {
        clearTimeout(timer);
        done();
      };
    }).finally(() => (waker = undefined));

  /** Marks rows that failed for a passing reason: retried later, or dead after `maxAttempts`. */
  async function retryLater(vendor: Vendor, rows: OutboxRow[], outcome: Extract<Outcome, { kind: 'retry' }>) {
    const at = now();
    const byAttempts = new Map<number, string[]>();
    const dead: string[] = [];
    for (const row of rows) {
      if (row.attempts + 1 >= maxAttempts) dead.push(row.key);
      else byAttempts.get(row.attempts)?.push(row.key) ?? byAttempts.set(row.attempts, [row.key]);
    }
    for (const [attempts, keys] of byAttempts) await outbox.failed(keys, outcome.error, at + retryDelay(options, attempts, outcome.retryAfterMs, random));
    if (dead.length) {
      await outbox.dead(dead, `${outcome.error} (gave up after ${maxAttempts} attempts)`);
      log(`${vendor.destination}: ${dead.length} event(s) to dead letters after ${maxAttempts} attempts: ${outcome.error}`);
    }
    pause(vendor, outcome.retryAfterMs);
  }

  /** Holds a destination's requests for a while after a failed one, longer after each failure in a row. */
  function pause(vendor: Vendor, retryAfterMs?: number) {
    const n = (failures.get(vendor.destination) ?? 0) + 1;
    failures.set(vendor.destination, n);
    paused.set(vendor.destination, now() + retryDelay(options, n - 1, retryAfterMs, random));
  }

  /** Sends one request and marks its rows; a rejected request of several events is split to find the one at fault. */
  async function deliver(vendor: Vendor, batch: Prepared<unknown>[], leasedUntil: number): Promise<void> {
    const rows = batch.map((p) => p.row);
    const keys = rows.map((r) => r.key);
    // Too late to send within the lease (another worker may claim these rows meanwhile), or the
    // destination paused since the claim: handed back, due at once for whoever claims next.
    if (now() + timeoutMs > leasedUntil || (paused.get(vendor.destination) ?? 0) > now()) return outbox.release(keys, leasedUntil);
    let outcome: Outcome;
    try {
      outcome = await vendor.send(batch, AbortSignal.timeout(timeoutMs));
    } catch (error) {
      outcome = { kind: 'retry', error: `send failed: ${(error as Error).message}` };
    }
    if (outcome.kind == 'ok') {
      failures.delete(vendor.destination);
      return outbox.sent(keys, now());
    }
    if (outcome.kind == 'retry') {
      log(`${vendor.destination}: ${batch.length} event(s) will be retried: ${outcome.error}`, 'warn');
      return retryLater(vendor, rows, outcome);
    }
    if (outcome.kind == 'reject' && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      await deliver(vendor, batch.slice(0, half), leasedUntil);
      return deliver(vendor, batch.slice(half), leasedUntil);
    }
    log(`${vendor.destination}: ${batch.length} event(s) to dead letters: ${outcome.error}`);
    await outbox.dead(keys, outcome.error);
    // Refused credentials refuse every request: the backlog waits (pending) instead of all going to dead letters.
    if (outcome.kind == 'fatal') pause(vendor);
  }

  /** One round for one destination: claim, prepare, send; resolves the rows claimed. */
  async function round(vendor: Vendor): Promise<number> {
    const at = now();
    if ((paused.get(vendor.destination) ?? 0) > at) return 0;
    // After a failure, one small request probes the vendor before the backlog goes again.
    const probing = failures.has(vendor.destination);
    const rows = await outbox.claim(vendor.destination, probing ? vendor.probeSize : vendor.claimSize, at, leaseMs);
    if (!rows.length) return 0;
    const ready: Prepared<unknown>[] = [];
    const expired: string[] = [];
    const dead = new Map<string, string[]>();
    for (const row of rows) {
      let payload: unknown;
      try {
        payload = vendor.prepare(row, at);
      } catch (error) {
        payload = { dead: `cannot build the payload: ${(error as Error).message}` };
      }
      if (!unsendable(payload)) ready.push({ row, payload });
      else if ('expired' in payload) expired.push(row.key);
      else dead.get(payload.dead)?.push(row.key) ?? dead.set(payload.dead, [row.key]);
    }
    if (expired.length) await outbox.expired(expired);
    for (const [error, keys] of dead) {
      log(`${vendor.destination}: ${keys.length} event(s) to dead letters: ${error}`);
      await outbox.dead(keys, error);
    }
    await pool(vendor.batches(ready), probing ? 1 : concurrency, (batch) => deliver(vendor, batch, at + leaseMs));
    return rows.length;
  }

  async function runOnce(): Promise<number> {
    // Destinations side by side: a slow or failing vendor does not hold the other back.
    const handled = await Promise.all(
      vendors.map((vendor) =>
        round(vendor).catch((error: Error) => {
          // The store failed (locked, disk full): leased rows come back when their lease ends.
          log(`${vendor.destination}: forwarding failed: ${error.message}`);
          return 0;
        }),
      ),
    );
    return handled.reduce((a, b) => a + b, 0);
  }

  /** Waits `ms` (ms), or less if stopped: the pause that keeps the worker's share while ingest is busy. */
  const yieldFor = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(done, ms);
      stopping = () => (clearTimeout(timer), done());
    }).finally(() => (stopping = undefined));
  let stopping: (() => void) | undefined;
  const share = Math.min(Math.max(options.busyShare ?? 0.1, 0.01), 1);

  async function run() {
    while (running) {
      woken = false;
      const started = performance.now();
      const handled = await runOnce();
      // Ingest first: while events come in, the worker keeps to its share of the time.
      if (running && handled && options.busy?.()) await yieldFor(Math.min((performance.now() - started) * (1 / share - 1), 5000));
      if (running && !handled) {
        // Nothing due: wait for new events, the next poll, or the end of a pause.
        const resume = Math.min(...vendors.map((v) => paused.get(v.destination) ?? Infinity)) - now();
        await sleep(Math.max(0, Math.min(pollMs, resume)));
      }
    }
  }

  return {
    wake,
    runOnce,
    start() {
      if (running || !vendors.length) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake();
      stopping?.();
      await loop;
      for (const vendor of vendors) vendor.close?.();
    },
    pausedUntil: (destination) => {
      const until = paused.get(destination);
      return until !== undefined && until > now() ? until : undefined;
    },
  };
}
