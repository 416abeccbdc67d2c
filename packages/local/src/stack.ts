/**
 * The embedded Lindung stack: DynamoDB Local, the fauxqs SQS emulator, tables and queues from the shared
 * definitions, the local API Gateway, queue and stream pollers and the scheduler, all wired to the same
 * handlers the CDK stack deploys (functions/registry.ts).
 */

import { readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { routeDefinitions } from '@lindung/api';
import {
  deadLetterQueueName,
  deadLetterQueueUrlEnvName,
  type QueueDefinition,
  queueDefinitions,
  queueName,
  queueUrlEnvName,
} from '@lindung/messaging';
import { type TableDefinition, tableDefinitions, tableEnvName } from '@lindung/store';
import { type FunctionDefinition, functionDefinitions } from '../../../functions/registry.js';
import { type DynamoDbLocal, startDynamoDbLocal, stopStaleDynamoDbLocal } from './dynamodb-local.js';
import {
  type BuiltFunctions,
  buildFunctions,
  type FunctionCode,
  functionCodeFromEnv,
  loadSourceFunctions,
  startBundledFunctions,
} from './function-loader.js';
import { startHttpServer } from './http-server.js';
import { freePort, requireFreePort, requireJava, requireWritableDirectory } from './preflight.js';
import { type ProvisionedQueue, type ProvisionedTable, provisionQueue, provisionTable } from './provision.js';
import { type RequestCounts, requestCountsWanted, threadRequestCounts } from './request-counts.js';
import { Scheduler } from './scheduler.js';
import { importLegacyQueueSnapshot, type SqsLocal, startSqsLocal } from './sqs-local.js';
import { type PollerStats, SqsPoller } from './sqs-poller.js';
import { type CheckpointStore, StreamPoller, type StreamPollerStats } from './stream-poller.js';
import { type LocalTokenIssuer, localSecret, localTokenIssuer } from './tokens.js';

export const LOCAL_REGION = 'ap-southeast-3'; // Jakarta
export const LOCAL_STAGE = 'local';

export interface LocalStackOptions {
  /** Port of the HTTP API (default 3000; 0 picks a free one). */
  readonly httpPort?: number;
  readonly dynamodbPort?: number;
  readonly sqsPort?: number;
  /** Where data persists (default `.lindung`); ignored when `inMemory`. */
  readonly dataDir?: string;
  readonly inMemory?: boolean;
  readonly functions?: readonly FunctionDefinition[];
  /** Start pollers and the scheduler (default true). Tests of single handlers may turn them off. */
  readonly runConsumers?: boolean;
  /**
   * Run each function from the bundle the CDK deploys, in its own worker thread (`bundle`, the default unless
   * LINDUNG_FUNCTION_CODE=source), or from its TypeScript source in this process (`source`).
   */
  readonly functionCode?: FunctionCode;
  readonly log?: (message: string) => void;
}

export interface LocalStack {
  readonly httpUrl: string;
  readonly dynamodbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly dynamodbVersion: string;
  readonly dataDir: string | undefined;
  readonly tables: Readonly<Record<string, ProvisionedTable>>;
  readonly queues: Readonly<Record<string, ProvisionedQueue>>;
  /** The environment the handlers run with (also set on this process). */
  readonly env: Readonly<Record<string, string>>;
  readonly tokens: LocalTokenIssuer;
  readonly scheduler: Scheduler | undefined;
  /** What each stream consumer has done so far, by function id (live figures). */
  readonly streamConsumers: Readonly<Record<string, StreamPollerStats>>;
  /** What each queue consumer has done so far (batches are invocations), by function id (live figures). */
  readonly queueConsumers: Readonly<Record<string, PollerStats>>;
  /**
   * The AWS requests sent so far, by function id and by operation, with `main` for this thread (the pollers,
   * the stream poller, the caller's own clients; in source mode every function): empty unless
   * `LINDUNG_REQUEST_COUNTS=1` (request-counts.ts).
   */
  requestCounts(): Record<string, RequestCounts>;
  stop(): Promise<void>;
}

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export { loadHandler } from './function-loader.js';

/** SDK clients on the emulators of a stack: DynamoDB Local (tables and streams) and the SQS emulator. */
export const emulatorClients = (dynamodbEndpoint: string, sqsEndpoint: string) => {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  return {
    dynamodb: new DynamoDBClient({ endpoint: dynamodbEndpoint, region: LOCAL_REGION, credentials }),
    streams: new DynamoDBStreamsClient({ endpoint: dynamodbEndpoint, region: LOCAL_REGION, credentials }),
    sqs: new SQSClient({
      endpoint: sqsEndpoint,
      region: LOCAL_REGION,
      credentials,
      useQueueUrlAsEndpoint: false,
    }),
  };
};

/** Environment variables that point the AWS SDK and the handlers at the local emulators. */
export const localEnvironment = (
  dynamodbEndpoint: string,
  sqsEndpoint: string,
  tables: readonly ProvisionedTable[],
  queues: readonly ProvisionedQueue[],
): Record<string, string> => ({
  AWS_REGION: LOCAL_REGION,
  AWS_DEFAULT_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
  AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamodbEndpoint,
  AWS_ENDPOINT_URL_SQS: sqsEndpoint,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  LINDUNG_STAGE: LOCAL_STAGE,
  LINDUNG_MODE: 'local',
  POWERTOOLS_SERVICE_NAME: 'lindung',
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_METRICS_NAMESPACE: 'Lindung',
  POWERTOOLS_DEV: 'true',
  ...Object.fromEntries(tables.map((t) => [tableEnvName(t.definition), t.name])),
  ...Object.fromEntries(
    queues.flatMap((q) => [
      [queueUrlEnvName(q.definition), q.url],
      [deadLetterQueueUrlEnvName(q.definition), q.deadLetterUrl],
    ]),
  ),
});

const fileCheckpoints = (file: string): CheckpointStore => ({
  load: async () => {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  },
  save: (checkpoints) => writeFile(file, JSON.stringify(checkpoints)),
});

const byId = <T extends { definition: { id: string } }>(items: readonly T[]) =>
  Object.fromEntries(items.map((item) => [item.definition.id, item]));

/** Starts everything; on any failure, stops what had started and rethrows. */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const log = options.log ?? (() => undefined);
  const dataDir = options.inMemory ? undefined : resolve(options.dataDir ?? '.lindung');
  const httpPort = options.httpPort ?? 3000;
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse().splice(0)) await stop().catch(() => undefined);
  };

  // The pinned SDK supports Node 20 until 2027; its notice would only repeat on every start.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const functions = (options.functions ?? functionDefinitions).filter((f) => f.trigger.kind !== 'http');
  const http = functionDefinitions.find((f) => f.trigger.kind === 'http');
  const loadedDefinitions = [...functions, ...(http ? [http] : [])];
  const functionCode = options.functionCode ?? functionCodeFromEnv();
  const counting = requestCountsWanted();
  if (counting) threadRequestCounts();
  let building: Promise<BuiltFunctions> | undefined;
  try {
    await requireJava();
    const stale = dataDir && (await stopStaleDynamoDbLocal(join(dataDir, 'dynamodb')));
    if (stale)
      log(`stopped DynamoDB Local (pid ${stale}) left running by an earlier run on this data folder`);
    if (httpPort !== 0) await requireFreePort(httpPort, 'the HTTP API', '--port');
    if (options.dynamodbPort)
      await requireFreePort(options.dynamodbPort, 'DynamoDB Local', '--dynamodb-port');
    if (options.sqsPort) await requireFreePort(options.sqsPort, 'the SQS emulator', '--sqs-port');
    if (dataDir) await requireWritableDirectory(join(dataDir, 'dynamodb'));

    const [dynamodbPort, sqsPort] = [
      options.dynamodbPort ?? (await freePort()),
      options.sqsPort ?? (await freePort()),
    ];
    const dynamo: DynamoDbLocal = await startDynamoDbLocal({
      port: dynamodbPort,
      ...(dataDir && { dataDir: join(dataDir, 'dynamodb') }),
    });
    stoppers.push(() => dynamo.stop());
    // The bundles build (or come from the cache) while the rest starts; not before, since a cold build
    // would starve the JVM's start on a busy machine.
    building = functionCode === 'bundle' ? buildFunctions(loadedDefinitions) : undefined;
    building?.catch(() => undefined); // awaited below; a failure before then must not go unhandled
    log(
      `DynamoDB Local ${dynamo.version} on ${dynamo.endpoint}${dataDir ? ` (data in ${dataDir})` : ' (in memory)'}`,
    );

    const sqsLocal: SqsLocal = await startSqsLocal({
      port: sqsPort,
      ...(dataDir && { dataDir: join(dataDir, 'sqs') }),
    });
    stoppers.push(() => sqsLocal.stop());
    log(`SQS emulator (fauxqs) on ${sqsLocal.endpoint}${dataDir ? ' (messages kept on disk)' : ''}`);
    if (sqsLocal.released > 0)
      log(`${sqsLocal.released} messages in flight when the last run ended are visible again`);

    const { dynamodb, streams, sqs } = emulatorClients(dynamo.endpoint, sqsLocal.endpoint);
    stoppers.push(async () => {
      dynamodb.destroy();
      streams.destroy();
      sqs.destroy();
    });

    const tables = await Promise.all(
      tableDefinitions.map((t: TableDefinition) => provisionTable(dynamodb, LOCAL_STAGE, t)),
    );
    const queues = await Promise.all(
      queueDefinitions.map((q: QueueDefinition) => provisionQueue(sqs, LOCAL_STAGE, q)),
    );
    log(`${tables.length} tables and ${queues.length} queues (each with a dead-letter queue) ready`);

    const env: Record<string, string> = {
      ...localEnvironment(dynamo.endpoint, sqsLocal.endpoint, tables, queues),
      NIK_HASH_KEY: Buffer.from(await localSecret(dataDir, 'nik-hash')).toString('base64url'),
    };
    Object.assign(process.env, env);

    if (dataDir) {
      const snapshotFile = join(dataDir, 'queues.json');
      const urls = new Map(
        queues.flatMap((q) => [
          [queueName(LOCAL_STAGE, q.definition), q.url],
          [deadLetterQueueName(LOCAL_STAGE, q.definition), q.deadLetterUrl],
        ]),
      );
      const restored = await importLegacyQueueSnapshot(snapshotFile, sqs, (name) => urls.get(name));
      if (restored > 0)
        log(`${restored} queued messages imported from the queues.json of an earlier version`);
    }

    const loaded = building
      ? await startBundledFunctions(loadedDefinitions, await building, env, log)
      : await loadSourceFunctions(loadedDefinitions, log);
    // Stopped after the pollers and the server (stoppers run in reverse), so no invocation is cut short.
    stoppers.push(() => loaded.stop());
    Object.assign(env, loaded.env);
    Object.assign(process.env, loaded.env);

    const key = await localSecret(dataDir, 'local-jwt');
    const tokens = localTokenIssuer(key);
    const onError = (where: string) => (error: unknown) =>
      log(`${where}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);

    let scheduler: Scheduler | undefined;
    const streamConsumers: Record<string, StreamPollerStats> = {};
    const queueConsumers: Record<string, PollerStats> = {};
    if (options.runConsumers ?? true) {
      const schedules = [];
      for (const fn of functions) {
        const trigger = fn.trigger;
        if (trigger.kind === 'queue') {
          const queue = queues.find((q) => q.definition.id === trigger.queue.id);
          if (!queue) throw new Error(`${fn.id} consumes unknown queue ${trigger.queue.id}`);
          const poller = new SqsPoller({
            sqs,
            queue,
            functionName: fn.id,
            handler: loaded.handler(fn),
            timeoutSeconds: fn.timeoutSeconds,
            concurrency: 2,
            onError: onError(fn.id),
          });
          poller.start();
          queueConsumers[fn.id] = poller.stats;
          stoppers.push(() => poller.stop());
        } else if (trigger.kind === 'stream') {
          const table = tables.find((t) => t.definition.id === trigger.table.id);
          if (!table?.streamArn)
            throw new Error(`${fn.id} reads the stream of ${trigger.table.id}, which has none`);
          const poller = new StreamPoller({
            streams,
            streamArn: table.streamArn,
            functionName: fn.id,
            handler: loaded.handler(fn),
            batchSize: Math.min(trigger.batchSize, 1000),
            batchingWindowSeconds: trigger.maxBatchingWindowSeconds,
            timeoutSeconds: fn.timeoutSeconds,
            maxRetryAttempts: trigger.retryAttempts,
            bisectOnError: trigger.bisectBatchOnFunctionError,
            ...(trigger.filters && { filters: trigger.filters }),
            onError: onError(fn.id),
            // Lambda would put these on the failure queue for a person to replay; here nobody would notice.
            onFailure: (records, error) =>
              onError(
                `ERROR: ${fn.id} gave up on ${records.length} stream records ` +
                  `(sequence numbers ${records[0]?.dynamodb?.SequenceNumber} to ${records.at(-1)?.dynamodb?.SequenceNumber}) ` +
                  `after ${trigger.retryAttempts} retries; what they changed is missing from its output until it is ` +
                  'rebuilt (reports: npm run reports:rebuild)',
              )(error),
            ...(dataDir && { checkpoints: fileCheckpoints(join(dataDir, `stream-${fn.id}.json`)) }),
          });
          await poller.start();
          streamConsumers[fn.id] = poller.stats;
          stoppers.push(() => poller.stop());
        } else if (trigger.kind === 'schedule') {
          schedules.push({
            functionName: fn.id,
            cron: `cron(${trigger.cron})`,
            timezone: trigger.timezone,
            timeoutSeconds: fn.timeoutSeconds,
            handler: loaded.handler<{ scheduledTime: string }, unknown>(fn),
          });
        }
      }
      scheduler = new Scheduler(schedules, (error, name) => onError(name)(error));
      scheduler.start();
      const started = scheduler;
      stoppers.push(() => started.stop());
    }

    let server: Server | undefined;
    if (http) {
      server = await startHttpServer({
        port: httpPort,
        routes: routeDefinitions,
        handler: loaded.handler(http),
        functionName: http.id,
        timeoutSeconds: http.timeoutSeconds,
        tokens,
        onError: onError(http.id),
        staticDir: join(repositoryRoot, 'packages/web/dist'),
      });
      const listening = server;
      stoppers.push(
        () =>
          new Promise<void>((done) => {
            listening.close(() => done());
            listening.closeIdleConnections();
          }),
      );
    }
    const address = server?.address();
    const port = typeof address === 'object' && address ? address.port : httpPort;

    return {
      httpUrl: `http://127.0.0.1:${port}`,
      dynamodbEndpoint: dynamo.endpoint,
      sqsEndpoint: sqsLocal.endpoint,
      dynamodbVersion: dynamo.version,
      dataDir,
      tables: byId(tables),
      queues: byId(queues),
      env,
      tokens,
      scheduler,
      streamConsumers,
      queueConsumers,
      requestCounts: () => (counting ? { ...loaded.requestCounts(), main: threadRequestCounts() } : {}),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
