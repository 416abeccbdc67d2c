/**
 * `lindung deposits import`: records the deposits of a CSV file (a collector's day or month of receipts) for a
 * collection partner, 100 to a request as a phone would send them. Every deposit is named by its receipt
 * number, so a rerun of the same file writes nothing new: the API answers each receipt as `replayed`, and the
 * summary says so. Each request carries an idempotency key of this run, so a request whose answer was lost is
 * sent again safely.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { depositBody } from '@lindung/api';
import type { Schemas } from '@lindung/api-client';
import { formatNumber, formatRupiah, MAX_DEPOSITS_PER_REQUEST, retrying } from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
import { columnsOf, readCsv } from './csv.js';
import { ApiProblemError, CONNECTION_OPTIONS, CONNECTION_USAGE, connect } from './http.js';
import { ProgressBar } from './progress.js';
import { renderTable } from './table.js';

const USAGE = `Usage:
  lindung deposits import <file.csv> --partner <id> [options]

Records the deposits listed in a CSV file for a collection partner, ${MAX_DEPOSITS_PER_REQUEST} to a request, and shows
the progress. One receipt number is one deposit: running the same file again records nothing twice (the
summary counts those deposits as replayed).

The file: a header naming the columns receiptNumber, nik, amount, depositedAt and optionally villageCode (in
any order, separated by "," or ";"), then one deposit per line, e.g.
  receiptNumber,nik,amount,depositedAt
  PSA-0001,6371010101900001,1000,2027-03-02

Options:
  --partner <id>             the collection partner the deposits are made to
  -h, --help                 show this help

${CONNECTION_USAGE}

Exit status: 0 when every deposit is recorded (now or before), 1 when some are refused, 2 for a mistake in
the command line or the file.`;

type DepositResults = Schemas['DepositResults'];

/** A deposit row of the file, as read. */
export interface DepositRow {
  /** 1-based number of the row after the header. */
  readonly row: number;
  readonly receiptNumber: string;
  /** The body to send, or why the row cannot be sent. */
  readonly body?: unknown;
  readonly problem?: string;
}

/** Reads the deposit rows of a file; a row that breaks the contract is kept with its problem, not sent. */
export const parseDepositRows = (text: string, file: string): DepositRow[] => {
  const { header, records } = readCsv(text, file);
  const columns = columnsOf(header, ['receiptNumber', 'nik', 'amount', 'depositedAt'], ['villageCode'], file);
  if (records.length === 0) throw new UsageError(`${file} has a header but no rows`);
  return records.map(({ fields }, i) => {
    const field = (column: number | undefined) => (column === undefined ? '' : (fields[column] ?? ''));
    const villageCode = field(columns.villageCode);
    const amount = field(columns.amount);
    const candidate = {
      receiptNumber: field(columns.receiptNumber),
      nik: field(columns.nik),
      amount: /^\d+$/.test(amount) ? Number(amount) : amount,
      depositedAt: field(columns.depositedAt),
      ...(villageCode && { villageCode }),
    };
    const parsed = depositBody.safeParse(candidate);
    const row = { row: i + 1, receiptNumber: candidate.receiptNumber };
    if (fields.length !== header.length) {
      return { ...row, problem: `has ${fields.length} fields; the header names ${header.length}` };
    }
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ...row, problem: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
    }
    return { ...row, body: parsed.data };
  });
};

/** The totals of a run. */
export interface DepositTotals {
  rows: number;
  recorded: number;
  replayed: number;
  refused: number;
  amountRecorded: number;
  readonly refusals: { row: number; receiptNumber: string; code: string; message: string }[];
}

/** Attempts of a request that meets its own earlier attempt still running, or a lost connection. */
const ATTEMPTS = 5;

const OPTIONS = {
  partner: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

/** `lindung deposits import`. */
export const depositsImportCommand: Command = {
  summary: 'record the deposits of a CSV file for a collection partner (a rerun records nothing twice)',
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError('name one CSV file of deposits');
    const file = positionals[0] as string;
    const partnerId = values.partner;
    if (!partnerId) throw new UsageError('--partner is required');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    const rows = parseDepositRows(text, file);
    const client = await connect(values, { roles: ['collector'], partnerId }, io);

    const totals: DepositTotals = {
      rows: rows.length,
      recorded: 0,
      replayed: 0,
      refused: 0,
      amountRecorded: 0,
      refusals: [],
    };
    for (const row of rows.filter((r) => r.problem !== undefined)) {
      totals.refused++;
      totals.refusals.push({
        row: row.row,
        receiptNumber: row.receiptNumber,
        code: 'validation-failed',
        message: row.problem ?? '',
      });
    }
    const sendable = rows.filter((r) => r.problem === undefined);
    const runId = randomUUID();
    const bar = new ProgressBar(io.stderr, rows.length, `Recording ${basename(file)}`);
    const note = () =>
      `recorded ${formatNumber(totals.recorded)} · replayed ${formatNumber(totals.replayed)} · refused ${formatNumber(totals.refused)}`;
    let done = totals.refused;
    bar.update(done, note());
    try {
      for (let start = 0; start < sendable.length; start += MAX_DEPOSITS_PER_REQUEST) {
        const batch = sendable.slice(start, start + MAX_DEPOSITS_PER_REQUEST);
        const key = `lindung-deposits-${createHash('sha256').update(`${runId}:${partnerId}:${start}`).digest('hex').slice(0, 40)}`;
        const answer = await retrying(
          () =>
            client.post<DepositResults>(
              `/v1/partners/${encodeURIComponent(partnerId)}/deposits`,
              { deposits: batch.map((r) => r.body) },
              { headers: { 'idempotency-key': key }, attempts: 3 },
            ),
          {
            attempts: ATTEMPTS,
            retryIf: (error) => error instanceof ApiProblemError && error.code === 'idempotency-in-progress',
            minDelayMs: 1_000,
            maxDelayMs: 4_000,
          },
        );
        answer.results.forEach((result, i) => {
          if (result.outcome === 'refused') {
            totals.refused++;
            totals.refusals.push({
              row: batch[i]?.row ?? 0,
              receiptNumber: result.receiptNumber,
              code: result.code,
              message: result.message,
            });
          } else if (result.outcome === 'recorded') {
            totals.recorded++;
            totals.amountRecorded += result.deposit.amount;
          } else {
            totals.replayed++;
          }
        });
        done += batch.length;
        bar.update(done, note());
      }
    } finally {
      bar.finish();
    }
    io.stdout.write(renderDepositSummary(file, partnerId, totals));
    return totals.refused > 0 ? EXIT_CODES.failure : EXIT_CODES.ok;
  },
};

/** How many refused rows the summary lists (the rest are counted). */
const LISTED_REFUSALS = 20;

/** The end-of-run summary, numbers in Indonesian notation; refused rows by row and receipt, never by NIK. */
export const renderDepositSummary = (file: string, partnerId: string, totals: DepositTotals): string => {
  const rows: string[][] = [
    ['Deposits in the file', formatNumber(totals.rows)],
    ['Recorded now', formatNumber(totals.recorded)],
    ['Replayed (recorded before, nothing written)', formatNumber(totals.replayed)],
    ['Refused', formatNumber(totals.refused)],
    ['Amount recorded now', formatRupiah(totals.amountRecorded)],
  ];
  const refusals = totals.refusals
    .slice(0, LISTED_REFUSALS)
    .map((r) => `  row ${r.row} (receipt ${r.receiptNumber}): ${r.code}: ${r.message}`);
  const more = totals.refusals.length - refusals.length;
  return [
    `Deposits of ${file} for partner ${partnerId}`,
    renderTable(rows),
    ...(refusals.length > 0 ? ['Refused:', ...refusals] : ['Every deposit is recorded.']),
    ...(more > 0 ? [`  … and ${formatNumber(more)} more`] : []),
    '',
  ].join('\n');
};
