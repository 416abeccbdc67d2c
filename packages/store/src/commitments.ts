/**
 * Sponsors, commitments and their village allocations. Activation writes every allocation with a
 * condition so that a retried or resumed approval never resets a quota that is already in use.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type Allocation,
  type BenefitPackage,
  type CommitmentState,
  commitmentMachine,
  type Eligibility,
  ForbiddenError,
  IllegalTransitionError,
  mapConcurrently,
  NotFoundError,
  type PayerShare,
  type ReservationMode,
  type Rupiah,
  type SponsorKind,
} from '@lindung/core';
import { ulid } from 'ulid';
import { batchGetAll, queryPage, queryPages, withoutKeys } from './client.js';
import {
  ALLOCATION_SK_PREFIX,
  activeCommitmentIndex,
  allocationByVillage,
  allocationKey,
  commitmentBySponsor,
  commitmentKey,
  isStoreId,
  sponsorKey,
} from './keys.js';
import { ledgerEntries } from './ledger.js';
import { statusCondition } from './status.js';
import { Transaction, type TransactionAction, TransactionRefused } from './transaction.js';

export interface Sponsor {
  readonly id: string;
  readonly name: string;
  readonly kind: SponsorKind;
  readonly regionCode: string;
  readonly createdAt: string;
}

/** The stored form of how a commitment's budget is set and split (validated by the API before). */
export interface CommitmentTerms {
  readonly sponsorId: string;
  readonly fiscalYear: number;
  readonly budget: Rupiah;
  /** How the budget was set, as the sponsor stated it (kept for audit). */
  readonly funding: Readonly<Record<string, unknown>>;
  readonly benefit: BenefitPackage;
  readonly reservation: ReservationMode;
  /** Who its money may cover besides the BPU rule (an age range, worker segments); absent: anyone 18–65. */
  readonly eligibility?: Eligibility;
  /**
   * Where it stands among the commitments of other sponsors over the same village (lower pays first), as the
   * sponsor stated it; absent, its sponsor's kind decides (`fundingPriority` in core).
   */
  readonly priority?: number;
  /** The share of each covered worker-month it pays; absent, the whole premium of its benefit package. */
  readonly share?: PayerShare;
  /**
   * The commitment (of another sponsor, same fiscal year and benefit) whose workers this one co-funds: it tops up
   * the share that one leaves, in the villages it names. Its workers are enrolled under that commitment.
   */
  readonly coFunds?: string;
  /** Allocation method as stated, and the villages it covers. */
  readonly allocation: Readonly<Record<string, unknown>>;
  readonly villageCodes: readonly string[];
}

export interface Commitment extends CommitmentTerms {
  readonly id: string;
  readonly status: CommitmentState;
  readonly draftedBy: string;
  readonly approvedBy?: string;
  /** Village quotas plus incentive money awarded (I1: never above `budget`). */
  readonly allocated: Rupiah;
  /** Incentive money owed to regions (a payable, not a quota); absent until a first money award. */
  readonly awarded?: Rupiah;
  /** Extra village quota awarded by incentive schemes (inside `allocated`); absent until a first quota award. */
  readonly awardedQuota?: Rupiah;
  readonly createdAt: string;
  readonly approvedAt?: string;
  /** Who rejected or withdrew a draft, when, and (for a rejection) why. */
  readonly closedBy?: string;
  readonly closedAt?: string;
  readonly rejectionReason?: string;
}

export interface AllocationRecord {
  readonly commitmentId: string;
  readonly villageCode: string;
  readonly status: 'active' | 'closed';
  /** The quota: what was allocated, moved by reallocations. */
  readonly budget: Rupiah;
  /** Quota not yet reserved, spent or released: the counter whose condition keeps the village in budget. */
  readonly available: Rupiah;
  readonly reserved: Rupiah;
  readonly spent: Rupiah;
  readonly released: Rupiah;
  readonly workers: number;
  readonly fiscalYear: number;
  readonly sponsorId: string;
}

/** One commitment's quota in a village, with the commitment and its sponsor: who may fund an enrollment. */
export interface VillageFunding {
  readonly allocation: AllocationRecord & { readonly closedThrough?: string };
  readonly commitment: Commitment;
  readonly sponsor: Sponsor;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken?: string;
}

const now = () => new Date().toISOString();

const strip = withoutKeys;

/** A village's allocation as approval creates it: all of its budget available. */
const newAllocation = (commitment: Commitment, allocation: Allocation): AllocationRecord => ({
  commitmentId: commitment.id,
  villageCode: allocation.villageCode,
  status: 'active',
  budget: allocation.amount,
  available: allocation.amount,
  reserved: 0 as Rupiah,
  spent: 0 as Rupiah,
  released: 0 as Rupiah,
  workers: 0,
  fiscalYear: commitment.fiscalYear,
  sponsorId: commitment.sponsorId,
});

/** The allocation item: the only way one is made. */
const allocationPut = (tableName: string, record: AllocationRecord): TransactionAction => ({
  Put: {
    TableName: tableName,
    Item: {
      ...allocationKey(record.commitmentId, record.villageCode),
      ...allocationByVillage(record.villageCode, record.fiscalYear, record.commitmentId),
      entity: 'allocation',
      ...record,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

export class CommitmentRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Creates a sponsor. */
  async createSponsor(input: Omit<Sponsor, 'id' | 'createdAt'>): Promise<Sponsor> {
    const sponsor: Sponsor = { id: ulid(), createdAt: now(), ...input };
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...sponsorKey(sponsor.id), entity: 'sponsor', ...sponsor },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return sponsor;
  }

  async getSponsor(id: string): Promise<Sponsor | undefined> {
    // Not an id this store gave out (and maybe longer than a key may be): there is no such sponsor.
    if (!isStoreId(id)) return undefined;
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: sponsorKey(id) }));
    return strip<Sponsor>(Item);
  }

  /** Records a draft commitment. */
  async draft(terms: CommitmentTerms, draftedBy: string): Promise<Commitment> {
    const commitment: Commitment = {
      ...terms,
      id: ulid(),
      status: 'draft',
      draftedBy,
      allocated: 0 as Rupiah,
      createdAt: now(),
    };
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...commitmentKey(commitment.id),
          ...commitmentBySponsor(terms.sponsorId, terms.fiscalYear, commitment.id),
          entity: 'commitment',
          ...commitment,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return commitment;
  }

  async get(id: string): Promise<Commitment | undefined> {
    // Not an id this store gave out (and maybe longer than a key may be): there is no such commitment.
    if (!isStoreId(id)) return undefined;
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: commitmentKey(id), ConsistentRead: true }),
    );
    return strip<Commitment>(Item);
  }

  async require(id: string): Promise<Commitment> {
    const commitment = await this.get(id);
    if (!commitment) throw new NotFoundError(`No commitment ${id}`, { details: { commitmentId: id } });
    return commitment;
  }

  /**
   * Ends a draft without activating it: `reject` by an approver who did not draft it (with a reason),
   * `withdraw` by its drafter. One conditional write whose condition is the machine's `from` state and the
   * maker-checker rule; a draft has no allocations, so no money moves. A retry of the same decision by the
   * same person answers the decision already stored.
   */
  async decideDraft(
    id: string,
    decision: 'reject' | 'withdraw',
    by: string,
    reason?: string,
  ): Promise<Commitment> {
    const status = statusCondition(commitmentMachine, decision);
    const to = status.to;
    const at = now();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: commitmentKey(id),
          UpdateExpression: `SET #status = :to, closedBy = :by, closedAt = :at${reason ? ', rejectionReason = :reason' : ''}`,
          ConditionExpression: `attribute_exists(pk) AND ${status.expression} AND draftedBy ${decision === 'reject' ? '<>' : '='} :by`,
          ExpressionAttributeNames: status.names,
          ExpressionAttributeValues: {
            ':to': to,
            ':by': by,
            ':at': at,
            ...(reason && { ':reason': reason }),
            ...status.values,
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = await this.require(id);
      if (old.status === to && old.closedBy === by) return old;
      if (decision === 'reject' && old.draftedBy === by) {
        throw new ForbiddenError(
          'The person who drafted a commitment cannot reject it: withdraw it instead',
          {
            details: { commitmentId: id },
          },
        );
      }
      if (decision === 'withdraw' && old.draftedBy !== by) {
        throw new ForbiddenError('Only the person who drafted a commitment can withdraw it', {
          details: { commitmentId: id },
        });
      }
      throw new IllegalTransitionError('commitment', old.status, decision, { details: { commitmentId: id } });
    }
    return this.require(id);
  }

  /**
   * A sponsor's commitments, newest first, optionally only those in one state (e.g. drafts to approve);
   * `NotFoundError` for a sponsor that does not exist.
   */
  async ofSponsor(sponsorId: string, status?: CommitmentState): Promise<Commitment[]> {
    if (!(await this.getSponsor(sponsorId))) {
      throw new NotFoundError(`No sponsor ${sponsorId}`, { details: { sponsorId } });
    }
    const index = commitmentBySponsor(sponsorId, 0, '');
    const all: Commitment[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ...(status && { FilterExpression: '#status = :status' }),
          ...(status && { ExpressionAttributeNames: { '#status': 'status' } }),
          ExpressionAttributeValues: { ':pk': index.gsi1pk, ...(status && { ':status': status }) },
          ScanIndexForward: false,
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      for (const item of page.Items ?? []) all.push(strip<Commitment>(item) as Commitment);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return all;
  }

  /**
   * Activates a draft: marks it `activating` (only a different user than the drafter may), writes every
   * village allocation and its ledger entry, then marks it `active`. A retry by the same approver resumes.
   */
  async approve(id: string, approver: string, allocations: readonly Allocation[]): Promise<Commitment> {
    const approve = statusCondition(commitmentMachine, 'approve', 'draft');
    const resume = statusCondition(commitmentMachine, 'resume-approval', 'resuming');
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: commitmentKey(id),
          UpdateExpression: 'SET #status = :activating, approvedBy = :approver, approvedAt = :at',
          // Maker-checker: not the drafter; a retry by the same approver resumes an approval in progress.
          ConditionExpression: `attribute_exists(pk) AND draftedBy <> :approver AND (${approve.expression} OR (${resume.expression} AND approvedBy = :approver))`,
          ExpressionAttributeNames: approve.names,
          ExpressionAttributeValues: {
            ...approve.values,
            ...resume.values,
            ':activating': approve.to,
            ':approver': approver,
            ':at': now(),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = await this.require(id);
      if (old.draftedBy === approver) {
        throw new ForbiddenError('The approver must not be the person who drafted the commitment', {
          details: { commitmentId: id },
        });
      }
      // A retry of an approval that has finished meanwhile: the answer is the approval's own.
      if (old.status === 'active' && old.approvedBy === approver) return old;
      throw new IllegalTransitionError('commitment', old.status, 'approve', {
        details: { commitmentId: id },
      });
    }
    const commitment = await this.require(id);
    await this.writeAllocations(commitment, allocations);
    const allocated = allocations.reduce((total, a) => total + a.amount, 0);
    try {
      await this.activate(commitment, allocated);
    } catch (error) {
      // Two runs of one approval (a client retried a slow one) both wrote the allocations; one activated.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const finished = await this.require(id);
      if (finished.status !== 'active') {
        throw new IllegalTransitionError('commitment', finished.status, 'approve', {
          details: { commitmentId: id },
        });
      }
      return finished;
    }
    return this.require(id);
  }

  private async activate(commitment: Commitment, allocated: number): Promise<void> {
    const { id } = commitment;
    const activate = statusCondition(commitmentMachine, 'activate');
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: commitmentKey(id),
        UpdateExpression: 'SET #status = :active, allocated = :allocated, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk',
        ConditionExpression: activate.expression,
        ExpressionAttributeNames: activate.names,
        ExpressionAttributeValues: {
          ...activate.values,
          ':active': activate.to,
          ':allocated': allocated,
          ...Object.fromEntries(
            Object.entries(activeCommitmentIndex(commitment.fiscalYear, id)).map(([k, v]) => [`:${k}`, v]),
          ),
        },
      }),
    );
  }

  private async writeAllocations(commitment: Commitment, allocations: readonly Allocation[]): Promise<void> {
    const at = now();
    const writeOne = async (allocation: Allocation) => {
      const record = newAllocation(commitment, allocation);
      try {
        await new Transaction()
          .add('allocation', allocationPut(this.tableName, record))
          .add(
            'ledger',
            ledgerEntries(this.tableName).allocate({ ...record, amount: allocation.amount, at }).action,
          )
          .run(this.db);
      } catch (error) {
        // Already written by an earlier attempt of this approval: leave it, with whatever it holds now.
        if (!(error instanceof TransactionRefused) || error.failedActions.length === 0) throw error;
      }
    };
    await mapConcurrently(allocations, 16, writeOne);
  }

  /** One page of a commitment's village allocations, by village code. */
  async allocations(commitmentId: string, limit = 100, pageToken?: string): Promise<Page<AllocationRecord>> {
    const partition = { pk: commitmentKey(commitmentId).pk, prefix: ALLOCATION_SK_PREFIX };
    const page = await queryPage(this.db, this.tableName, partition, limit, pageToken);
    return { ...page, items: page.items.map((item) => strip<AllocationRecord>(item) as AllocationRecord) };
  }

  async allocation(commitmentId: string, villageCode: string): Promise<AllocationRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: allocationKey(commitmentId, villageCode),
        ConsistentRead: true,
      }),
    );
    return strip<AllocationRecord>(Item);
  }

  /** Every allocation of a commitment (reads page by page; for totals, reports and tests). */
  async allAllocations(commitmentId: string): Promise<AllocationRecord[]> {
    const all: AllocationRecord[] = [];
    let token: string | undefined;
    do {
      const page = await this.allocations(commitmentId, 1000, token);
      all.push(...page.items);
      token = page.nextPageToken;
    } while (token);
    return all;
  }

  /**
   * Every commitment's quota in a village for a fiscal year, with the commitment and its sponsor: the index
   * names the allocations, which are then read consistently (their counters decide), with their commitments
   * and sponsors, in one batch. Unordered: the funding order is core's (`chooseFunding`).
   */
  async fundingOf(villageCode: string, fiscalYear: number): Promise<VillageFunding[]> {
    const index = allocationByVillage(villageCode, fiscalYear, '');
    const keys: { pk: string; sk: string }[] = [];
    const pages = queryPages(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :year)',
      ExpressionAttributeValues: { ':pk': index.gsi1pk, ':year': index.gsi1sk },
      ProjectionExpression: 'pk, sk, commitmentId, sponsorId',
    });
    const commitmentIds = new Set<string>();
    const sponsorIds = new Set<string>();
    for await (const items of pages) {
      for (const item of items) {
        keys.push({ pk: item.pk as string, sk: item.sk as string });
        commitmentIds.add(item.commitmentId as string);
        sponsorIds.add(item.sponsorId as string);
      }
    }
    if (keys.length === 0) return [];
    const items = await batchGetAll(this.db, this.tableName, [
      ...keys,
      ...[...commitmentIds].map(commitmentKey),
      ...[...sponsorIds].map(sponsorKey),
    ]);
    const byKey = new Map(items.map((item) => [`${item.pk as string}|${item.sk as string}`, item]));
    const read = <T>(key: { pk: string; sk: string }) => strip<T>(byKey.get(`${key.pk}|${key.sk}`));
    return keys.flatMap((key) => {
      const allocation = read<VillageFunding['allocation']>(key);
      const commitment = allocation && read<Commitment>(commitmentKey(allocation.commitmentId));
      const sponsor = allocation && read<Sponsor>(sponsorKey(allocation.sponsorId));
      return allocation && commitment && sponsor ? [{ allocation, commitment, sponsor }] : [];
    });
  }
}

/**
 * The co-funder of `primaryId` among a village's funding (`fundingOf`): an active commitment naming it in
 * `coFunds`, with an open quota there; the earliest approved, should two sponsors co-fund one village.
 */
export const coFunderAmong = (
  primaryId: string,
  funding: readonly VillageFunding[],
): Commitment | undefined =>
  funding
    .filter(
      ({ commitment, allocation }) =>
        commitment.coFunds === primaryId && commitment.status === 'active' && allocation.status === 'active',
    )
    .map(({ commitment }) => commitment)
    .sort((a, b) => (a.approvedAt ?? '').localeCompare(b.approvedAt ?? '') || a.id.localeCompare(b.id))[0];
