/**
 * The idempotency middleware of the HTTP API against Powertools' real DynamoDB persistence layer, with the
 * DynamoDB client mocked as one in-memory table: proves the workaround of powertools-lambda-typescript#5675
 * (a refused request never deletes the record another invocation holds) without a local stack.
 */

import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  exactlyOncePerKey,
  json,
  problemDetails,
  SCOPED_IDEMPOTENCY_HEADER,
  scopeIdempotencyKey,
} from '@lindung/api';
import { QuotaExhaustedError } from '@lindung/core';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

type Item = Record<string, AttributeValue>;

/** One in-memory idempotency table behind the mocked client: conditional put, get, update, delete. */
const table = new Map<string, Item>();
const dynamodb = new DynamoDBClient({ region: 'ap-southeast-3' });
const mock = mockClient(dynamodb);

const keyOf = (input: { Key?: Item; Item?: Item }) => (input.Key ?? input.Item)?.id?.S ?? '';

beforeEach(() => {
  table.clear();
  mock.reset();
  mock.on(PutItemCommand).callsFake((input: { Item: Item }) => {
    const existing = table.get(keyOf(input));
    if (existing) {
      throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {}, Item: existing });
    }
    table.set(keyOf(input), input.Item);
    return {};
  });
  mock.on(GetItemCommand).callsFake((input: { Key: Item }) => ({ Item: table.get(keyOf(input)) }));
  mock.on(UpdateItemCommand).callsFake((input: { Key: Item; ExpressionAttributeValues: Item }) => {
    const item = table.get(keyOf(input)) ?? {};
    const values = input.ExpressionAttributeValues;
    table.set(keyOf(input), {
      ...item,
      ...(values[':status'] && { status: values[':status'] }),
      ...(values[':response_data'] && { data: values[':response_data'] }),
    });
    return {};
  });
  mock.on(DeleteItemCommand).callsFake((input: { Key: Item }) => {
    table.delete(keyOf(input));
    return {};
  });
});

/** A handler wired like the HTTP API's, whose work the test controls. */
const apiWith = (work: () => Promise<APIGatewayProxyStructuredResultV2>) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(problemDetails(new Logger({ logLevel: 'SILENT' })))
    .use(scopeIdempotencyKey())
    .use(
      exactlyOncePerKey({
        persistenceStore: new DynamoDBPersistenceLayer({
          tableName: 'idempotency',
          awsSdkV3Client: dynamodb,
        }),
        config: new IdempotencyConfig({
          eventKeyJmesPath: `headers."${SCOPED_IDEMPOTENCY_HEADER}"`,
          payloadValidationJmesPath: 'body',
          throwOnNoIdempotencyKey: false,
        }),
      }),
    )
    .handler(work);

const request = (body: unknown): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'POST /v1/sponsors',
    rawPath: '/v1/sponsors',
    rawQueryString: '',
    headers: { 'idempotency-key': 'k-1', 'content-type': 'application/json' },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      http: { method: 'POST', path: '/v1/sponsors' },
      authorizer: { jwt: { claims: { sub: 'admin-1' } } },
      requestId: 'r-1',
    },
  }) as unknown as APIGatewayProxyEventV2;

const context = { getRemainingTimeInMillis: () => 29_000, awsRequestId: 'a-1' } as unknown as Context;

/** A promise the test settles by hand: the first request's work, held open while others arrive. */
const held = <T>() => {
  let release: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => {
    release = resolve;
  });
  return { promise, release };
};

describe('exactly once per Idempotency-Key (workaround of Powertools #5675)', () => {
  it('answers a request meeting the first one in progress with 409 and Retry-After, and deletes nothing', async () => {
    // Prepare
    const first = held<APIGatewayProxyStructuredResultV2>();
    let executions = 0;
    const api = apiWith(() => {
      executions++;
      return first.promise;
    });

    // Act
    const running = api(request({ name: 'A' }), context);
    await expect.poll(() => executions).toBe(1);
    const concurrent = await api(request({ name: 'A' }), context);
    first.release(json(201, { id: 'S1' }));
    const answer = await running;
    const retry = await api(request({ name: 'A' }), context);

    // Assess
    expect(concurrent.statusCode).toBe(409);
    expect(concurrent.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(concurrent.body ?? '{}')).toMatchObject({ code: 'idempotency-in-progress' });
    expect(mock.commandCalls(DeleteItemCommand)).toHaveLength(0);
    expect(answer.statusCode).toBe(201);
    expect(retry).toEqual(answer);
    expect(executions).toBe(1);
  });

  it('answers the key with another body 422 idempotency-key-reused, and the first answer still replays', async () => {
    // Prepare
    let executions = 0;
    const api = apiWith(async () => json(201, { id: `S${++executions}` }));
    const answer = await api(request({ name: 'A' }), context);

    // Act
    const reused = await api(request({ name: 'B' }), context);
    const retry = await api(request({ name: 'A' }), context);

    // Assess
    expect(reused.statusCode).toBe(422);
    expect(JSON.parse(reused.body ?? '{}')).toMatchObject({ code: 'idempotency-key-reused' });
    expect(mock.commandCalls(DeleteItemCommand)).toHaveLength(0);
    expect(retry).toEqual(answer);
    expect(executions).toBe(1);
  });

  it('deletes its own record when its work fails, so that a retry runs again', async () => {
    // Prepare
    let executions = 0;
    const api = apiWith(async () => {
      executions++;
      if (executions === 1) throw new QuotaExhaustedError();
      return json(201, { id: 'E1' });
    });

    // Act
    const failed = await api(request({ nik: '1' }), context);
    const retry = await api(request({ nik: '1' }), context);

    // Assess
    expect(failed.statusCode).toBe(409);
    expect(JSON.parse(failed.body ?? '{}')).toMatchObject({ code: 'quota-exhausted' });
    expect(mock.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(retry.statusCode).toBe(201);
    expect(executions).toBe(2);
  });
});
