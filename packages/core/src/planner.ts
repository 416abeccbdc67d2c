/**
 * The coverage planner: how many more workers a region must cover to reach its target, what that costs a
 * year, and how the effort splits over its child regions in proportion to their vulnerable workers (South
 * Sumatra: 50 % of 2,8 million workers is 1,4 million; with 1.075.000 covered, 325.000 more at Rp 201.600
 * each cost Rp 65.520.000.000 a year). Pure arithmetic on whole workers and integer rupiah.
 */
import { apportion } from './allocation.js';
import { ValidationError } from './errors.js';
import { type BasisPoints, FULL_SHARE, mul, type Rupiah } from './money.js';

/** What the region must reach: a number of workers, or a share of its workers. */
export type CoverageTarget =
  | { readonly kind: 'workers'; readonly workers: number }
  | { readonly kind: 'percent'; readonly share: BasisPoints; readonly of: number };

/** A child region and its weight in the split (its vulnerable workers). */
export interface PlanRegion {
  readonly code: string;
  readonly vulnerableWorkers: number;
}

export interface CoveragePlan {
  /** Workers the target asks for (a share rounds up: 50 % of 3 workers is 2). */
  readonly targetWorkers: number;
  readonly covered: number;
  /** Workers still to cover; 0 once the target is reached. */
  readonly gap: number;
  readonly costPerWorker: Rupiah;
  /** `gap × costPerWorker`. */
  readonly cost: Rupiah;
  /** The gap split over the child regions by vulnerable workers (largest remainder): parts sum to the gap. */
  readonly regions: readonly (PlanRegion & { readonly workers: number; readonly cost: Rupiah })[];
}

const wholeCount = (value: number, field: string) => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw ValidationError.forField(field, `must be a whole number ≥ 0, got ${value}`);
  }
  return value;
};

/** The workers a target asks for. */
export function targetWorkers(target: CoverageTarget): number {
  if (target.kind === 'workers') return wholeCount(target.workers, 'targetWorkers');
  const base = BigInt(wholeCount(target.of, 'workers'));
  const share = BigInt(target.share);
  const full = BigInt(FULL_SHARE);
  return Number((base * share + full - 1n) / full);
}

/**
 * Plans the way to a target: the gap between it and `covered`, its yearly cost at `costPerWorker` (a full
 * year's premium of the benefit package), and the gap split over `regions` by their vulnerable workers. With
 * no region holding a vulnerable worker the split is left empty rather than guessed.
 */
export function planCoverage(
  target: CoverageTarget,
  covered: number,
  costPerWorker: Rupiah,
  regions: readonly PlanRegion[] = [],
): CoveragePlan {
  const wanted = targetWorkers(target);
  const gap = Math.max(0, wanted - wholeCount(covered, 'covered'));
  const weighted = regions.some((region) => region.vulnerableWorkers > 0);
  const parts = weighted
    ? apportion(
        gap as Rupiah,
        regions.map((region) => ({ key: region.code, weight: region.vulnerableWorkers })),
      )
    : [];
  return {
    targetWorkers: wanted,
    covered,
    gap,
    costPerWorker,
    cost: mul(costPerWorker, gap),
    regions: parts.map((part, i) => ({
      code: part.key,
      vulnerableWorkers: regions[i]?.vulnerableWorkers ?? 0,
      workers: part.amount,
      cost: mul(costPerWorker, part.amount),
    })),
  };
}
