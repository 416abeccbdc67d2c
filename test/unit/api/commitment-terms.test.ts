/** The active commitments' terms the HTTP API keeps in its process: what is kept, for how long, how many. */
import { ActiveCommitmentTerms } from '@lindung/api';
import { NotFoundError } from '@lindung/core';
import type { Commitment } from '@lindung/store';
import { describe, expect, it } from 'vitest';

const commitment = (id: string, status: Commitment['status']) =>
  ({
    id,
    status,
    sponsorId: 'S1',
    fiscalYear: 2031,
    benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
    reservation: 'fiscal-year',
    villageCodes: ['15.03.01.2001'],
  }) as unknown as Commitment;

/** A repository of the given commitments that counts its reads. */
const repository = (statuses: Record<string, Commitment['status']>) => {
  const reads: string[] = [];
  return {
    reads,
    require: async (id: string) => {
      reads.push(id);
      const status = statuses[id];
      if (!status) throw new NotFoundError(`No commitment ${id}`);
      return commitment(id, status);
    },
  };
};

describe('ActiveCommitmentTerms', () => {
  it('reads an active commitment once and answers its terms from memory after', async () => {
    // Prepare
    const commitments = repository({ C1: 'active' });
    const terms = new ActiveCommitmentTerms(commitments);

    // Act
    const answers = [await terms.require('C1'), await terms.require('C1'), await terms.require('C1')];

    // Assess
    expect(commitments.reads).toEqual(['C1']);
    expect(answers[2]).toEqual({
      id: 'C1',
      sponsorId: 'S1',
      fiscalYear: 2031,
      benefit: { programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 },
      reservation: 'fiscal-year',
    });
  });

  it('keeps no commitment that is not active yet, and passes on a missing one’s NotFoundError', async () => {
    // Prepare
    const commitments = repository({ D1: 'draft', A1: 'activating' });
    const terms = new ActiveCommitmentTerms(commitments);

    // Act
    await terms.require('D1');
    await terms.require('D1');
    await terms.require('A1');
    await terms.require('A1');
    const missing = terms.require('X1');

    // Assess
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    expect(commitments.reads).toEqual(['D1', 'D1', 'A1', 'A1', 'X1']);
  });

  it('reads a commitment again once its terms are older than maxAgeSeconds', async () => {
    // Prepare
    let now = 0;
    const commitments = repository({ C1: 'active' });
    const terms = new ActiveCommitmentTerms(commitments, { maxAgeSeconds: 60, now: () => now });

    // Act
    await terms.require('C1');
    now = 59_000;
    await terms.require('C1');
    now = 60_000;
    await terms.require('C1');

    // Assess
    expect(commitments.reads).toEqual(['C1', 'C1']);
  });

  it('keeps at most maxEntries commitments, letting the oldest go', async () => {
    // Prepare
    const commitments = repository({ C1: 'active', C2: 'active', C3: 'active' });
    const terms = new ActiveCommitmentTerms(commitments, { maxEntries: 2 });

    // Act
    for (const id of ['C1', 'C2', 'C3', 'C3', 'C2', 'C1']) await terms.require(id);

    // Assess
    expect(commitments.reads).toEqual(['C1', 'C2', 'C3', 'C1']);
  });
});
