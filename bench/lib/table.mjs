// Tables printed as Markdown, so a run's output can be pasted into the README as it is.

/** Formats a number with `digits` decimals and thousands separators; '–' for missing. */
export function num(value, digits = 0) {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `peer / reference` as `2.6×`; '–' when either is missing. */
export function ratio(value, reference) {
  if (!(value > 0) || !(reference > 0)) return '–';
  const r = value / reference;
  return `${r.toLocaleString('en-US', { maximumFractionDigits: r < 10 ? 1 : 0 })}×`;
}

/** Prints a Markdown table with a title; `rows` are arrays of cells. */
export function printTable(title, header, rows, notes = []) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  process.stdout.write(`\n### ${title}\n\n${lines.join('\n')}\n${notes.map((n) => `\n${n}`).join('')}\n`);
}

/**
 * Prints figures down and SDKs across, as issue 12's table: each cell is the figure and, when
 * `compare` is set for the row, its ratio to the first SDK's (peer / Waybill).
 * `figures` are `{ label, value(row) → number, digits?, compare? }`; `data` maps SDK id to its row.
 */
export function printFigures(title, sdks, figures, data, notes = []) {
  const reference = data[sdks[0].id];
  const rows = figures.map((figure) => [
    figure.label,
    ...sdks.map((sdk, i) => {
      const row = data[sdk.id];
      const value = row ? figure.value(row) : undefined;
      const cell = num(value, figure.digits ?? 0);
      return figure.compare && i > 0 && reference ? `${cell} (${ratio(value, figure.value(reference))})` : cell;
    }),
  ]);
  printTable(title, ['figure', ...sdks.map((sdk) => `${sdk.label} ${sdk.version}`)], rows, notes);
}
