// Server-side forwarding, as the collector takes it (`createCollector({ forward: forwarding(…) })`):
// the routing of accepted events to outbox rows, the worker that sends the rows to the TikTok
// Events API and the GA4 Measurement Protocol, and `GET /forwarding`, `POST /forwarding/retry`.
import type { Hono } from 'hono';
import type { Forwarding } from '../collector';
import type { Env } from '../env';
import type { Log } from '../log';
import type { ForwardDestination, Outbox, OutboxStats } from '../outbox';
import { fail, reply } from '../reply';
import { describeForwarding, resolveForwarding, type ForwardingOptions } from './config';
import { ga4Vendor } from './ga4';
import { createRouter } from './route';
import { tiktokVendor } from './tiktok';
import type { Vendor } from './vendor';
import { createWorker, type Worker } from './worker';

export { FORWARDING_FLAGS, describeForwarding, forwardingFromFlags, resolveForwarding } from './config';
export type { ForwardingFlag, ForwardingOptions, ResolvedForwarding } from './config';
export { GA4_API_URL, GA4_EU_API_URL, type Ga4Forwarding } from './ga4';
export { TIKTOK_API_URL, type TikTokForwarding } from './tiktok';

/** One destination in `GET /forwarding`. */
export interface DestinationReport extends OutboxStats {
  /** Configured (with its credentials). Rows already in the outbox are counted either way. */
  enabled: boolean;
  /** Why it is off, when it is. */
  off?: string;
  /** Until when it holds its requests after a failure (ISO-8601), while it does. */
  pausedUntil?: string;
}

/** {@link forwarding}'s plug-in, with what it says at start. */
export interface ForwardingPlugin extends Required<Forwarding> {
  /** One line per destination: on (where to), or off (and why). */
  describe(): string[];
}

const DESTINATIONS: ForwardDestination[] = ['tiktok', 'ga4'];
/** Events routed within this long (ms) mean the collector is busy taking events in. */
const BUSY_MS = 250;

/**
 * Server-side forwarding for {@link createCollector}'s `forward` option. A destination is on with
 * its two credentials (TikTok: `pixelCode`, `accessToken`; GA4: `measurementId`, `apiSecret`) and
 * off without; the collector says which, once, when it starts.
 * @throws TypeError (code `ERR_INVALID_ARG_VALUE`) naming a bad option.
 */
export function forwarding(options: ForwardingOptions = {}): ForwardingPlugin {
  const resolved = resolveForwarding(options);
  const route = createRouter({ tiktok: resolved.tiktok, ga4: resolved.ga4 });
  /** The worker of the running collector. */
  let worker: Worker | undefined;
  /** When an event was last routed: while events come in, the worker keeps to a small share of the time. */
  let lastEvent = 0;
  /** A wake-up is due after the current batch's transaction (one for the whole batch). */
  let waking = false;
  const wakeSoon = () => {
    if (waking || !worker) return;
    waking = true;
    setImmediate(() => {
      waking = false;
      worker?.wake();
    });
  };

  const report = async (outbox: Outbox) => {
    const now = Date.now();
    const stats = await outbox.stats(now);
    const entry = (d: ForwardDestination): DestinationReport => {
      const paused = worker?.pausedUntil(d);
      return {
        enabled: !!resolved[d],
        ...(resolved.off[d] && { off: resolved.off[d] }),
        ...stats[d],
        ...(paused && { pausedUntil: new Date(paused).toISOString() }),
      };
    };
    return { tiktok: entry('tiktok'), ga4: entry('ga4') };
  };

  return {
    describe: () => describeForwarding(resolved),
    route(event) {
      lastEvent = performance.now();
      const destinations = route(event);
      // After this batch's transaction: the worker sends it now instead of at its next poll.
      if (destinations.length) wakeSoon();
      return destinations;
    },
    start(outbox: Outbox, log: Log) {
      // Said once, at start: a destination without its credentials is off, which may be a mistake.
      if (options.announce !== false) for (const line of describeForwarding(resolved)) log(line, / off: |validation mode/.test(line) ? 'warn' : 'info');
      const vendors: Vendor[] = [];
      if (resolved.tiktok) vendors.push(tiktokVendor(resolved.tiktok) as Vendor);
      if (resolved.ga4) vendors.push(ga4Vendor(resolved.ga4) as Vendor);
      const running = (worker = createWorker({ busy: () => performance.now() - lastEvent < BUSY_MS, ...options, outbox, vendors, log }));
      running.start();
      return async () => {
        await running.stop();
        if (worker === running) worker = undefined;
      };
    },
    routes(app: Hono<Env>, outbox: Outbox) {
      app.get('/forwarding', async (c) => reply(c, 200, await report(outbox)));
      app.post('/forwarding/retry', async (c) => {
        const destination = c.req.query('destination');
        if (destination !== undefined && !DESTINATIONS.includes(destination as ForwardDestination)) {
          return fail(c, 400, `destination must be tiktok or ga4, not ${JSON.stringify(destination)}`);
        }
        const retried = await outbox.retryDead(destination as ForwardDestination | undefined);
        if (retried) worker?.wake();
        return reply(c, 200, { retried });
      });
      app.all('/forwarding', (c) => fail(c, 405, `${c.req.method} is not allowed on /forwarding`, { Allow: 'GET, HEAD' }));
      app.all('/forwarding/retry', (c) => fail(c, 405, `${c.req.method} is not allowed on /forwarding/retry`, { Allow: 'POST' }));
    },
  };
}
