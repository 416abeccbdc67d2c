/**
 * Reallocations: a proposal is stored and moves no money; its approval is one transaction that moves the
 * quota of every village it names, appends a ledger entry per move and side, and flips the proposal to
 * approved. The conditions are the rules: a village gives only unreserved quota (`available >= :loss`),
 * every village is an active allocation, the proposal is still proposed, and the approver is not the
 * proposer. Any failed condition cancels all of it; the deterministic ledger entry ids make a replay of the
 * same approval unable to write an entry twice.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  CommitmentNotActiveError,
  ForbiddenError,
  IllegalTransitionError,
  MAX_REALLOCATION_MOVES,
  NotFoundError,
  netQuotaChanges,
  QuotaExhaustedError,
  type ReallocationMove,
  type ReallocationState,
  type Rupiah,
  reallocationMachine,
  ValidationError,
} from '@lindung/core';
import { ulid } from 'ulid';
import { queryPage } from './client.js';
import type { Page } from './commitments.js';
import { allocationKey, isStoreId, REALLOCATION_SK_PREFIX, reallocationKey } from './keys.js';
import { allocationUpdate, ledgerEntries } from './ledger.js';
import { statusCondition } from './status.js';
import { Transaction, TransactionRefused } from './transaction.js';

export interface ReallocationProposal {
  readonly commitmentId: string;
  readonly sponsorId: string;
  readonly moves: readonly ReallocationMove[];
  readonly reason?: string;
}

export interface Reallocation extends ReallocationProposal {
  readonly id: string;
  readonly status: ReallocationState;
  /** The sum of the moves. */
  readonly total: Rupiah;
  readonly proposedBy: string;
  readonly proposedAt: string;
  readonly approvedBy?: string;
  readonly approvedAt?: string;
  /** Who rejected or withdrew the proposal, when, and (for a rejection) why. */
  readonly closedBy?: string;
  readonly closedAt?: string;
  readonly rejectionReason?: string;
}

/** The name of a village's action in a reallocation's transaction. */
const villageAction = (villageCode: string) => `village ${villageCode}`;

const toReallocation = (item: Record<string, unknown>): Reallocation => {
  const { pk, sk, entity, ...rest } = item;
  return rest as unknown as Reallocation;
};

const now = () => new Date().toISOString();

export class ReallocationRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Records a proposal (checked by the caller against the commitment); moves no money. It is written in one
   * transaction with a check that every village giving quota has that much unreserved quota now, so a
   * proposal that could not be approved is refused at once (`QuotaExhaustedError`) instead of waiting as
   * `proposed` for good. Approval checks again: quota may be reserved in between.
   */
  async propose(proposal: ReallocationProposal, proposedBy: string): Promise<Reallocation> {
    if (proposal.moves.length === 0 || proposal.moves.length > MAX_REALLOCATION_MOVES) {
      throw ValidationError.forField('moves', `from 1 to ${MAX_REALLOCATION_MOVES} moves per reallocation`);
    }
    const reallocation: Reallocation = {
      id: ulid(),
      commitmentId: proposal.commitmentId,
      sponsorId: proposal.sponsorId,
      status: 'proposed',
      moves: proposal.moves.map(({ from, to, amount }) => ({ from, to, amount })),
      total: proposal.moves.reduce((total, move) => total + move.amount, 0) as Rupiah,
      ...(proposal.reason && { reason: proposal.reason }),
      proposedBy,
      proposedAt: now(),
    };
    const changes = netQuotaChanges(reallocation.moves);
    const transaction = new Transaction().add('reallocation', {
      Put: {
        TableName: this.tableName,
        Item: {
          ...reallocationKey(reallocation.commitmentId, reallocation.id),
          entity: 'reallocation',
          ...reallocation,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    for (const { villageCode, change } of changes) {
      transaction.add(villageAction(villageCode), {
        ConditionCheck: {
          TableName: this.tableName,
          Key: allocationKey(reallocation.commitmentId, villageCode),
          ConditionExpression:
            change < 0
              ? 'attribute_exists(pk) AND #status = :active AND available >= :amount'
              : 'attribute_exists(pk) AND #status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':active': 'active',
            ...(change < 0 && { ':amount': -change }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }
    try {
      await transaction.run(this.db);
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      throw this.villageRefusal(error, reallocation.commitmentId, changes) ?? error;
    }
    return reallocation;
  }

  /**
   * Ends a proposal without moving anything: `reject` by someone other than its proposer (with a reason),
   * `withdraw` by its proposer. One conditional write from the machine's `from` states; a retry of the same
   * decision by the same person answers the decision already stored.
   */
  async decide(
    commitmentId: string,
    id: string,
    decision: 'reject' | 'withdraw',
    by: string,
    reason?: string,
  ): Promise<Reallocation> {
    const status = statusCondition(reallocationMachine, decision);
    const to = status.to;
    const details = { commitmentId, reallocationId: id };
    if (!isStoreId(id))
      throw new NotFoundError(`No reallocation ${id} in commitment ${commitmentId}`, { details });
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: reallocationKey(commitmentId, id),
          UpdateExpression: `SET #status = :to, closedBy = :by, closedAt = :at${reason ? ', rejectionReason = :reason' : ''}`,
          ConditionExpression: `attribute_exists(pk) AND ${status.expression} AND proposedBy ${decision === 'reject' ? '<>' : '='} :by`,
          ExpressionAttributeNames: status.names,
          ExpressionAttributeValues: {
            ':to': to,
            ':by': by,
            ':at': now(),
            ...(reason && { ':reason': reason }),
            ...status.values,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toReallocation(Attributes ?? {});
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = await this.require(commitmentId, id);
      if (old.status === to && old.closedBy === by) return old;
      if (decision === 'reject' && old.proposedBy === by) {
        throw new ForbiddenError('The proposer of a reallocation cannot reject it: withdraw it instead', {
          details,
        });
      }
      if (decision === 'withdraw' && old.proposedBy !== by) {
        throw new ForbiddenError('Only the proposer of a reallocation can withdraw it', { details });
      }
      throw new IllegalTransitionError('reallocation', old.status, decision, { details });
    }
  }

  async get(commitmentId: string, id: string): Promise<Reallocation | undefined> {
    if (!isStoreId(id)) return undefined;
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: reallocationKey(commitmentId, id),
        ConsistentRead: true,
      }),
    );
    return Item ? toReallocation(Item) : undefined;
  }

  async require(commitmentId: string, id: string): Promise<Reallocation> {
    const reallocation = await this.get(commitmentId, id);
    if (!reallocation) {
      throw new NotFoundError(`No reallocation ${id} in commitment ${commitmentId}`, {
        details: { commitmentId, reallocationId: id },
      });
    }
    return reallocation;
  }

  /**
   * Applies a proposal in one transaction, or nothing of it: `ForbiddenError` if the approver proposed it,
   * `IllegalTransitionError` if it is no longer proposed, `QuotaExhaustedError` naming the first village
   * that has not enough unreserved quota, `CommitmentNotActiveError` if an allocation is closed.
   */
  async approve(commitmentId: string, id: string, approver: string): Promise<Reallocation> {
    const proposal = await this.require(commitmentId, id);
    const changes = netQuotaChanges(proposal.moves);
    const at = now();
    const approve = statusCondition(reallocationMachine, 'approve');
    const transaction = new Transaction().add('reallocation', {
      Update: {
        TableName: this.tableName,
        Key: reallocationKey(commitmentId, id),
        UpdateExpression: 'SET #status = :approved, approvedBy = :approver, approvedAt = :at',
        ConditionExpression: `attribute_exists(pk) AND ${approve.expression} AND proposedBy <> :approver`,
        ExpressionAttributeNames: approve.names,
        ExpressionAttributeValues: {
          ...approve.values,
          ':approved': approve.to,
          ':approver': approver,
          ':at': at,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });
    for (const { villageCode, change } of changes) {
      const active = {
        expression: 'attribute_exists(pk) AND #status = :active',
        names: { '#status': 'status' },
      };
      transaction.add(
        villageAction(villageCode),
        change === 0
          ? {
              ConditionCheck: {
                TableName: this.tableName,
                Key: allocationKey(commitmentId, villageCode),
                ConditionExpression: active.expression,
                ExpressionAttributeNames: active.names,
                ExpressionAttributeValues: { ':active': 'active' },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            }
          : allocationUpdate(
              this.tableName,
              { commitmentId, villageCode },
              { budget: change, available: change },
              {
                // Only unreserved quota may leave a village: the invariant I2 of the village giving it.
                expression: change > 0 ? active.expression : `${active.expression} AND available >= :amount`,
                names: active.names,
                values: { ':active': 'active', ...(change < 0 && { ':amount': -change }) },
                returnOldOnFailure: true,
              },
            ),
      );
    }
    const ledger = ledgerEntries(this.tableName);
    for (const [move, { from, to, amount }] of proposal.moves.entries()) {
      for (const side of ['out', 'in'] as const) {
        const [villageCode, counterpart] = side === 'out' ? [from, to] : [to, from];
        const entry = ledger.reallocate({
          commitmentId,
          villageCode,
          counterpart,
          reallocationId: id,
          move,
          side,
          amount,
          at,
        });
        transaction.add(`ledger-${move}-${side}`, entry.action);
      }
    }
    try {
      await transaction.run(this.db);
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      throw this.refusal(error, proposal, changes, approver) ?? error;
    }
    return { ...proposal, status: 'approved', approvedBy: approver, approvedAt: at };
  }

  /** The domain error of a cancelled approval, from the first condition that failed. */
  private refusal(
    error: TransactionRefused,
    proposal: Reallocation,
    changes: ReturnType<typeof netQuotaChanges>,
    approver: string,
  ): Error | undefined {
    const { commitmentId, id } = proposal;
    const own = error.failed('reallocation');
    if (own) {
      const details = { commitmentId, reallocationId: id };
      if (!own.Item)
        return new NotFoundError(`No reallocation ${id} in commitment ${commitmentId}`, { details });
      if (own.Item.proposedBy?.S === approver) {
        return new ForbiddenError('The approver must not be the person who proposed the reallocation', {
          details,
        });
      }
      return new IllegalTransitionError('reallocation', own.Item.status?.S ?? 'unknown', 'approve', {
        details,
      });
    }
    return this.villageRefusal(error, commitmentId, changes);
  }

  /** The domain error of the first village (in the order of `changes`) whose condition failed. */
  private villageRefusal(
    error: TransactionRefused,
    commitmentId: string,
    changes: ReturnType<typeof netQuotaChanges>,
  ): Error | undefined {
    for (const { villageCode, change } of changes) {
      const reason = error.failed(villageAction(villageCode));
      if (!reason) continue;
      const old = reason.Item;
      if (!old) {
        return new NotFoundError(`Village ${villageCode} has no quota in commitment ${commitmentId}`, {
          details: { commitmentId, villageCode },
        });
      }
      if (old.status?.S !== 'active') {
        return new CommitmentNotActiveError(`The quota of village ${villageCode} is ${old.status?.S}`, {
          details: { commitmentId, villageCode },
        });
      }
      const available = Number(old.available?.N ?? 0);
      return new QuotaExhaustedError(
        `Village ${villageCode} has Rp ${available} of unreserved quota; the reallocation takes Rp ${-change}`,
        { details: { commitmentId, villageCode, available, required: -change } },
      );
    }
    return undefined;
  }

  /** One page of a commitment's reallocations, oldest first. */
  async ofCommitment(commitmentId: string, limit = 100, pageToken?: string): Promise<Page<Reallocation>> {
    const partition = { pk: reallocationKey(commitmentId, '').pk, prefix: REALLOCATION_SK_PREFIX };
    const page = await queryPage(this.db, this.tableName, partition, limit, pageToken);
    return { ...page, items: page.items.map(toReallocation) };
  }
}
