/**
 * Which commitment pays a new enrollment when several sponsors fund one village (issue 19): a province, the
 * regency and the village's own fund may all hold a quota there. The choice follows an explicit order, never
 * chance: the commitment's priority (lower pays first), then the earlier approval, then the commitment id.
 *
 * A commitment states its priority, or takes the one of its sponsor's kind (`PRIORITY_BY_SPONSOR_KIND`): the
 * village fund first, then the regency or city, then the province, then any other sponsor. The narrowest
 * budget pays first because it can only ever pay for this village, while a wider sponsor's unspent quota can be
 * moved to another village (a reallocation) or carried as a region's reserve; so the village's own money is
 * used before the region's, and the region's before the province's. The rules of each commitment (its
 * eligibility and its quota) are applied in that order: the first commitment that takes the worker pays.
 */
import { type Candidate, checkEligibility, type Eligibility } from './eligibility.js';
import {
  CommitmentNotActiveError,
  type DomainError,
  NotEligibleError,
  PeriodClosedError,
  QuotaExhaustedError,
} from './errors.js';
import type { Period } from './period.js';

/** The kinds of sponsor. */
export const SPONSOR_KINDS = ['province', 'regency', 'city', 'village', 'other'] as const;
export type SponsorKind = (typeof SPONSOR_KINDS)[number];

/** The priority a commitment takes from its sponsor's kind when it states none: lower pays first. */
export const PRIORITY_BY_SPONSOR_KIND: Readonly<Record<SponsorKind, number>> = {
  village: 100,
  regency: 200,
  city: 200,
  province: 300,
  other: 400,
};

/** The priorities a commitment may state. */
export const PRIORITY_RANGE = { min: 1, max: 999 } as const;

/** A commitment's priority: the one it states, else its sponsor kind's. */
export const fundingPriority = (stated: number | undefined, kind: SponsorKind): number =>
  stated ?? PRIORITY_BY_SPONSOR_KIND[kind];

/** One commitment's quota in a village, as the choice sees it. */
export interface FundingOption {
  readonly commitmentId: string;
  readonly priority: number;
  /** When the commitment was approved (ISO instant): the earlier approval pays first at equal priority. */
  readonly approvedAt: string;
  readonly eligibility?: Eligibility | undefined;
  /** Whether the worker is on the list its rules name (looked up only when they name one). */
  readonly listed?: boolean | undefined;
  /** The village's quota not yet reserved or spent. */
  readonly available: number;
  /** What enrolling the worker from the start period reserves under this commitment. */
  readonly cost: number;
  readonly status: 'active' | 'closed';
  /** The last period (`YYYY-MM`) the village's roll has begun: coverage can no longer start in it. */
  readonly closedThrough?: string | undefined;
}

/** Why a commitment takes a worker or not; each refusal is named by the problem code it would answer. */
export type FundingVerdict =
  | { readonly verdict: 'takes' }
  | {
      readonly verdict: 'not-eligible' | 'quota-exhausted' | 'period-closed' | 'commitment-not-active';
      readonly reason: string;
      readonly details: Readonly<Record<string, unknown>>;
    };

export type JudgedOption<T extends FundingOption> = T & FundingVerdict;

/** The funding order: priority ascending, then the earlier approval, then the commitment id. */
export const byFundingPriority = (a: FundingOption, b: FundingOption): number =>
  a.priority - b.priority ||
  (a.approvedAt < b.approvedAt ? -1 : a.approvedAt > b.approvedAt ? 1 : 0) ||
  (a.commitmentId < b.commitmentId ? -1 : a.commitmentId > b.commitmentId ? 1 : 0);

/** The verdict a domain error of an enrollment's transaction (or the rules) stands for. */
export const verdictOf = (error: DomainError): FundingVerdict | undefined =>
  error instanceof NotEligibleError ||
  error instanceof QuotaExhaustedError ||
  error instanceof PeriodClosedError ||
  error instanceof CommitmentNotActiveError
    ? { verdict: error.code, reason: error.message, details: error.details }
    : undefined;

/**
 * Whether one commitment takes the worker from `startPeriod`: its quota is open and holds the cost, and the
 * worker meets its rules (without a worker, the rules are not judged). Reads the quota as last seen: the
 * enrollment's transaction is what keeps it (a race lost there moves on to the next commitment).
 */
export function judgeFunding(
  option: FundingOption,
  startPeriod: Period,
  candidate?: Candidate,
): FundingVerdict {
  if (option.status !== 'active') {
    return {
      verdict: 'commitment-not-active',
      reason: 'This commitment’s year is closed in the village',
      details: { commitmentId: option.commitmentId },
    };
  }
  if (option.closedThrough !== undefined && option.closedThrough >= startPeriod) {
    return {
      verdict: 'period-closed',
      reason: `The village is invoiced through ${option.closedThrough}; coverage can start from a later period`,
      details: { closedThrough: option.closedThrough, startPeriod },
    };
  }
  if (candidate) {
    try {
      checkEligibility(option.eligibility, { ...candidate, listed: option.listed === true });
    } catch (error) {
      const verdict = error instanceof NotEligibleError ? verdictOf(error) : undefined;
      if (!verdict) throw error;
      return verdict;
    }
  }
  if (option.available < option.cost) {
    return {
      verdict: 'quota-exhausted',
      reason: `The village quota holds Rp ${option.available}; this worker needs Rp ${option.cost}`,
      details: { available: option.available, required: option.cost },
    };
  }
  return { verdict: 'takes' };
}

/** Every option in funding order with its verdict, and the first that takes the worker (if any). */
export function chooseFunding<T extends FundingOption>(
  options: readonly T[],
  startPeriod: Period,
  candidate?: Candidate,
): { readonly options: JudgedOption<T>[]; readonly chosen?: JudgedOption<T> } {
  const judged = [...options]
    .sort(byFundingPriority)
    .map((option) => ({ ...option, ...judgeFunding(option, startPeriod, candidate) }));
  const chosen = judged.find((option) => option.verdict === 'takes');
  return chosen ? { options: judged, chosen } : { options: judged };
}

/** Why no commitment of the village took the worker, per commitment, in the order they were tried. */
export interface FundingRefusal {
  readonly commitmentId: string;
  readonly priority: number;
  readonly verdict: Exclude<FundingVerdict['verdict'], 'takes'>;
  readonly reason: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * The error when no commitment of a village takes a worker: the one code every commitment refused with
 * (all `not-eligible`: 422), else `quota-exhausted` (409: a commitment whose rules allow the worker has no room,
 * or the village has no commitment that year). `details.options` says, per commitment, why.
 */
export function noFundingError(villageCode: string, fiscalYear: number, refusals: readonly FundingRefusal[]) {
  const details = { villageCode, fiscalYear, options: refusals };
  const codes = new Set(refusals.map((r) => r.verdict));
  const [only] = codes;
  if (refusals.length === 0) {
    return new QuotaExhaustedError(`No commitment funds village ${villageCode} in ${fiscalYear}`, {
      details,
    });
  }
  const message = `No commitment of village ${villageCode} takes this worker: ${refusals
    .map((r) => `${r.commitmentId} ${r.verdict}`)
    .join('; ')}`;
  if (codes.size === 1 && only === 'not-eligible') return new NotEligibleError(message, { details });
  if (codes.size === 1 && only === 'period-closed') return new PeriodClosedError(message, { details });
  if (codes.size === 1 && only === 'commitment-not-active') {
    return new CommitmentNotActiveError(message, { details });
  }
  return new QuotaExhaustedError(message, { details });
}
