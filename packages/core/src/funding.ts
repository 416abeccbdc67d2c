/**
 * Funding rules say how large a commitment's budget is. A sponsor either commits a fixed amount, or a rule
 * such as Jambi's BKBK programme: "10 % of the Rp 100,000,000 grant of every village of region 15", whose
 * budget follows from the number of villages.
 */
import { ValidationError } from './errors.js';
import { type BasisPoints, basisPoints, mul, percentOf, type Rupiah, rupiah } from './money.js';
import { type RegionCode, regionCode } from './region.js';

/** A fixed budget. */
export interface FixedFundingRule {
  readonly kind: 'fixed';
  readonly amount: Rupiah;
}

/** A share of a per-village grant, for every village (of `region`, when given). */
export interface PercentOfGrantFundingRule {
  readonly kind: 'percent-of-grant';
  readonly grantPerVillage: Rupiah;
  readonly percent: BasisPoints;
  /** The region whose villages receive the grant; absent when the villages are counted otherwise. */
  readonly region?: RegionCode;
}

/** How the budget of a commitment is set. */
export type FundingRule = FixedFundingRule | PercentOfGrantFundingRule;

/** The kinds of funding rule. */
export const FUNDING_RULE_KINDS = ['fixed', 'percent-of-grant'] as const;

/** A fixed-amount rule. */
export function fixedFunding(amount: number): FixedFundingRule {
  return { kind: 'fixed', amount: rupiah(amount, 'amount') };
}

/** A percent-of-grant rule; `percent` in basis points (1000 = 10 %). */
export function percentOfGrantFunding(
  grantPerVillage: number,
  percent: number,
  region?: string,
): PercentOfGrantFundingRule {
  const rule: PercentOfGrantFundingRule = {
    kind: 'percent-of-grant',
    grantPerVillage: rupiah(grantPerVillage, 'grantPerVillage'),
    percent: basisPoints(percent, 'percent'),
  };
  return region === undefined ? rule : { ...rule, region: regionCode(region, 'region') };
}

/** The budget a rule produces: the total, and the amount per village when the rule is per village. */
export interface FundingBudget {
  readonly total: Rupiah;
  /** Each village's share; `undefined` for a fixed amount, which is split by an allocation method. */
  readonly perVillage: Rupiah | undefined;
}

/**
 * The budget of a percent-of-grant rule over `villageCount` villages: each village gets grant × percent,
 * rounded down to the rupiah, and the total is exactly that times the number of villages, so the
 * per-village shares always add up to the total (10 % of Rp 100,000,000 × 1,562 → Rp 15,620,000,000).
 */
export function percentOfGrantBudget(
  rule: PercentOfGrantFundingRule,
  villageCount: number,
): { readonly perVillage: Rupiah; readonly total: Rupiah } {
  if (!Number.isSafeInteger(villageCount) || villageCount < 0) {
    throw ValidationError.forField('villages', `must be a non-negative whole number, got ${villageCount}`);
  }
  const perVillage = percentOf(rule.grantPerVillage, rule.percent);
  return { perVillage, total: mul(perVillage, villageCount) };
}

/** Evaluates a rule; `villageCount` is required for percent-of-grant and ignored for a fixed amount. */
export function fundingBudget(rule: FundingRule, villageCount?: number): FundingBudget {
  switch (rule.kind) {
    case 'fixed':
      return { total: rule.amount, perVillage: undefined };
    case 'percent-of-grant':
      if (villageCount === undefined) {
        throw ValidationError.forField('villages', 'a percent-of-grant budget needs the number of villages');
      }
      return percentOfGrantBudget(rule, villageCount);
  }
}
