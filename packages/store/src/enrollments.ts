/**
 * Enrollments: one transaction reserves the premium from the village quota (condition: enough available),
 * claims the worker's months across all sponsors (condition: none already claimed), records the enrollment
 * and appends the ledger entry. Any failed condition cancels all of it.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  AlreadyCoveredError,
  CommitmentNotActiveError,
  type EndReason,
  type EnrollmentState,
  maskNik,
  NotFoundError,
  type Period,
  PeriodClosedError,
  periodParts,
  QuotaExhaustedError,
  type ReservationMode,
  type Rupiah,
} from '@lindung/core';
import { ulid } from 'ulid';
import {
  cancellationReasons,
  decodePageToken,
  encodePageToken,
  queryPage,
  queryPages,
  retryOnTransactionConflict,
} from './client.js';
import type { Page } from './commitments.js';
import {
  allocationKey,
  coverageClaimKey,
  enrollmentIndexes,
  enrollmentKey,
  enrollmentsOfAllocation,
  ledgerEntryKey,
} from './keys.js';
import { nikKey } from './nik-key.js';

export interface EnrollmentRequest {
  /**
   * The enrollment's id, when the caller derives it (a bulk import row: job id + row number), so that a retried
   * row can recognise its own earlier enrollment. A new ULID otherwise.
   */
  readonly id?: string;
  readonly commitmentId: string;
  readonly villageCode: string;
  readonly nik: string;
  readonly name?: string;
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
  readonly startPeriod: Period;
  /** The months reserved now (all remaining months of the fiscal year, or one in monthly mode). */
  readonly periods: readonly Period[];
  readonly reservedAmount: Rupiah;
  readonly monthlyPremium: Rupiah;
  readonly enrolledBy: string;
  readonly reservation: ReservationMode;
}

export interface Enrollment {
  readonly id: string;
  readonly commitmentId: string;
  readonly villageCode: string;
  /** Only the masked NIK leaves the store. */
  readonly nikMasked: string;
  readonly name?: string;
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
  readonly status: EnrollmentState;
  readonly startPeriod: Period;
  readonly reservedThrough: Period;
  readonly reservedAmount: Rupiah;
  readonly monthlyPremium: Rupiah;
  readonly enrolledBy: string;
  readonly enrolledAt: string;
  readonly reservation: ReservationMode;
  /** The first period no longer covered, once the coverage has an end before the fiscal year's. */
  readonly endPeriod?: Period;
  readonly endReason?: EndReason;
  /** The enrollment of the previous fiscal year this one continues, or the next one that continues it. */
  readonly carriedFrom?: string;
  readonly carriedTo?: string;
}

/** An enrollment as the store holds it: with the NIK and its key, which never leave the store. */
export interface StoredEnrollment extends Enrollment {
  readonly nik: string;
  readonly nikKey: string;
}

/** How a coverage ends: the state it moves to, from which period, and what that gives back. */
export interface CoverageEnd {
  readonly state: 'terminated' | 'expired' | 'lapsed';
  readonly reason: EndReason;
  /** The first period no longer covered. */
  readonly from: Period;
  /** Claimed months given back (this fiscal year, from `from`). */
  readonly periods: readonly Period[];
  /** Reserved premium given back. */
  readonly amount: Rupiah;
  /** Refuse if the village has already rolled `from` (a termination asked by a person; not the roll itself). */
  readonly requireOpenPeriod: boolean;
}

export const toEnrollment = (item: Record<string, unknown>): Enrollment => {
  const { pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, entity, nik, nikKey: _key, ...rest } = item;
  return rest as unknown as Enrollment;
};

export class EnrollmentRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Enrolls a worker: all or nothing. Throws the domain error of the first failed condition. */
  async enroll(request: EnrollmentRequest): Promise<Enrollment> {
    const id = request.id ?? ulid();
    const workerKey = nikKey(request.nik);
    const { year } = periodParts(request.startPeriod);
    const months = request.periods.map((p) => periodParts(p).month);
    const enrollment: Enrollment = {
      id,
      commitmentId: request.commitmentId,
      villageCode: request.villageCode,
      nikMasked: maskNik(request.nik),
      ...(request.name && { name: request.name }),
      birthDate: request.birthDate,
      sex: request.sex,
      status: 'active',
      startPeriod: request.startPeriod,
      reservedThrough: request.periods.at(-1) ?? request.startPeriod,
      reservedAmount: request.reservedAmount,
      monthlyPremium: request.monthlyPremium,
      enrolledBy: request.enrolledBy,
      enrolledAt: new Date().toISOString(),
      reservation: request.reservation,
    };
    const monthValues = Object.fromEntries(months.map((m, i) => [`:m${i}`, m]));
    try {
      // DynamoDB does not have the SDK retry a transaction that collided with another on the same item.
      await retryOnTransactionConflict(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: allocationKey(request.commitmentId, request.villageCode),
                  UpdateExpression:
                    'SET available = available - :cost, reserved = reserved + :cost, workers = workers + :one',
                  // A period already rolled is invoiced: coverage can no longer start in it.
                  ConditionExpression:
                    'attribute_exists(pk) AND #status = :active AND available >= :cost AND (attribute_not_exists(closedThrough) OR closedThrough < :start)',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':cost': request.reservedAmount,
                    ':active': 'active',
                    ':one': 1,
                    ':start': request.startPeriod,
                  },
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              {
                Update: {
                  TableName: this.tableName,
                  Key: coverageClaimKey(workerKey, year),
                  UpdateExpression: 'ADD months :months',
                  ConditionExpression: months.map((_, i) => `NOT contains(months, :m${i})`).join(' AND '),
                  ExpressionAttributeValues: { ':months': new Set(months), ...monthValues },
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...enrollmentKey(request.commitmentId, request.villageCode, id),
                    ...enrollmentIndexes(id, request.villageCode, request.startPeriod),
                    entity: 'enrollment',
                    ...enrollment,
                    nik: request.nik,
                    nikKey: workerKey,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...ledgerEntryKey(request.commitmentId, request.villageCode, ulid()),
                    entity: 'ledger',
                    type: 'reserve',
                    commitmentId: request.commitmentId,
                    villageCode: request.villageCode,
                    enrollmentId: id,
                    amount: request.reservedAmount,
                    periods: request.periods,
                    at: enrollment.enrolledAt,
                  },
                },
              },
            ],
          }),
        ),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const [allocation, claim] = reasons;
      if (allocation?.Code === 'ConditionalCheckFailed') {
        const old = allocation.Item;
        if (!old) {
          throw new NotFoundError(
            `Village ${request.villageCode} has no quota in commitment ${request.commitmentId}`,
            {
              details: { commitmentId: request.commitmentId, villageCode: request.villageCode },
            },
          );
        }
        if (old.status?.S !== 'active') {
          throw new CommitmentNotActiveError(`Commitment ${request.commitmentId} is not active`, {
            details: { commitmentId: request.commitmentId },
          });
        }
        const closedThrough = old.closedThrough?.S;
        if (closedThrough && closedThrough >= request.startPeriod) {
          throw new PeriodClosedError(
            `Village ${request.villageCode} has already been invoiced for ${closedThrough}; start coverage after it`,
            { details: { closedThrough, startPeriod: request.startPeriod } },
          );
        }
        throw new QuotaExhaustedError(
          `The quota of village ${request.villageCode} cannot cover this worker`,
          {
            details: { available: Number(old.available?.N ?? 0), required: request.reservedAmount },
          },
        );
      }
      if (claim?.Code === 'ConditionalCheckFailed') {
        throw new AlreadyCoveredError(
          `Worker ${maskNik(request.nik)} is already covered in ${year} for some of these months`,
          {
            details: { nik: maskNik(request.nik), periods: request.periods },
          },
        );
      }
      throw error;
    }
    return enrollment;
  }

  /** An enrollment by its id, with what the store alone may see; `undefined` if there is none. */
  async find(id: string): Promise<StoredEnrollment | undefined> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': enrollmentIndexes(id, '', '').gsi1pk },
        ProjectionExpression: 'pk, sk',
      }),
    );
    const key = Items[0];
    if (!key) return undefined;
    // The index is eventually consistent; the item itself is read consistently.
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }),
    );
    return Item as StoredEnrollment | undefined;
  }

  /** Every enrollment of one village's allocation, read consistently (for the period roll). */
  async ofAllocation(commitmentId: string, villageCode: string): Promise<StoredEnrollment[]> {
    const all: StoredEnrollment[] = [];
    const pages = queryPages(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': enrollmentsOfAllocation(commitmentId, villageCode) },
      ConsistentRead: true,
    });
    for await (const items of pages) all.push(...(items as unknown as StoredEnrollment[]));
    return all;
  }

  /**
   * Ends a coverage from `end.from`: one transaction moves the enrollment to its end state (condition: it
   * still covers `end.from`), gives the claimed months back, and releases the reserved premium with its
   * ledger entry. Returns false if the coverage had already ended there (a retry, or a race lost).
   */
  async end(enrollment: StoredEnrollment, end: CoverageEnd): Promise<boolean> {
    const { commitmentId, villageCode, id } = enrollment;
    const at = new Date().toISOString();
    const { year } = periodParts(end.from);
    const months = end.periods.map((p) => periodParts(p).month);
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      {
        Update: {
          TableName: this.tableName,
          Key: enrollmentKey(commitmentId, villageCode, id),
          UpdateExpression: 'SET #status = :state, endPeriod = :from, endReason = :reason, endedAt = :at',
          ConditionExpression:
            '#status IN (:active, :terminated) AND (attribute_not_exists(endPeriod) OR endPeriod > :from)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':state': end.state,
            ':from': end.from,
            ':reason': end.reason,
            ':at': at,
            ':active': 'active',
            ':terminated': 'terminated',
          },
        },
      },
    ];
    if (months.length > 0) {
      items.push({
        Update: {
          TableName: this.tableName,
          Key: coverageClaimKey(enrollment.nikKey, year),
          UpdateExpression: 'DELETE months :months',
          ExpressionAttributeValues: { ':months': new Set(months) },
        },
      });
    }
    if (end.amount > 0 || end.requireOpenPeriod) {
      items.push({
        Update: {
          TableName: this.tableName,
          Key: allocationKey(commitmentId, villageCode),
          UpdateExpression: 'SET reserved = reserved - :amount, released = released + :amount',
          ConditionExpression: end.requireOpenPeriod
            ? 'attribute_not_exists(closedThrough) OR closedThrough < :from'
            : 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':amount': end.amount,
            ...(end.requireOpenPeriod && { ':from': end.from }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }
    if (end.amount > 0) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...ledgerEntryKey(commitmentId, villageCode, `END#${id}#${end.from}`),
            entity: 'ledger',
            type: 'release',
            commitmentId,
            villageCode,
            enrollmentId: id,
            amount: end.amount,
            fromReserved: end.amount,
            fromAvailable: 0,
            periods: end.periods,
            reason: end.reason,
            at,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    try {
      await retryOnTransactionConflict(() =>
        this.db.send(new TransactWriteCommand({ TransactItems: items })),
      );
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const allocation =
        reasons[items.findIndex((item) => item.Update?.Key?.sk === allocationKey('', villageCode).sk)];
      if (allocation?.Code === 'ConditionalCheckFailed') {
        const closedThrough = allocation.Item?.closedThrough?.S;
        throw new PeriodClosedError(
          `Village ${villageCode} has already been invoiced for ${closedThrough}; coverage can end from a later period`,
          { details: { closedThrough, from: end.from } },
        );
      }
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  /** One page of a village's enrollments over all commitments, by start period. */
  /** A page of the enrollments one commitment pays for in one village (what its sponsor may read). */
  async pageOfAllocation(
    commitmentId: string,
    villageCode: string,
    limit = 100,
    pageToken?: string,
  ): Promise<Page<Enrollment>> {
    const partition = { pk: enrollmentsOfAllocation(commitmentId, villageCode), prefix: 'ENROLLMENT#' };
    const page = await queryPage(this.db, this.tableName, partition, limit, pageToken);
    return { ...page, items: page.items.map(toEnrollment) };
  }

  async ofVillage(villageCode: string, limit = 100, pageToken?: string): Promise<Page<Enrollment>> {
    const startKey = decodePageToken(pageToken);
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': enrollmentIndexes('', villageCode, '').gsi2pk },
        Limit: limit,
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    const nextPageToken = encodePageToken(LastEvaluatedKey);
    return { items: Items.map(toEnrollment), ...(nextPageToken && { nextPageToken }) };
  }
}
