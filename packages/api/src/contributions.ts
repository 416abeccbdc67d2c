/**
 * Use cases of workers' contribution accounts (issue 18): a partner's collector (or the administrator) registers
 * a worker whose own share the roll pays from their balance, looks an account up, and reads the partner's
 * remittance of a period to BPJS billing. Each authorizes against the partner named in the path.
 */
import {
  isWithinRegion,
  NotFoundError,
  type Period,
  parsePeriod,
  type RegionCode,
  ValidationError,
  workerShare,
} from '@lindung/core';
import type { ContributionAccount, ContributionRepository, DepositRepository } from '@lindung/store';
import { authorize, type Principal } from './auth.js';
import type { RegisterContributorBody } from './deposit-schemas.js';

export interface ContributionServices {
  readonly deposits: DepositRepository;
  readonly contributions: ContributionRepository;
}

/** An account as the API shows it: the NIK masked, never the NIK or its keyed hash. */
const shown = ({ nik, nikKey, ...account }: ContributionAccount) => account;

/** Registers a worker's contribution account at the partner; the same registration again is `replayed`. */
export const registerContributor = async (
  services: ContributionServices,
  principal: Principal,
  partnerId: string,
  body: RegisterContributorBody,
) => {
  authorize(principal, 'registerContributor', { partnerId });
  const startPeriod = parsePeriod(body.startPeriod, 'startPeriod');
  const share = workerShare(body, startPeriod);
  const partner = await services.deposits.requirePartner(partnerId);
  if (!isWithinRegion(body.villageCode as RegionCode, partner.areaCode as RegionCode)) {
    throw ValidationError.forField(
      'villageCode',
      `village ${body.villageCode} is outside the partner's area ${partner.areaCode}`,
    );
  }
  const { outcome, account } = await services.contributions.register({
    partnerId,
    nik: body.nik,
    villageCode: body.villageCode,
    ...(body.birthDate && { birthDate: body.birthDate }),
    ...share,
    startPeriod,
    registeredBy: principal.sub,
  });
  return { outcome, account: shown(account) };
};

/** A worker's account at the partner with their contribution balance (the NIK in the body, never the URL). */
export const lookupContributor = async (
  services: ContributionServices,
  principal: Principal,
  partnerId: string,
  nik: string,
) => {
  authorize(principal, 'lookupContributor', { partnerId });
  const [account, balance] = await Promise.all([
    services.contributions.account(partnerId, nik),
    services.deposits.balance(nik),
  ]);
  if (!account) throw new NotFoundError('The worker has no contribution account at this partner');
  return { account: shown(account), balance };
};

/** A partner's remittance of a period: its total, state and lines (NIK masked); 404 before it is issued. */
export const getRemittance = async (
  services: ContributionServices,
  principal: Principal,
  partnerId: string,
  period: string,
) => {
  authorize(principal, 'getRemittance', { partnerId });
  const checked: Period = parsePeriod(period, 'period');
  const remittance = await services.contributions.remittance(partnerId, checked);
  if (!remittance) {
    throw new NotFoundError(`Partner ${partnerId} has no remittance of ${checked}`, {
      details: { partnerId, period: checked },
    });
  }
  const lines = (await services.contributions.monthsOf(partnerId, checked))
    .filter((m) => m.status === 'paid')
    .map(({ nikMasked, programs, amount }) => ({ nikMasked, programs, amount }));
  return { ...remittance, lines };
};
