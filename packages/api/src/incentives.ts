/**
 * Incentive schemes (issue 19) through the API: a sponsor's officer defines one over an active commitment of
 * its own; the sponsor and auditors read it with its awards; an administrator can evaluate it at once (the
 * roll of the month after its period does the same, and nothing is awarded twice either way).
 */
import {
  annualPremium,
  awardCost,
  CommitmentNotActiveError,
  checkIncentiveAward,
  checkIncentivePeriod,
  checkIncentiveRegions,
  type IncentiveAward,
  NotFoundError,
  parsePercent,
  parsePeriod,
  ValidationError,
} from '@lindung/core';
import { evaluateScheme, type IncentiveDeps } from '@lindung/roll';
import type {
  CommitmentRepository,
  IncentiveAwardRecord,
  IncentiveRepository,
  IncentiveScheme,
  ReportsRepository,
} from '@lindung/store';
import { authorize, type Principal } from './auth.js';
import type { CreateIncentiveBody } from './schemas.js';
import { regionNameOf } from './targets.js';

export interface IncentiveServices {
  readonly incentives: IncentiveRepository;
  readonly commitments: CommitmentRepository;
  readonly reports: Pick<ReportsRepository, 'targetWorkers'>;
}

/** The evaluation's ports, from the API's services. */
export const incentiveDeps = (services: IncentiveServices): IncentiveDeps => ({
  incentives: services.incentives,
  commitments: services.commitments,
  targetWorkers: (fiscalYear, codes) => services.reports.targetWorkers(fiscalYear, codes),
});

/** A scheme as the API shows it: the threshold in percent. */
const schemeView = (scheme: IncentiveScheme) => ({ ...scheme, threshold: scheme.threshold / 100 });

const awardView = ({ schemeId, sponsorId, commitmentId, period, ...award }: IncentiveAwardRecord) => ({
  ...award,
  regionName: regionNameOf(award.regionCode),
});

/** Defines a scheme over an active commitment of the caller's sponsor. */
export const createIncentive = async (
  services: IncentiveServices,
  principal: Principal,
  body: CreateIncentiveBody,
) => {
  const commitment = await services.commitments.require(body.commitmentId);
  authorize(principal, 'createIncentive', { sponsorId: commitment.sponsorId });
  if (commitment.status !== 'active') {
    throw new CommitmentNotActiveError(`Commitment ${commitment.id} is ${commitment.status}`, {
      details: { commitmentId: commitment.id, status: commitment.status },
    });
  }
  const sponsor = await services.commitments.getSponsor(commitment.sponsorId);
  if (!sponsor) throw new NotFoundError(`No sponsor ${commitment.sponsorId}`);
  const period = checkIncentivePeriod(parsePeriod(body.period, 'period'), commitment.fiscalYear);
  const award = checkIncentiveAward(body.award as IncentiveAward);
  const regions = checkIncentiveRegions(
    body.regions ?? commitment.villageCodes,
    sponsor.regionCode,
    award,
    commitment.villageCodes,
  );
  const threshold = parsePercent(body.threshold, 'threshold');
  if (threshold === 0) throw ValidationError.forField('threshold', 'must be more than 0');
  const scheme = await services.incentives.create(
    {
      sponsorId: commitment.sponsorId,
      commitmentId: commitment.id,
      fiscalYear: commitment.fiscalYear,
      name: body.name,
      period,
      regions,
      threshold,
      award,
      awardCost: awardCost(award, annualPremium(commitment.benefit, commitment.fiscalYear)),
    },
    principal.sub,
  );
  return schemeView(scheme);
};

/** A sponsor's schemes, newest first. */
export const listSponsorIncentives = async (
  services: IncentiveServices,
  principal: Principal,
  sponsorId: string,
) => {
  authorize(principal, 'listIncentives', { sponsorId });
  if (!(await services.commitments.getSponsor(sponsorId))) {
    throw new NotFoundError(`No sponsor ${sponsorId}`, { details: { sponsorId } });
  }
  return { items: (await services.incentives.ofSponsor(sponsorId)).map(schemeView) };
};

const withAwards = async (services: IncentiveServices, scheme: IncentiveScheme) => ({
  ...schemeView(scheme),
  awards: (await services.incentives.awards(scheme.id)).map(awardView),
});

/** A scheme with its awards (funded or not). */
export const getIncentive = async (services: IncentiveServices, principal: Principal, id: string) => {
  const scheme = await services.incentives.require(id);
  authorize(principal, 'getIncentive', { sponsorId: scheme.sponsorId });
  return withAwards(services, scheme);
};

/**
 * Evaluates a scheme now, as the roll of the month after its period would (an administrator's call, like
 * rolling a period by hand); an evaluated scheme is answered as it is.
 */
export const evaluateIncentive = async (services: IncentiveServices, principal: Principal, id: string) => {
  authorize(principal, 'evaluateIncentive');
  const scheme = await services.incentives.require(id);
  await evaluateScheme(incentiveDeps(services), scheme);
  return withAwards(services, await services.incentives.require(id));
};
