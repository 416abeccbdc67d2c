/**
 * `lindung targets set|show`: a region's coverage target for a fiscal year, through the API — a number of
 * workers, or a share of the region's vulnerable workers (the village counts `lindung import targets` stores).
 */
import { parseArgs } from 'node:util';
import type { Schemas } from '@lindung/api-client';
import { formatNumber } from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect } from './http.js';

/** What `GET`/`PUT /v1/regions/{code}/targets/{fiscalYear}` answer. */
export type RegionTarget = Schemas['RegionTarget'];

/** A region's target, in words. */
export const renderTarget = (t: RegionTarget): string => {
  const set =
    t.target === null
      ? 'no target set: measured against its vulnerable workers'
      : t.target.percent !== undefined
        ? `target ${String(t.target.percent).replace('.', ',')}% of its vulnerable workers`
        : `target ${formatNumber(t.target.workers ?? 0)} workers`;
  return `${t.name} (${t.code}), fiscal year ${t.fiscalYear}: ${set}; ${formatNumber(t.vulnerableWorkers)} vulnerable workers on record; ${formatNumber(t.targetWorkers)} workers to cover.\n`;
};

const usage = (verb: 'set' | 'show') => `Usage:
  lindung targets ${verb} --region <code> --year <yyyy>${verb === 'set' ? ' (--percent <p> | --workers <n>)' : ''} [options]

${verb === 'set' ? 'Sets' : 'Shows'} a region's coverage target for a fiscal year${verb === 'set' ? ' (an administrator, or an officer of a sponsor whose region holds it)' : ''}.

Options:
  --region <code>            ID, a province (16), a regency/city (16.71), a district or a village
  --year <yyyy>              the fiscal year${
    verb === 'set'
      ? `
  --percent <p>              a share of the region's vulnerable workers, e.g. 50 or 37,5
  --workers <n>              a number of workers (2.800 or 2800)`
      : ''
  }
  -h, --help                 show this help

${CONNECTION_USAGE}`;

const OPTIONS = {
  region: { type: 'string' },
  year: { type: 'string' },
  percent: { type: 'string' },
  workers: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

const targetCommand = (verb: 'set' | 'show'): Command => ({
  summary:
    verb === 'set' ? 'set a region’s coverage target for a fiscal year' : 'show a region’s coverage target',
  usage: usage(verb),
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
    if (!values.region) throw new UsageError('--region is required');
    if (!values.year || !/^\d{4}$/.test(values.year))
      throw new UsageError('--year must be a year, e.g. 2027');
    const path = { code: values.region, fiscalYear: values.year };
    const client = await connect(values, { roles: ['admin'] }, io);
    if (verb === 'show') {
      const shown = await client.send(
        client.api.GET('/v1/regions/{code}/targets/{fiscalYear}', { params: { path } }),
      );
      io.stdout.write(renderTarget(shown));
      return EXIT_CODES.ok;
    }
    if ((values.percent === undefined) === (values.workers === undefined)) {
      throw new UsageError('give either --percent or --workers');
    }
    const workers = values.workers?.replace(/\./g, '');
    if (workers !== undefined && !/^\d{1,12}$/.test(workers)) {
      throw new UsageError(`--workers must be a whole number, got ${values.workers}`);
    }
    const set = await client.send(
      client.api.PUT('/v1/regions/{code}/targets/{fiscalYear}', {
        params: { path },
        body: workers === undefined ? { percent: values.percent ?? '' } : { workers: Number(workers) },
      }),
    );
    io.stdout.write(renderTarget(set));
    return EXIT_CODES.ok;
  },
});

export const setTargetCommand = targetCommand('set');
export const showTargetCommand = targetCommand('show');
