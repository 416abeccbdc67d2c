/** Plain-text tables for terminal output: the first column left-aligned, the others right-aligned. */

/** Renders rows as aligned columns, indented by two spaces; cells may be empty strings. */
export function renderTable(rows: readonly (readonly string[])[], gap = 3): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join(' '.repeat(gap))
        .trimEnd(),
    )
    .map((line) => `  ${line}`)
    .join('\n');
}
