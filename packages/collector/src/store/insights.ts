// What the dashboard, the /v1/stats endpoints and the alerts read, and what the server events
// API writes beyond events: the part of a store that keeps rollups (event counts per minute,
// consent per session and hour, Core Web Vitals histograms) and orders (the join of server
// events to browser purchases). Each store implements it in its own file (sqlite-insights.ts),
// updating the rollups in the same transaction as the events they count, so they are exact.
import type { RequestMeta } from '../outbox';
import type { ValidEvent } from '../wire';
import type { Route, StoredEvent } from './store';

/** Count of events of one name in one bucket. */
export interface EventCount {
  /** Start of the bucket (ms since the epoch). */
  bucket: number;
  name: string;
  n: number;
}

/** Sessions seen in one bucket under one consent snapshot. */
export interface ConsentCount {
  bucket: number;
  /** The snapshot as canonical JSON (see {@link consentKey}): `{"analytics":"granted","marketing":"denied"}`. */
  snapshot: string;
  /** Session-hours: a session active in two hours counts in each. */
  sessions: number;
}

/** Web vital values of one metric and rating that fell in one histogram bin. */
export interface VitalCount {
  bucket: number;
  metric: string;
  rating: string;
  /** See {@link vitalBin}. */
  bin: number;
  n: number;
}

/** Orders and browser purchases in one bucket. */
export interface CoverageCount {
  bucket: number;
  /** Orders the backend created (`order_created`, channel `web`) in the bucket. */
  orders: number;
  /** Of those, the ones joined to a browser purchase. */
  tracked: number;
  /** Browser purchases in the bucket (by the purchase's time). */
  purchases: number;
}

/** One order, as the join of its server events and its browser purchase knows it. Times in ms. */
export interface OrderRow {
  transactionId: string;
  /** `web` unless `order_created` said otherwise; null before `order_created` arrives. */
  channel: string | null;
  createdAt: number | null;
  /** The browser purchase's event id, or null (an untracked order). */
  purchaseId: string | null;
  purchaseAt: number | null;
  shippedAt: number | null;
  carrier: string | null;
  deliveredAt: number | null;
  returnedAt: number | null;
  refundedAt: number | null;
  value: number | null;
  currency: string | null;
}

/** Where an alert rule stands (kept in the store, so that restarts and other processes agree). */
export interface AlertState {
  rule: string;
  firing: boolean;
  /** When it started firing, or when it last resolved. */
  since: number;
  value: number | null;
  message: string | null;
  /** Whether the current firing was sent to the webhook. */
  notified: boolean;
  /** When a firing was last sent to the webhook. */
  notifiedAt: number | null;
}

/** The part of the request a batch came with that the rollups use. `source: 'server'`: the server events API. */
export type InsertMeta = RequestMeta & { source?: 'server' };

/** Queries and writes of the insights (every time a range `[from, to)` in ms since the epoch). */
export interface Insights {
  /** The browser purchase of each of these orders that has one, by transaction id. */
  purchasesOf(transactionIds: string[]): Promise<Map<string, StoredEvent>>;
  /** Events received per bucket (`bucketMs`, a whole number of minutes) and name. */
  eventCounts(from: number, to: number, bucketMs: number): Promise<EventCount[]>;
  /** The start of the last minute in which an event was received, or null. */
  lastEventMinute(): Promise<number | null>;
  /** Sessions per bucket (`bucketMs`, whole hours) and consent snapshot. */
  consentCounts(from: number, to: number, bucketMs: number): Promise<ConsentCount[]>;
  /** Web vital histogram per bucket (whole hours), metric, rating and bin. */
  vitalCounts(from: number, to: number, bucketMs: number): Promise<VitalCount[]>;
  /** Orders created and browser purchases per bucket (whole minutes). */
  coverage(from: number, to: number, bucketMs: number): Promise<CoverageCount[]>;
  /** Orders placed (created, or else purchased) in the range. */
  orders(from: number, to: number): Promise<OrderRow[]>;
  /** Orders shipped before `shippedBefore` and neither delivered, returned nor refunded: the oldest `limit`, and how many in all. */
  lateOrders(shippedBefore: number, limit: number): Promise<{ orders: OrderRow[]; total: number }>;
  alertStates(): Promise<AlertState[]>;
  /**
   * Moves `rule` to `next` if it is still in the state `expected` (its `firing` and `since`), or
   * creates it when `expected` is null and it has no state yet. Returns whether this call moved it:
   * of several collector processes evaluating the same rule, one wins, and only it notifies.
   */
  moveAlert(expected: AlertState | null, next: AlertState): Promise<boolean>;
}

/** What a store runs inside the transaction of each insert, on the events that were new. */
export type InsertHook = (events: ValidEvent[], meta: InsertMeta, route: Route) => void;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * The consent snapshot of an event as canonical JSON (categories sorted, `necessary` left out:
 * it is always granted), or undefined when it has none.
 */
export function consentKey(consent: unknown): string | undefined {
  if (typeof consent !== 'object' || consent === null) return undefined;
  const entries = Object.entries(consent as Record<string, unknown>)
    .filter(([category, state]) => category !== 'necessary' && typeof state === 'string')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(Object.fromEntries(entries));
}

/** Unit scale of a metric in the histogram: CLS (unitless, about 0-1) in thousandths, the others in ms. */
const scaleOf = (metric: string): number => (metric === 'CLS' ? 1000 : 1);
/** Histogram bins grow by 3 %: a percentile read from them is within 1.5 % of the exact one. */
const GROWTH = Math.log(1.03);

/** The histogram bin of a web vital value. */
export const vitalBin = (metric: string, value: number): number =>
  value <= 0 ? 0 : Math.floor(Math.log1p(value * scaleOf(metric)) / GROWTH);

/** The value a bin stands for (its middle). */
export const binValue = (metric: string, bin: number): number => Math.expm1((bin + 0.5) * GROWTH) / scaleOf(metric);

/** Ratings `@waybill/web-vitals` sends (those of the web-vitals library). */
export const RATINGS = ['good', 'needs-improvement', 'poor'] as const;

/** A web_vital event's metric, value and rating, if it has them. */
export function readVital(event: ValidEvent): { metric: string; value: number; rating: string } | undefined {
  if (event.name !== 'web_vital') return undefined;
  const props = event.props as Record<string, unknown> | null | undefined;
  const metric = props?.metric;
  const value = props?.value;
  const rating = props?.rating;
  if (typeof metric !== 'string' || !/^[A-Z]{2,8}$/.test(metric)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  if (!(RATINGS as readonly unknown[]).includes(rating)) return undefined;
  return { metric, value, rating: rating as string };
}
