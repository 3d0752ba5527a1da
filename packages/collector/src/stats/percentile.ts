/** The `p`-th percentile (0-1) of `values` by nearest rank, or null when there are none. Sorts `values`. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.max(0, Math.ceil(p * values.length) - 1))]!;
}

/** The `p`-th percentile of a histogram (`[bin, count]` pairs, any order), as the bin it falls in. */
export function binPercentile(bins: Map<number, number>, p: number): number | null {
  let total = 0;
  for (const n of bins.values()) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const bin of [...bins.keys()].sort((a, b) => a - b)) {
    seen += bins.get(bin)!;
    if (seen >= rank) return bin;
  }
  return null;
}
