import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { retrying, ValidationError } from '@lindung/core';

/** What DynamoDB says when a query's `ExclusiveStartKey` is not one of its own `LastEvaluatedKey`s. */
const REFUSED_START_KEY = /start(ing)? key|key schema|primary key values/i;

/**
 * A document client that drops `undefined` attributes; one per execution environment. A query whose start
 * key (a client's page token) DynamoDB refuses fails with a `ValidationError` of `pageToken` rather than a
 * 500, whichever repository sent it.
 */
export const documentClient = (client: DynamoDBClient = new DynamoDBClient({})) => {
  const document = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  document.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const input = args.input as { ExclusiveStartKey?: unknown };
        if (
          context.commandName === 'QueryCommand' &&
          input.ExclusiveStartKey !== undefined &&
          error instanceof Error &&
          error.name === 'ValidationException' &&
          REFUSED_START_KEY.test(error.message)
        ) {
          throw ValidationError.forField('pageToken', 'is not a page token of this list', { cause: error });
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'refusedStartKeyIsAValidationError' },
  );
  return document;
};

/** The reason codes of a cancelled transaction, by action index (`None` for the actions that passed). */
export const cancellationReasons = (error: unknown) => {
  // A `TransactionRefused` (transaction.ts) holds DynamoDB's cancellation as its cause.
  const cancelled = error instanceof Error && error.name === 'TransactionRefused' ? error.cause : error;
  return cancelled instanceof TransactionCanceledException
    ? (cancelled.CancellationReasons ?? [])
    : undefined;
};

/** An opaque page token for a `LastEvaluatedKey`. */
export const encodePageToken = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

/** The key attributes of the ledger table and its indexes: all a `LastEvaluatedKey` can hold. */
const KEY_ATTRIBUTES: ReadonlySet<string> = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk']);

/** DynamoDB's limit on the size of a key value, in bytes (partition keys may take 2048, sort keys 1024). */
const MAX_KEY_BYTES = 1024;

/**
 * What a page token of one query must hold: each key attribute the query returns, with its exact value (the
 * partition queried) or a prefix (the sort key range of a `begins_with`). A token of another query would make
 * DynamoDB refuse the start key, so it is refused first, as a validation error.
 */
export type PageTokenRule = Readonly<
  Record<string, { readonly equals: string } | { readonly startsWith: string }>
>;

const isStartKey = (key: unknown): key is Record<string, string> =>
  typeof key === 'object' &&
  key !== null &&
  !Array.isArray(key) &&
  'pk' in key &&
  'sk' in key &&
  Object.entries(key).every(
    ([name, value]) =>
      KEY_ATTRIBUTES.has(name) &&
      typeof value === 'string' &&
      value.length > 0 &&
      Buffer.byteLength(value) <= MAX_KEY_BYTES,
  );

const follows = (key: Record<string, string>, rule: PageTokenRule): boolean =>
  Object.keys(key).length === Object.keys(rule).length &&
  Object.entries(rule).every(([name, expected]) => {
    const value = key[name];
    if (value === undefined) return false;
    return 'equals' in expected ? value === expected.equals : value.startsWith(expected.startsWith);
  });

/**
 * Reads a page token back; a tampered or foreign token is a validation error, never a crash. With a `rule`,
 * the token must also be one of that query (see {@link PageTokenRule}).
 */
export const decodePageToken = (
  token: string | undefined,
  rule?: PageTokenRule,
): Record<string, unknown> | undefined => {
  if (token === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    // falls through to the validation error
  }
  if (isStartKey(key) && (!rule || follows(key, rule))) return key;
  throw ValidationError.forField('pageToken', 'is not a page token issued by this API');
};

/**
 * One page of the items of partition `pk` whose sort keys start with `prefix`, by sort key, with the token of
 * the next page (which only this query accepts back).
 */
export const queryPage = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  { pk, prefix }: { readonly pk: string; readonly prefix: string },
  limit: number,
  pageToken: string | undefined,
): Promise<{ items: Record<string, unknown>[]; nextPageToken?: string }> => {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw ValidationError.forField('limit', 'must be a whole number from 1 to 1000');
  }
  const startKey = decodePageToken(pageToken, { pk: { equals: pk }, sk: { startsWith: prefix } });
  // DynamoDB refuses an empty string in a key condition: no prefix is the whole partition.
  const { Items = [], LastEvaluatedKey } = await db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk, ...(prefix && { ':prefix': prefix }) },
      Limit: limit,
      ...(startKey && { ExclusiveStartKey: startKey }),
    }),
  );
  const nextPageToken = encodePageToken(LastEvaluatedKey);
  return { items: Items, ...(nextPageToken && { nextPageToken }) };
};

/** Whether a transaction was cancelled only because a concurrent one held one of its items. */
export const isTransactionConflict = (error: unknown): boolean => {
  const codes = new Set(cancellationReasons(error)?.map((r) => r.Code));
  return codes.has('TransactionConflict') && !codes.has('ConditionalCheckFailed');
};

/**
 * Runs a transaction again (with jittered exponential backoff) while DynamoDB cancels it for a conflict with
 * a concurrent transaction on the same item; a cancelled transaction wrote nothing, so a retry is safe. The
 * SDK does not retry these itself. Any other error, or the last conflict, is thrown.
 */
export const retryOnTransactionConflict = <T>(
  write: () => Promise<T>,
  { attempts = 8, baseDelayMs = 10, maxDelayMs = 500 } = {},
): Promise<T> =>
  retrying(write, { attempts, retryIf: isTransactionConflict, minDelayMs: baseDelayMs, maxDelayMs });

/**
 * Every page of a query, one after the other. Written out once here: `paginateQuery` of lib-dynamodb
 * returned no items through `documentClient` above in our end-to-end tests.
 */
/** An item as a record of its entity: without the table's keys, index keys and `entity` tag. */
export const withoutKeys = <T>(item: Record<string, unknown> | undefined): T | undefined => {
  if (!item) return undefined;
  const { pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, entity, ...rest } = item;
  return rest as T;
};

export async function* queryPages(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
): AsyncGenerator<Record<string, unknown>[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({ ...input, ...(startKey && { ExclusiveStartKey: startKey }) }),
    );
    yield page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** Items DynamoDB left unprocessed (it was throttled); they are sent again. */
class UnprocessedItemsError extends Error {
  override readonly name = 'UnprocessedItemsError';
}

/** What DynamoDB leaves unprocessed is sent again until none is left, as it advises, with backoff. */
const UNPROCESSED = {
  attempts: Number.POSITIVE_INFINITY,
  retryIf: (error: unknown) => error instanceof UnprocessedItemsError,
  minDelayMs: 25,
  maxDelayMs: 1_000,
};

/** One write request of a batch (`{ PutRequest }` or `{ DeleteRequest }`). */
export type BatchWriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** Writes `requests` to one table in batches of 25 (BatchWriteItem's limit), each until DynamoDB took all. */
export const batchWriteAll = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly BatchWriteRequest[],
): Promise<void> => {
  for (let start = 0; start < requests.length; start += 25) {
    let pending = requests.slice(start, start + 25);
    await retrying(async () => {
      const { UnprocessedItems } = await db.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
      );
      pending = UnprocessedItems?.[tableName] ?? [];
      if (pending.length > 0) throw new UnprocessedItemsError(`${pending.length} writes unprocessed`);
    }, UNPROCESSED);
  }
};

/** Reads `keys` of one table consistently in batches of 100 (BatchGetItem's limit), each until all were read. */
export const batchGetAll = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  projection?: string,
): Promise<Record<string, unknown>[]> => {
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let pending = keys.slice(start, start + 100);
    await retrying(async () => {
      const { Responses = {}, UnprocessedKeys = {} } = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ConsistentRead: true,
              ...(projection && { ProjectionExpression: projection }),
            },
          },
        }),
      );
      found.push(...(Responses[tableName] ?? []));
      pending = UnprocessedKeys[tableName]?.Keys ?? [];
      if (pending.length > 0) throw new UnprocessedItemsError(`${pending.length} reads unprocessed`);
    }, UNPROCESSED);
  }
  return found;
};
