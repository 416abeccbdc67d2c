/**
 * BPU (pekerja bukan penerima upah) premiums of BPJS Ketenagakerjaan, as versioned data. Rates change by
 * regulation, so they are effective-dated versions rather than literals in code: a period is priced with
 * the latest version in force at that period, and a new regulation is one more entry in the schedule.
 */
import { ValidationError } from './errors.js';
import {
  type BasisPoints,
  basisPoints,
  isRupiah,
  maxRupiah,
  minRupiah,
  percentOf,
  type Rupiah,
  rupiah,
  sum,
} from './money.js';
import { consecutivePeriods, fiscalYearPeriods, type Period, parsePeriod } from './period.js';

/** The BPJS Ketenagakerjaan programmes a BPU worker can be enrolled in. */
export const PROGRAMS = ['JKK', 'JKM', 'JHT'] as const;

/** JKK (work accident), JKM (death) or JHT (old-age savings). */
export type Program = (typeof PROGRAMS)[number];

/** The programmes every BPU participant must join; JHT is optional. */
export const MANDATORY_PROGRAMS: readonly Program[] = ['JKK', 'JKM'];

/** What a sponsor pays for: the programmes and the monthly income declared for the worker. */
export interface BenefitPackage {
  readonly programs: readonly Program[];
  readonly declaredIncome: Rupiah;
}

/** One version of the BPU premium rates, in force from `effectiveFrom` until the next version. */
export interface PremiumRates {
  /** The first period these rates price. */
  readonly effectiveFrom: Period;
  /** The regulations the figures come from. */
  readonly source: string;
  /** The lowest monthly income BPJS accepts as declared income for a BPU worker. */
  readonly minimumDeclaredIncome: Rupiah;
  /** JKK: a share of declared income, bounded by a floor and a ceiling. */
  readonly jkk: { readonly rate: BasisPoints; readonly floor: Rupiah; readonly ceiling: Rupiah };
  /** JKM: a flat amount per month. */
  readonly jkm: { readonly flat: Rupiah };
  /** JHT: a share of declared income. */
  readonly jht: { readonly rate: BasisPoints };
}

/** The schedule of premium rates, oldest first. */
export type PremiumSchedule = readonly PremiumRates[];

/** The BPU premium schedule of Lindung, oldest version first. */
export const PREMIUM_SCHEDULE: PremiumSchedule = [
  {
    effectiveFrom: parsePeriod('2019-12'),
    source:
      'PP 44/2015 as amended by PP 82/2019; Permenaker 5/2021 (DOMAIN.md). BPU: JKK 1% of declared income ' +
      '(Rp 10,000 at the minimum income of Rp 1,000,000, at most Rp 207,000), JKM Rp 6,800, JHT 2%.',
    minimumDeclaredIncome: rupiah(1_000_000),
    jkk: { rate: basisPoints(100), floor: rupiah(10_000), ceiling: rupiah(207_000) },
    jkm: { flat: rupiah(6_800) },
    jht: { rate: basisPoints(200) },
  },
];

/** The rates in force at a period: the latest version whose `effectiveFrom` is not after it. */
export function ratesFor(period: Period, schedule: PremiumSchedule = PREMIUM_SCHEDULE): PremiumRates {
  let found: PremiumRates | undefined;
  for (const rates of schedule) {
    if (
      rates.effectiveFrom <= period &&
      (found === undefined || rates.effectiveFrom >= found.effectiveFrom)
    ) {
      found = rates;
    }
  }
  if (found === undefined) {
    throw ValidationError.forField('period', `no BPU premium rates are in force at ${period}`);
  }
  return found;
}

/**
 * Validates a benefit package: known programmes, no duplicates, JKK and JKM present (BPU participants must
 * join both), and a declared income of at least the minimum in force at `period`. An income below the
 * minimum is refused rather than priced at the floor, because BPJS would register the worker at a
 * different income than the sponsor declared. Programmes come back in canonical order JKK, JKM, JHT.
 */
export function benefitPackage(
  input: { readonly programs: readonly string[]; readonly declaredIncome: number },
  period?: Period,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): BenefitPackage {
  const issues: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const program of input.programs) {
    if (!(PROGRAMS as readonly string[]).includes(program)) {
      issues.push({ path: 'programs', message: `unknown programme ${JSON.stringify(program)}` });
    } else if (seen.has(program)) {
      issues.push({ path: 'programs', message: `${program} is listed twice` });
    }
    seen.add(program);
  }
  for (const required of MANDATORY_PROGRAMS) {
    if (!seen.has(required))
      issues.push({ path: 'programs', message: `${required} is mandatory for BPU workers` });
  }
  if (!isRupiah(input.declaredIncome)) {
    issues.push({ path: 'declaredIncome', message: 'must be a whole, non-negative number of rupiah' });
  } else {
    const minimum = minimumDeclaredIncome(period, schedule);
    if (input.declaredIncome < minimum) {
      issues.push({
        path: 'declaredIncome',
        message: `must be at least ${minimum}, got ${input.declaredIncome}`,
      });
    }
  }
  if (issues.length > 0) {
    throw new ValidationError(
      `Invalid benefit package: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        issues,
      },
    );
  }
  return {
    programs: PROGRAMS.filter((program) => seen.has(program)),
    declaredIncome: input.declaredIncome as Rupiah,
  };
}

function minimumDeclaredIncome(period: Period | undefined, schedule: PremiumSchedule): Rupiah {
  if (period !== undefined) return ratesFor(period, schedule).minimumDeclaredIncome;
  // Without a period the package must be acceptable to every version, so take the strictest minimum.
  return schedule.reduce((max, rates) => maxRupiah(max, rates.minimumDeclaredIncome), 0 as Rupiah);
}

/** The premium of one programme for one month at a declared income, under given rates. */
export function programPremium(program: Program, declaredIncome: Rupiah, rates: PremiumRates): Rupiah {
  switch (program) {
    case 'JKK':
      // 1 % rounded down to the rupiah, then held between floor and ceiling.
      return maxRupiah(
        rates.jkk.floor,
        minRupiah(rates.jkk.ceiling, percentOf(declaredIncome, rates.jkk.rate)),
      );
    case 'JKM':
      return rates.jkm.flat;
    case 'JHT':
      return percentOf(declaredIncome, rates.jht.rate);
  }
}

/** The premium of one month, itemised per programme. */
export interface PremiumBreakdown {
  readonly period: Period;
  /** The `effectiveFrom` of the rates version used, so a price can be traced to its regulation. */
  readonly ratesEffectiveFrom: Period;
  readonly items: readonly { readonly program: Program; readonly amount: Rupiah }[];
  readonly total: Rupiah;
}

/** The monthly premium of a package at a period, per programme and in total. */
export function premiumBreakdown(
  pkg: BenefitPackage,
  period: Period,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): PremiumBreakdown {
  const valid = benefitPackage(pkg, period, schedule);
  const rates = ratesFor(period, schedule);
  const items = valid.programs.map((program) => ({
    program,
    amount: programPremium(program, valid.declaredIncome, rates),
  }));
  return { period, ratesEffectiveFrom: rates.effectiveFrom, items, total: sum(items.map((i) => i.amount)) };
}

/** The premium of one worker for one period under a package (JKK + JKM at Rp 1,000,000 → 16,800). */
export function monthlyPremium(
  pkg: BenefitPackage,
  period: Period,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): Rupiah {
  return premiumBreakdown(pkg, period, schedule).total;
}

/** The premium of one worker over the given periods, each priced with the rates in force then. */
export function premiumForPeriods(
  pkg: BenefitPackage,
  periods: readonly Period[],
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): Rupiah {
  return sum(periods.map((period) => monthlyPremium(pkg, period, schedule)));
}

/** The premium of one worker for `months` consecutive periods from `start`. */
export function coverageCost(
  pkg: BenefitPackage,
  start: Period,
  months: number,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): Rupiah {
  return premiumForPeriods(pkg, consecutivePeriods(start, months), schedule);
}

/** The premium of one worker for a whole fiscal year, January–December (JKK + JKM minimum → 201,600). */
export function annualPremium(
  pkg: BenefitPackage,
  fiscalYear: number,
  schedule: PremiumSchedule = PREMIUM_SCHEDULE,
): Rupiah {
  return premiumForPeriods(pkg, fiscalYearPeriods(fiscalYear), schedule);
}
