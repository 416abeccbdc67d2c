/**
 * Use cases of collection partners: register one (admin), record deposits (its collectors), look up a
 * worker's balance, refund, and the monthly statement. Each authorizes against the partner named in the path.
 */
import {
  isWithinRegion,
  parsePeriod,
  ReceiptConflictError,
  type RegionCode,
  ValidationError,
} from '@lindung/core';
import type { ContributionRepository, DepositOutcome, DepositRepository } from '@lindung/store';
import { authorize, type Principal } from './auth.js';
import type { CreatePartnerBody, DepositBody, PartnersQuery, RefundBody } from './deposit-schemas.js';

export interface DepositServices {
  readonly deposits: DepositRepository;
  readonly contributions: ContributionRepository;
}

/** How the fee of a statement is rounded: down to the whole rupiah. */
export const FEE_ROUNDING = 'floor' as const;

export const createPartner = async (
  services: DepositServices,
  principal: Principal,
  body: CreatePartnerBody,
) => {
  authorize(principal, 'createPartner');
  const partner = await services.deposits.createPartner(body, principal.sub);
  return { ...partner, totals: { deposited: 0, refunded: 0, applied: 0, held: 0 } };
};

/** The partners of an area (every partner without one), by area then registration, a page at a time. */
export const listPartners = async (
  services: DepositServices,
  principal: Principal,
  { area, limit, pageToken }: PartnersQuery,
) => {
  authorize(principal, 'listPartners');
  return services.deposits.listPartners(area, limit, pageToken);
};

/** A partner with its all-time totals; 404 for the authorized when it does not exist. */
export const getPartner = async (services: DepositServices, principal: Principal, partnerId: string) => {
  authorize(principal, 'getPartner', { partnerId });
  return services.deposits.requirePartner(partnerId);
};

/** The result of one deposit of a request, in the order sent. */
export type DepositResult =
  | {
      receiptNumber: string;
      outcome: DepositOutcome['outcome'];
      status: 200 | 201;
      deposit: DepositOutcome['deposit'];
    }
  | { receiptNumber: string; outcome: 'refused'; status: number; code: string; message: string };

/**
 * Records deposits one by one (each its own transaction, so that one receipt's conflict refuses that deposit
 * alone), in the order sent: a receipt twice in one list is recorded once.
 */
export const recordDeposits = async (
  services: DepositServices,
  principal: Principal,
  partnerId: string,
  deposits: readonly DepositBody[],
) => {
  authorize(principal, 'recordDeposits', { partnerId });
  const partner = await services.deposits.requirePartner(partnerId);
  deposits.forEach((d, i) => {
    if (d.villageCode && !isWithinRegion(d.villageCode as RegionCode, partner.areaCode as RegionCode)) {
      throw ValidationError.forField(
        `deposits.${i}.villageCode`,
        `village ${d.villageCode} is outside the partner's area ${partner.areaCode}`,
      );
    }
  });
  const results: DepositResult[] = [];
  for (const d of deposits) {
    try {
      const { outcome, deposit } = await services.deposits.deposit({
        partnerId,
        receiptNumber: d.receiptNumber,
        nik: d.nik,
        amount: d.amount,
        depositedAt: d.depositedAt,
        ...(d.villageCode && { villageCode: d.villageCode }),
        recordedBy: principal.sub,
      });
      results.push({
        receiptNumber: d.receiptNumber,
        outcome,
        status: outcome === 'recorded' ? 201 : 200,
        deposit,
      });
    } catch (error) {
      if (!(error instanceof ReceiptConflictError)) throw error;
      results.push({
        receiptNumber: d.receiptNumber,
        outcome: 'refused',
        status: error.httpStatus,
        code: error.code,
        message: error.message,
      });
    }
  }
  const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
  return { recorded: count('recorded'), replayed: count('replayed'), refused: count('refused'), results };
};

/** A worker's contribution balance, and their deposits at this partner (newest first, at most 100). */
export const lookupBalance = async (
  services: DepositServices,
  principal: Principal,
  partnerId: string,
  nik: string,
) => {
  authorize(principal, 'lookupBalance', { partnerId });
  await services.deposits.requirePartner(partnerId);
  const [balance, deposits] = await Promise.all([
    services.deposits.balance(nik),
    services.deposits.depositsOf(partnerId, nik),
  ]);
  return { ...balance, deposits };
};

/** Gives back part of a worker's balance (the database refuses more than the balance). */
export const refund = async (
  services: DepositServices,
  principal: Principal,
  partnerId: string,
  body: RefundBody,
) => {
  authorize(principal, 'refund', { partnerId });
  // No read first: the refund's transaction refuses a missing partner (NotFoundError) and a short balance.
  return services.deposits.refund({ partnerId, ...body, refundedBy: principal.sub });
};

/**
 * A partner's statement of a period: collected, fee = collected × rate rounded down, deposits, workers; and what
 * the roll applied from balances in the period and remitted to BPJS billing (with the remittance's state).
 */
export const partnerStatement = async (
  services: DepositServices,
  principal: Principal,
  partnerId: string,
  period: string,
) => {
  authorize(principal, 'partnerStatement', { partnerId });
  const checked = parsePeriod(period, 'period');
  const partner = await services.deposits.requirePartner(partnerId);
  const [statement, applied, remittance] = await Promise.all([
    services.deposits.statement(partner, checked),
    services.contributions.appliedIn(partnerId, checked),
    services.contributions.remittance(partnerId, checked),
  ]);
  return {
    ...statement,
    rounding: FEE_ROUNDING,
    applied,
    remitted: remittance?.total ?? 0,
    ...(remittance && { remittanceStatus: remittance.status }),
  };
};
