/**
 * Allocation splits a commitment's budget into village quotas. Results are whole rupiah; when a split
 * leaves remainders, they go one rupiah at a time to the largest fractional parts (Hamilton / largest
 * remainder), ties broken by ascending village code. The outcome therefore depends only on the inputs,
 * never on input order or on floating point, and the parts add up exactly to what was split.
 */
import { BudgetExceededError, ValidationError } from './errors.js';
import { type BasisPoints, basisPoints, mul, percentOf, type Rupiah, rupiah, sum } from './money.js';
import { type RegionCode, villageCode } from './region.js';

/** The budget split evenly across the villages. */
export interface EqualAllocation {
  readonly kind: 'equal';
}

/** Each village gets a share of its grant (e.g. 10 % of Rp 100,000,000). */
export interface PercentOfGrantAllocation {
  readonly kind: 'percent-of-grant';
  readonly grantPerVillage: Rupiah;
  readonly percent: BasisPoints;
}

/** The budget split in proportion to a target count per village, e.g. its vulnerable workers. */
export interface ProportionalAllocation {
  readonly kind: 'proportional';
  /** Village code → target count (a non-negative whole number); a village absent here counts 0. */
  readonly targets: Readonly<Record<string, number>>;
}

/** Amounts stated per village; a village absent here gets 0. */
export interface ExplicitAllocation {
  readonly kind: 'explicit';
  readonly amounts: Readonly<Record<string, number>>;
}

/** How a budget is split into village quotas. */
export type AllocationMethod =
  | EqualAllocation
  | PercentOfGrantAllocation
  | ProportionalAllocation
  | ExplicitAllocation;

/** The kinds of allocation method. */
export const ALLOCATION_METHOD_KINDS = ['equal', 'percent-of-grant', 'proportional', 'explicit'] as const;

/** One village's quota. */
export interface Allocation {
  readonly villageCode: RegionCode;
  readonly amount: Rupiah;
}

/** One claimant of a largest-remainder apportionment. */
export interface Claim<K extends string = string> {
  readonly key: K;
  readonly weight: number;
}

/**
 * Splits `total` in proportion to whole, non-negative weights by largest remainder, ties broken by
 * ascending key. The parts sum exactly to `total`; a zero weight always gets 0. Results keep input order.
 */
export function apportion<K extends string>(
  total: Rupiah,
  claims: readonly Claim<K>[],
): { key: K; amount: Rupiah }[] {
  let totalWeight = 0n;
  for (const claim of claims) {
    if (!Number.isSafeInteger(claim.weight) || claim.weight < 0) {
      throw ValidationError.forField(
        `weights.${claim.key}`,
        `must be a non-negative whole number, got ${claim.weight}`,
      );
    }
    totalWeight += BigInt(claim.weight);
  }
  if (claims.length === 0 || totalWeight === 0n) {
    if (total === 0) return claims.map((claim) => ({ key: claim.key, amount: 0 as Rupiah }));
    throw ValidationError.forField('weights', 'cannot split a budget when every weight is zero');
  }
  // Exact quota total × weight / totalWeight in bigint: quotient now, remainder ranks the leftover rupiah.
  const budget = BigInt(total);
  const shares = claims.map((claim, index) => {
    const scaled = budget * BigInt(claim.weight);
    return { index, key: claim.key, floor: scaled / totalWeight, remainder: scaled % totalWeight };
  });
  let leftover = budget - shares.reduce((acc, share) => acc + share.floor, 0n);
  const ranked = [...shares].sort((a, b) => {
    if (a.remainder !== b.remainder) return a.remainder > b.remainder ? -1 : 1;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  // leftover < number of non-zero remainders, so zero-weight claims never receive a rupiah here.
  for (const share of ranked) {
    if (leftover === 0n) break;
    share.floor += 1n;
    leftover -= 1n;
  }
  return shares.map((share) => ({ key: share.key, amount: Number(share.floor) as Rupiah }));
}

function validateVillages(villages: readonly string[]): RegionCode[] {
  if (villages.length === 0) throw ValidationError.forField('villages', 'must list at least one village');
  const seen = new Set<string>();
  const codes = villages.map((code, i) => {
    const valid = villageCode(code, `villages[${i}]`);
    if (seen.has(valid)) throw ValidationError.forField(`villages[${i}]`, `${valid} is listed twice`);
    seen.add(valid);
    return valid;
  });
  return codes.sort();
}

function checkKnownVillages(
  record: Readonly<Record<string, number>>,
  villages: ReadonlySet<string>,
  field: string,
) {
  const unknown = Object.keys(record).filter((code) => !villages.has(code));
  if (unknown.length > 0) {
    throw ValidationError.forField(
      field,
      `names villages outside the allocation: ${unknown.slice(0, 5).join(', ')}`,
    );
  }
}

/**
 * Splits a budget into village quotas, sorted by village code. Equal and proportional splits use the
 * whole budget; percent-of-grant and explicit amounts may leave part of it unallocated but never exceed it
 * (`BudgetExceededError`, invariant I1).
 */
export function allocate(
  budget: Rupiah,
  method: AllocationMethod,
  villages: readonly string[],
): Allocation[] {
  const total = rupiah(budget, 'budget');
  const codes = validateVillages(villages);
  const parts = split(total, method, codes);
  const allocated = sum(parts.map((part) => part.amount));
  if (allocated > total) {
    throw new BudgetExceededError(`Allocations of ${allocated} exceed the budget of ${total}`, {
      details: { budget: total, allocated },
    });
  }
  return parts;
}

function split(total: Rupiah, method: AllocationMethod, codes: RegionCode[]): Allocation[] {
  switch (method.kind) {
    case 'equal':
      return fromApportionment(
        apportion(
          total,
          codes.map((key) => ({ key, weight: 1 })),
        ),
      );
    case 'proportional': {
      checkKnownVillages(method.targets, new Set(codes), 'targets');
      const claims = codes.map((key) => ({ key, weight: method.targets[key] ?? 0 }));
      return fromApportionment(apportion(total, claims));
    }
    case 'percent-of-grant': {
      const grant = rupiah(method.grantPerVillage, 'grantPerVillage');
      const amount = percentOf(grant, basisPoints(method.percent, 'percent'));
      // mul checks the product stays safe before the budget comparison in allocate().
      mul(amount, codes.length);
      return codes.map((code) => ({ villageCode: code, amount }));
    }
    case 'explicit': {
      checkKnownVillages(method.amounts, new Set(codes), 'amounts');
      return codes.map((code) => ({
        villageCode: code,
        amount: rupiah(method.amounts[code] ?? 0, `amounts.${code}`),
      }));
    }
  }
}

function fromApportionment(parts: { key: RegionCode; amount: Rupiah }[]): Allocation[] {
  return parts.map((part) => ({ villageCode: part.key, amount: part.amount }));
}

/** The total of a list of allocations. */
export function totalAllocated(allocations: readonly Allocation[]): Rupiah {
  return sum(allocations.map((allocation) => allocation.amount));
}
