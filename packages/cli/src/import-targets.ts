/**
 * `lindung import targets`: reads how many vulnerable workers each village should cover (e.g. from the P3KE
 * extreme-poverty list), checks every row, and stores the targets for coverage reports; it can also write
 * them as the `proportional` allocation rule of a commitment draft. All rows are valid or nothing is stored:
 * a partial set of targets would make coverage percentages wrong without anyone noticing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { findRegion, formatNumber } from '@lindung/core';
import { type CliIo, type Command, CommandFailedError, EXIT_CODES, UsageError } from './command.js';
import { columnsOf, readCsv } from './csv.js';
import { renderTable } from './table.js';

/** A village's target: how many vulnerable workers it should cover. */
export interface VillageTarget {
  readonly villageCode: string;
  readonly targetWorkers: number;
}

const USAGE = `Usage:
  lindung import targets <file.csv> [options]

Stores the number of vulnerable workers each village should cover, for coverage reports (coverage against
target) and for commitments allocated in proportion to the targets.

The file: a header naming villageCode and targetWorkers, then one village per line, e.g.
  villageCode,targetWorkers
  15.01.01.2001,120

Options:
  --allocation <file.json>   also write the targets as the allocation rule of a commitment draft:
                             {"method":"proportional","targets":{...}} (the body's "allocation")
  --dry-run                  check the file and show the totals, store nothing
  --stage <stage>            the deployment whose reports table is written (default: local)
  --table <name>             the reports table (default: $TABLE_REPORTS, else lindung-<stage>-reports)
  --dynamodb-endpoint <url>  DynamoDB to write to (default: $AWS_ENDPOINT_URL_DYNAMODB; \`npm start\`
                             prints the local one); on AWS, leave it out and use your AWS credentials
  -h, --help                 show this help

The HTTP API has no endpoint for targets yet: this command writes to the reports table directly (with your
own AWS credentials on AWS, or to the local stack's DynamoDB), and the targets of the districts, regencies
and province above the villages are recomputed.`;

const VILLAGE_CODE = /^\d{2}\.\d{2}\.\d{2}\.\d{4}$/;
/** A count as written in Indonesia (`1.234`) or plainly (`1234`). */
const COUNT = /^(\d{1,3}(\.\d{3})+|\d+)$/;

/** A row that cannot be stored, and why. */
export interface TargetProblem {
  readonly line: number;
  readonly problem: string;
}

/** Reads and checks a targets file: every row a known village, once, with a whole non-negative count. */
export const parseTargets = (
  text: string,
  file: string,
): { targets: VillageTarget[]; problems: TargetProblem[] } => {
  const { header, records } = readCsv(text, file);
  const columns = columnsOf(header, ['villageCode', 'targetWorkers'], [], file);
  if (records.length === 0) throw new UsageError(`${file} has a header but no rows`);
  const targets: VillageTarget[] = [];
  const problems: TargetProblem[] = [];
  const seen = new Map<string, number>();
  for (const { fields, line } of records) {
    const code = fields[columns.villageCode ?? 0] ?? '';
    const count = fields[columns.targetWorkers ?? 1] ?? '';
    if (fields.length !== header.length) {
      problems.push({ line, problem: `has ${fields.length} fields; the header names ${header.length}` });
    } else if (!VILLAGE_CODE.test(code)) {
      problems.push({ line, problem: `${JSON.stringify(code)} is not a village code like 15.01.01.2001` });
    } else if (!findRegion(code)) {
      problems.push({ line, problem: `village ${code} is not in idn-area-data` });
    } else if (seen.has(code)) {
      problems.push({ line, problem: `village ${code} is listed again (first on line ${seen.get(code)})` });
    } else if (!COUNT.test(count) || !Number.isSafeInteger(Number(count.replaceAll('.', '')))) {
      problems.push({
        line,
        problem: `targetWorkers ${JSON.stringify(count)} is not a whole number of workers`,
      });
    } else {
      seen.set(code, line);
      targets.push({ villageCode: code, targetWorkers: Number(count.replaceAll('.', '')) });
    }
  }
  return { targets, problems };
};

/** Totals per regency (kabupaten/kota), then the whole file. */
export const renderTargets = (targets: readonly VillageTarget[]): string => {
  const byRegency = new Map<string, { villages: number; workers: number }>();
  for (const t of targets) {
    const regency = t.villageCode.slice(0, 5);
    const total = byRegency.get(regency) ?? { villages: 0, workers: 0 };
    total.villages++;
    total.workers += t.targetWorkers;
    byRegency.set(regency, total);
  }
  const rows = [...byRegency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, total]) => [
      `${code} ${findRegion(code)?.name ?? ''}`.trimEnd(),
      formatNumber(total.villages),
      formatNumber(total.workers),
    ]);
  const all = targets.reduce((sum, t) => sum + t.targetWorkers, 0);
  return renderTable([
    ['Regency / city', 'Villages', 'Target workers'],
    ...rows,
    ['Total', formatNumber(targets.length), formatNumber(all)],
  ]);
};

const OPTIONS = {
  allocation: { type: 'string' },
  'dry-run': { type: 'boolean' },
  stage: { type: 'string' },
  table: { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
} as const;

const MAX_PROBLEMS_SHOWN = 20;

/** `lindung import targets`. */
export const importTargetsCommand: Command = {
  summary: 'store target worker counts per village (for coverage reports and proportional allocation)',
  usage: USAGE,
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError('name one CSV file of targets');
    const file = positionals[0] as string;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    const { targets, problems } = parseTargets(text, file);
    if (problems.length > 0) {
      const shown = problems
        .slice(0, MAX_PROBLEMS_SHOWN)
        .map((p) => `  line ${p.line}: ${p.problem}`)
        .join('\n');
      const more =
        problems.length > MAX_PROBLEMS_SHOWN ? `\n  … and ${problems.length - MAX_PROBLEMS_SHOWN} more` : '';
      throw new UsageError(
        `${file}: ${formatNumber(problems.length)} rows cannot be stored, so none was:\n${shown}${more}`,
      );
    }

    const env = io.env ?? process.env;
    const stage = values.stage ?? 'local';
    const endpoint = values['dynamodb-endpoint'] ?? env.AWS_ENDPOINT_URL_DYNAMODB;
    const tableName = values.table ?? env.TABLE_REPORTS ?? `lindung-${stage}-reports`;
    const ledgerTableName = env.TABLE_LEDGER ?? `lindung-${stage}-ledger`;
    if (!values['dry-run'] && !endpoint && stage === 'local' && values.table === undefined) {
      throw new UsageError(
        'name where to store the targets: --dynamodb-endpoint for a local stack (`npm start` prints it), or --stage for a deployment on AWS',
      );
    }

    io.stdout.write(`Targets in ${basename(file)}\n${renderTargets(targets)}\n`);
    if (values.allocation) {
      const rule = {
        method: 'proportional',
        targets: Object.fromEntries(targets.map((t) => [t.villageCode, t.targetWorkers])),
      };
      await writeFile(values.allocation, `${JSON.stringify(rule, null, 2)}\n`);
      io.stdout.write(`Allocation rule written to ${values.allocation}\n`);
    }
    if (values['dry-run']) {
      io.stdout.write('Dry run: nothing stored.\n');
      return EXIT_CODES.ok;
    }
    // Loaded here: the other commands should not pay for the AWS SDK at start-up.
    const [{ DynamoDBClient }, { documentClient, ReportsRepository }] = await Promise.all([
      import('@aws-sdk/client-dynamodb'),
      import('@lindung/store'),
    ]);
    const dynamodb = new DynamoDBClient({
      ...(endpoint && { endpoint }),
      // A local endpoint takes any credentials; AWS uses the caller's own.
      ...(endpoint &&
        !env.AWS_ACCESS_KEY_ID && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'ap-southeast-3',
    });
    try {
      // putTargets writes the villages and recomputes the targets of the regions above them.
      const reports = new ReportsRepository(documentClient(dynamodb), ledgerTableName, tableName);
      await reports.putTargets(new Map(targets.map((t) => [t.villageCode, t.targetWorkers])));
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new CommandFailedError(
        `cannot store the targets in ${tableName}${endpoint ? ` at ${endpoint}` : ''} (${reason})`,
        { cause: error },
      );
    } finally {
      dynamodb.destroy();
    }
    io.stdout.write(`Stored ${formatNumber(targets.length)} village targets in ${tableName}\n`);
    return EXIT_CODES.ok;
  },
};
