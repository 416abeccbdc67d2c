/**
 * Enrolling a worker: into the commitment the operator names, or — when it names none — into the first of the
 * village's commitments in funding order that takes the worker (issue 19: a province, the regency and the
 * village fund over one village). The order and the rules are core's (`chooseFunding`); the money and I3 stay
 * with the enrollment's transaction, whose refusal of one commitment (a quota emptied meanwhile) moves on to
 * the next. `fundingOptions` answers the operator's question before enrolling: which commitments can take
 * this worker, and why.
 */
import {
  ageAt,
  type Candidate,
  checkEligibility,
  chooseFunding,
  type FundingRefusal,
  formatRupiah,
  fundingPriority,
  isDomainError,
  isEligibleAge,
  leavesPremium,
  maskNik,
  NotEligibleError,
  noFundingError,
  type Period,
  parseNik,
  parsePeriod,
  villageCode as parseVillageCode,
  periodParts,
  reservationSplit,
  splitAt,
  ValidationError,
  verdictOf,
} from '@lindung/core';
import {
  coFunderAmong,
  type EnrollmentCompanion,
  type EnrollmentRequest,
  sharedPayers,
  type VillageFunding,
} from '@lindung/store';
import { authorize, type Operation, type Principal } from './auth.js';
import type { CommitmentTerms } from './commitment-terms.js';
import type { EnrollBody, FundingOptionsBody } from './schemas.js';
import type { Services } from './use-cases.js';

/** A worker the caller may enroll in the village from a valid start period, aged 18 to 65 then. */
interface Enrollee {
  readonly villageCode: string;
  readonly startPeriod: Period;
  readonly nik: string;
  readonly candidate: Candidate;
  readonly name?: string | undefined;
}

/** Authorizes `operation` in the village and checks the worker's NIK, start period and age (the BPU rule). */
const enrolleeOf = (
  principal: Principal,
  operation: Extract<Operation, 'enroll' | 'fundingOptions'>,
  village: string,
  startPeriodText: string,
  worker: { readonly nik: string; readonly segment?: string | undefined; readonly name?: string | undefined },
): Enrollee => {
  const villageCode = parseVillageCode(village);
  authorize(principal, operation, { villageCode });
  const startPeriod = parsePeriod(startPeriodText, 'startPeriod');
  const nik = parseNik(worker.nik);
  if (!isEligibleAge(nik.birthDate, startPeriod)) {
    throw ValidationError.forField(
      'worker.nik',
      `the worker is ${ageAt(nik.birthDate, startPeriod)} at ${startPeriod}; subsidised workers are 18 to 65`,
      { details: { nik: maskNik(worker.nik) } },
    );
  }
  return {
    villageCode,
    startPeriod,
    nik: worker.nik,
    name: worker.name,
    candidate: { birthDate: nik.birthDate, startPeriod, segment: worker.segment },
  };
};

/** Whether the worker is on the sponsor's list the commitment's rules name; `undefined` when they name none. */
const listedFor = async (
  services: Services,
  commitment: Pick<CommitmentTerms, 'sponsorId' | 'eligibility'>,
  nik: string,
): Promise<boolean | undefined> => {
  const list = commitment.eligibility?.list;
  return list === undefined ? undefined : services.lists.has(commitment.sponsorId, list, nik);
};

/** The commitments paying an enrollment: the one it is keyed under, and the one co-funding it there, if any. */
interface Payers {
  readonly primary: CommitmentTerms;
  readonly coFunder?: CommitmentTerms | undefined;
}

/**
 * Who pays an enrollment under the commitment an operator named: a co-funding commitment named enrolls the
 * worker under the commitment it co-funds, with both paying; a commitment whose share leaves part of the premium
 * is joined by its co-funder in the village, if one funds it (read from the village's funding, or from `funding`
 * when the caller has read it). A commitment paying the whole premium reads nothing more.
 */
const payersOf = async (
  services: Services,
  named: CommitmentTerms,
  villageCode: string,
  funding?: readonly VillageFunding[],
): Promise<Payers> => {
  if (named.coFunds !== undefined) {
    const primary = await (services.commitmentTerms ?? services.commitments).require(named.coFunds);
    return { primary, coFunder: named };
  }
  if (!leavesPremium(named.share, named.benefit)) return { primary: named };
  const village = funding ?? (await services.commitments.fundingOf(villageCode, named.fiscalYear));
  return { primary: named, coFunder: coFunderAmong(named.id, village) };
};

/**
 * What enrolling the worker under `payers` asks of the store: the months to reserve and each payer's share of
 * their premium, once the start period is in the commitment's year and the worker meets the rules of every payer.
 * Writes nothing. `lookedUp` holds the list membership when the caller has read it already (the funding order
 * reads it for every commitment).
 */
const requestUnder = async (
  services: Services,
  { primary: commitment, coFunder }: Payers,
  enrollee: Enrollee,
  principal: Principal,
  lookedUp?: { readonly listed: boolean | undefined },
): Promise<EnrollmentRequest> => {
  const { startPeriod, candidate } = enrollee;
  if (periodParts(startPeriod).year !== commitment.fiscalYear) {
    throw ValidationError.forField(
      'startPeriod',
      `must fall in the commitment's fiscal year ${commitment.fiscalYear}`,
    );
  }
  const listed = lookedUp ? lookedUp.listed : await listedFor(services, commitment, enrollee.nik);
  checkEligibility(commitment.eligibility, { ...candidate, ...(listed !== undefined && { listed }) });
  if (coFunder?.eligibility) {
    const coListed = await listedFor(services, coFunder, enrollee.nik);
    checkEligibility(coFunder.eligibility, {
      ...candidate,
      ...(coListed !== undefined && { listed: coListed }),
    });
  }
  const shares = { primary: commitment.share, ...(coFunder && { coFunder: coFunder.share ?? null }) };
  const { periods, split } = reservationSplit(
    commitment.reservation,
    commitment.benefit,
    startPeriod,
    shares,
  );
  const month = splitAt(commitment.benefit, startPeriod, shares);
  if (month.worker > 0) {
    // Nothing collects a worker's part of a sponsored premium yet (contribution accounts pay a JHT add-on or a
    // self-paying worker's whole premium), so BPJS would be paid short: no enrollment rather than a short
    // invoice. A refusal of this commitment, so enrollment by priority goes on to the next.
    throw new NotEligibleError(
      `The commitment pays ${formatRupiah(month.primary + month.coFunder)} of the ${formatRupiah(month.premium)} monthly premium and no co-funder covers the rest in this village; a worker's own part of a sponsored premium cannot be collected yet`,
      {
        details: {
          commitmentId: commitment.id,
          premium: month.premium,
          covered: month.primary + month.coFunder,
          uncovered: month.worker,
        },
      },
    );
  }
  const payers = sharedPayers(commitment, coFunder, month, split);
  return {
    commitmentId: commitment.id,
    villageCode: enrollee.villageCode,
    nik: enrollee.nik,
    ...(enrollee.name && { name: enrollee.name }),
    birthDate: candidate.birthDate,
    sex: parseNik(enrollee.nik).sex,
    ...(candidate.segment && { segment: candidate.segment }),
    startPeriod,
    periods,
    reservedAmount: split.primary,
    monthlyPremium: month.premium,
    enrolledBy: principal.sub,
    reservation: commitment.reservation,
    ...(payers && { payers }),
    ...(month.worker > 0 && { workerShare: month.worker }),
  };
};

/**
 * What enrolling a worker into a named commitment asks of the store, once the caller is authorized for the
 * village and the worker and start period are valid for the commitment. Writes nothing. `loaded` is the
 * commitment when the caller has read it already (an import reads it once for all its rows).
 */
export const enrollmentRequest = async (
  services: Services,
  principal: Principal,
  village: string,
  body: EnrollBody & { readonly commitmentId: string },
  loaded?: CommitmentTerms,
): Promise<EnrollmentRequest> => {
  const enrollee = enrolleeOf(principal, 'enroll', village, body.startPeriod, body.worker);
  const commitment =
    loaded?.id === body.commitmentId
      ? loaded
      : await (services.commitmentTerms ?? services.commitments).require(body.commitmentId);
  return requestUnder(
    services,
    await payersOf(services, commitment, enrollee.villageCode),
    enrollee,
    principal,
  );
};

/**
 * The village's commitments of the start period's year, in funding order, each judged for the worker (with the
 * lists their rules name looked up for the worker's NIK).
 */
const judgedFunding = async (
  services: Services,
  villageCode: string,
  startPeriod: Period,
  worker?: Pick<Enrollee, 'nik' | 'candidate'>,
) => {
  const all = await services.commitments.fundingOf(villageCode, periodParts(startPeriod).year);
  // A co-funding commitment pays beside the one it co-funds, never alone: it is no option of its own.
  const funding = all.filter(({ commitment }) => commitment.coFunds === undefined);
  const listed = await Promise.all(
    funding.map(({ commitment }) => worker && listedFor(services, commitment, worker.nik)),
  );
  const options = funding.map(({ allocation, commitment, sponsor }: VillageFunding, i) => ({
    commitmentId: commitment.id,
    priority: fundingPriority(commitment.priority, sponsor.kind),
    approvedAt: commitment.approvedAt ?? commitment.createdAt,
    eligibility: commitment.eligibility,
    listed: listed[i],
    available: allocation.available,
    cost: reservationSplit(commitment.reservation, commitment.benefit, startPeriod, {
      primary: commitment.share,
    }).split.primary,
    status: allocation.status,
    closedThrough: allocation.closedThrough,
    commitment,
    sponsor,
  }));
  return { ...chooseFunding(options, startPeriod, worker?.candidate), funding: all };
};

/**
 * Enrolls the worker into the first of the village's commitments, in funding order, that takes them: those
 * whose rules or quota refuse are passed over, and a transaction refused for its quota, period or status (a
 * race lost since the read) moves on to the next. A worker already covered (I3) is refused at once: no other
 * commitment could take them. None left: the error says, per commitment, why (`noFundingError`).
 */
const enrollByPriority = async (
  services: Services,
  principal: Principal,
  enrollee: Enrollee,
  companion?: EnrollmentCompanion,
) => {
  const { villageCode, startPeriod } = enrollee;
  const { options, funding } = await judgedFunding(services, villageCode, startPeriod, enrollee);
  const refusals: FundingRefusal[] = [];
  for (const option of options) {
    const { commitmentId, priority } = option;
    if (option.verdict !== 'takes') {
      refusals.push({
        commitmentId,
        priority,
        verdict: option.verdict,
        reason: option.reason,
        details: option.details,
      });
      continue;
    }
    try {
      const payers = await payersOf(services, option.commitment, villageCode, funding);
      const request = await requestUnder(services, payers, enrollee, principal, { listed: option.listed });
      return await services.enrollments.enroll(request, companion);
    } catch (error) {
      const verdict = isDomainError(error) ? verdictOf(error) : undefined;
      if (!verdict || verdict.verdict === 'takes') throw error;
      refusals.push({ commitmentId, priority, ...verdict });
    }
  }
  throw noFundingError(villageCode, periodParts(startPeriod).year, refusals);
};

/**
 * Enrolls one worker into a village's quota, in one transaction that also carries `companion` if given (the
 * request's idempotency record with its answer): under the commitment the body names, or by priority.
 */
export const enroll = async (
  services: Services,
  principal: Principal,
  village: string,
  body: EnrollBody,
  companion?: EnrollmentCompanion,
) => {
  const { commitmentId } = body;
  if (commitmentId !== undefined) {
    const request = await enrollmentRequest(services, principal, village, { ...body, commitmentId });
    return services.enrollments.enroll(request, companion);
  }
  const enrollee = enrolleeOf(principal, 'enroll', village, body.startPeriod, body.worker);
  return enrollByPriority(services, principal, enrollee, companion);
};

/**
 * The village's commitments of the start period's year in funding order, each with its sponsor, priority,
 * quota, the cost of this worker, its rules and its verdict, and the one an enrollment without a named
 * commitment would go to. Writes nothing; the NIK comes in the body and leaves masked.
 */
export const fundingOptions = async (
  services: Services,
  principal: Principal,
  village: string,
  body: FundingOptionsBody,
) => {
  const villageCode = parseVillageCode(village);
  authorize(principal, 'fundingOptions', { villageCode });
  const startPeriod = parsePeriod(body.startPeriod, 'startPeriod');
  const enrollee =
    body.worker && enrolleeOf(principal, 'fundingOptions', village, body.startPeriod, body.worker);
  const { options, chosen } = await judgedFunding(services, villageCode, startPeriod, enrollee);
  return {
    villageCode,
    fiscalYear: periodParts(startPeriod).year,
    startPeriod,
    ...(enrollee && {
      worker: {
        nikMasked: maskNik(enrollee.nik),
        age: ageAt(enrollee.candidate.birthDate, startPeriod),
        ...(enrollee.candidate.segment && { segment: enrollee.candidate.segment }),
      },
    }),
    chosen: chosen?.commitmentId ?? null,
    options: options.map((option) => ({
      commitmentId: option.commitmentId,
      sponsor: { id: option.sponsor.id, name: option.sponsor.name, kind: option.sponsor.kind },
      priority: option.priority,
      prioritySource: option.commitment.priority === undefined ? 'sponsor-kind' : 'stated',
      approvedAt: option.approvedAt,
      reservation: option.commitment.reservation,
      available: option.available,
      cost: option.cost,
      eligibility: option.eligibility ?? null,
      verdict: option.verdict,
      ...(option.verdict !== 'takes' && { reason: option.reason, details: option.details }),
    })),
  };
};
