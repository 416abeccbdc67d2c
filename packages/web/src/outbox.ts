/**
 * The collector's outbox: deposits taken while the phone has no signal, kept on the phone until the API has
 * answered for each. A deposit keeps the receipt number it was given when taken, so sending it again (after a
 * lost answer, a reload, a second tap on "send now") is answered `replayed` and never recorded twice.
 *
 * The outbox lives in the browser's `localStorage` under the partner and the collector, so a reload or a
 * closed tab loses nothing. It holds the worker's NIK until the deposit is answered (the API needs it); an
 * answered deposit leaves the outbox at once, and a refused one stays, with its reason, until the collector
 * removes it. Pure functions over a `Storage`-like object, so they are tested without a browser.
 */

import { MAX_DEPOSITS_PER_REQUEST } from '../../core/src/collection.js';

/** A deposit as the collector took it, not yet answered by the API. */
export interface PendingDeposit {
  readonly receiptNumber: string;
  readonly nik: string;
  readonly amount: number;
  readonly depositedAt: string;
  /** When the phone took it (ISO time), to show the oldest first. */
  readonly takenAt: string;
  /** Set once the API refused it: the problem's code, kept until the collector removes the deposit. */
  readonly refused?: { readonly status: number; readonly code: string };
}

/** The part of `Storage` the outbox uses. */
export type OutboxStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The most deposits one send carries: as many as one request may. */
export const OUTBOX_BATCH = MAX_DEPOSITS_PER_REQUEST;

const keyOf = (partnerId: string, collector: string) => `lindung:outbox:${partnerId}:${collector}`;

const isPending = (value: unknown): value is PendingDeposit => {
  const d = value as Partial<PendingDeposit> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.receiptNumber === 'string' &&
    typeof d.nik === 'string' &&
    Number.isSafeInteger(d.amount) &&
    typeof d.depositedAt === 'string' &&
    typeof d.takenAt === 'string'
  );
};

/** The outbox of one collector of one partner, oldest first; anything unreadable is left out. */
export const readOutbox = (
  storage: OutboxStorage,
  partnerId: string,
  collector: string,
): PendingDeposit[] => {
  try {
    const stored: unknown = JSON.parse(storage.getItem(keyOf(partnerId, collector)) ?? '[]');
    return Array.isArray(stored) ? stored.filter(isPending) : [];
  } catch {
    return [];
  }
};

const writeOutbox = (
  storage: OutboxStorage,
  partnerId: string,
  collector: string,
  deposits: readonly PendingDeposit[],
) => {
  if (deposits.length === 0) storage.removeItem(keyOf(partnerId, collector));
  else storage.setItem(keyOf(partnerId, collector), JSON.stringify(deposits));
};

/** Adds a deposit taken offline; a receipt number already in the outbox is kept once, as first taken. */
export const addToOutbox = (
  storage: OutboxStorage,
  partnerId: string,
  collector: string,
  deposit: PendingDeposit,
): PendingDeposit[] => {
  const before = readOutbox(storage, partnerId, collector);
  const after = before.some((d) => d.receiptNumber === deposit.receiptNumber) ? before : [...before, deposit];
  writeOutbox(storage, partnerId, collector, after);
  return after;
};

/** What the API answered for one receipt number of a send. */
export type OutboxAnswer =
  | { readonly receiptNumber: string; readonly outcome: 'recorded' | 'replayed' }
  | {
      readonly receiptNumber: string;
      readonly outcome: 'refused';
      readonly status: number;
      readonly code: string;
    };

/**
 * Applies a send's answers: answered deposits leave the outbox, refused ones stay marked with their reason,
 * and deposits the answer does not name (it never came, or the outbox grew meanwhile) stay to be sent again.
 * Reads the outbox afresh, so deposits taken while the send was under way are kept.
 */
export const settleOutbox = (
  storage: OutboxStorage,
  partnerId: string,
  collector: string,
  answers: readonly OutboxAnswer[],
): PendingDeposit[] => {
  const byReceipt = new Map(answers.map((a) => [a.receiptNumber, a]));
  const after = readOutbox(storage, partnerId, collector).flatMap((d): PendingDeposit[] => {
    const answer = byReceipt.get(d.receiptNumber);
    if (!answer) return [d];
    if (answer.outcome !== 'refused') return [];
    return [{ ...d, refused: { status: answer.status, code: answer.code } }];
  });
  writeOutbox(storage, partnerId, collector, after);
  return after;
};

/** Removes one deposit (a refused one the collector has read). */
export const removeFromOutbox = (
  storage: OutboxStorage,
  partnerId: string,
  collector: string,
  receiptNumber: string,
): PendingDeposit[] => {
  const after = readOutbox(storage, partnerId, collector).filter((d) => d.receiptNumber !== receiptNumber);
  writeOutbox(storage, partnerId, collector, after);
  return after;
};

/** The next send: the oldest deposits not refused, at most one request's worth. */
export const nextSend = (deposits: readonly PendingDeposit[]): PendingDeposit[] =>
  deposits.filter((d) => !d.refused).slice(0, OUTBOX_BATCH);
