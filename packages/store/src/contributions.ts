/**
 * Workers' contribution accounts: the share of the premium a worker pays from their contribution balance (a JHT
 * add-on, or the whole premium of a self-paying worker), the months the roll applies, and the partner's
 * remittance of a period to BPJS billing. Every money move is one transaction whose conditions are the rules:
 * a month is applied once (`attribute_not_exists` on its record), only from a balance that covers it
 * (`balance >= :due`), and the partner's `applied`, period counter and the worker's contribution ledger move
 * with it (invariant I5 extended). A self-paying registration claims the worker's months of the year as an
 * enrollment does (I3), so the database refuses a sponsor and the worker covering the same months.
 */

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  AlreadyCoveredError,
  type ContributionKind,
  claimedMonthsFrom,
  maskNik,
  NotFoundError,
  type Period,
  PeriodClosedError,
  type Program,
  periodParts,
  type Rupiah,
  UNPAID_PERIODS_BEFORE_LAPSE,
} from '@lindung/core';
import { queryPages } from './client.js';
import { ledgerEntryPut, plain } from './deposits.js';
import { claimMonths } from './enrollments.js';
import {
  CONTRIBUTION_MONTH_SK_PREFIX,
  CONTRIBUTOR_SK_PREFIX,
  contributionAccountKey,
  contributionBalanceKey,
  contributionMonthKey,
  contributionPartnerIndex,
  contributorGuardKey,
  coverageClaimKey,
  isStoreId,
  partnerKey,
  partnerPeriodKey,
  remittanceId,
  remittanceKey,
} from './keys.js';
import { nikKey } from './nik-key.js';
import { Transaction, TransactionRefused } from './transaction.js';

/** A worker registered at a partner for their own share (core's `workerShare` gives kind and programmes). */
export interface ContributorRequest {
  readonly partnerId: string;
  readonly nik: string;
  readonly villageCode: string;
  readonly birthDate?: string;
  readonly kind: ContributionKind;
  readonly programs: readonly Program[];
  readonly declaredIncome: Rupiah;
  readonly startPeriod: Period;
  readonly registeredBy: string;
}

/** A contribution account as stored (the NIK kept for the remittance lines BPJS credits). */
export interface ContributionAccount extends ContributorRequest {
  readonly nikMasked: string;
  readonly nikKey: string;
  readonly status: 'active' | 'lapsed';
  /** The first period no longer covered after three unpaid months (BPU rule). */
  readonly lapsedFrom?: Period;
  /** Unpaid months in a row up to `lastMonth`. */
  readonly unpaidRun: number;
  /** The last month decided (paid, unpaid or lapsed). */
  readonly lastMonth?: Period;
  readonly registeredAt: string;
}

/** One month of an account: `paid` (applied from the balance, a remittance line) or `unpaid` (not covered). */
export interface ContributionMonth {
  readonly partnerId: string;
  readonly period: Period;
  readonly nik: string;
  readonly nikMasked: string;
  readonly programs: readonly Program[];
  readonly status: 'paid' | 'unpaid';
  readonly due: number;
  /** What was applied: the due when paid, 0 when not. */
  readonly amount: number;
}

export type RemittanceStatus = 'issued' | 'acknowledged' | 'paid';

/** A partner's remittance of a period: total = Σ its lines = what the roll applied for it. */
export interface Remittance {
  readonly id: string;
  readonly partnerId: string;
  readonly period: Period;
  readonly total: number;
  readonly lineCount: number;
  readonly status: RemittanceStatus;
  readonly issuedAt: string;
  readonly paymentCode?: string;
  readonly paidAt?: string;
}

/** What applying one month did: `paid`, `unpaid`, or `done-before` (a retry: its record exists). */
export type MonthOutcome = 'paid' | 'unpaid' | 'done-before' | 'not-active';

const ENTITY = {
  account: 'contribution-account',
  guard: 'contribution-account-guard',
  month: 'contribution-month',
  remittance: 'remittance',
  partnerPeriod: 'partner-period',
} as const;

const now = () => new Date().toISOString();

/**
 * An account a month may still be decided for: active, and no later month decided yet. `lastMonth` keys the
 * account's unpaid run by month, so a duplicate unit that read the account after this month was decided cannot
 * decide it again (e.g. lapse it a month early).
 */
const ACCOUNT_OPEN_FOR = '#status = :active AND (attribute_not_exists(lastMonth) OR lastMonth < :period)';

/** What must match for a registration sent again to count as the same one. */
const registrationContent = (r: ContributorRequest) =>
  [r.partnerId, r.kind, r.programs.join('+'), r.declaredIncome, r.startPeriod, r.villageCode].join('|');

const toAccount = (item: Record<string, unknown>): ContributionAccount => ({
  partnerId: String(item.partnerId),
  nik: String(item.nik),
  nikMasked: String(item.nikMasked),
  nikKey: String(item.nikKey),
  villageCode: String(item.villageCode),
  ...(typeof item.birthDate === 'string' && { birthDate: item.birthDate }),
  kind: item.kind as ContributionKind,
  programs: item.programs as Program[],
  declaredIncome: Number(item.declaredIncome) as Rupiah,
  startPeriod: item.startPeriod as Period,
  status: item.status as ContributionAccount['status'],
  ...(typeof item.lapsedFrom === 'string' && { lapsedFrom: item.lapsedFrom as Period }),
  unpaidRun: Number(item.unpaidRun ?? 0),
  ...(typeof item.lastMonth === 'string' && { lastMonth: item.lastMonth as Period }),
  registeredBy: String(item.registeredBy),
  registeredAt: String(item.registeredAt),
});

const toMonth = (item: Record<string, unknown>): ContributionMonth => ({
  partnerId: String(item.partnerId),
  period: item.period as Period,
  nik: String(item.nik),
  nikMasked: String(item.nikMasked),
  programs: item.programs as Program[],
  status: item.status as ContributionMonth['status'],
  due: Number(item.due),
  amount: Number(item.amount),
});

const toRemittance = (item: Record<string, unknown>): Remittance => ({
  id: String(item.id),
  partnerId: String(item.partnerId),
  period: item.period as Period,
  total: Number(item.total),
  lineCount: Number(item.lineCount),
  status: item.status as RemittanceStatus,
  issuedAt: String(item.issuedAt),
  ...(typeof item.paymentCode === 'string' && { paymentCode: item.paymentCode }),
  ...(typeof item.paidAt === 'string' && { paidAt: item.paidAt }),
});

/** The item of an account, made here only. */
const accountItem = (account: ContributionAccount, content: string) => ({
  ...contributionAccountKey(account.partnerId, account.nikKey),
  entity: ENTITY.account,
  ...account,
  content,
});

/** The item of a month record, made here only. */
const monthItem = (account: ContributionAccount, month: ContributionMonth) => ({
  ...contributionMonthKey(account.partnerId, month.period, account.nikKey),
  entity: ENTITY.month,
  nikKey: account.nikKey,
  ...month,
  recordedAt: now(),
});

/**
 * The two actions of every decided month: its record (once: `attribute_not_exists`) and the account's run,
 * keyed by the month (`ACCOUNT_OPEN_FOR`). Paying adds the money's actions to these.
 */
const monthActions = (
  tableName: string,
  account: ContributionAccount,
  month: ContributionMonth,
  run: { readonly expression: string; readonly values: Record<string, unknown> },
) =>
  new Transaction()
    .add('month', {
      Put: {
        TableName: tableName,
        Item: monthItem(account, month),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    })
    .add('account', {
      Update: {
        TableName: tableName,
        Key: contributionAccountKey(account.partnerId, account.nikKey),
        UpdateExpression: run.expression,
        ConditionExpression: ACCOUNT_OPEN_FOR,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...run.values, ':active': 'active', ':period': month.period },
      },
    });

/** A month transaction refused by its record (decided before) or its account (lapsed, or a later month decided). */
const monthRefusal = (error: TransactionRefused): MonthOutcome | undefined => {
  if (error.failed('month')) return 'done-before';
  if (error.failed('account')) return 'not-active';
  return undefined;
};

export class ContributionRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Registers a worker's contribution account at a partner in one transaction: the account, the worker's one
   * account guard, the partner (it must exist, joins the roll's index, and must not have rolled the start
   * period yet) and, for a self-paying worker, the claim of their months of the start year (I3). The same
   * registration sent again is answered `replayed`.
   */
  async register(
    request: ContributorRequest,
  ): Promise<{ outcome: 'recorded' | 'replayed'; account: ContributionAccount }> {
    const worker = nikKey(request.nik);
    const content = registrationContent(request);
    const account: ContributionAccount = {
      partnerId: request.partnerId,
      nik: request.nik,
      nikMasked: maskNik(request.nik),
      nikKey: worker,
      villageCode: request.villageCode,
      ...(request.birthDate && { birthDate: request.birthDate }),
      kind: request.kind,
      programs: request.programs,
      declaredIncome: request.declaredIncome,
      startPeriod: request.startPeriod,
      status: 'active',
      unpaidRun: 0,
      registeredBy: request.registeredBy,
      registeredAt: now(),
    };
    const transaction = new Transaction()
      .add('guard', {
        Put: {
          TableName: this.tableName,
          Item: {
            ...contributorGuardKey(worker),
            entity: ENTITY.guard,
            partnerId: request.partnerId,
            content,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      })
      .add('account', {
        Put: {
          TableName: this.tableName,
          Item: accountItem(account, content),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })
      .add('partner', {
        Update: {
          TableName: this.tableName,
          Key: partnerKey(request.partnerId),
          UpdateExpression: 'SET gsi2pk = :gsi2pk, gsi2sk = :gsi2sk ADD contributors :one',
          // A month the partner's roll has begun is closed: an account cannot start in it (the roll's list of
          // accounts for that month is read after the close).
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(contributionsClosedThrough) OR contributionsClosedThrough < :start)',
          ExpressionAttributeValues: {
            ...Object.fromEntries(
              Object.entries(contributionPartnerIndex(request.partnerId)).map(([k, v]) => [`:${k}`, v]),
            ),
            ':one': 1,
            ':start': request.startPeriod,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    if (request.kind === 'self-paying') {
      transaction.add(
        'claim',
        claimMonths(
          this.tableName,
          worker,
          periodParts(request.startPeriod).year,
          claimedMonthsFrom(request.startPeriod),
        ),
      );
    }
    try {
      await transaction.run(this.db);
      return { outcome: 'recorded', account };
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const answer = await this.registrationRefusal(error, request, content);
      if (answer instanceof Error) throw answer;
      if (answer) return answer;
      throw error;
    }
  }

  /** What a refused registration means: the same one recorded before, or the domain error. */
  private async registrationRefusal(
    error: TransactionRefused,
    request: ContributorRequest,
    content: string,
  ): Promise<Error | { outcome: 'replayed'; account: ContributionAccount } | undefined> {
    const details = { partnerId: request.partnerId, startPeriod: request.startPeriod };
    const guard = error.failed('guard');
    if (guard) {
      const stored = plain(guard.Item);
      if (stored.content === content) {
        const account = await this.account(request.partnerId, request.nik);
        if (account) return { outcome: 'replayed', account };
      }
      return new AlreadyCoveredError('The worker already has a contribution account', {
        details: { ...details, nikMasked: maskNik(request.nik) },
      });
    }
    const partner = error.failed('partner');
    if (partner) {
      if (!partner.Item) return new NotFoundError(`No partner ${request.partnerId}`, { details });
      return new PeriodClosedError(
        `The partner's contributions are rolled through ${partner.Item.contributionsClosedThrough?.S}: an account starts after it`,
        { details },
      );
    }
    if (error.failed('claim')) {
      return new AlreadyCoveredError(
        `The worker is already covered in ${periodParts(request.startPeriod).year}: a self-paying account would cover them twice`,
        { details: { ...details, nikMasked: maskNik(request.nik) } },
      );
    }
    return undefined;
  }

  /** A worker's account at a partner (consistent read); none for a text that is no partner id. */
  async account(partnerId: string, nik: string): Promise<ContributionAccount | undefined> {
    if (!isStoreId(partnerId)) return undefined;
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: contributionAccountKey(partnerId, nikKey(nik)),
        ConsistentRead: true,
      }),
    );
    return Item ? toAccount(Item) : undefined;
  }

  /** Every account of a partner (consistent: an account registered a moment ago is seen by the roll). */
  async accountsOf(partnerId: string): Promise<ContributionAccount[]> {
    const accounts: ContributionAccount[] = [];
    for await (const items of queryPages(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partnerKey(partnerId).pk, ':prefix': CONTRIBUTOR_SK_PREFIX },
      ConsistentRead: true,
    })) {
      accounts.push(...items.map(toAccount));
    }
    return accounts;
  }

  /** How far a partner's contributions have rolled (undefined: not yet). */
  async rolledThrough(partnerId: string): Promise<Period | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: partnerKey(partnerId),
        ConsistentRead: true,
        ProjectionExpression: 'pk, contributionsRolledThrough',
      }),
    );
    if (!Item) throw new NotFoundError(`No partner ${partnerId}`, { details: { partnerId } });
    return Item.contributionsRolledThrough as Period | undefined;
  }

  /** Closes `period` for new accounts before the roll reads the accounts of it (no account can start in it). */
  closeForChanges(partnerId: string, period: Period): Promise<void> {
    return this.movePartnerMark(partnerId, 'contributionsClosedThrough', period);
  }

  /** Records that every account of the partner has been applied (and remitted) for `period`. */
  markRolled(partnerId: string, period: Period): Promise<void> {
    return this.movePartnerMark(partnerId, 'contributionsRolledThrough', period);
  }

  /** Moves a partner's roll mark forward to `period` (never back: a late retry changes nothing). */
  private async movePartnerMark(partnerId: string, mark: string, period: Period): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: partnerKey(partnerId),
          UpdateExpression: 'SET #mark = :period',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#mark) OR #mark < :period)',
          ExpressionAttributeNames: { '#mark': mark },
          ExpressionAttributeValues: { ':period': period },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error; // moved by an earlier delivery
    }
  }

  /**
   * Applies one month of an account: one transaction of the month record (once), the worker's balance (the
   * rule: `balance >= due`), the partner's totals (it holds what it collected), the partner's period counter,
   * the account's unpaid run (reset) and an `apply` ledger entry. A balance short of the due records the month
   * unpaid instead (no partial payment), with the account's unpaid run one longer.
   */
  async applyMonth(account: ContributionAccount, period: Period, due: Rupiah): Promise<MonthOutcome> {
    const month: ContributionMonth = {
      partnerId: account.partnerId,
      period,
      nik: account.nik,
      nikMasked: account.nikMasked,
      programs: account.programs,
      status: 'paid',
      due,
      amount: due,
    };
    const values = { ':due': due, ':negative': -due };
    const transaction = monthActions(this.tableName, account, month, {
      expression: 'SET unpaidRun = :zero, lastMonth = :period',
      values: { ':zero': 0 },
    })
      .add('balance', {
        Update: {
          TableName: this.tableName,
          Key: contributionBalanceKey(account.nikKey),
          UpdateExpression: 'ADD balance :negative, applied :due',
          // The rule itself: a month is paid from the balance in full or not at all.
          ConditionExpression: 'balance >= :due',
          ExpressionAttributeValues: values,
        },
      })
      .add('partner', {
        Update: {
          TableName: this.tableName,
          Key: partnerKey(account.partnerId),
          UpdateExpression: 'ADD applied :due, held :negative',
          // The partner applies only money it collected and still holds (I5 per partner).
          ConditionExpression: 'held >= :due',
          ExpressionAttributeValues: values,
        },
      })
      .add('period', {
        Update: {
          TableName: this.tableName,
          Key: partnerPeriodKey(account.partnerId, period),
          UpdateExpression:
            'SET entity = :entity, partnerId = :partner, period = :period ADD applied :due, appliedMonths :one',
          ExpressionAttributeValues: {
            ':due': due,
            ':entity': ENTITY.partnerPeriod,
            ':partner': account.partnerId,
            ':period': period,
            ':one': 1,
          },
        },
      })
      .add(
        'ledger',
        ledgerEntryPut(this.tableName, account.nikKey, {
          type: 'apply',
          partnerId: account.partnerId,
          // One apply entry per worker, partner and month: the period names it as a receipt names a deposit.
          receiptNumber: period,
          amount: due,
          period,
          at: now(),
        }),
      );
    try {
      await transaction.run(this.db);
      return 'paid';
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const refused = monthRefusal(error);
      if (refused) return refused;
      if (error.failed('balance') || error.failed('partner')) return this.recordUnpaid(account, month);
      throw error;
    }
  }

  /** Records a month the balance did not cover: not covered, nothing moved, the unpaid run one longer. */
  private async recordUnpaid(account: ContributionAccount, paid: ContributionMonth): Promise<MonthOutcome> {
    const month: ContributionMonth = { ...paid, status: 'unpaid', amount: 0 };
    try {
      await monthActions(this.tableName, account, month, {
        expression: 'SET lastMonth = :period ADD unpaidRun :one',
        values: { ':one': 1 },
      }).run(this.db);
      return 'unpaid';
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const refused = monthRefusal(error);
      if (refused) return refused;
      throw error;
    }
  }

  /**
   * Lapses a self-paying account from `period` (BPU rule: the unpaid run has reached the limit) and gives back
   * its claimed months from `period` to the end of that year. Conditional on the run, so a retry is a no-op.
   */
  async lapse(account: ContributionAccount, period: Period): Promise<boolean> {
    const { year } = periodParts(period);
    const transaction = new Transaction().add('account', {
      Update: {
        TableName: this.tableName,
        Key: contributionAccountKey(account.partnerId, account.nikKey),
        UpdateExpression: 'SET #status = :lapsed, lapsedFrom = :period, lastMonth = :period',
        ConditionExpression: `${ACCOUNT_OPEN_FOR} AND unpaidRun >= :limit`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':lapsed': 'lapsed',
          ':active': 'active',
          ':period': period,
          ':limit': UNPAID_PERIODS_BEFORE_LAPSE,
        },
      },
    });
    const claimed = periodParts(account.startPeriod).year === year ? claimedMonthsFrom(period) : [];
    if (account.kind === 'self-paying' && claimed.length > 0) {
      transaction.add('claim', {
        Update: {
          TableName: this.tableName,
          Key: coverageClaimKey(account.nikKey, year),
          UpdateExpression: 'DELETE months :months',
          ExpressionAttributeValues: { ':months': new Set(claimed) },
        },
      });
    }
    try {
      await transaction.run(this.db);
      return true;
    } catch (error) {
      if (error instanceof TransactionRefused && error.failed('account')) return false;
      throw error;
    }
  }

  /** The month records of a partner's period, every account (consistent read). */
  async monthsOf(partnerId: string, period: Period): Promise<ContributionMonth[]> {
    const months: ContributionMonth[] = [];
    for await (const items of queryPages(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': remittanceKey(partnerId, period).pk,
        ':prefix': CONTRIBUTION_MONTH_SK_PREFIX,
      },
      ConsistentRead: true,
    })) {
      months.push(...items.map(toMonth));
    }
    return months;
  }

  /**
   * Issues the partner's remittance of a period from its paid months (once: a conditional put), after every
   * account was applied; answers the remittance as stored. None when no month was paid.
   */
  async issueRemittance(
    partnerId: string,
    period: Period,
  ): Promise<{ remittance: Remittance; lines: ContributionMonth[] } | undefined> {
    const lines = (await this.monthsOf(partnerId, period)).filter((m) => m.status === 'paid');
    if (lines.length === 0) return undefined;
    const remittance: Remittance = {
      id: remittanceId(partnerId, period),
      partnerId,
      period,
      total: lines.reduce((s, l) => s + l.amount, 0),
      lineCount: lines.length,
      status: 'issued',
      issuedAt: now(),
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...remittanceKey(partnerId, period), entity: ENTITY.remittance, ...remittance },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { remittance, lines };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const stored = await this.remittance(partnerId, period);
      return stored && { remittance: stored, lines };
    }
  }

  /** A partner's remittance of a period, if issued; none for a text that is no partner id. */
  async remittance(partnerId: string, period: Period): Promise<Remittance | undefined> {
    if (!isStoreId(partnerId)) return undefined;
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: remittanceKey(partnerId, period),
        ConsistentRead: true,
      }),
    );
    return Item ? toRemittance(Item) : undefined;
  }

  /**
   * Billing's answer to a remittance: `acknowledge` (a payment code: from `issued`, or kept on a remittance whose
   * payment overtook its acknowledgement on the queue) or `pay` (the amount must be the total, from `issued` or
   * `acknowledged`). A redelivered answer changes nothing; returns whether it did.
   */
  async answerRemittance(
    partnerId: string,
    period: Period,
    answer:
      | { readonly kind: 'acknowledge'; readonly paymentCode: string; readonly at: string }
      | { readonly kind: 'pay'; readonly amount: number; readonly paidAt: string },
  ): Promise<boolean> {
    if (answer.kind === 'pay') {
      return this.updateRemittance(partnerId, period, {
        UpdateExpression: 'SET #status = :to, paidAt = :at',
        ConditionExpression: '#status IN (:issued, :acknowledged) AND #total = :amount',
        ExpressionAttributeNames: { '#status': 'status', '#total': 'total' },
        ExpressionAttributeValues: {
          ':to': 'paid',
          ':at': answer.paidAt,
          ':issued': 'issued',
          ':acknowledged': 'acknowledged',
          ':amount': answer.amount,
        },
      });
    }
    const code = { ':code': answer.paymentCode, ':at': answer.at };
    return (
      (await this.updateRemittance(partnerId, period, {
        UpdateExpression: 'SET #status = :to, paymentCode = :code, acknowledgedAt = :at',
        ConditionExpression: '#status = :issued',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...code, ':to': 'acknowledged', ':issued': 'issued' },
      })) ||
      this.updateRemittance(partnerId, period, {
        UpdateExpression: 'SET paymentCode = :code, acknowledgedAt = :at',
        ConditionExpression: '#status = :paid AND attribute_not_exists(paymentCode)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...code, ':paid': 'paid' },
      })
    );
  }

  /** One conditional update of a remittance; false when its condition refused it. */
  private async updateRemittance(
    partnerId: string,
    period: Period,
    update: Pick<
      ConstructorParameters<typeof UpdateCommand>[0],
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({ TableName: this.tableName, Key: remittanceKey(partnerId, period), ...update }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
  }

  /** What the partner applied in a period (its period counter), for the statement. */
  async appliedIn(partnerId: string, period: Period): Promise<number> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: partnerPeriodKey(partnerId, period),
        ConsistentRead: true,
        ProjectionExpression: 'applied',
      }),
    );
    return Number(Item?.applied ?? 0);
  }
}
