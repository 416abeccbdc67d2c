/**
 * Incentive schemes evaluated at their period's end (issue 19): the roll of the month after a scheme's period
 * (and every later roll, hourly, until it is done) evaluates it; an administrator can ask for it too. Each
 * region that reached the threshold of its target gets one award, written by the store's award transaction;
 * evaluating again — a repeated roll, a redelivered schedule, two at once — finds the awards and writes none.
 */
import { isIncentiveDue, mapConcurrently, type Period, reachesThreshold, villagesOf } from '@lindung/core';
import type {
  CommitmentRepository,
  IncentiveOutcome,
  IncentiveRepository,
  IncentiveScheme,
} from '@lindung/store';

export interface IncentiveDeps {
  readonly incentives: IncentiveRepository;
  readonly commitments: CommitmentRepository;
  /** The workers each region's target asks in a fiscal year (the reports' goals, else vulnerable workers). */
  readonly targetWorkers: (fiscalYear: number, codes: readonly string[]) => Promise<Map<string, number>>;
}

/** How many regions' coverage is counted at once (each a few queries of the village enrollment index). */
const REGIONS_AT_ONCE = 8;

/** The workers covered in a region in `period`: over its villages (or the village itself). */
const coveredIn = async (deps: IncentiveDeps, region: string, period: Period): Promise<number> => {
  const villages =
    region.split('.').length === 4 ? [region] : villagesOf(region).map((v) => v.code as string);
  const counts = await mapConcurrently(villages, REGIONS_AT_ONCE, (village) =>
    deps.incentives.coveredWorkers(village, period),
  );
  return counts.reduce((total, n) => total + n, 0);
};

/**
 * Evaluates one scheme: measures each region, awards those at or above the threshold (once), and marks the
 * scheme evaluated with the outcome its award items show. A scheme already evaluated answers its outcome.
 */
export async function evaluateScheme(
  deps: IncentiveDeps,
  scheme: IncentiveScheme,
): Promise<IncentiveOutcome> {
  return (await evaluate(deps, scheme)).outcome;
}

/** `evaluateScheme`, with how many awards this run wrote (a concurrent run may have written the others). */
async function evaluate(
  deps: IncentiveDeps,
  scheme: IncentiveScheme,
): Promise<{ outcome: IncentiveOutcome; made: number }> {
  if (scheme.status === 'evaluated' && scheme.outcome) return { outcome: scheme.outcome, made: 0 };
  const commitment = await deps.commitments.require(scheme.commitmentId);
  const targets = await deps.targetWorkers(scheme.fiscalYear, scheme.regions);
  const measured = await mapConcurrently(scheme.regions, REGIONS_AT_ONCE, async (region) => ({
    region,
    covered: await coveredIn(deps, region, scheme.period),
    target: targets.get(region) ?? 0,
  }));
  // One at a time: every award grows the same commitment item, so parallel ones would only conflict.
  let made = 0;
  for (const { region, covered, target } of measured) {
    if (!reachesThreshold(covered, target, scheme.threshold)) continue;
    const result = await deps.incentives.award(scheme, commitment.budget, region, { covered, target });
    if (result === 'awarded') made++;
  }
  const awards = await deps.incentives.awards(scheme.id);
  const outcome: IncentiveOutcome = {
    evaluatedAt: new Date().toISOString(),
    reached: awards.length,
    awarded: awards.filter((a) => a.status === 'awarded').length,
    unfunded: awards.filter((a) => a.status === 'unfunded').length,
  };
  await deps.incentives.markEvaluated(scheme.id, outcome);
  return { outcome, made };
}

/** What the roll of a period evaluated. */
export interface IncentiveSweep {
  readonly schemes: number;
  /** Awards this run wrote (funded ones; a concurrent run's are not counted twice). */
  readonly awarded: number;
}

/**
 * Evaluates every pending scheme whose period has ended by `rollPeriod` (one query of the pending index; none
 * once all are evaluated). Called by the period roll, so it repeats hourly until each scheme is done.
 */
export async function evaluateDueIncentives(
  deps: IncentiveDeps,
  rollPeriod: Period,
): Promise<IncentiveSweep> {
  let schemes = 0;
  let awarded = 0;
  for (const id of await deps.incentives.pendingBefore(rollPeriod)) {
    const scheme = await deps.incentives.require(id);
    if (!isIncentiveDue(scheme.period, rollPeriod)) continue;
    const { made } = await evaluate(deps, scheme);
    schemes++;
    awarded += made;
  }
  return { schemes, awarded };
}
