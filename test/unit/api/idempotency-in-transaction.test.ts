/**
 * The idempotency record written inside the caller's transaction, against Powertools' real DynamoDB persistence
 * layer, with the DynamoDB client mocked as one in-memory table: the record is Powertools' own (each layer reads
 * the other's), a key answered once is answered again from the record, and the middleware of the other routes
 * leaves such a route alone.
 */

import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  answeredOnce,
  exactlyOncePerKey,
  IDEMPOTENCY_RECORD_ACTION,
  json,
  problemDetails,
  SCOPED_IDEMPOTENCY_HEADER,
  scopeIdempotencyKey,
  TransactionalPersistenceLayer,
} from '@lindung/api';
import { AlreadyCoveredError, ValidationError } from '@lindung/core';
import { Transaction } from '@lindung/store';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

type Item = Record<string, AttributeValue>;

/** One in-memory idempotency table behind the mocked client: get, update, and puts alone or in a transaction. */
const table = new Map<string, Item>();
const dynamodb = new DynamoDBClient({ region: 'ap-southeast-3' });
const db = DynamoDBDocumentClient.from(dynamodb);
const mock = mockClient(dynamodb);
const documents = mockClient(db);

const keyOf = (input: { Key?: Item; Item?: Item }) => (input.Key ?? input.Item)?.id?.S ?? '';
/** A record a put may not replace: one that exists and has not expired (in-progress expiry aside). */
const live = (item: Item | undefined) => item !== undefined && Number(item.expiration?.N) > Date.now() / 1000;

beforeEach(() => {
  table.clear();
  mock.reset();
  documents.reset();
  // The document client's transaction, as the table sees it (the mock replaces its own marshalling).
  documents.on(TransactWriteCommand).callsFake((input: { TransactItems: { Put: { Item: object } }[] }) =>
    dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: input.TransactItems.map(({ Put }) => ({
          Put: { ...Put, Item: marshall(Put.Item) } as never,
        })),
      }),
    ),
  );
  mock.on(PutItemCommand).callsFake((input: { Item: Item }) => {
    table.set(keyOf(input), input.Item);
    return {};
  });
  mock.on(GetItemCommand).callsFake((input: { Key: Item }) => ({ Item: table.get(keyOf(input)) }));
  mock.on(UpdateItemCommand).callsFake((input: { Key: Item; ExpressionAttributeValues: Item }) => {
    const values = input.ExpressionAttributeValues;
    table.set(keyOf(input), {
      ...table.get(keyOf(input)),
      ...input.Key,
      status: values[':status'] as AttributeValue,
      expiration: values[':expiry'] as AttributeValue,
      ...(values[':response_data'] && { data: values[':response_data'] }),
      ...(values[':validation_key'] && { validation: values[':validation_key'] }),
    });
    return {};
  });
  mock.on(TransactWriteItemsCommand).callsFake((input: { TransactItems: { Put: { Item: Item } }[] }) => {
    const puts = input.TransactItems.map((action) => action.Put);
    if (puts.some((put) => live(table.get(keyOf(put))))) {
      throw new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: puts.map((put) => ({
          Code: live(table.get(keyOf(put))) ? 'ConditionalCheckFailed' : 'None',
        })),
      });
    }
    for (const put of puts) table.set(keyOf(put), put.Item);
    return {};
  });
});

const config = () =>
  new IdempotencyConfig({
    eventKeyJmesPath: `headers."${SCOPED_IDEMPOTENCY_HEADER}"`,
    payloadValidationJmesPath: 'body',
    throwOnNoIdempotencyKey: false,
    expiresAfterSeconds: 24 * 60 * 60,
  });

const ENROLL = 'POST /v1/villages/{code}/enrollments';

const request = (body: unknown, routeKey = ENROLL): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey,
    rawPath: '/v1/villages/15.03.01.2001/enrollments',
    rawQueryString: '',
    headers: { 'idempotency-key': 'k-1', 'content-type': 'application/json' },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      http: { method: 'POST', path: '/v1/villages/15.03.01.2001/enrollments' },
      authorizer: { jwt: { claims: { sub: 'operator-1' } } },
      requestId: 'r-1',
    },
  }) as unknown as APIGatewayProxyEventV2;

const context = { getRemainingTimeInMillis: () => 29_000, awsRequestId: 'a-1' } as unknown as Context;

/**
 * A handler wired like the HTTP API's: the enrollment route keeps its record in its "transaction" (here a
 * transaction of the record alone, after `before` ran), every other route goes through Powertools' middleware.
 */
const apiWith = (
  persistenceStore: TransactionalPersistenceLayer,
  work: { before?: () => void; answer: () => APIGatewayProxyStructuredResultV2 },
) => {
  const options = { persistenceStore, config: config() };
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(problemDetails(new Logger({ logLevel: 'SILENT' })))
    .use(scopeIdempotencyKey())
    .use(exactlyOncePerKey(options, [ENROLL]))
    .handler(async (event) =>
      event.routeKey !== ENROLL
        ? work.answer()
        : ((await answeredOnce(options, event, async (record) => {
            work.before?.();
            const answer = work.answer();
            const transaction = new Transaction();
            if (record) transaction.add(IDEMPOTENCY_RECORD_ACTION, record(answer));
            await transaction.run(db);
            return answer;
          })) as APIGatewayProxyStructuredResultV2),
    );
};

const layer = () => new TransactionalPersistenceLayer({ tableName: 'idempotency', awsSdkV3Client: dynamodb });

describe('the idempotency record in the caller’s transaction', () => {
  it('writes the record Powertools writes for the same request: status, answer, validation hash and expiry', async () => {
    // Prepare: Powertools' own middleware answers on another route key; the same request on ours is compared.
    const answer = json(201, { id: 'E1' });
    const powertools = apiWith(layer(), { answer: () => answer });
    await powertools(request({ nik: '1' }, 'POST /v1/other'), context);
    const [powertoolsRecord] = [...table.values()];
    table.clear();
    const ours = apiWith(layer(), { answer: () => answer });

    // Act
    await ours(request({ nik: '1' }, ENROLL), context);
    const [ourRecord] = [...table.values()];

    // Assess
    expect(ourRecord?.status).toEqual(powertoolsRecord?.status);
    expect(ourRecord?.status).toEqual({ S: 'COMPLETED' });
    expect(ourRecord?.data).toEqual(powertoolsRecord?.data);
    expect(ourRecord?.validation).toEqual(powertoolsRecord?.validation);
    expect(Number(ourRecord?.expiration?.N)).toBeCloseTo(Number(powertoolsRecord?.expiration?.N), -1);
  });

  it('is read back by Powertools’ own persistence layer as the completed answer', async () => {
    // Prepare
    const answer = json(201, { id: 'E1' });
    const api = apiWith(layer(), { answer: () => answer });
    await api(request({ nik: '1' }), context);
    const event = request({ nik: '1' });
    event.headers[SCOPED_IDEMPOTENCY_HEADER] = `operator-1:${ENROLL}:k-1`;
    const powertools = new DynamoDBPersistenceLayer({ tableName: 'idempotency', awsSdkV3Client: dynamodb });
    powertools.configure({ config: config() });

    // Act
    const record = await powertools.getRecord(event as never);

    // Assess
    expect(record.getStatus()).toBe('COMPLETED');
    expect(record.getResponse()).toEqual(answer);
  });

  it('answers a retry from the record in one transaction attempt, without doing the work again', async () => {
    // Prepare
    let executions = 0;
    const api = apiWith(layer(), { answer: () => json(201, { id: `E${++executions}` }) });
    const first = await api(request({ nik: '1' }), context);

    // Act
    const retry = await api(request({ nik: '1' }), context);

    // Assess
    expect(first.statusCode).toBe(201);
    expect(retry).toEqual(first);
    expect(table.size).toBe(1);
    expect(JSON.parse(String(first.body))).toEqual({ id: 'E1' });
    expect(mock.commandCalls(PutItemCommand)).toHaveLength(0);
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('answers the key with another body 422 idempotency-key-reused, and the first answer still replays', async () => {
    // Prepare
    let executions = 0;
    const api = apiWith(layer(), { answer: () => json(201, { id: `E${++executions}` }) });
    const first = await api(request({ nik: '1' }), context);

    // Act
    const reused = await api(request({ nik: '2' }), context);
    const retry = await api(request({ nik: '1' }), context);

    // Assess
    expect(reused.statusCode).toBe(422);
    expect(JSON.parse(String(reused.body))).toMatchObject({ code: 'idempotency-key-reused' });
    expect(retry).toEqual(first);
  });

  it('answers a key answered before from its record even when the work now fails before its transaction', async () => {
    // Prepare: the worker is covered by the first request, so the same request now fails its own check.
    let covered = false;
    const api = apiWith(layer(), {
      before: () => {
        if (covered) throw new AlreadyCoveredError();
        covered = true;
      },
      answer: () => json(201, { id: 'E1' }),
    });
    const first = await api(request({ nik: '1' }), context);

    // Act
    const retry = await api(request({ nik: '1' }), context);
    const other = await api(request({ nik: '2' }), context);

    // Assess
    expect(retry).toEqual(first);
    expect(other.statusCode).toBe(422);
    expect(JSON.parse(String(other.body))).toMatchObject({ code: 'idempotency-key-reused' });
  });

  it('stores nothing for a failure, so that a retry runs again', async () => {
    // Prepare
    let attempts = 0;
    const api = apiWith(layer(), {
      before: () => {
        if (++attempts === 1) throw new ValidationError('not yet');
      },
      answer: () => json(201, { id: 'E1' }),
    });

    // Act
    const failed = await api(request({ nik: '1' }), context);
    const retry = await api(request({ nik: '1' }), context);

    // Assess
    expect(failed.statusCode).toBe(422);
    expect(JSON.parse(String(failed.body))).toMatchObject({ code: 'validation-failed' });
    expect(retry.statusCode).toBe(201);
    expect(attempts).toBe(2);
  });

  it('writes no record for a request without a key', async () => {
    // Prepare
    let executions = 0;
    const api = apiWith(layer(), { answer: () => json(201, { id: `E${++executions}` }) });
    const event = request({ nik: '1' });
    delete event.headers['idempotency-key'];

    // Act
    const answers = [await api(event, context), await api(request({ nik: '1' }), context)];

    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201]);
    expect(executions).toBe(2);
    expect(table.size).toBe(1);
  });
});
