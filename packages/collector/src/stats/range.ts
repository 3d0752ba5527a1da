// The time windows of the stats endpoints: `?range=1h|24h|7d`, each with the bucket its charts use.
import { HOUR_MS, MINUTE_MS } from '../store/insights';

/** A window `[from, to)` cut in buckets of `bucketMs` (from is aligned to a bucket). */
export interface Window {
  range: RangeName;
  from: number;
  to: number;
  bucketMs: number;
}

export const RANGES = { '1h': HOUR_MS, '24h': 24 * HOUR_MS, '7d': 7 * 24 * HOUR_MS } as const;
export type RangeName = keyof typeof RANGES;

/** Buckets of the events chart: a point a minute for an hour, every 15 minutes for a day, hourly for a week. */
const FINE: Record<RangeName, number> = { '1h': MINUTE_MS, '24h': 15 * MINUTE_MS, '7d': HOUR_MS };

/** The range named by `value` (default 24h), or undefined when it names none. */
export const rangeName = (value: string | undefined): RangeName | undefined =>
  value === undefined || value === '' ? '24h' : Object.hasOwn(RANGES, value) ? (value as RangeName) : undefined;

/** The window of `range` ending at `now`, in the events chart's buckets. */
export function fineWindow(range: RangeName, now: number): Window {
  const bucketMs = FINE[range];
  const to = now;
  return { range, from: Math.floor((to - RANGES[range]) / bucketMs) * bucketMs + bucketMs, to, bucketMs };
}

/**
 * The window of `range` in hours, for what is counted per hour (consent, web vitals, coverage):
 * at least the last 24 hours, since an hour is one point.
 */
export function hourlyWindow(range: RangeName, now: number): Window {
  const span = Math.max(RANGES[range], RANGES['24h']);
  return { range, from: Math.floor((now - span) / HOUR_MS) * HOUR_MS + HOUR_MS, to: now, bucketMs: HOUR_MS };
}

/** The start of every bucket of `w`. */
export function bucketStarts(w: Window): number[] {
  const starts: number[] = [];
  for (let t = w.from; t < w.to; t += w.bucketMs) starts.push(t);
  return starts;
}
