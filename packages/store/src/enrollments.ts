/**
 * Enrollments: one transaction reserves the premium from the village quota (condition: enough available),
 * claims the worker's months across all sponsors (condition: none already claimed), records the enrollment
 * and appends the ledger entry. Any failed condition cancels all of it.
 */
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  AlreadyCoveredError,
  CommitmentNotActiveError,
  type EnrollmentState,
  maskNik,
  NotFoundError,
  type Period,
  periodParts,
  QuotaExhaustedError,
  type Rupiah,
} from '@lindung/core';
import { ulid } from 'ulid';
import { cancellationReasons, decodePageToken, encodePageToken } from './client.js';
import type { Page } from './commitments.js';
import { allocationKey, coverageClaimKey, enrollmentIndexes, enrollmentKey, ledgerEntryKey } from './keys.js';
import { nikKey } from './nik-key.js';

export interface EnrollmentRequest {
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
}

const toEnrollment = (item: Record<string, unknown>): Enrollment => {
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
    const id = ulid();
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
    };
    const monthValues = Object.fromEntries(months.map((m, i) => [`:m${i}`, m]));
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: allocationKey(request.commitmentId, request.villageCode),
                UpdateExpression:
                  'SET available = available - :cost, reserved = reserved + :cost, workers = workers + :one',
                ConditionExpression: 'attribute_exists(pk) AND #status = :active AND available >= :cost',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':cost': request.reservedAmount,
                  ':active': 'active',
                  ':one': 1,
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

  /** One page of a village's enrollments over all commitments, by start period. */
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
