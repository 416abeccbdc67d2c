/**
 * The synthetic workers of the demo: for each village, who starts when, until the village's quota is full.
 * Pure and seeded, so a run can be repeated and its outcome is known before the API is asked: the demo then
 * checks that every village spent, to the rupiah, what its plan says.
 *
 * A village plan: a cohort enrolled in January (most villages sign their workers up at the start of the
 * year), then workers joining in later months while the quota lasts, until less than one month's premium is
 * left, and one worker more in December, whom the API must refuse with `quota-exhausted`. NIKs are valid
 * for Jambi: the district of issue is the village's own, the birth date makes the worker 20 to 60 years old
 * at the start of the fiscal year, women have 40 added to the day.
 */
import {
  type BenefitPackage,
  monthlyPremium,
  type Period,
  periodOf,
  type Rupiah,
  reservationAtEnrollment,
  villagesOf,
} from '@lindung/core';

/** Jambi's province code. */
export const JAMBI = '15';

/** A worker the demo enrolls (or, for the last of each village, expects to be refused). */
export interface PlannedWorker {
  readonly villageCode: string;
  readonly nik: string;
  readonly name: string;
  readonly startPeriod: Period;
  /** The premium reserved at enrollment: every month from the start to December. */
  readonly cost: number;
  /** `created` if the quota has room for the worker, `quota-exhausted` for the one sent past the full quota. */
  readonly expect: 'created' | 'quota-exhausted';
}

/** A village's plan and its arithmetic. */
export interface VillagePlan {
  readonly villageCode: string;
  readonly quota: number;
  readonly workers: readonly PlannedWorker[];
  /** Workers the quota pays for (the refused one not counted). */
  readonly enrolled: number;
  /** Months of coverage they get in the fiscal year. */
  readonly workerMonths: number;
  /** What the quota spends on them over the year. */
  readonly cost: number;
  /** What is left of the quota at year end: less than one month's premium. */
  readonly leftover: number;
}

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same workers. */
export const seededRandom = (seed: number) => {
  let state = seed | 0;
  return (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

type Random = () => number;

const between = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

const GIVEN_NAMES = {
  F: ['Siti', 'Nur', 'Dewi', 'Sri', 'Rina', 'Yuli', 'Fitri', 'Wati', 'Rahma', 'Aisyah', 'Lestari', 'Mawar'],
  M: ['Ahmad', 'Muhammad', 'Budi', 'Agus', 'Hendra', 'Rudi', 'Syahrial', 'Joko', 'Iwan', 'Zulkifli', 'Rizal'],
} as const;
const FAMILY_NAMES = ['Hasibuan', 'Saputra', 'Harahap', 'Lubis', 'Siregar', 'Nasution', 'Putri', 'Rahman'];

const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * Issues NIKs of one district, each with a serial never used before in that district, so that no two
 * workers of the demo share a NIK (a NIK is covered at most once a year).
 */
export class NikIssuer {
  private readonly serials = new Map<string, number>();

  /** A NIK issued in the district of `villageCode` to someone born on `born` (`YYYY-MM-DD`) of `sex`. */
  issue(villageCode: string, born: string, sex: 'F' | 'M'): string {
    const district = villageCode.replaceAll('.', '').slice(0, 6);
    const serial = (this.serials.get(district) ?? 0) + 1;
    if (serial > 9_999) throw new Error(`district ${district} has run out of NIK serials`);
    this.serials.set(district, serial);
    const [year = '', month = '', day = ''] = born.split('-');
    const encodedDay = Number(day) + (sex === 'F' ? 40 : 0);
    return `${district}${String(encodedDay).padStart(2, '0')}${month}${year.slice(2)}${String(serial).padStart(4, '0')}`;
  }
}

/** Someone 20 to 60 years old on 1 January of `year`. */
const birthDate = (random: Random, year: number): string => {
  const born = between(random, year - 60, year - 21);
  const month = between(random, 1, 12);
  const day = between(random, 1, daysIn(born, month));
  return `${born}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
};

export interface PlanOptions {
  readonly year: number;
  readonly quota: number;
  readonly benefit: BenefitPackage;
  readonly seed?: number;
}

/** The plans of every village, in village order, with NIKs unique across all of them. */
export const planVillages = (villageCodes: readonly string[], options: PlanOptions): VillagePlan[] => {
  const random = seededRandom(options.seed ?? 2022);
  const nik = new NikIssuer();
  return villageCodes.map((code) => planVillage(code, options, random, nik));
};

const planVillage = (
  villageCode: string,
  options: PlanOptions,
  random: Random,
  nik: NikIssuer,
): VillagePlan => {
  const { year, quota, benefit } = options;
  const december = periodOf(year, 12);
  const monthly = monthlyPremium(benefit, december) as number;
  const costFrom = (month: number) =>
    reservationAtEnrollment('fiscal-year', benefit, periodOf(year, month)).amount as Rupiah as number;
  const workers: PlannedWorker[] = [];
  let left = quota;
  let workerMonths = 0;
  const add = (month: number, expect: PlannedWorker['expect'] = 'created') => {
    const sex = random() < 0.45 ? 'F' : 'M';
    const cost = costFrom(month);
    workers.push({
      villageCode,
      nik: nik.issue(villageCode, birthDate(random, year), sex),
      name: `${pick(random, GIVEN_NAMES[sex])} ${pick(random, FAMILY_NAMES)}`,
      startPeriod: periodOf(year, month),
      cost,
      expect,
    });
    if (expect === 'created') {
      left -= cost;
      workerMonths += 13 - month;
    }
  };
  // The January cohort takes most of the quota; the rest goes to workers joining in later months, each in
  // a month whose premiums to December still fit, until less than a month's premium is left.
  const cohort = Math.min(between(random, 30, 44), Math.floor(quota / costFrom(1)));
  for (let i = 0; i < cohort; i++) add(1);
  const joiners: number[] = [];
  for (let spare = left; spare >= monthly; ) {
    const affordable = Array.from({ length: 11 }, (_, i) => i + 2).filter((m) => costFrom(m) <= spare);
    const month = pick(random, affordable);
    joiners.push(month);
    spare -= costFrom(month);
  }
  for (const month of joiners.sort((a, b) => a - b)) add(month);
  // One more in December, past the full quota: the API must refuse them.
  add(12, 'quota-exhausted');
  const enrolled = workers.filter((w) => w.expect === 'created').length;
  return { villageCode, quota, workers, enrolled, workerMonths, cost: quota - left, leftover: left };
};

/** The workers of every plan that start in `month`, in village order. */
export const startingIn = (plans: readonly VillagePlan[], period: Period) =>
  plans
    .map((plan) => ({
      villageCode: plan.villageCode,
      workers: plan.workers.filter((w) => w.startPeriod === period),
    }))
    .filter((village) => village.workers.length > 0);

/** `count` villages of Jambi, spread evenly over its regencies (all of them when `count` is absent). */
export const jambiVillages = (count?: number): string[] => {
  const all = villagesOf(JAMBI).map((v) => v.code as string);
  if (count === undefined || count >= all.length) return all;
  const step = all.length / count;
  return Array.from({ length: count }, (_, i) => all[Math.floor(i * step)] as string);
};
