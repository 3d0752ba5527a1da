// Server-side forwarding: the routing of accepted events to outbox rows, and the worker that
// sends the rows to the TikTok Events API and the GA4 Measurement Protocol.
import type { ForwardDestination, Outbox, OutboxStats } from '../outbox';
import { describeForwarding, resolveForwarding, type ForwardingOptions, type ResolvedForwarding } from './config';
import { ga4Vendor } from './ga4';
import { createRouter, type Router } from './route';
import { tiktokVendor } from './tiktok';
import type { Vendor } from './vendor';
import { createWorker, type Worker } from './worker';

export { FORWARDING_FLAGS, describeForwarding, forwardingFromFlags, resolveForwarding } from './config';
export type { ForwardingFlag, ForwardingOptions, ResolvedForwarding } from './config';
export { GA4_API_URL, GA4_EU_API_URL, type Ga4Forwarding } from './ga4';
export { TIKTOK_API_URL, type TikTokForwarding } from './tiktok';
export { createRouter, type Router, type Routes } from './route';
export { createWorker, type Worker, type WorkerOptions } from './worker';
export type { Vendor } from './vendor';

/** One destination in `GET /forwarding`. */
export interface DestinationReport extends OutboxStats {
  /** Configured (with its credentials). Rows already in the outbox are counted either way. */
  enabled: boolean;
  /** Why it is off, when it is. */
  off?: string;
  /** Until when it holds its requests after a failure (ISO-8601), if it does. */
  pausedUntil?: string;
}

/** Forwarding for one collector. */
export interface Forwarding {
  /** The destinations that are on, and why the others are off. */
  resolved: ResolvedForwarding;
  /** What to say at start, one line per destination. */
  describe(): string[];
  /** The store's routing function (see {@link createRouter}). */
  route: Router;
  /** The worker (started by the collector when a destination is on). */
  worker: Worker;
  /** `GET /forwarding`: per destination. */
  report(now?: number): Promise<Record<ForwardDestination, DestinationReport>>;
}

/** Sets up forwarding from its options, on `outbox`. */
export function createForwarding(
  options: ForwardingOptions | undefined,
  outbox: Outbox,
  log?: (line: string, level: 'info' | 'error') => void,
): Forwarding {
  const resolved = resolveForwarding(options);
  const { tiktok, ga4 } = resolved;
  const vendors: Vendor[] = [];
  if (tiktok) vendors.push(tiktokVendor(tiktok) as Vendor);
  if (ga4) vendors.push(ga4Vendor(ga4) as Vendor);
  const worker = createWorker({ ...options, outbox, vendors, log });
  return {
    resolved,
    describe: () => describeForwarding(resolved),
    route: createRouter({ tiktok, ga4 }),
    worker,
    async report(now = Date.now()) {
      const stats = await outbox.stats(now);
      const entry = (d: ForwardDestination): DestinationReport => {
        const paused = worker.pausedUntil(d);
        return {
          enabled: !!resolved[d],
          ...(resolved.off[d] && { off: resolved.off[d] }),
          ...stats[d],
          ...(paused && { pausedUntil: new Date(paused).toISOString() }),
        };
      };
      return { tiktok: entry('tiktok'), ga4: entry('ga4') };
    },
  };
}
