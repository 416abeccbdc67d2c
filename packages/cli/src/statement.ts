/** `lindung statement`: a collection partner's monthly statement — what it collected and the fee it earned. */
import { parseArgs } from 'node:util';
import type { Schemas } from '@lindung/api-client';
import { formatNumber, formatRupiah, parsePeriod } from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect } from './http.js';
import { renderTable } from './table.js';

const USAGE = `Usage:
  lindung statement --partner <id> --period <YYYY-MM> [options]

Shows a collection partner's statement of a month: the contributions collected (deposits dated in the month),
the number of deposits and of workers, the fee: collected × the partner's rate, rounded down to the rupiah;
and the workers' shares the period roll applied from their balances and remitted to BPJS billing.

Options:
  --partner <id>             the collection partner
  --period <YYYY-MM>         the month, e.g. 2027-03
  -h, --help                 show this help

${CONNECTION_USAGE}`;

export type PartnerStatement = Schemas['PartnerStatement'];

/** Basis points as an Indonesian percentage: 750 → `7,5 %`. */
export const formatBasisPoints = (basisPoints: number): string => {
  const fraction = String(basisPoints % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${formatNumber(Math.floor(basisPoints / 100))}${fraction ? `,${fraction}` : ''} %`;
};

/** A statement as text, numbers in Indonesian notation. */
export const renderStatement = (s: PartnerStatement): string =>
  [
    `Statement of partner ${s.partnerId} for ${s.period}`,
    renderTable([
      ['Deposits', formatNumber(s.deposits)],
      ['Workers', formatNumber(s.workers)],
      ['Collected', formatRupiah(s.collected)],
      ['Fee rate', formatBasisPoints(s.feeRateBasisPoints)],
      ['Fee (rounded down)', formatRupiah(s.fee)],
      ['Applied from balances', formatRupiah(s.applied)],
      [
        'Remitted to BPJS',
        `${formatRupiah(s.remitted)}${s.remittanceStatus ? ` (${s.remittanceStatus})` : ''}`,
      ],
    ]),
    '',
  ].join('\n');

const OPTIONS = {
  partner: { type: 'string' },
  period: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

/** `lindung statement`. */
export const statementCommand: Command = {
  summary: "a collection partner's monthly statement: collected, fee, applied and remitted",
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
    if (!values.partner) throw new UsageError('--partner is required');
    if (!values.period) throw new UsageError('--period is required');
    const period = parsePeriod(values.period, '--period');
    const partnerId = values.partner;
    const client = await connect(values, { roles: ['collector'], partnerId }, io);
    const statement = await client.send(
      client.api.GET('/v1/partners/{partnerId}/statements/{period}', {
        params: { path: { partnerId, period } },
      }),
    );
    io.stdout.write(renderStatement(statement));
    return EXIT_CODES.ok;
  },
};
