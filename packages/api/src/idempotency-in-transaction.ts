/**
 * Exactly once per idempotency key for a route whose work is one DynamoDB transaction (the enrollment): the key's
 * record is written by that transaction, already COMPLETED with the answer, instead of Powertools' three steps
 * around the handler (put in progress, run, update with the answer). One request instead of three, and no
 * in-progress window: a concurrent request with the same key is refused by the record's condition and answered
 * from the record, so it gets the stored answer rather than `409 idempotency-in-progress`.
 *
 * The record is Powertools' own (same table, key, `status`, `data`, `validation`, `expiration`, and its put
 * condition), so the other routes, still behind `makeHandlerIdempotent`, and any reader of the table agree.
 */
import {
  IdempotencyAlreadyInProgressError,
  type IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
  PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBPersistenceOptions } from '@aws-lambda-powertools/idempotency/dynamodb/types';
import { type TransactionAction, TransactionRefused } from '@lindung/store';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { idempotencyRefusal, SCOPED_IDEMPOTENCY_HEADER } from './middleware.js';

/** What Powertools hashes: the whole event, as its middleware hands it over. */
type Payload = Parameters<DynamoDBPersistenceLayer['getRecord']>[0];
const payloadOf = (event: APIGatewayProxyEventV2) => event as unknown as Payload;

/** The name of the record's action in the transaction that carries it. */
export const IDEMPOTENCY_RECORD_ACTION = 'idempotency record';

/** The record's attribute names, as Powertools' DynamoDB layer names them for the same options. */
const attributesOf = (options: DynamoDBPersistenceOptions) => ({
  key: options.keyAttr ?? 'id',
  status: options.statusAttr ?? PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.statusAttr,
  expiry: options.expiryAttr ?? PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.expiryAttr,
  inProgressExpiry: options.inProgressExpiryAttr ?? PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.inProgressExpiryAttr,
  data: options.dataAttr ?? PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.dataAttr,
  validation: options.validationKeyAttr ?? PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.validationKeyAttr,
});

/**
 * Powertools' DynamoDB persistence layer that can also write a key's COMPLETED record as an action of the caller's
 * transaction. The same instance serves `makeHandlerIdempotent` for the other routes.
 */
export class TransactionalPersistenceLayer extends DynamoDBPersistenceLayer {
  readonly #tableName: string;
  readonly #attributes: ReturnType<typeof attributesOf>;

  constructor(options: DynamoDBPersistenceOptions) {
    super(options);
    this.#tableName = options.tableName;
    this.#attributes = attributesOf(options);
  }

  /**
   * The Put of `event`'s record, COMPLETED with `response`, under Powertools' own condition: no record yet, or
   * only an expired one (or an in-progress one whose invocation has timed out).
   */
  completedRecord(
    config: IdempotencyConfig,
    event: APIGatewayProxyEventV2,
    response: unknown,
  ): TransactionAction {
    this.configure({ config });
    const a = this.#attributes;
    const key = Object.fromEntries(
      Object.entries(this.getKey(this.getHashedIdempotencyKey(payloadOf(event)))).map(([name, value]) => [
        name,
        value.S,
      ]),
    );
    const now = Date.now();
    return {
      Put: {
        TableName: this.#tableName,
        Item: {
          ...key,
          [a.status]: IdempotencyRecordStatus.COMPLETED,
          [a.expiry]: Math.round(now / 1000 + this.expiresAfterSeconds),
          [a.data]: response,
          ...(this.isPayloadValidationEnabled() && { [a.validation]: this.#payloadHash(event) }),
        },
        ConditionExpression:
          'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
        ExpressionAttributeNames: {
          '#id': a.key,
          '#expiry': a.expiry,
          '#status': a.status,
          '#in_progress_expiry': a.inProgressExpiry,
        },
        ExpressionAttributeValues: {
          ':now': now / 1000,
          ':now_in_millis': now,
          ':inprogress': IdempotencyRecordStatus.INPROGRESS,
        },
      },
    };
  }

  /**
   * The answer stored for `event`'s key, read as Powertools reads it (consistently, the payload validated: another
   * body with the key throws its `IdempotencyValidationError`); `undefined` when the key has no record. A record
   * still in progress throws Powertools' in-progress error.
   */
  async storedAnswer(config: IdempotencyConfig, event: APIGatewayProxyEventV2): Promise<unknown> {
    this.configure({ config });
    let record: Awaited<ReturnType<DynamoDBPersistenceLayer['getRecord']>>;
    try {
      record = await this.getRecord(payloadOf(event));
    } catch (error) {
      if (error instanceof IdempotencyItemNotFoundError) return undefined;
      throw error;
    }
    const status = record.getStatus();
    if (status === IdempotencyRecordStatus.COMPLETED) return record.getResponse();
    if (status === IdempotencyRecordStatus.INPROGRESS) {
      throw new IdempotencyAlreadyInProgressError(`The request with key ${record.idempotencyKey} still runs`);
    }
    throw new IdempotencyInconsistentStateError('The record expired while it was read');
  }

  /**
   * Powertools' hash of the payload it validates (`payloadValidationJmesPath`), the record's `validation`. It is
   * private in Powertools 2.35.0; computing it any other way could drift from what `getRecord` compares, and
   * test/unit/api/idempotency-in-transaction.test.ts proves the two layers read each other's records.
   */
  #payloadHash(event: APIGatewayProxyEventV2): string {
    const hashed = this as unknown as { getHashedPayload(data: unknown): string };
    return hashed.getHashedPayload(event);
  }
}

export interface TransactionalIdempotency {
  readonly persistenceStore: TransactionalPersistenceLayer;
  readonly config: IdempotencyConfig;
}

/** The caller's transaction, given the action that stores the answer with it (none without a key). */
export type AnsweringWork = (
  record?: (response: APIGatewayProxyResultV2) => TransactionAction,
) => Promise<APIGatewayProxyResultV2>;

/**
 * Runs `work` once per idempotency key: with a key, `work` puts the record (`record(answer)`) in its transaction.
 * When the record refuses the transaction (the key was answered), the stored answer is given, or 422
 * `idempotency-key-reused` for another body; when `work` fails otherwise (its own conditions, or checks before
 * its transaction), a key answered before still gets its stored answer, as it did when Powertools read the record
 * before the handler ran. Nothing is stored for a failure: a retry runs again.
 */
export const answeredOnce = async (
  { persistenceStore, config }: TransactionalIdempotency,
  event: APIGatewayProxyEventV2,
  work: AnsweringWork,
): Promise<APIGatewayProxyResultV2> => {
  if (!event.headers?.[SCOPED_IDEMPOTENCY_HEADER]) return work();
  const stored = async () => {
    try {
      return (await persistenceStore.storedAnswer(config, event)) as APIGatewayProxyResultV2 | undefined;
    } catch (error) {
      throw idempotencyRefusal(error) ?? error;
    }
  };
  try {
    return await work((response) => persistenceStore.completedRecord(config, event, response));
  } catch (error) {
    const answered = error instanceof TransactionRefused && error.failed(IDEMPOTENCY_RECORD_ACTION);
    const answer = await stored();
    if (answer !== undefined) return answer;
    // Refused by a record that is gone by now (expired between the two requests): the client retries.
    if (answered)
      throw idempotencyRefusal(
        new IdempotencyInconsistentStateError('The record vanished', { cause: error }),
      );
    throw error;
  }
};
