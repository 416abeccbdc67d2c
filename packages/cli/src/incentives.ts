/**
 * `lindung incentives show|evaluate`: an incentive scheme with its awards, through the API; `evaluate` asks for
 * its evaluation now (an administrator's call; the roll of the month after its period does the same, and no
 * region is awarded twice either way).
 */
import { parseArgs } from 'node:util';
import type { Schemas } from '@lindung/api-client';
import { formatNumber, formatRupiah } from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect } from './http.js';

/** What `GET /v1/incentives/{id}` and its evaluation answer. */
export type IncentiveSchemeWithAwards = Schemas['IncentiveSchemeWithAwards'];

const prize = (s: Pick<IncentiveSchemeWithAwards, 'award' | 'awardCost'>) =>
  s.award.kind === 'money'
    ? formatRupiah(s.award.amount)
    : `${formatNumber(s.award.workerYears)} worker-years of quota (${formatRupiah(s.awardCost)})`;

/** A scheme and its awards, in words and one line per award. */
export const renderIncentive = (s: IncentiveSchemeWithAwards): string => {
  const head = `${s.name} (${s.id}): regions at ${String(s.threshold).replace('.', ',')}% of their target by ${s.period} earn ${prize(s)}; ${formatNumber(s.regions.length)} regions, ${s.status}.`;
  const outcome = s.outcome
    ? ` ${formatNumber(s.outcome.reached)} reached it: ${formatNumber(s.outcome.awarded)} awarded, ${formatNumber(s.outcome.unfunded)} unfunded.`
    : '';
  const lines = s.awards.map(
    (a) =>
      `  ${a.regionCode}  ${a.regionName}: ${formatNumber(a.covered)} of ${formatNumber(a.target)} covered; ${
        a.status === 'awarded' ? `awarded ${formatRupiah(a.amount)}` : `unfunded (${a.reason ?? 'unknown'})`
      }`,
  );
  return `${head}${outcome}\n${lines.map((line) => `${line}\n`).join('')}`;
};

const usage = (verb: 'show' | 'evaluate') => `Usage:
  lindung incentives ${verb} --scheme <id> [options]

${verb === 'show' ? 'Shows an incentive scheme with its awards.' : 'Evaluates an incentive scheme now (an administrator), then shows it.'}

Options:
  --scheme <id>              the scheme's id
  -h, --help                 show this help

${CONNECTION_USAGE}`;

const OPTIONS = {
  scheme: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

const incentiveCommand = (verb: 'show' | 'evaluate'): Command => ({
  summary: verb === 'show' ? 'show an incentive scheme with its awards' : 'evaluate an incentive scheme now',
  usage: usage(verb),
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
    if (!values.scheme) throw new UsageError('--scheme is required');
    const path = { id: values.scheme };
    const client = await connect(values, { roles: ['admin'] }, io);
    const scheme = await client.send(
      verb === 'show'
        ? client.api.GET('/v1/incentives/{id}', { params: { path } })
        : client.api.POST('/v1/incentives/{id}/evaluate', { params: { path } }),
    );
    io.stdout.write(renderIncentive(scheme));
    return EXIT_CODES.ok;
  },
});

export const showIncentiveCommand = incentiveCommand('show');
export const evaluateIncentiveCommand = incentiveCommand('evaluate');
