/**
 * What deploys is what runs: each deployed function is bundled with exactly the CDK's esbuild options
 * (infra/lib/bundles.ts), its output (index.mjs and what esbuild emits beside it) copied into an empty
 * folder under the system's temporary directory, where no `node_modules` can be found, and invoked there by
 * plain `node` in a process of its own (its own module instance and environment, as Lambda runs it) with a
 * real event for each of its triggers, against the embedded DynamoDB Local and SQS of the e2e run.
 *
 * The functions talk to queues of their own on the same SQS emulator, so the stack's pollers never take the
 * messages that the period roll and the renewal worker send: the test hands those very messages to the next
 * function, as SQS would. The stream projector gets the ledger table's own stream records.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { villagesOf } from '@lindung/core';
import { deadLetterQueueUrlEnvName, message, queueDefinitions, queueUrlEnvName } from '@lindung/messaging';
import type { APIGatewayProxyEventV2, DynamoDBRecord, SQSRecord } from 'aws-lambda';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  billingInboxFunction,
  billingResendFunction,
  type FunctionDefinition,
  functionDefinitions,
  httpApiFunction,
  importWorkerFunction,
  invoiceNumberingFunction,
  periodRollFunction,
  renewalWorkerFunction,
  reportsProjectorFunction,
} from '../../functions/registry.js';
import { deployedDefinitions, esbuildOptions } from '../../infra/lib/bundles.js';
import { repositoryRoot } from '../../infra/lib/lindung-function.js';
import { localClients, localStack } from '../support/local-stack.js';

const run = promisify(execFile);
const stack = localStack();
const clients = localClients(stack);
const deployed = deployedDefinitions(functionDefinitions);

// Imports the bundle by its file URL, invokes its handler once with a Lambda-like context and writes the
// result to a file (the function's logger writes to stdout). Only node: modules: nothing else is there.
const INVOKER = `import { readFile, writeFile } from 'node:fs/promises';
const [bundle, eventFile, resultFile, functionName, timeoutSeconds] = process.argv.slice(2);
const { handler } = await import(bundle);
const event = JSON.parse(await readFile(eventFile, 'utf8'));
const deadline = Date.now() + Number(timeoutSeconds) * 1000;
const context = {
  callbackWaitsForEmptyEventLoop: false, functionName, functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-southeast-3:000000000000:function:' + functionName,
  memoryLimitInMB: '1024', awsRequestId: crypto.randomUUID(), logGroupName: '/aws/lambda/' + functionName,
  logStreamName: 'bundle-test', getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done() {}, fail() {}, succeed() {},
};
const result = await handler(event, context);
await writeFile(resultFile, JSON.stringify(result ?? null));
process.exit(0);
`;

let folder = '';
const environment: Record<string, string> = {};
const privateQueues: Record<string, { url: string; arn: string }> = {};
let streamIterators: string[] = [];

/** The function's bundle folder: every file esbuild wrote for it, and nothing else. */
const bundleFolder = (definition: FunctionDefinition) => join(folder, definition.id);

/**
 * Runs the deployed bundle of `definition` on `event` in a fresh `node` process; its result. `overrides`
 * changes the function's environment (`undefined` removes a variable).
 */
const invoke = async <R>(
  definition: FunctionDefinition,
  event: unknown,
  overrides: Readonly<Record<string, string | undefined>> = {},
): Promise<R> => {
  const id = randomUUID();
  const eventFile = join(folder, `${id}.event.json`);
  const resultFile = join(folder, `${id}.result.json`);
  await writeFile(eventFile, JSON.stringify(event));
  try {
    await run(
      process.execPath,
      [
        join(folder, 'invoke.mjs'),
        pathToFileURL(join(bundleFolder(definition), 'index.mjs')).href,
        eventFile,
        resultFile,
        definition.id,
        String(definition.timeoutSeconds),
      ],
      {
        cwd: bundleFolder(definition),
        // What Lambda gives a function: its own variables (those the CDK sets, the stack's endpoints and
        // names) and nothing of this process's environment.
        env: Object.fromEntries(
          Object.entries({
            PATH: dirname(process.execPath),
            ...environment,
            LINDUNG_STAGE: 'local',
            POWERTOOLS_SERVICE_NAME: definition.id,
            POWERTOOLS_LOG_LEVEL: 'ERROR',
            NODE_OPTIONS: '--enable-source-maps',
            AWS_LAMBDA_FUNCTION_NAME: definition.id,
            ...overrides,
          }).filter((entry): entry is [string, string] => entry[1] !== undefined),
        ),
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (error) {
    const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
    throw new Error(`${definition.id} failed from ${bundleFolder(definition)}:\n${stderr}\n${stdout}`);
  }
  return JSON.parse(await readFile(resultFile, 'utf8')) as R;
};

interface HttpAnswer {
  readonly statusCode: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  readonly body: any;
}

/** An API Gateway HTTP API (payload 2.0) event as the JWT authorizer hands it to the function. */
const httpEvent = (
  routeKey: string,
  path: string,
  {
    claims,
    body,
    csv,
    query,
    pathParameters,
  }: {
    claims?: Record<string, string>;
    body?: unknown;
    /** A `text/csv` body instead of JSON. */
    csv?: string;
    query?: Record<string, string>;
    pathParameters?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2 => {
  const now = new Date();
  const method = routeKey.split(' ')[0] ?? 'GET';
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {
      host: 'api.lindung.test',
      'content-type': csv === undefined ? 'application/json' : 'text/csv; charset=utf-8',
      'user-agent': 'bundle-test',
    },
    ...(query && { queryStringParameters: query }),
    ...(pathParameters && { pathParameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bundles',
      domainName: 'api.lindung.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bundle-test' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(claims && { authorizer: { jwt: { claims, scopes: [] } } }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    ...(csv !== undefined && { body: csv }),
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
};

const callApi = async (...args: Parameters<typeof httpEvent>): Promise<HttpAnswer> =>
  callApiWith({}, ...args);

/** `callApi` with the function's environment changed (see `invoke`). */
const callApiWith = async (
  overrides: Readonly<Record<string, string | undefined>>,
  ...args: Parameters<typeof httpEvent>
): Promise<HttpAnswer> => {
  const result = await invoke<{ statusCode: number; body?: string }>(
    httpApiFunction,
    httpEvent(...args),
    overrides,
  );
  return { statusCode: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined };
};

/** Claims as API Gateway's JWT authorizer passes them: strings, lists written `[a b]`. */
const claimsOf = (
  sub: string,
  roles: string[],
  scope: { sponsorId?: string; villageCodes?: string[] } = {},
) => ({
  sub,
  roles: `[${roles.join(' ')}]`,
  ...(scope.sponsorId && { sponsorId: scope.sponsorId }),
  ...(scope.villageCodes && { villageCodes: `[${scope.villageCodes.join(' ')}]` }),
});

/** An SQS event of received messages, as Lambda's event source mapping builds it. */
const sqsEvent = (queue: { arn: string }, messages: readonly Message[]): { Records: SQSRecord[] } => ({
  Records: messages.map((m) => ({
    messageId: m.MessageId ?? randomUUID(),
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: stack.env.AWS_REGION ?? 'ap-southeast-3',
  })),
});

/** Every message waiting on one of the functions' own queues, taken off it (a FIFO group's next comes then). */
const drain = async (queueId: string): Promise<Message[]> => {
  const url = privateQueues[queueId]?.url ?? '';
  const received: Message[] = [];
  for (;;) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: received.length === 0 ? 2 : 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return received;
    received.push(...Messages);
    for (const m of Messages) {
      await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
};

/** The ledger stream's records since the test began, as Lambda's DynamoDB event source hands them over. */
const newStreamRecords = async (): Promise<DynamoDBRecord[]> => {
  const streamArn = stack.tables.ledger?.streamArn ?? '';
  const records: StreamRecord[] = [];
  const next: string[] = [];
  for (const iterator of streamIterators) {
    let current: string | undefined = iterator;
    while (current) {
      const page: GetRecordsCommandOutput = await clients.streams.send(
        new GetRecordsCommand({ ShardIterator: current }),
      );
      records.push(...(page.Records ?? []));
      if ((page.Records ?? []).length === 0) {
        if (page.NextShardIterator) next.push(page.NextShardIterator);
        break;
      }
      current = page.NextShardIterator;
    }
  }
  streamIterators = next;
  return records.map((record) => ({
    eventID: record.eventID ?? randomUUID(),
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'ap-southeast-3',
    eventSourceARN: streamArn,
    dynamodb: {
      ...record.dynamodb,
      ApproximateCreationDateTime: Math.floor(
        (record.dynamodb?.ApproximateCreationDateTime ?? new Date()).getTime() / 1000,
      ),
    } as DynamoDBRecord['dynamodb'],
  }));
};

beforeAll(async () => {
  // Prepare: the bundles, outside the repository and out of reach of any node_modules folder.
  folder = await mkdtemp(join(tmpdir(), 'lindung-deployed-'));
  for (let dir = folder; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) throw new Error(`${dir} holds a node_modules folder`);
  }
  if (!relative(repositoryRoot, folder).startsWith('..'))
    throw new Error(`${folder} is inside the repository`);
  await writeFile(join(folder, 'invoke.mjs'), INVOKER);
  for (const definition of deployed) {
    const result = await esbuild.build(esbuildOptions(definition.entry));
    await mkdir(bundleFolder(definition));
    for (const file of result.outputFiles) {
      await writeFile(join(bundleFolder(definition), basename(file.path)), file.contents);
    }
  }

  // The functions' environment: the stack's, with queues of their own.
  const suffix = randomUUID().slice(0, 8);
  Object.assign(environment, stack.env);
  for (const queue of queueDefinitions) {
    const fifo = queue.fifo ? '.fifo' : '';
    const [url, deadLetterUrl] = await Promise.all(
      [`bundles-${suffix}-${queue.id}${fifo}`, `bundles-${suffix}-${queue.id}-dlq${fifo}`].map(
        async (QueueName) =>
          (
            await clients.sqs.send(
              new CreateQueueCommand({
                QueueName,
                ...(fifo && { Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } }),
              }),
            )
          ).QueueUrl ?? '',
      ),
    );
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    privateQueues[queue.id] = { url: url ?? '', arn: Attributes?.QueueArn ?? '' };
    environment[queueUrlEnvName(queue)] = url ?? '';
    environment[deadLetterQueueUrlEnvName(queue)] = deadLetterUrl ?? '';
  }

  // Where the ledger stream stands now: the projector gets the records written from here on.
  const streamArn = stack.tables.ledger?.streamArn ?? '';
  const { StreamDescription } = await clients.streams.send(
    new DescribeStreamCommand({ StreamArn: streamArn }),
  );
  streamIterators = await Promise.all(
    (StreamDescription?.Shards ?? [])
      .filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined)
      .map(
        async (shard) =>
          (
            await clients.streams.send(
              new GetShardIteratorCommand({
                StreamArn: streamArn,
                ShardId: shard.ShardId,
                ShardIteratorType: 'LATEST',
              }),
            )
          ).ShardIterator ?? '',
      ),
  );
});

afterAll(async () => {
  await Promise.all(
    Object.values(privateQueues).map(({ url }) =>
      clients.sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined),
    ),
  );
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('the deployed bundles, run from an empty folder as Lambda runs them', () => {
  const jambiVillages = villagesOf('15.71.01').map((v) => v.code as string);
  const [village = '', secondVillage = ''] = jambiVillages;
  const fiscalYear = 2034;
  const state = { sponsorId: '', commitmentId: '', invoiceId: '' };
  const renewalWork: Message[] = [];
  const numberingRequests: Message[] = [];
  const admin = claimsOf('bundles-admin', ['admin']);
  const officer = () =>
    claimsOf(`bundles-officer-${state.sponsorId}`, ['sponsor-officer'], { sponsorId: state.sponsorId });
  const approver = () =>
    claimsOf(`bundles-approver-${state.sponsorId}`, ['sponsor-approver'], { sponsorId: state.sponsorId });

  it('are self-contained: each folder holds only what esbuild wrote, the region data beside the API', async () => {
    // Act
    const files = Object.fromEntries(
      await Promise.all(deployed.map(async (d) => [d.id, (await readdir(bundleFolder(d))).sort()] as const)),
    );
    const sources = await Promise.all(
      deployed.map((d) => readFile(join(bundleFolder(d), 'index.mjs'), 'utf8')),
    );

    // Assess
    expect(files[httpApiFunction.id]).toEqual([
      'index.mjs',
      'index.mjs.map',
      expect.stringMatching(/^lindung\.openapi-\w+\.json$/),
      expect.stringMatching(/^regions-\w+\.dat$/),
    ]);
    expect(files[importWorkerFunction.id]).toEqual([
      'index.mjs',
      'index.mjs.map',
      expect.stringMatching(/^regions-\w+\.dat$/),
    ]);
    for (const source of sources) {
      expect(source).not.toMatch(/require\.resolve\(|idn-area-data\/|node_modules\//);
    }
  });

  it('http-api answers GET /health', async () => {
    // Act
    const health = await callApi('GET /health', '/health');

    // Assess
    expect(health.statusCode).toBe(200);
  });

  it('http-api serves the OpenAPI document from the file beside its index.mjs, as generated', async () => {
    // Act
    const served = await callApi('GET /v1/openapi.json', '/v1/openapi.json');

    // Assess
    expect(served.statusCode).toBe(200);
    expect(served.body).toEqual(
      JSON.parse(
        await readFile(join(repositoryRoot, 'packages/api/src/generated/lindung.openapi.json'), 'utf8'),
      ),
    );
  });

  it('http-api drafts a percent-of-grant commitment over every village of Jambi from the shipped region data', async () => {
    // Prepare
    const sponsor = await callApi('POST /v1/sponsors', '/v1/sponsors', {
      claims: admin,
      body: { name: 'Provinsi Jambi', kind: 'province', regionCode: '15' },
    });
    state.sponsorId = sponsor.body.id;

    // Act
    const draft = await callApi('POST /v1/commitments', '/v1/commitments', {
      claims: officer(),
      body: {
        sponsorId: state.sponsorId,
        fiscalYear: 2027,
        budget: { kind: 'percent-of-grant', grantPerVillage: 100_000_000, percent: 10, region: '15' },
        benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
      },
    });

    // Assess
    expect(sponsor.statusCode).toBe(201);
    expect(draft.statusCode).toBe(201);
    expect(draft.body.budget).toBe(15_850_000_000);
  });

  it('http-api reports coverage for region 15 under its idn-area-data name', async () => {
    // Act
    const report = await callApi('GET /v1/reports/coverage', '/v1/reports/coverage', {
      claims: claimsOf('bundles-auditor', ['auditor']),
      query: { region: '15' },
    });

    // Assess
    expect(report.statusCode).toBe(200);
    expect(report.body.region).toMatchObject({ code: '15', name: 'Jambi' });
  });

  it('period-roll fans a scheduled month out to renewal-work', async () => {
    // Prepare: an active commitment of its own fiscal year, one worker enrolled from January.
    const draft = await callApi('POST /v1/commitments', '/v1/commitments', {
      claims: officer(),
      body: {
        sponsorId: state.sponsorId,
        fiscalYear,
        budget: { kind: 'fixed', amount: 20_000_000 },
        benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
        reservation: 'fiscal-year',
        allocation: { method: 'equal', villages: [village, secondVillage] },
      },
    });
    state.commitmentId = draft.body.id;
    const approved = await callApi(
      'POST /v1/commitments/{id}/approve',
      `/v1/commitments/${state.commitmentId}/approve`,
      {
        claims: approver(),
        body: {},
        pathParameters: { id: state.commitmentId },
      },
    );
    const enrolled = await callApi(
      'POST /v1/villages/{code}/enrollments',
      `/v1/villages/${village}/enrollments`,
      {
        claims: claimsOf(`bundles-operator-${village}`, ['village-operator'], { villageCodes: [village] }),
        body: {
          commitmentId: state.commitmentId,
          worker: {
            nik: `${village.replaceAll('.', '').slice(0, 6)}150190${String(Date.now() % 10_000).padStart(4, '0')}`,
          },
          startPeriod: `${fiscalYear}-01`,
        },
        pathParameters: { code: village },
      },
    );

    // Act: EventBridge Scheduler's input, 00:05 on 1 January in Jakarta.
    const summary = await invoke<Record<string, unknown>>(periodRollFunction, {
      scheduledTime: new Date(`${fiscalYear}-01-01T00:05:00+07:00`).toISOString(),
    });
    const work = await drain('renewal-work');

    // Assess
    expect(draft.statusCode).toBe(201);
    expect(approved.statusCode).toBe(200);
    expect(enrolled.statusCode).toBe(201);
    expect(summary).not.toBeNull();
    const bodies = work.map((m) => JSON.parse(m.Body ?? '{}'));
    expect(
      bodies
        .filter((b) => b.data.commitmentId === state.commitmentId)
        .map((b) => b.data.villageCode)
        .sort(),
    ).toEqual([village, secondVillage].sort());
    renewalWork.push(...work);
  });

  it('renewal-worker rolls the villages of an SQS batch and asks invoice-numbering to number their drafts', async () => {
    // Act
    const result = await invoke<{ batchItemFailures: unknown[] }>(
      renewalWorkerFunction,
      sqsEvent(privateQueues['renewal-work'] ?? { arn: '' }, renewalWork),
    );
    const drafted = (await drain('invoice-numbering')).filter((m) =>
      JSON.parse(m.Body ?? '{}').data.invoiceId.startsWith(state.commitmentId),
    );

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    // The village with a worker has an invoice to number; the other had nothing to invoice.
    expect(drafted.map((m) => JSON.parse(m.Body ?? '{}'))).toEqual([
      expect.objectContaining({
        type: 'invoice.drafted',
        data: expect.objectContaining({ invoiceId: `${state.commitmentId}_${village}_${fiscalYear}-01` }),
      }),
    ]);
    expect(new Set(drafted.map((m) => m.Attributes?.MessageGroupId))).toEqual(
      new Set([`${state.sponsorId}#${fiscalYear}`]),
    );
    numberingRequests.push(...drafted);
  });

  it('invoice-numbering numbers a FIFO batch and issues its invoices to billing-outbox', async () => {
    // Act
    const result = await invoke<{ batchItemFailures: unknown[] }>(
      invoiceNumberingFunction,
      sqsEvent(privateQueues['invoice-numbering'] ?? { arn: '' }, numberingRequests),
    );
    const issued = (await drain('billing-outbox'))
      .map((m) => JSON.parse(m.Body ?? '{}'))
      .filter((m) => m.type === 'invoice.issued' && m.data.commitmentId === state.commitmentId);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(issued.map((m) => m.data.villageCode)).toContain(village);
    expect(issued.map((m) => m.data.numberText)).toEqual([`${fiscalYear}/000001`]);
    state.invoiceId = issued.find((m) => m.data.villageCode === village)?.data.invoiceId ?? '';
  });

  it('billing-resend hands billing again an invoice it has not answered within the hour', async () => {
    // Act: EventBridge Scheduler's input during the invoice's month, long after it was handed over (today).
    const summary = await invoke<{ unanswered: number; resent: number }>(billingResendFunction, {
      scheduledTime: new Date(`${fiscalYear}-01-01T01:10:00+07:00`).toISOString(),
    });
    const again = (await drain('billing-outbox'))
      .map((m) => JSON.parse(m.Body ?? '{}'))
      .filter((m) => m.type === 'invoice.issued' && m.data.invoiceId === state.invoiceId);

    // Assess
    expect(summary.resent).toBeGreaterThanOrEqual(1);
    expect(again).toHaveLength(1);
  });

  it('import-worker enrolls the rows of an import job from import-work, one row refused and explained', async () => {
    // Prepare: a CSV of two workers posted to http-api (202 with the job), its work message on import-work.
    const operator = claimsOf(`bundles-operator-${village}`, ['village-operator'], {
      villageCodes: [village],
    });
    const nik = `${village.replaceAll('.', '').slice(0, 6)}150185${String((Date.now() + 1) % 10_000).padStart(4, '0')}`;
    const posted = await callApi(
      'POST /v1/villages/{code}/enrollments/import',
      `/v1/villages/${village}/enrollments/import`,
      {
        claims: operator,
        csv: `nik,name,startPeriod\n${nik},Siti Aminah,${fiscalYear}-02\n${nik.slice(0, 15)},Pendek,${fiscalYear}-02\n`,
        query: { commitmentId: state.commitmentId },
        pathParameters: { code: village },
      },
    );
    const work = await drain('import-work');

    // Act
    const result = await invoke<{ batchItemFailures: unknown[] }>(
      importWorkerFunction,
      sqsEvent(privateQueues['import-work'] ?? { arn: '' }, work),
    );
    const job = await callApi('GET /v1/imports/{id}', `/v1/imports/${posted.body.id}`, {
      claims: operator,
      pathParameters: { id: posted.body.id },
    });

    // Assess
    expect(posted.statusCode).toBe(202);
    expect(work.map((m) => JSON.parse(m.Body ?? '{}').data.jobId)).toEqual([posted.body.id]);
    expect(result.batchItemFailures).toEqual([]);
    expect(job.statusCode).toBe(200);
    expect(job.body).toMatchObject({ state: 'done', rows: { total: 2, done: 2, enrolled: 1, refused: 1 } });
    expect(job.body.items.map((r: { outcome: string; code?: string }) => [r.outcome, r.code])).toEqual([
      ['enrolled', undefined],
      ['refused', 'validation-failed'],
    ]);
  });

  it('http-api reads the NIK hashing key as on AWS, from the Parameters and Secrets extension', async () => {
    // Prepare: the extension's endpoint on localhost, serving the stack's key for the session token; the
    // function gets only the secret's ARN, as the CDK configures it.
    const arn = 'arn:aws:secretsmanager:ap-southeast-3:000000000000:secret:lindung/local/nik-hash-key';
    const asked: string[] = [];
    const extension = createServer((request, response) => {
      asked.push(`${request.url} ${request.headers['x-aws-parameters-secrets-token']}`);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ARN: arn, SecretString: environment.NIK_HASH_KEY }));
    });
    await new Promise<void>((resolve) => extension.listen(0, '127.0.0.1', resolve));
    const operator = claimsOf(`bundles-operator-${village}`, ['village-operator'], {
      villageCodes: [village],
    });
    const nik = `${village.replaceAll('.', '').slice(0, 6)}150186${String((Date.now() + 2) % 10_000).padStart(4, '0')}`;

    // Act
    const enrolled = await callApiWith(
      {
        NIK_HASH_KEY: undefined,
        NIK_HASH_KEY_SECRET_ARN: arn,
        AWS_SESSION_TOKEN: 'bundle-session',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((extension.address() as AddressInfo).port),
      },
      'POST /v1/villages/{code}/enrollments',
      `/v1/villages/${village}/enrollments`,
      {
        claims: operator,
        body: { commitmentId: state.commitmentId, worker: { nik }, startPeriod: `${fiscalYear}-03` },
        pathParameters: { code: village },
      },
    );
    await new Promise((resolve) => extension.close(resolve));
    // The same worker through the stack's own key: already covered, so both hashed the NIK alike.
    const again = await callApi(
      'POST /v1/villages/{code}/enrollments',
      `/v1/villages/${village}/enrollments`,
      {
        claims: operator,
        body: { commitmentId: state.commitmentId, worker: { nik }, startPeriod: `${fiscalYear}-03` },
        pathParameters: { code: village },
      },
    );

    // Assess
    expect(enrolled.statusCode).toBe(201);
    expect(asked).toEqual([`/secretsmanager/get?secretId=${encodeURIComponent(arn)} bundle-session`]);
    expect(again.statusCode).toBe(409);
    expect(again.body.code).toBe('already-covered');
  });

  it('billing-inbox applies BPJS billing’s acknowledgement from an SQS batch', async () => {
    // Prepare
    const answer = message('invoice.acknowledged', randomUUID(), {
      invoiceId: state.invoiceId,
      paymentCode: '89012345678',
    });
    const queue = privateQueues['billing-inbox'] ?? { arn: '' };

    // Act
    const result = await invoke<{ batchItemFailures: unknown[] }>(
      billingInboxFunction,
      sqsEvent(queue, [
        { MessageId: randomUUID(), ReceiptHandle: randomUUID(), Body: JSON.stringify(answer) },
      ]),
    );
    const invoice = await callApi('GET /v1/invoices/{id}', `/v1/invoices/${state.invoiceId}`, {
      claims: officer(),
      pathParameters: { id: state.invoiceId },
    });

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(invoice.statusCode).toBe(200);
    expect(invoice.body.paymentCode).toBe('89012345678');
  });

  it('reports-projector projects the ledger stream records these invocations wrote', async () => {
    // Prepare
    const records = await newStreamRecords();

    // Act
    const result = await invoke<{ batchItemFailures?: unknown[] } | null>(reportsProjectorFunction, {
      Records: records,
    });

    // Assess
    expect(records.length).toBeGreaterThan(0);
    expect(result?.batchItemFailures ?? []).toEqual([]);
  });
});
