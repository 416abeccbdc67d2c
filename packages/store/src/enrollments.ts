/**
 * Enrollments: one transaction reserves the premium from the village quota (condition: enough available),
 * claims the worker's months across all sponsors (condition: none already claimed), records the enrollment
 * and appends the ledger entry. Any failed condition cancels all of it.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  AlreadyCoveredError,
  CommitmentNotActiveError,
  type EndReason,
  type EnrollmentState,
  fiscalYearEnd,
  maskNik,
  NotFoundError,
  type PayerShare,
  type PayerShares,
  type Period,
  PeriodClosedError,
  type PremiumSplit,
  periodParts,
  QuotaExhaustedError,
  type ReservationMode,
  type Rupiah,
  releaseSplitOnEnd,
  returnsToQuota,
} from '@lindung/core';
import { ulid } from 'ulid';
import { batchGetAll, decodePageToken, encodePageToken, queryPage, queryPages } from './client.js';
import type { CommitmentTerms, Page } from './commitments.js';
import {
  allocationKey,
  coverageClaimKey,
  enrollmentIndexes,
  enrollmentKey,
  enrollmentsOfAllocation,
} from './keys.js';
import { allocationUpdate, countersOf, type LedgerEntry, ledgerEntries, movesOf } from './ledger.js';
import { nikKey } from './nik-key.js';
import { enrollmentEvent } from './status.js';
import { Transaction, type TransactionAction, TransactionRefused } from './transaction.js';

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
  /** The worker's segment, where the commitment's eligibility rules ask for one (or the operator named it). */
  readonly segment?: string;
  readonly startPeriod: Period;
  /** The months reserved now (all remaining months of the fiscal year, or one in monthly mode). */
  readonly periods: readonly Period[];
  readonly reservedAmount: Rupiah;
  readonly monthlyPremium: Rupiah;
  readonly enrolledBy: string;
  readonly reservation: ReservationMode;
  /** Who pays which share, when the premium is shared (`reservedAmount` is then the primary's part). */
  readonly payers?: readonly EnrollmentPayer[];
  /** The worker's own share of the start period's premium, when the sponsors leave one. */
  readonly workerShare?: Rupiah;
}

/** One sponsor paying a share of an enrollment's worker-months (issue 18: co-funding). */
export interface EnrollmentPayer {
  readonly commitmentId: string;
  readonly sponsorId: string;
  /** `primary`: the commitment the enrollment is keyed under; `co-funder`: the one topping up its share. */
  readonly role: 'primary' | 'co-funder';
  /** Its share as its commitment states it; absent: the whole premium (for a co-funder: all the primary leaves). */
  readonly share?: PayerShare;
  /** What it pays of the start period's premium. */
  readonly monthlyShare: Rupiah;
  /** What the enrollment reserved of its quota in the village. */
  readonly reservedAmount: Rupiah;
}

/** What an enrollment records of a paying commitment. */
type PayerTerms = Pick<CommitmentTerms, 'sponsorId' | 'share'> & { readonly id: string };

/**
 * The payers an enrollment records when its premium is shared (the primary states a share, or a co-funder
 * pays): each with its share of the start month (`month`) and what it reserves (`reserved`); `undefined` when
 * one sponsor pays the whole premium, so such an enrollment stays as it always was.
 */
export const sharedPayers = (
  primary: PayerTerms,
  coFunder: PayerTerms | undefined,
  month: PremiumSplit,
  reserved: PremiumSplit,
): EnrollmentPayer[] | undefined => {
  if (!primary.share && !coFunder) return undefined;
  const payer = (terms: PayerTerms, role: EnrollmentPayer['role']): EnrollmentPayer => ({
    commitmentId: terms.id,
    sponsorId: terms.sponsorId,
    role,
    ...(terms.share && { share: terms.share }),
    monthlyShare: role === 'primary' ? month.primary : month.coFunder,
    reservedAmount: role === 'primary' ? reserved.primary : reserved.coFunder,
  });
  return [payer(primary, 'primary'), ...(coFunder ? [payer(coFunder, 'co-funder')] : [])];
};

/** The co-funding payer of an enrollment, if it has one. */
export const coFunderOf = (enrollment: Pick<Enrollment, 'payers'>): EnrollmentPayer | undefined =>
  enrollment.payers?.find((payer) => payer.role === 'co-funder');

/**
 * The shares an enrollment's months are split by: the primary's as its commitment states it, and the
 * co-funder's as recorded when the enrollment was made (core's `splitAt`, `releaseSplitOnEnd`).
 */
export const payerSharesOf = (
  enrollment: Pick<Enrollment, 'payers'>,
  primary: { readonly share?: PayerShare | undefined },
): PayerShares => {
  const coFunder = coFunderOf(enrollment);
  return { primary: primary.share, ...(coFunder && { coFunder: coFunder.share ?? null }) };
};

/**
 * How a coverage under `commitment` ends from `from`: the claimed months given back, and each payer's reserved
 * share of them (the primary's to its quota, a co-funder's to its own).
 */
export const coverageEndOf = (
  commitment: Pick<CommitmentTerms, 'reservation' | 'benefit' | 'share'>,
  enrollment: StoredEnrollment,
  from: Period,
) => {
  const { periods, split } = releaseSplitOnEnd(
    commitment.reservation,
    commitment.benefit,
    enrollment,
    from,
    payerSharesOf(enrollment, commitment),
  );
  return { from, periods, amount: split.primary, coFunderAmount: split.coFunder };
};

export interface Enrollment {
  readonly id: string;
  readonly commitmentId: string;
  readonly villageCode: string;
  /** Only the masked NIK leaves the store. */
  readonly nikMasked: string;
  readonly name?: string;
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
  readonly segment?: string;
  readonly status: EnrollmentState;
  readonly startPeriod: Period;
  readonly reservedThrough: Period;
  readonly reservedAmount: Rupiah;
  readonly monthlyPremium: Rupiah;
  readonly enrolledBy: string;
  readonly enrolledAt: string;
  readonly reservation: ReservationMode;
  /** Who pays which share, when the premium is shared between sponsors or with the worker. */
  readonly payers?: readonly EnrollmentPayer[];
  /** The worker's own share of the start period's premium, when the sponsors leave one. */
  readonly workerShare?: Rupiah;
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
  /** Reserved premium given back: to the available quota or released, as `returnsToQuota(reason)` decides. */
  readonly amount: Rupiah;
  /** The co-funder's reserved share given back, to its own allocation (0 or absent without a co-funder). */
  readonly coFunderAmount?: Rupiah;
  /** Refuse if the village has already rolled `from` (a termination asked by a person; not the roll itself). */
  readonly requireOpenPeriod: boolean;
}

/** The enrollment item: the only way one is made (an enrollment, a worker carried into a new year). */
export const enrollmentPut = (
  tableName: string,
  enrollment: Enrollment,
  nik: string,
  workerKey: string,
): TransactionAction => ({
  Put: {
    TableName: tableName,
    Item: {
      ...enrollmentKey(enrollment.commitmentId, enrollment.villageCode, enrollment.id),
      ...enrollmentIndexes(enrollment.id, enrollment.villageCode, enrollment.startPeriod),
      entity: 'enrollment',
      ...enrollment,
      nik,
      nikKey: workerKey,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** The enrollment a request makes, under `id`. */
const enrollmentOf = (request: EnrollmentRequest, id: string): Enrollment => ({
  id,
  commitmentId: request.commitmentId,
  villageCode: request.villageCode,
  nikMasked: maskNik(request.nik),
  ...(request.name && { name: request.name }),
  birthDate: request.birthDate,
  sex: request.sex,
  ...(request.segment && { segment: request.segment }),
  status: 'active',
  startPeriod: request.startPeriod,
  reservedThrough: request.periods.at(-1) ?? request.startPeriod,
  reservedAmount: request.reservedAmount,
  monthlyPremium: request.monthlyPremium,
  enrolledBy: request.enrolledBy,
  enrolledAt: new Date().toISOString(),
  reservation: request.reservation,
  ...(request.payers && { payers: request.payers }),
  ...(request.workerShare && { workerShare: request.workerShare }),
});

/** Claims a worker's months of a year across all sponsors; refused if any is already claimed (I3). */
export const claimMonths = (
  tableName: string,
  workerKey: string,
  year: number,
  months: readonly number[],
): TransactionAction => ({
  Update: {
    TableName: tableName,
    Key: coverageClaimKey(workerKey, year),
    UpdateExpression: 'ADD months :months',
    ConditionExpression: months.map((_, i) => `NOT contains(months, :m${i})`).join(' AND '),
    ExpressionAttributeValues: {
      ':months': new Set(months),
      ...Object.fromEntries(months.map((m, i) => [`:m${i}`, m])),
    },
  },
});

/** The domain error of an enrollment whose allocation refused it, from the allocation as it was. */
const enrollmentRefusal = (
  request: EnrollmentRequest,
  old: Record<string, { S?: string; N?: string }> | undefined,
  payer?: EnrollmentPayer,
): Error => {
  const { villageCode, startPeriod } = request;
  const commitmentId = payer?.commitmentId ?? request.commitmentId;
  const required = payer?.reservedAmount ?? request.reservedAmount;
  // A co-funder's refusal names it: the operator must know whose quota or year stopped the worker.
  const whose = payer ? ` of the co-funding commitment ${commitmentId}` : '';
  const coFunding = payer && { payer: 'co-funder', commitmentId, sponsorId: payer.sponsorId };
  if (!old) {
    return new NotFoundError(`Village ${villageCode} has no quota in commitment ${commitmentId}`, {
      details: { commitmentId, villageCode, ...coFunding },
    });
  }
  if (old.status?.S !== 'active') {
    return new CommitmentNotActiveError(`Commitment ${commitmentId} is not active`, {
      details: { commitmentId, ...coFunding },
    });
  }
  const closedThrough = old.closedThrough?.S;
  if (closedThrough && closedThrough >= startPeriod) {
    return new PeriodClosedError(
      `Village ${villageCode} has already been invoiced${whose} for ${closedThrough}; start coverage after it`,
      { details: { closedThrough, startPeriod, ...coFunding } },
    );
  }
  return new QuotaExhaustedError(`The quota${whose} of village ${villageCode} cannot cover this worker`, {
    details: { available: Number(old.available?.N ?? 0), required, ...coFunding },
  });
};

/**
 * The condition an enrollment (or a worker carried into a new year) puts on every quota it reserves from: open,
 * enough available, the period not rolled; and the count of workers it adds.
 */
export const reservationCondition = (cost: number, start: Period, workers: number) => ({
  expression:
    'attribute_exists(pk) AND #status = :active AND available >= :cost AND (attribute_not_exists(closedThrough) OR closedThrough < :start)',
  names: { '#status': 'status' },
  values: { ':cost': cost, ':active': 'active', ':n': workers, ':start': start },
  also: ['workers = workers + :n'],
});

/**
 * An enrollment of an allocation whose year is closed, as that year left it: one still running ran to the year's
 * end and is expired.
 * Closing a year writes the allocation only, never each worker (issue 17), so this is how every read shows it.
 */
const asYearLeftIt = <T extends Enrollment>(enrollment: T): T =>
  enrollment.status !== 'active'
    ? enrollment
    : {
        ...enrollment,
        status: 'expired',
        endPeriod: fiscalYearEnd(enrollment.startPeriod),
        endReason: 'fiscal-year-end',
      };

/**
 * An action on another table that an enrollment's transaction carries beside its own, made from the enrollment
 * it writes: the HTTP API's idempotency record holding the request's answer, so that the answer is stored by the
 * same write that enrolls. When its condition fails, `enroll` throws the `TransactionRefused` naming it rather
 * than a domain error: what that refusal means belongs to the caller.
 */
export interface EnrollmentCompanion {
  /** The action's name in the transaction; not one of the enrollment's own. */
  readonly name: string;
  readonly action: (enrollment: Enrollment) => TransactionAction;
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

  /**
   * Enrolls a worker: all or nothing, with `companion` if given. Throws the domain error of the first failed
   * condition, or the `TransactionRefused` naming the companion when its condition failed.
   */
  async enroll(request: EnrollmentRequest, companion?: EnrollmentCompanion): Promise<Enrollment> {
    const write = this.enrollmentWrite(request, request.id ?? ulid());
    const { year } = periodParts(request.startPeriod);
    const transaction = new Transaction();
    // First, so that it is the reason reported even where DynamoDB names only the first failed condition.
    if (companion) transaction.add(companion.name, companion.action(write.enrollment));
    const coFunder = coFunderOf(request);
    transaction.add(
      'allocation',
      allocationUpdate(this.tableName, request, movesOf(write.ledger.entry), {
        ...reservationCondition(request.reservedAmount, request.startPeriod, 1),
        returnOldOnFailure: true,
      }),
    );
    if (coFunder && write.coFunderLedger) {
      // The co-funder's share, from its own quota in the village, in the same transaction: all payers or none.
      transaction
        .add(
          'co-funder allocation',
          allocationUpdate(
            this.tableName,
            { commitmentId: coFunder.commitmentId, villageCode: request.villageCode },
            movesOf(write.coFunderLedger.entry),
            {
              ...reservationCondition(coFunder.reservedAmount, request.startPeriod, 1),
              returnOldOnFailure: true,
            },
          ),
        )
        .add('co-funder ledger', write.coFunderLedger.action);
    }
    try {
      await transaction
        .add('claim', write.claim)
        .add('enrollment', write.put)
        .add('ledger', write.ledger.action)
        .run(this.db);
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (companion && error.failed(companion.name)) throw error;
      const allocation = error.failed('allocation');
      if (allocation) throw enrollmentRefusal(request, allocation.Item);
      const coFunderAllocation = error.failed('co-funder allocation');
      if (coFunderAllocation) throw enrollmentRefusal(request, coFunderAllocation.Item, coFunder);
      if (error.failed('claim')) {
        throw new AlreadyCoveredError(
          `Worker ${maskNik(request.nik)} is already covered in ${year} for some of these months`,
          { details: { nik: maskNik(request.nik), periods: request.periods } },
        );
      }
      throw error;
    }
    return write.enrollment;
  }

  /**
   * Enrolls several workers of one village's allocation in one transaction (a bulk import): the allocation
   * reserves their whole cost at once (condition: enough available for all of them), and each worker's months
   * are claimed, its enrollment recorded and its ledger entry appended, as `enroll` does for one. A row whose
   * own condition fails (covered elsewhere, or enrolled already) is left out and the rest are tried again;
   * when the quota cannot take them all, none is enrolled (`quotaRefused`). Returns the enrollments made and
   * the requests left for the caller to enroll one by one (there each gets its own answer). At most
   * `ENROLL_BATCH` requests.
   */
  async enrollBatch(
    requests: readonly (EnrollmentRequest & { readonly id: string })[],
  ): Promise<{ enrolled: Enrollment[]; oneByOne: EnrollmentRequest[]; quotaRefused?: true }> {
    const [allocation] = requests; // all of one village's allocation
    if (!allocation) return { enrolled: [], oneByOne: [] };
    const oneByOne: EnrollmentRequest[] = [];
    const claims = new Set<string>();
    let pending: (EnrollmentRequest & { readonly id: string })[] = [];
    for (const request of requests) {
      // The same worker twice in one transaction would touch one claim item twice, which DynamoDB refuses.
      const claim = `${nikKey(request.nik)}#${periodParts(request.startPeriod).year}`;
      (claims.has(claim) ? oneByOne : pending).push(request);
      claims.add(claim);
    }
    while (pending.length > 0) {
      const batch = pending.map((request) => ({ request, ...this.enrollmentWrite(request, request.id) }));
      const cost = batch.reduce((total, { request }) => total + request.reservedAmount, 0);
      const start = batch.map(({ request }) => request.startPeriod).sort()[0];
      // What the batch's ledger entries move, together: their counters' sum.
      const moves = countersOf(batch.map((write) => write.ledger.entry));
      const transaction = new Transaction().add(
        'allocation',
        allocationUpdate(
          this.tableName,
          allocation,
          moves,
          reservationCondition(cost, start as Period, batch.length),
        ),
      );
      // Each co-funder's shares of the batch, from its own quota, by the same rule.
      const coFunded = new Map<string, LedgerEntry[]>();
      for (const { coFunderLedger } of batch) {
        if (!coFunderLedger) continue;
        const { commitmentId } = coFunderLedger.entry;
        coFunded.set(commitmentId, [...(coFunded.get(commitmentId) ?? []), coFunderLedger.entry]);
      }
      for (const [coFunderId, entries] of coFunded) {
        transaction.add(
          `co-funder allocation ${coFunderId}`,
          allocationUpdate(
            this.tableName,
            { commitmentId: coFunderId, villageCode: allocation.villageCode },
            countersOf(entries),
            reservationCondition(
              entries.reduce((total, e) => total + e.amount, 0),
              start as Period,
              entries.length,
            ),
          ),
        );
      }
      for (const [i, write] of batch.entries()) {
        transaction
          .add(`claim ${i}`, write.claim)
          .add(`enrollment ${i}`, write.put)
          .add(`ledger ${i}`, write.ledger.action);
        if (write.coFunderLedger) transaction.add(`co-funder ledger ${i}`, write.coFunderLedger.action);
      }
      try {
        await transaction.run(this.db);
        return { enrolled: batch.map((write) => write.enrollment), oneByOne };
      } catch (error) {
        if (!(error instanceof TransactionRefused)) throw error;
        const quotaRefused = [...coFunded.keys()].some((id) => error.failed(`co-funder allocation ${id}`));
        if (error.failed('allocation') || quotaRefused) {
          return { enrolled: [], oneByOne: [...oneByOne, ...pending], quotaRefused: true };
        }
        const refused = new Set(
          batch.flatMap((_, i) => (error.failed(`claim ${i}`) || error.failed(`enrollment ${i}`) ? [i] : [])),
        );
        if (refused.size === 0) throw error;
        oneByOne.push(...pending.filter((_, i) => refused.has(i)));
        pending = pending.filter((_, i) => !refused.has(i));
      }
    }
    return { enrolled: [], oneByOne };
  }

  /** The actions of one enrollment besides its allocation's: the claim, the item and the ledger entry. */
  private enrollmentWrite(request: EnrollmentRequest, id: string) {
    const enrollment = enrollmentOf(request, id);
    const workerKey = nikKey(request.nik);
    const coFunder = coFunderOf(request);
    return {
      enrollment,
      claim: claimMonths(
        this.tableName,
        workerKey,
        periodParts(request.startPeriod).year,
        request.periods.map((p) => periodParts(p).month),
      ),
      put: enrollmentPut(this.tableName, enrollment, request.nik, workerKey),
      ledger: ledgerEntries(this.tableName).reserve({
        commitmentId: request.commitmentId,
        villageCode: request.villageCode,
        enrollmentId: id,
        amount: request.reservedAmount,
        periods: request.periods,
        at: enrollment.enrolledAt,
      }),
      coFunderLedger:
        coFunder &&
        ledgerEntries(this.tableName).reserve({
          commitmentId: coFunder.commitmentId,
          villageCode: request.villageCode,
          enrollmentId: id,
          amount: coFunder.reservedAmount,
          periods: request.periods,
          at: enrollment.enrolledAt,
        }),
    };
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
    return Item && (await this.asClosedYearsLeftThem([Item as StoredEnrollment]))[0];
  }

  /**
   * Every enrollment of one village's allocation, read consistently (for the period roll). A caller that has
   * just read the allocation passes it, which spares reading it again for its status.
   */
  async ofAllocation(
    commitmentId: string,
    villageCode: string,
    allocation?: { readonly status: string },
  ): Promise<StoredEnrollment[]> {
    const all: StoredEnrollment[] = [];
    const pages = queryPages(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': enrollmentsOfAllocation(commitmentId, villageCode) },
      ConsistentRead: true,
    });
    for await (const items of pages) all.push(...(items as unknown as StoredEnrollment[]));
    if (!allocation) return this.asClosedYearsLeftThem(all);
    return allocation.status === 'closed' ? all.map(asYearLeftIt) : all;
  }

  /**
   * Ends a coverage from `end.from`: one transaction moves the enrollment to its end state (condition: it
   * still covers `end.from`), gives the claimed months back, and gives the reserved premium back with its
   * ledger entry, on condition the fiscal year is open: to the available quota, so the village can enroll
   * someone in the freed seat, or released for good (a lapse; see `returnsToQuota`). Returns false if the
   * coverage had already ended there (a retry, or a race lost) or the year is closed.
   */
  async end(enrollment: StoredEnrollment, end: CoverageEnd): Promise<boolean> {
    const { commitmentId, villageCode, id } = enrollment;
    const at = new Date().toISOString();
    const { year } = periodParts(end.from);
    const months = end.periods.map((p) => periodParts(p).month);
    const ending = enrollmentEvent(end.state);
    const transaction = new Transaction().add('enrollment', {
      Update: {
        TableName: this.tableName,
        Key: enrollmentKey(commitmentId, villageCode, id),
        UpdateExpression: 'SET #status = :state, endPeriod = :from, endReason = :reason, endedAt = :at',
        ConditionExpression: `${ending.expression} AND (attribute_not_exists(endPeriod) OR endPeriod > :from)`,
        ExpressionAttributeNames: ending.names,
        ExpressionAttributeValues: {
          ...ending.values,
          ':state': ending.to,
          ':from': end.from,
          ':reason': end.reason,
          ':at': at,
        },
      },
    });
    if (months.length > 0) {
      transaction.add('claim', {
        Update: {
          TableName: this.tableName,
          Key: coverageClaimKey(enrollment.nikKey, year),
          UpdateExpression: 'DELETE months :months',
          ExpressionAttributeValues: { ':months': new Set(months) },
        },
      });
    }
    // A closed year has ended every coverage of it already (closing writes no worker's item): nothing to end.
    const yearOpen = '#status = :active';
    const open = { names: { '#status': 'status' }, values: { ':active': 'active' } };
    // What one payer gets back (the primary, or a co-funder from its own quota): its entry and its counters' move.
    const giveBack = (payerId: string, amount: Rupiah) => {
      const entry = ledgerEntries(this.tableName).endCoverage({
        commitmentId: payerId,
        villageCode,
        enrollmentId: id,
        amount,
        from: end.from,
        periods: end.periods,
        reason: end.reason,
        toQuota: returnsToQuota(end.reason),
        at,
      });
      const update = allocationUpdate(
        this.tableName,
        { commitmentId: payerId, villageCode },
        movesOf(entry.entry),
        {
          expression: end.requireOpenPeriod
            ? `${yearOpen} AND (attribute_not_exists(closedThrough) OR closedThrough < :from)`
            : yearOpen,
          names: open.names,
          values: { ...open.values, ...(end.requireOpenPeriod && { ':from': end.from }) },
          returnOldOnFailure: true,
        },
      );
      return { ledger: entry, update };
    };
    const primary = giveBack(commitmentId, end.amount);
    if (end.amount > 0 || end.requireOpenPeriod) {
      transaction.add('allocation', primary.update);
    } else {
      transaction.add('allocation', {
        ConditionCheck: {
          TableName: this.tableName,
          Key: allocationKey(commitmentId, villageCode),
          ConditionExpression: yearOpen,
          ExpressionAttributeNames: open.names,
          ExpressionAttributeValues: open.values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }
    if (end.amount > 0) transaction.add('ledger', primary.ledger.action);
    const coFunder = coFunderOf(enrollment);
    if (coFunder && end.coFunderAmount) {
      // The co-funder's reserved share goes back to its own quota in the village, the same way.
      const { ledger, update } = giveBack(coFunder.commitmentId, end.coFunderAmount);
      transaction.add('co-funder allocation', update).add('co-funder ledger', ledger.action);
    }
    try {
      await transaction.run(this.db);
      return true;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const allocation = error.failed('allocation') ?? error.failed('co-funder allocation');
      if (allocation?.Item?.status?.S === 'closed') return false;
      if (allocation) {
        const closedThrough = allocation.Item?.closedThrough?.S;
        throw new PeriodClosedError(
          `Village ${villageCode} has already been invoiced for ${closedThrough}; coverage can end from a later period`,
          { details: { closedThrough, from: end.from } },
        );
      }
      if (error.failed('enrollment')) return false;
      throw error;
    }
  }

  /** A page of the enrollments one commitment pays for in one village (what its sponsor may read). */
  async pageOfAllocation(
    commitmentId: string,
    villageCode: string,
    limit = 100,
    pageToken?: string,
  ): Promise<Page<Enrollment>> {
    const partition = { pk: enrollmentsOfAllocation(commitmentId, villageCode), prefix: 'ENROLLMENT#' };
    const page = await queryPage(this.db, this.tableName, partition, limit, pageToken);
    return { ...page, items: await this.asClosedYearsLeftThem(page.items.map(toEnrollment)) };
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
    const items = await this.asClosedYearsLeftThem(Items.map(toEnrollment));
    return { items, ...(nextPageToken && { nextPageToken }) };
  }

  /**
   * Enrollments as their years left them: one still `active` under an allocation that is closed ran to its
   * fiscal year's end and is expired (`asYearLeftIt`). One read of the allocations concerned.
   */
  private async asClosedYearsLeftThem<T extends Enrollment>(enrollments: T[]): Promise<T[]> {
    const allocationOf = (e: Enrollment) => `${e.commitmentId}#${e.villageCode}`;
    const running = new Map<string, Enrollment>();
    for (const e of enrollments) if (e.status === 'active') running.set(allocationOf(e), e);
    if (running.size === 0) return enrollments;
    const allocations = await batchGetAll(
      this.db,
      this.tableName,
      [...running.values()].map((e) => allocationKey(e.commitmentId, e.villageCode)),
    );
    const closed = new Set(
      allocations
        .filter((a) => a.status === 'closed')
        .map((a) => `${a.commitmentId as string}#${a.villageCode as string}`),
    );
    if (closed.size === 0) return enrollments;
    return enrollments.map((e) => (closed.has(allocationOf(e)) ? asYearLeftIt(e) : e));
  }
}
