import type { ForwardDestination, OutboxStats } from '../outbox';

/** Every destination `stats` reports, even with no rows yet. */
export const DESTINATIONS: readonly ForwardDestination[] = ['tiktok', 'ga4'];

/** `Outbox.stats` before any row is counted: every destination at zero. */
export const emptyStats = (): Record<ForwardDestination, OutboxStats> =>
  Object.fromEntries(
    DESTINATIONS.map((d) => [d, { pending: 0, sent: 0, failed: 0, dead: 0, expired: 0, oldestPendingMs: null, lastError: null }]),
  ) as Record<ForwardDestination, OutboxStats>;
