/**
 * Eligibility rules of a commitment (issue 19): who its money may cover, on top of the BPU rule that every
 * subsidised worker is 18 to 65. An age range narrower than that (Kudus: at most 65; a youth programme: at
 * most 30), and worker segments (village officials, RT/RW, fishers, farmers, market traders, construction
 * day labourers…), and membership of a list the sponsor uploaded (Kudus: the P3KE extreme-poverty list), held
 * as keyed hashes of NIKs. A worker outside the rules is refused with `not-eligible`, naming the rule.
 */
import { NotEligibleError, ValidationError } from './errors.js';
import { ageAt, ELIGIBLE_AGE } from './nik.js';
import type { IsoDate, Period } from './period.js';

/** The worker segments a commitment may be limited to. */
export const WORKER_SEGMENTS = [
  'village-official',
  'rt-rw',
  'fisher',
  'farmer',
  'market-trader',
  'construction-labourer',
  'transport-driver',
  'domestic-worker',
  'religious-worker',
  'other-informal',
] as const;
export type WorkerSegment = (typeof WORKER_SEGMENTS)[number];

/** Who a commitment's money may cover. Absent members do not restrict. */
export interface Eligibility {
  readonly minAge?: number;
  readonly maxAge?: number;
  readonly segments?: readonly WorkerSegment[];
  /** The name of a list of the commitment's sponsor (e.g. `p3ke`) the worker must be on. */
  readonly list?: string;
}

/** NIKs one request may put on or take off a list: a regency's list goes up in a few requests. */
export const MAX_LIST_NIKS = 1000;

/** What a list's name may be: lower-case letters, digits and dashes, as in a URL path. */
export const LIST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** Validates a list's name (see {@link LIST_NAME}). */
export function listName(name: string, field = 'list'): string {
  if (!LIST_NAME.test(name)) {
    throw ValidationError.forField(field, 'must be 1 to 40 lower-case letters, digits or dashes');
  }
  return name;
}

/** Validates a commitment's eligibility rules: ages within 18–65, min ≤ max, segments known and not repeated. */
export function eligibilityRules(input: Eligibility): Eligibility {
  const { minAge = ELIGIBLE_AGE.min, maxAge = ELIGIBLE_AGE.max } = input;
  for (const [field, age] of [
    ['eligibility.minAge', minAge],
    ['eligibility.maxAge', maxAge],
  ] as const) {
    if (!Number.isInteger(age) || age < ELIGIBLE_AGE.min || age > ELIGIBLE_AGE.max) {
      throw ValidationError.forField(
        field,
        `must be a whole age from ${ELIGIBLE_AGE.min} to ${ELIGIBLE_AGE.max}`,
      );
    }
  }
  if (minAge > maxAge) throw ValidationError.forField('eligibility.minAge', `is above maxAge ${maxAge}`);
  const segments = input.segments ?? [];
  if (new Set(segments).size !== segments.length) {
    throw ValidationError.forField('eligibility.segments', 'lists a segment twice');
  }
  if (input.segments !== undefined && segments.length === 0) {
    throw ValidationError.forField('eligibility.segments', 'must name at least one segment, or be left out');
  }
  return {
    ...(input.minAge !== undefined && { minAge }),
    ...(input.maxAge !== undefined && { maxAge }),
    ...(input.segments !== undefined && { segments }),
    ...(input.list !== undefined && { list: listName(input.list, 'eligibility.list') }),
  };
}

/** The worker as the rules see it. */
export interface Candidate {
  readonly birthDate: IsoDate;
  readonly startPeriod: Period;
  readonly segment?: string | undefined;
  /** Whether the worker is on the commitment's list; looked up only when the rules name one. */
  readonly listed?: boolean;
}

/** Throws `NotEligibleError` naming the rule when `candidate` is outside `rules`. */
export function checkEligibility(rules: Eligibility | undefined, candidate: Candidate): void {
  if (!rules) return;
  const age = ageAt(candidate.birthDate, candidate.startPeriod);
  if (
    (rules.minAge !== undefined && age < rules.minAge) ||
    (rules.maxAge !== undefined && age > rules.maxAge)
  ) {
    throw new NotEligibleError(
      `The worker is ${age} at ${candidate.startPeriod}; this commitment covers workers aged ${rules.minAge ?? ELIGIBLE_AGE.min} to ${rules.maxAge ?? ELIGIBLE_AGE.max}`,
      { details: { rule: 'age', age, minAge: rules.minAge, maxAge: rules.maxAge } },
    );
  }
  if (rules.segments && !rules.segments.includes(candidate.segment as WorkerSegment)) {
    throw new NotEligibleError(
      candidate.segment
        ? `This commitment covers ${rules.segments.join(', ')}; the worker is ${candidate.segment}`
        : `This commitment covers ${rules.segments.join(', ')}: name the worker's segment`,
      { details: { rule: 'segment', segment: candidate.segment ?? null, segments: rules.segments } },
    );
  }
  if (rules.list !== undefined && candidate.listed !== true) {
    throw new NotEligibleError(
      `This commitment covers only the workers on its sponsor's list ${rules.list}; the worker is not on it`,
      { details: { rule: 'list', list: rules.list } },
    );
  }
}
