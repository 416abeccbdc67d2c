/**
 * Collection partners and their fees: market managers, BPJS agents (Perisai), bank branches and village
 * cashiers record workers' contribution deposits and earn a fee on what they collect. Pure arithmetic and the
 * vocabulary; the store keeps the deposits and balances.
 */
import { ValidationError } from './errors.js';

/** The kinds of collection partner (DOMAIN.md, "Payers and collection"). */
export const PARTNER_KINDS = ['market-manager', 'agent', 'bank-branch', 'village-cashier'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** 10 000 basis points make 100 %. */
export const BASIS_POINTS_PER_WHOLE = 10_000;

/** The most deposits one request may carry: a phone sends a day's list. */
export const MAX_DEPOSITS_PER_REQUEST = 100;

/** A Perisai agent's fee: 7.5 % of the contributions it collects. */
export const PERISAI_FEE_BASIS_POINTS = 750;

/**
 * A partner's fee on what it collected: `collected × rate / 10 000`, rounded down to the whole rupiah
 * (the partner is never paid a fraction it did not earn). Integer arithmetic only: `BigInt` keeps the
 * product exact for any safe-integer collection.
 */
export function partnerFee(collected: number, feeRateBasisPoints: number): number {
  if (!Number.isSafeInteger(collected) || collected < 0) {
    throw ValidationError.forField(
      'collected',
      `must be a whole, non-negative rupiah amount, got ${collected}`,
    );
  }
  if (
    !Number.isInteger(feeRateBasisPoints) ||
    feeRateBasisPoints < 0 ||
    feeRateBasisPoints > BASIS_POINTS_PER_WHOLE
  ) {
    throw ValidationError.forField(
      'feeRateBasisPoints',
      `must be a whole number of basis points from 0 to ${BASIS_POINTS_PER_WHOLE}, got ${feeRateBasisPoints}`,
    );
  }
  return Number((BigInt(collected) * BigInt(feeRateBasisPoints)) / BigInt(BASIS_POINTS_PER_WHOLE));
}

/**
 * What must match for a deposit sent again under its receipt number to count as the same deposit: the
 * worker, the amount, the day and the village. A receipt is one deposit: another content is a conflict.
 */
export const depositContent = (d: {
  /** The worker, as the store knows them (the keyed hash of the NIK, never the NIK itself). */
  readonly worker: string;
  readonly amount: number;
  readonly depositedAt: string;
  readonly villageCode?: string | undefined;
}): string => [d.worker, d.amount, d.depositedAt, d.villageCode ?? ''].join('|');
