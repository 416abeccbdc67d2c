/**
 * What the CSV upload page checks and says before and after the API has the file: the file's type and header
 * (so a wrong file is refused at once, nothing uploaded over a slow connection), the example file, and every
 * refused row's reason in plain words. The API reads the file again and is the authority: its answers are
 * explained here too.
 */
import type { Schemas } from '../api.js';
import type { Lang } from '../format.js';
import { t } from '../i18n.js';
import { nikFeedback } from './nik-feedback.js';

/** The columns of an import file; `name` may be left out. */
export const IMPORT_COLUMNS = ['nik', 'name', 'startPeriod'] as const;
/** Every column the API reads: also the worker's `segment`, where the commitment's rules ask for one. */
const ACCEPTED_COLUMNS = [...IMPORT_COLUMNS, 'segment'] as const;
const REQUIRED = ['nik', 'startPeriod'] as const;

/** A row of the file as the operator wrote it (kept in memory only: NIKs are not stored in the browser). */
export interface FileRow {
  readonly nik: string;
  readonly name?: string;
  readonly startPeriod: string;
}

/** A file read for upload: its rows, or what is wrong with it. */
export type FileCheck =
  | { readonly ok: true; readonly rows: readonly FileRow[] }
  | { readonly ok: false; readonly text: string };

/** The refused or enrolled result of one row of a job. */
export type RowResult = Schemas['ImportJobResults']['items'][number];

const CSV_TYPES = new Set(['', 'text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel']);

/** Whether a chosen file is a CSV file by its name and type (Windows names CSV `application/vnd.ms-excel`). */
export const isCsvFile = (file: { readonly name: string; readonly type: string }): boolean =>
  /\.(csv|txt)$/i.test(file.name) && CSV_TYPES.has(file.type.toLowerCase());

/** Spreadsheets in Indonesian locales write `;` between fields, as the API knows too. */
const delimiterOf = (header: string) => (header.includes(';') && !header.includes(',') ? ';' : ',');

const unquote = (field: string) =>
  field
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim();

/**
 * Checks the text of a file: a header naming the import's columns (any order, any case, `,` or `;`) and at
 * least one row. The rows are split simply (a quoted field holding the delimiter is the API's to read); they
 * serve only to explain refusals in the operator's own words.
 */
export const checkImportText = (lang: Lang, text: string): FileCheck => {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const [header, ...body] = lines;
  if (header === undefined) return { ok: false, text: t(lang, 'importEmpty') };
  const delimiter = delimiterOf(header);
  const names = header.split(delimiter).map(unquote);
  const columns = names.map((name) => ACCEPTED_COLUMNS.find((c) => c.toLowerCase() === name.toLowerCase()));
  const unknown = names.filter((_, i) => columns[i] === undefined);
  if (unknown.length > 0) {
    return {
      ok: false,
      text: t(lang, 'importUnknownColumns', {
        columns: unknown.map((c) => `"${c}"`).join(', '),
        expected: ACCEPTED_COLUMNS.join(', '),
      }),
    };
  }
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    return { ok: false, text: t(lang, 'importMissingColumns', { columns: missing.join(', ') }) };
  }
  if (body.length === 0) return { ok: false, text: t(lang, 'importNoRows') };
  const rows = body.map((line) => {
    const fields = line.split(delimiter).map(unquote);
    const field = (column: (typeof IMPORT_COLUMNS)[number]) => {
      const at = columns.indexOf(column);
      return at < 0 ? '' : (fields[at] ?? '');
    };
    const name = field('name');
    return { nik: field('nik'), ...(name && { name }), startPeriod: field('startPeriod') };
  });
  return { ok: true, rows };
};

/** The example file offered for download: the header and two workers starting in a year's January. */
export const exampleRows = (year: number): string[][] => [
  [...IMPORT_COLUMNS],
  ['1509014506900001', 'Siti Aminah', `${year}-01`],
  ['1509010101850002', 'Budi Santoso', `${year}-01`],
];

/** What the NIK check says of a row as written; nothing if it cannot tell (e.g. no such start month). */
const nikOf = (lang: Lang, row: FileRow) => {
  try {
    return nikFeedback(lang, row.nik, row.startPeriod);
  } catch {
    return undefined;
  }
};

/**
 * Why a row was refused, in plain words: the API's code explained; for a row whose data is wrong, what the
 * dashboard's own NIK check says of the row as written (if the file is still at hand), else the API's message.
 */
export const rowReason = (lang: Lang, result: RowResult, row: FileRow | undefined): string => {
  switch (result.code) {
    case 'already-covered':
      return t(lang, 'row.already-covered');
    case 'quota-exhausted':
      return t(lang, 'row.quota-exhausted');
    case 'not-eligible':
      return t(lang, 'row.not-eligible', { detail: result.message ?? '' });
    case 'commitment-not-active':
      return t(lang, 'problem.commitment-not-active');
    case 'period-closed':
      return t(lang, 'problem.period-closed');
    case 'validation-failed': {
      const nik = row && nikOf(lang, row);
      const why = nik && !nik.ok ? nik.text : (result.message ?? '');
      return t(lang, 'row.validation-failed', { detail: why });
    }
    default:
      return result.message ?? result.code ?? String(result.status);
  }
};
