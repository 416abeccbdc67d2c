import {
  checkReallocationMoves,
  MAX_REALLOCATION_MOVES,
  netQuotaChanges,
  type ReallocationMove,
  type Rupiah,
  ValidationError,
} from '@lindung/core';
import { describe, expect, it } from 'vitest';

const A = '15.01.01.2001';
const B = '15.01.01.2002';
const C = '15.01.01.2003';
const villages = new Set([A, B, C]);
const move = (from: string, to: string, amount: number): ReallocationMove => ({
  from,
  to,
  amount: amount as Rupiah,
});

describe('checkReallocationMoves', () => {
  it('accepts moves of positive whole amounts between villages of the commitment', () => {
    // Act
    const moves = checkReallocationMoves([move(A, B, 1_000), move(B, C, 500)], villages);

    // Assess
    expect(moves).toEqual([move(A, B, 1_000), move(B, C, 500)]);
  });

  it.each([
    ['no move', [], 'moves'],
    ['too many moves', Array.from({ length: MAX_REALLOCATION_MOVES + 1 }, () => move(A, B, 1)), 'moves'],
    ['a move to the same village', [move(A, A, 1)], 'moves[0].to'],
    ['a village outside the commitment', [move(A, B, 1), move(A, '15.01.01.2999', 1)], 'moves[1].to'],
    ['a region code for a village', [move('15.01', B, 1)], 'moves[0].from'],
    ['a zero amount', [move(A, B, 0)], 'moves[0].amount'],
    ['a fraction of a rupiah', [move(A, B, 0.5)], 'moves[0].amount'],
  ])('refuses %s, naming the field', (_, moves, path) => {
    // Act
    const refuse = () => checkReallocationMoves(moves, villages);

    // Assess
    expect(refuse).toThrow(ValidationError);
    expect(refuse).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path })] }));
  });

  it('allows the most moves whose approval fits one transaction of 100 actions', () => {
    // Assess: two quota updates, two ledger entries per move, and the reallocation itself.
    expect(4 * MAX_REALLOCATION_MOVES + 1).toBeLessThanOrEqual(100);
    expect(4 * (MAX_REALLOCATION_MOVES + 1) + 1).toBeGreaterThan(100);
  });
});

describe('netQuotaChanges', () => {
  it('nets the moves of each village, in village order, and the changes sum to zero', () => {
    // Act
    const changes = netQuotaChanges([move(C, A, 300), move(A, B, 1_000), move(B, C, 400), move(A, B, 50)]);

    // Assess
    expect(changes).toEqual([
      { villageCode: A, change: -750 },
      { villageCode: B, change: 650 },
      { villageCode: C, change: 100 },
    ]);
    expect(changes.reduce((sum, c) => sum + c.change, 0)).toBe(0);
  });

  it('keeps a village whose moves cancel out, with no change', () => {
    // Act
    const changes = netQuotaChanges([move(A, B, 100), move(B, A, 100)]);

    // Assess
    expect(changes).toEqual([
      { villageCode: A, change: 0 },
      { villageCode: B, change: 0 },
    ]);
  });
});
