/**
 * Reallocation: a sponsor officer proposes moving unreserved quota between villages of one commitment, and
 * an approver who is not the proposer applies it (maker-checker). All moves of a reallocation apply at once,
 * so what a village gains or loses is the net of the moves that name it: moving Rp 100 from A to B and
 * Rp 60 from B to C needs only Rp 40 of B's unreserved quota.
 */
import { ValidationError } from './errors.js';
import { type Rupiah, rupiah } from './money.js';
import { villageCode } from './region.js';

/**
 * At most this many moves per reallocation: approval is one DynamoDB transaction (at most 100 actions) of up
 * to two allocation updates and two ledger entries per move, plus the reallocation itself (4 × 24 + 1 = 97).
 */
export const MAX_REALLOCATION_MOVES = 24;

/** One move of quota from a village to another. */
export interface ReallocationMove {
  readonly from: string;
  readonly to: string;
  readonly amount: Rupiah;
}

/** What one village's quota gains (positive) or loses (negative) when a reallocation is approved. */
export interface QuotaChange {
  readonly villageCode: string;
  readonly change: number;
}

/**
 * Checks the moves of a proposal against the villages of the commitment: 1 to {@link MAX_REALLOCATION_MOVES}
 * moves, each of a positive whole amount between two different villages of the commitment.
 */
export function checkReallocationMoves(
  moves: readonly { readonly from: string; readonly to: string; readonly amount: number }[],
  villagesOfCommitment: ReadonlySet<string>,
): ReallocationMove[] {
  if (moves.length === 0) throw ValidationError.forField('moves', 'name at least one move');
  if (moves.length > MAX_REALLOCATION_MOVES) {
    throw ValidationError.forField('moves', `at most ${MAX_REALLOCATION_MOVES} moves per reallocation`);
  }
  return moves.map((move, i) => {
    const from = villageCode(move.from, `moves[${i}].from`);
    const to = villageCode(move.to, `moves[${i}].to`);
    const amount = rupiah(move.amount, `moves[${i}].amount`);
    if (amount <= 0) throw ValidationError.forField(`moves[${i}].amount`, 'must be more than 0');
    if (from === to)
      throw ValidationError.forField(`moves[${i}].to`, 'must differ from the village moved from');
    for (const [field, code] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (!villagesOfCommitment.has(code)) {
        throw ValidationError.forField(
          `moves[${i}].${field}`,
          `village ${code} has no quota in this commitment`,
        );
      }
    }
    return { from, to, amount };
  });
}

/**
 * The net change of every village a reallocation names, in village-code order. A village whose moves cancel
 * out is listed with change 0: it must still exist and be active when the reallocation is approved.
 */
export function netQuotaChanges(moves: readonly ReallocationMove[]): QuotaChange[] {
  const changes = new Map<string, number>();
  for (const { from, to, amount } of moves) {
    changes.set(from, (changes.get(from) ?? 0) - amount);
    changes.set(to, (changes.get(to) ?? 0) + amount);
  }
  return [...changes]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([villageCode, change]) => ({ villageCode, change }));
}

export type { ReallocationState } from './lifecycle.js';
