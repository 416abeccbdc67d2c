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

type FloorLevel = ImportFloor['levels'][number];

/** A table of the floor's, with or without a stream. */
const floorTable = (table: string, stream: boolean) =>
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
  });

/** The import's transaction of `rows` rows: the writer's allocation reserves them, each row's 3 items are put once. */
const floorTransaction = (table: string, writer: number, rows: readonly string[], padding: string) =>
  new TransactWriteItemsCommand({
    TransactItems: [
      {
        Update: {
          TableName: table,
          Key: { pk: { S: `allocation#${writer}` }, sk: { S: 'quota' } },
          UpdateExpression: 'ADD reserved :cost',
          ConditionExpression: 'attribute_not_exists(reserved) OR reserved < :budget',
          ExpressionAttributeValues: {
            ':cost': { N: String(rows.length * FULL_YEAR_PREMIUM) },
            ':budget': { N: '1e15' },
          },
        },
      },
      ...rows.flatMap((row) =>
        ['claim', 'enrollment', 'ledger'].map((kind) => ({
          Put: {
            TableName: table,
            Item: { pk: { S: `${kind}#${row}` }, sk: { S: 'row' }, padding: { S: padding } },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
      ),
    ],
  });

/** 25 unconditional puts. */
const floorBatch = (table: string, items: readonly string[], padding: string) =>
  new BatchWriteItemCommand({
    RequestItems: {
      [table]: items.map((pk) => ({
        PutRequest: { Item: { pk: { S: `batch#${pk}` }, sk: { S: 'row' }, padding: { S: padding } } },
      })),
    },
  });

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
  let serial = 0;
  const keys = (n: number) => Array.from({ length: n }, () => String(serial++));
  /** One request of a level's kind; resolves once it is written. */
  const write = async (table: string, kind: FloorLevel['kind'], rowsPerRequest: number, writer: number) => {
    if (kind === 'transaction') {
      await dynamodb.send(floorTransaction(table, writer, keys(rowsPerRequest), padding));
      return;
    }
    const { UnprocessedItems = {} } = await dynamodb.send(floorBatch(table, keys(25), padding));
    if (Object.keys(UnprocessedItems).length > 0) throw new Error('DynamoDB Local left items unprocessed');
  };
  /** Rows a second that `writers` side by side write in `ms`. */
  const rate = async (
    table: string,
    kind: FloorLevel['kind'],
    rowsPerRequest: number,
    writers: number,
    ms: number,
  ) => {
    const ends = performance.now() + ms;
    let rows = 0;
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        while (performance.now() < ends) {
          await write(table, kind, rowsPerRequest, writer);
          rows += rowsPerRequest;
        }
      }),
    );
    return rows / (ms / 1000);
  };
  const shapes: Omit<FloorLevel, 'stream' | 'rowsPerSecond'>[] = [
    ...[1, 2, 4].map((writers) => ({
      kind: 'transaction' as const,
      rowsPerRequest: IMPORT_BATCH_ROWS,
      writers,
    })),
    { kind: 'transaction', rowsPerRequest: 33, writers: 1 }, // 100 actions, DynamoDB's most
    ...[1, 2, 4].map((writers) => ({ kind: 'batch' as const, rowsPerRequest: 25 / 3, writers })),
  ];
  const levels: FloorLevel[] = [];
  try {
    for (const [table, stream] of [
      ['import-floor-stream', true],
      ['import-floor', false],
    ] as const) {
      await dynamodb.send(floorTable(table, stream));
      await rate(table, 'transaction', IMPORT_BATCH_ROWS, 2, 2_000); // warm-up (the JVM's compiler)
      for (const shape of shapes) {
        const rowsPerSecond = await rate(
          table,
          shape.kind,
          shape.rowsPerRequest,
          shape.writers,
          seconds * 1000,
        );
        levels.push({ ...shape, stream, rowsPerSecond });
        log(
          `  ${stream ? 'stream' : 'no stream'}, ${shape.kind}, ${shape.rowsPerRequest.toFixed(1)} rows a request, ${shape.writers} writers: ${rowsPerSecond.toFixed(0)} rows/s`,
        );
      }
    }
  } finally {
    dynamodb.destroy();
    await local.stop();
  }
  return { itemBytes, seconds, levels };
};
