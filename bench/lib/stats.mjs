// Summary statistics. Rounds are summarised by their median, figure by figure.

/** The median of a list of numbers (the mean of the middle two for an even count); NaN when empty. */
export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-th percentile (0–100) by the nearest-rank method. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Folds rounds into one row per key: every numeric field becomes the median over the rounds,
 * other fields are taken from the first round. `rounds` is a list of `{ [key]: row }`.
 */
export function medianOfRounds(rounds) {
  const keys = [...new Set(rounds.flatMap((round) => Object.keys(round)))];
  return Object.fromEntries(
    keys.map((key) => {
      const rows = rounds.map((round) => round[key]).filter(Boolean);
      const fields = [...new Set(rows.flatMap((row) => Object.keys(row)))];
      const row = {};
      for (const field of fields) {
        const values = rows.map((r) => r[field]);
        row[field] = values.every((v) => typeof v === 'number' || v === undefined || v === null)
          ? median(values)
          : values.find((v) => v !== undefined);
      }
      return [key, row];
    }),
  );
}
