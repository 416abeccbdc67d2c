/**
 * Collection partners and their fees: market managers, BPJS agents (Perisai), bank branches and village
 * cashiers record workers' contribution deposits and earn a fee on what they collect. Pure arithmetic and the
 * vocabulary; the store keeps the deposits and balances.
 */
import { basisPoints, FULL_SHARE, percentOf, rupiah } from './money.js';

/** The kinds of collection partner (DOMAIN.md, "Payers and collection"). */
export const PARTNER_KINDS = ['market-manager', 'agent', 'bank-branch', 'village-cashier'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** 10 000 basis points make 100 % (money.ts's `FULL_SHARE`). */
export const BASIS_POINTS_PER_WHOLE = FULL_SHARE;

/** The most deposits one request may carry: a phone sends a day's list. */
export const MAX_DEPOSITS_PER_REQUEST = 100;

/** A Perisai agent's fee: 7.5 % of the contributions it collects. */
export const PERISAI_FEE_BASIS_POINTS = 750;

/**
 * A partner's fee on what it collected: `collected × rate / 10 000`, rounded down to the whole rupiah (the
 * partner is never paid a fraction it did not earn): money.ts's `percentOf`, exact in bigint.
 */
export function partnerFee(collected: number, feeRateBasisPoints: number): number {
  return percentOf(rupiah(collected, 'collected'), basisPoints(feeRateBasisPoints, 'feeRateBasisPoints'));
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
