/**
 * A bulk import job through the local stack as a village operator runs one: the rows posted in one request
 * (202 with the job), then the job looked at until every row has a result, while the import worker (on the
 * import-work queue) enrolls them chunk by chunk. Every row is a worker the quota has room for, so each is a
 * full enrollment transaction. Measures the post, the time to the job's last result, and rows per second.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { IMPORT_BATCH_ROWS } from '@lindung/api';
import { periodOf, villagesOf } from '@lindung/core';
import { IMPORT_CHUNK_ROWS } from '@lindung/store';
import { startDynamoDbLocal } from '../../packages/local/src/dynamodb-local.js';
import { freePort } from '../../packages/local/src/preflight.js';
import { emulatorClients } from '../../packages/local/src/stack.js';
import { importAndWait } from '../../scripts/demo/imports.js';
import { importKilledMidway, type KilledImport } from '../support/import-kill.js';
import { type BenchWorld, FULL_YEAR_PREMIUM, nikSequence } from './world.js';

export interface ImportFigures {
  readonly rows: number;
  readonly chunks: number;
  readonly enrolled: number;
  readonly refused: number;
  /** From sending the post to the first look at the job (its 202, with the rows stored, then one GET). */
  readonly postSeconds: number;
  /** From sending the post to the job's state `done`. */
  readonly totalSeconds: number;
  /** Rows with a result per second, over `totalSeconds`. */
  readonly rowsPerSecond: number;
}

export const benchImport = async (
  world: BenchWorld,
  { rows = 50_000, year = 2032, log = (_: string) => {} } = {},
): Promise<ImportFigures> => {
  // A district no other benchmark enrolls in (NIKs are unique per year).
  const [villageCode = ''] = villagesOf('15.09').map((v) => v.code as string);
  const commitmentId = await world.commitment(year, [villageCode], rows * FULL_YEAR_PREMIUM);
  const operator = await world.as({ roles: ['village-operator'], villageCodes: [villageCode] });
  const next = nikSequence(villageCode);
  const body = {
    commitmentId,
    rows: Array.from({ length: rows }, () => ({ nik: next().nik, startPeriod: periodOf(year, 1) })),
  };

  const started = performance.now();
  let posted = 0;
  let lastTenth = -1;
  const job = await importAndWait(operator, villageCode, body, {
    timeoutMs: 60 * 60_000,
    onProgress: (progress) => {
      posted ||= performance.now();
      const tenth = Math.floor((progress.rows.done / progress.rows.total) * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      const seconds = (performance.now() - started) / 1000;
      log(
        `  ${progress.rows.done.toLocaleString('id-ID')} of ${progress.rows.total.toLocaleString('id-ID')} rows after ${seconds.toFixed(1)} s (${progress.state})`,
      );
    },
  });
  const totalSeconds = (performance.now() - started) / 1000;
  if (job.rows.enrolled !== rows) {
    throw new Error(`${job.rows.enrolled} of ${rows} rows enrolled: ${JSON.stringify(job.byCode)}`);
  }
  return {
    rows,
    chunks: Math.ceil(rows / IMPORT_CHUNK_ROWS),
    enrolled: job.rows.enrolled,
    refused: job.rows.refused,
    // The first look at the job follows the 202 at once.
    postSeconds: (posted - started) / 1000,
    totalSeconds,
    rowsPerSecond: rows / totalSeconds,
  };
};

/** A killed import's figures: the run's, without the job and its problems, and the rows it enrolled. */
export type KilledImportFigures = Omit<KilledImport, 'job' | 'problems'> & {
  readonly killAt: number;
  readonly enrolled: number;
};

/**
 * The same import on the stack as `npm start` runs it (a child process on a data folder), `kill -9`ed with
 * its whole process tree once the job shows `killAt` rows done, restarted, and waited for. Throws unless every
 * row has one result and the village holds one enrollment per row enrolled.
 */
export const benchImportKilled = async ({
  rows = 50_000,
  killAt = 25_000,
  year = 2032,
  log = (_: string) => {},
} = {}): Promise<KilledImportFigures> => {
  const [villageCode = ''] = villagesOf('15.09').map((v) => v.code as string);
  const next = nikSequence(villageCode);
  const run = await importKilledMidway({
    rows: Array.from({ length: rows }, () => ({ nik: next().nik, startPeriod: periodOf(year, 1) })),
    villageCode,
    fiscalYear: year,
    killAt,
    log,
  });
  if (run.problems.length > 0 || run.job.rows.enrolled !== rows) {
    throw new Error(
      `the killed import ended wrong: ${[...run.problems, JSON.stringify(run.job.rows)].join('; ')}`,
    );
  }
  const { job, problems: _none, ...figures } = run;
  return { ...figures, killAt, enrolled: job.rows.enrolled };
};

/** What DynamoDB Local alone can write in an import's shape, with nothing else asking anything of it. */
export interface ImportFloor {
  readonly itemBytes: number;
  readonly seconds: number;
  readonly levels: readonly {
    /** Whether the table has a stream, as the ledger table has for the reports projector. */
    readonly stream: boolean;
    /** `transaction`: the allocation's conditional update and each row's three conditional puts (claim,
     * enrollment, ledger entry) in one TransactWriteItems, as the import writes; `batch`: BatchWriteItem of
     * 25 unconditional puts, which holds no invariant (no claim, no quota) and is here only as the ceiling. */
    readonly kind: 'transaction' | 'batch';
    readonly rowsPerRequest: number;
    readonly writers: number;
    readonly rowsPerSecond: number;
  }[];
}

/**
 * The import's floor: a DynamoDB Local of its own (in memory), so that nothing but these clients asks
 * anything of it, written for `seconds` per level in the import's shape, first into a table with a stream (as
 * the ledger table), then into one without. Each row is the three items a worker's import writes, of
 * `itemBytes` each. Its own process also because DynamoDB Local writes a table with a stream created after
 * heavy writes elsewhere up to 75 times slower, one core busy (600 → 8 rows/s measured), which would
 * understate the floor.
 */
export const benchImportFloor = async ({
  seconds = 8,
  itemBytes = 400,
  log = (_: string) => {},
} = {}): Promise<ImportFloor> => {
  const local = await startDynamoDbLocal({ port: await freePort() });
  const dynamodb = emulatorClients(local.endpoint, local.endpoint).dynamodb;
  const padding = 'x'.repeat(itemBytes);
  const item = (pk: string) => ({ pk: { S: pk }, sk: { S: 'row' }, padding: { S: padding } });
  const levels: ImportFloor['levels'][number][] = [];
  let serial = 0;
  const writeTable = async (table: string, stream: boolean) => {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        ...(stream && { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }),
      }),
    );
    const transaction = (writer: number, rows: number) =>
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: table,
              Key: { pk: { S: `allocation#${writer}` }, sk: { S: 'quota' } },
              UpdateExpression: 'ADD reserved :cost',
              ConditionExpression: 'attribute_not_exists(reserved) OR reserved < :budget',
              ExpressionAttributeValues: {
                ':cost': { N: String(rows * FULL_YEAR_PREMIUM) },
                ':budget': { N: '1e15' },
              },
            },
          },
          ...Array.from({ length: rows }, () => serial++).flatMap((row) =>
            ['claim', 'enrollment', 'ledger'].map((kind) => ({
              Put: {
                TableName: table,
                Item: item(`${kind}#${row}`),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
          ),
        ],
      });
    const batch = () =>
      new BatchWriteItemCommand({
        RequestItems: {
          [table]: Array.from({ length: 25 }, () => ({ PutRequest: { Item: item(`batch#${serial++}`) } })),
        },
      });
    const run = async (
      kind: 'transaction' | 'batch',
      rowsPerRequest: number,
      writers: number,
      ms: number,
    ) => {
      const ends = performance.now() + ms;
      let rows = 0;
      await Promise.all(
        Array.from({ length: writers }, async (_, writer) => {
          while (performance.now() < ends) {
            if (kind === 'transaction') await dynamodb.send(transaction(writer, rowsPerRequest));
            else {
              const { UnprocessedItems = {} } = await dynamodb.send(batch());
              if (Object.keys(UnprocessedItems).length > 0)
                throw new Error('DynamoDB Local left items unprocessed');
            }
            rows += rowsPerRequest;
          }
        }),
      );
      return rows / (ms / 1000);
    };
    await run('transaction', IMPORT_BATCH_ROWS, 2, 2_000); // warm-up (the JVM's compiler)
    const measure = async (kind: 'transaction' | 'batch', rowsPerRequest: number, writers: number) => {
      const rowsPerSecond = await run(kind, rowsPerRequest, writers, seconds * 1000);
      levels.push({ stream, kind, rowsPerRequest, writers, rowsPerSecond });
      log(
        `  ${stream ? 'stream' : 'no stream'}, ${kind}, ${rowsPerRequest.toFixed(1)} rows a request, ${writers} writers: ${rowsPerSecond.toFixed(0)} rows/s`,
      );
    };
    for (const writers of [1, 2, 4]) await measure('transaction', IMPORT_BATCH_ROWS, writers);
    await measure('transaction', 33, 1); // 100 actions, DynamoDB's most
    for (const writers of [1, 2, 4]) await measure('batch', 25 / 3, writers);
  };
  try {
    await writeTable('import-floor-stream', true);
    await writeTable('import-floor', false);
  } finally {
    dynamodb.destroy();
    await local.stop();
  }
  return { itemBytes, seconds, levels };
};
