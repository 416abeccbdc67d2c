/**
 * `lindung invoices export`: every invoice of a sponsor or a village (of a period, if named) as CSV or JSON,
 * page by page through `GET /v1/invoices`. Amounts in the file are integer rupiah, for spreadsheets; the
 * summary on stderr is written for people (`Rp 10.000.000`).
 */

import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Schemas } from '@lindung/api-client';
import { formatNumber, formatRupiah, parsePeriod, villageCode as parseVillageCode } from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
import { csvLine } from './csv.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect, type TokenClaims } from './http.js';

const STATUSES = ['draft', 'issued', 'sent', 'acknowledged', 'paid', 'void'] as const;
const isStatus = (value: string): value is (typeof STATUSES)[number] =>
  (STATUSES as readonly string[]).includes(value);
const PAGE_SIZE = 1_000;

const USAGE = `Usage:
  lindung invoices export [--period <YYYY-MM>] [--format csv|json] [options]

Writes the invoices of a sponsor or of a village: by default those the token is scoped to.

Options:
  --period <YYYY-MM>         only this period (default: every period)
  --format <csv|json>        csv (default): number,village,period,total,status,paymentCode, amounts in
                             integer rupiah; json: every field of every invoice
  --sponsor <id>             the invoices of this sponsor
  --village <code>           the invoices of this village (with --sponsor: of this sponsor in it)
  --status <state>           only invoices in this state: ${STATUSES.join(', ')}
  --out <file>               write to a file instead of stdout
  -h, --help                 show this help

${CONNECTION_USAGE}

Against a local stack without --token, name --sponsor or --village: the token is minted for it.`;

/** An invoice as `GET /v1/invoices` lists it. */
export type ListedInvoice = Schemas['Invoice'];

/** The CSV columns of the export. */
export const INVOICE_CSV_HEADER = ['number', 'village', 'period', 'total', 'status', 'paymentCode'] as const;

export const invoicesCsv = (invoices: readonly ListedInvoice[]): string =>
  csvLine(INVOICE_CSV_HEADER) +
  invoices
    .map((i) => csvLine([i.numberText, i.villageCode, i.period, i.total, i.status, i.paymentCode]))
    .join('');

const OPTIONS = {
  period: { type: 'string' },
  format: { type: 'string' },
  sponsor: { type: 'string' },
  village: { type: 'string' },
  status: { type: 'string' },
  out: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

/** `lindung invoices export`. */
export const invoicesExportCommand: Command = {
  summary: 'write the invoices of a sponsor or village as CSV or JSON',
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
    const format = values.format ?? 'csv';
    if (format !== 'csv' && format !== 'json')
      throw new UsageError(`--format must be csv or json, got ${format}`);
    const period = values.period === undefined ? undefined : parsePeriod(values.period, '--period');
    const village = values.village === undefined ? undefined : parseVillageCode(values.village, '--village');
    const status = values.status;
    if (status !== undefined && !isStatus(status)) {
      throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, got ${status}`);
    }
    const claims = (): TokenClaims => {
      if (values.sponsor) return { roles: ['sponsor-officer'], sponsorId: values.sponsor };
      if (village) return { roles: ['village-operator'], villageCodes: [village] };
      throw new UsageError(
        'name --sponsor or --village: a local token is minted for one of them (or pass --token)',
      );
    };
    const client = await connect(values, claims, io);

    const invoices: ListedInvoice[] = [];
    let pageToken: string | undefined;
    do {
      const page = await client.send(
        client.api.GET('/v1/invoices', {
          params: {
            query: {
              ...(values.sponsor && { sponsorId: values.sponsor }),
              ...(village && { villageCode: village }),
              ...(period && { period }),
              ...(status && isStatus(status) && { status }),
              limit: PAGE_SIZE,
              ...(pageToken && { pageToken }),
            },
          },
          fetch: client.transport(3),
        }),
      );
      invoices.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);

    const output = format === 'csv' ? invoicesCsv(invoices) : `${JSON.stringify(invoices, null, 2)}\n`;
    if (values.out) await writeFile(values.out, output);
    else io.stdout.write(output);
    const total = invoices.reduce((sum, i) => sum + i.total, 0);
    const paid = invoices.filter((i) => i.status === 'paid').length;
    io.stderr.write(
      `${formatNumber(invoices.length)} invoices${period ? ` of ${period}` : ''}, ${formatRupiah(total)} in all, ${formatNumber(paid)} paid${values.out ? `; written to ${values.out}` : ''}\n`,
    );
    return EXIT_CODES.ok;
  },
};
