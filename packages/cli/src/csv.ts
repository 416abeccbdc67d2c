/** CSV in and out for `lindung` commands: reading operator spreadsheets, writing reports. */
import { CsvError, parse } from 'csv-parse/sync';
import { UsageError } from './command.js';

/** Spreadsheets in Indonesian locales write `;` between fields (`,` is their decimal separator). */
export const delimiterOf = (text: string): string => {
  const header = text.slice(0, text.search(/\r?\n|$/));
  return header.includes(';') && !header.includes(',') ? ';' : ',';
};

/** A record of a CSV file: its fields and its line (1-based, the header being line 1; a record whose quoted
 * field spans lines has the number of its last line). */
export interface CsvRecord {
  readonly fields: readonly string[];
  readonly line: number;
}

/** Reads a CSV text into its header and records; a quoting error names the line and fails the whole file. */
export const readCsv = (text: string, file: string): { header: string[]; records: CsvRecord[] } => {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      bom: true,
      delimiter: delimiterOf(text),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    // The parser's message may quote a field, i.e. personal data: say only where the file breaks.
    if (error instanceof CsvError) {
      throw new UsageError(`${file} is not valid CSV (${error.code} on line ${error.lines})`, {
        cause: error,
      });
    }
    throw error;
  }
  const [first, ...rest] = parsed;
  if (!first) throw new UsageError(`${file} is empty: it needs a header line and a row per line`);
  return {
    header: first.record,
    records: rest.map(({ record, info }) => ({ fields: record, line: info.lines })),
  };
};

/**
 * Finds the columns a file must have, by name (case-insensitive, in any order); extra columns are refused so
 * that a misspelt optional column is not silently ignored.
 */
export const columnsOf = <C extends string>(
  header: readonly string[],
  required: readonly C[],
  optional: readonly C[],
  file: string,
): Record<C, number | undefined> => {
  const known = [...required, ...optional];
  const index = {} as Record<C, number | undefined>;
  header.forEach((name, i) => {
    const column = known.find((c) => c.toLowerCase() === name.trim().toLowerCase());
    if (column === undefined || index[column] !== undefined) {
      throw new UsageError(
        `${file}: the header must name the columns ${required.join(',')}${optional.length ? ` (optional: ${optional.join(',')})` : ''}; found ${JSON.stringify(name)}`,
      );
    }
    index[column] = i;
  });
  const missing = required.filter((column) => index[column] === undefined);
  if (missing.length > 0) {
    throw new UsageError(`${file}: the header has no ${missing.join(', ')} column`);
  }
  return index;
};

/** What a spreadsheet takes for the start of a formula (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field, quoted when it holds a delimiter, a quote or a line break. A text that a spreadsheet would run
 * as a formula (`=HYPERLINK(…)`, `+`, `-`, `@`) is neutralised with a leading `'`; numbers are written as they are.
 */
export const csvField = (value: string | number | undefined): string => {
  if (value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : FORMULA_START.test(value) ? `'${value}` : value;
  return /[",;\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** One CSV line (with its line break). */
export const csvLine = (fields: readonly (string | number | undefined)[]): string =>
  `${fields.map(csvField).join(',')}\n`;
