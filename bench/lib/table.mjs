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
