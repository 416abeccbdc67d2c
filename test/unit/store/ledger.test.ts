import { type EndReason, returnsToQuota } from '@lindung/core';
import {
  type AllocationRecord,
  countersOf,
  type LedgerEntry,
  movesOf,
  reconcile,
  reconcileCommitment,
} from '@lindung/store';
import { describe, expect, it } from 'vitest';

const at = '2027-04-01T00:00:00.000Z';
const of = (type: LedgerEntry['type'], amount: number, more: Partial<LedgerEntry> = {}): LedgerEntry => ({
  type,
  commitmentId: 'C',
  villageCode: '15.71.01.1001',
  amount,
  at,
  ...more,
});

describe('the ledger of a freed seat (issue 19)', () => {
  it('moves an unreserved amount from reserved back to available, and nothing else', () => {
    // Act
    const moves = movesOf(of('unreserve', 151_200));

    // Assess
    expect(moves).toEqual({ reserved: -151_200, available: 151_200 });
  });

  it('reconciles a seat freed and taken again exactly, and finds a counter that missed the move', () => {
    // Prepare: one worker-year reserved, 3 months spent, 9 returned, a replacement reserves the 9 again.
    const entries = [
      of('allocate', 201_600),
      of('reserve', 201_600),
      of('spend', 50_400, { fromReserved: 50_400, fromAvailable: 0 }),
      of('unreserve', 151_200),
      of('reserve', 151_200),
    ];
    const allocation = {
      commitmentId: 'C',
      villageCode: '15.71.01.1001',
      budget: 201_600,
      available: 0,
      reserved: 151_200,
      spent: 50_400,
      released: 0,
    } as AllocationRecord;

    // Act
    const exact = reconcile(allocation, entries);
    const missed = reconcile({ ...allocation, available: 151_200, reserved: 0 } as AllocationRecord, entries);

    // Assess
    expect(countersOf(entries)).toEqual({
      budget: 201_600,
      available: 0,
      reserved: 151_200,
      spent: 50_400,
      released: 0,
    });
    expect(exact.problems).toEqual([]);
    expect(missed.problems).toContain('available: counter 151200 but ledger 0');
    expect(missed.problems).toContain('reserved: counter 0 but ledger 151200');
  });

  it('returns a seat to the quota for every early end but a lapse, and never for the year’s end', () => {
    // Prepare
    const reasons: EndReason[] = [
      'terminated',
      'age-limit',
      'budget',
      'unpaid',
      'fiscal-year-end',
      'carried-over',
    ];

    // Act
    const returned = reasons.filter(returnsToQuota);

    // Assess
    expect(returned).toEqual(['terminated', 'age-limit', 'budget']);
  });
});

describe('the ledger of incentive awards (issue 19)', () => {
  it('grows a village quota by an extra-quota award, and moves no allocation counter for money', () => {
    expect(movesOf(of('award', 201_600))).toEqual({ budget: 201_600, available: 201_600 });
    expect(movesOf(of('award-payable', 1_000_000, { villageCode: '' }))).toEqual({});
  });

  it('reconciles a commitment’s allocated with its quotas and money awards, and finds a missed one or I1 broken', () => {
    // Prepare: two quotas of 1.000.000 (one grown by an award of 201.600), one money award of 500.000.
    const quotas = [{ budget: 1_000_000 }, { budget: 1_201_600 }];
    const payable = of('award-payable', 500_000, { villageCode: '', payee: '15.06.02.2001' });
    const commitment = { id: 'C', budget: 3_000_000, allocated: 2_701_600, awarded: 500_000 };

    // Act
    const exact = reconcileCommitment(commitment, quotas, [payable]);
    const missed = reconcileCommitment(commitment, quotas, []);
    const over = reconcileCommitment({ ...commitment, budget: 2_000_000 }, quotas, [payable]);

    // Assess
    expect(exact.problems).toEqual([]);
    expect(missed.problems).toEqual([
      'allocated 2701600 ≠ quotas 2201600 + money awards 0',
      'awarded 500000 but ledger 0',
    ]);
    expect(over.problems).toEqual(['allocated 2701600 > budget 2000000 (I1)']);
  });
});
