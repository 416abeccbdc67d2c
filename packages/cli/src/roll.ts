/**
 * `lindung roll`: runs the period roll now, as the monthly schedule would. The API queues one unit of work per
 * village and answers at once; the renewal workers then renew coverage and issue the invoices.
 */

import { parseArgs } from 'node:util';
import type { Schemas } from '@lindung/api-client';
import { formatNumber, parsePeriod } from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect } from './http.js';

const USAGE = `Usage:
  lindung roll --period <YYYY-MM> [options]

Runs the period roll now (an administrator's task; the schedule runs it at the start of every month). It is
idempotent: rolling a period again changes nothing. In January it also closes the previous fiscal year.

Options:
  --period <YYYY-MM>         the period to roll, e.g. 2027-03
  -h, --help                 show this help

${CONNECTION_USAGE}`;

/** What `POST /v1/periods/{period}/roll` answers. */
export type RollSummary = Schemas['RollSummary'];

/** The answer of a roll, in words. */
export const renderRoll = (summary: RollSummary): string => {
  const villages = `${formatNumber(summary.units)} village${summary.units === 1 ? '' : 's'}`;
  const commitments = `${formatNumber(summary.commitments)} commitment${summary.commitments === 1 ? '' : 's'}`;
  const closing =
    summary.closing > 0 ? `; ${formatNumber(summary.closing)} villages of the previous year to close` : '';
  // An older server answers without the partners or the incentive sweep.
  const partnerCount = (summary.partners as number | undefined) ?? 0;
  const partners =
    partnerCount > 0
      ? `; ${formatNumber(partnerCount)} collection partner${partnerCount === 1 ? '' : 's'} to apply contributions`
      : '';
  const sweep = summary.incentives as RollSummary['incentives'] | undefined;
  const incentives =
    sweep && sweep.schemes > 0
      ? `; ${formatNumber(sweep.schemes)} incentive scheme${sweep.schemes === 1 ? '' : 's'} evaluated, ${formatNumber(sweep.awarded)} new award${sweep.awarded === 1 ? '' : 's'}`
      : '';
  return `Roll of ${summary.period} queued: ${villages} of ${commitments} to renew${closing}${partners}${incentives}.\n`;
};

const OPTIONS = {
  period: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

/** `lindung roll`. */
export const rollCommand: Command = {
  summary: 'run the period roll now (renew coverage, issue invoices)',
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
    if (!values.period) throw new UsageError('--period is required');
    const period = parsePeriod(values.period, '--period');
    const client = await connect(values, { roles: ['admin'] }, io);
    const summary = await client.send(
      client.api.POST('/v1/periods/{period}/roll', { params: { path: { period } } }),
    );
    io.stdout.write(renderRoll(summary));
    return EXIT_CODES.ok;
  },
};
