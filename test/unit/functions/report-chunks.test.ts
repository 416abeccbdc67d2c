import type { ProjectionOutcome, SourceChange } from '@lindung/store';
import { describe, expect, it } from 'vitest';
import { chunkStarts, MARGIN_MS, projectInChunks } from '../../../functions/shared/report-chunks.js';

/** An allocation change of village number `n` (a report cell of its own). */
const allocation = (n: number, commitmentId = 'C1'): SourceChange => ({
  newImage: {
    entity: 'allocation',
    commitmentId,
    villageCode: `15.01.01.${String(2000 + n)}`,
    budget: 10_000_000,
    available: 10_000_000,
  },
});
/** A change reports do not read (a worker's claim on months). */
const claim: SourceChange = { newImage: { entity: 'coverage-claim', pk: 'NIK#1' } };

const outcome = (chunk: readonly SourceChange[]): ProjectionOutcome => ({
  records: chunk.length,
  cells: chunk.length,
  rollups: 1,
});

describe('chunks of a reports batch', () => {
  it('starts a chunk whenever the next change would touch one report cell too many', () => {
    // Prepare: 250 villages, each changed twice in a row, with unread changes between.
    const changes = Array.from({ length: 250 }, (_, n) => [allocation(n), claim, allocation(n)]).flat();

    // Act
    const starts = chunkStarts(changes, 100);

    // Assess
    expect(starts).toEqual([0, 300, 600]);
  });

  it('counts a village of two commitments as two cells, and keeps a batch of few cells whole', () => {
    // Prepare
    const twoCommitments = [allocation(1, 'C1'), allocation(1, 'C2'), allocation(2, 'C1')];
    const manyRecordsFewCells = Array.from({ length: 1_000 }, (_, n) => allocation(n % 30));

    // Assess
    expect(chunkStarts(twoCommitments, 2)).toEqual([0, 2]);
    expect(chunkStarts(manyRecordsFewCells, 100)).toEqual([0]);
    expect(chunkStarts([], 100)).toEqual([0]);
  });

  it('projects every chunk while the time left holds twice the slowest chunk and the margin', async () => {
    // Prepare
    const changes = Array.from({ length: 250 }, (_, n) => allocation(n));
    const projected: number[] = [];

    // Act
    const result = await projectInChunks(
      changes,
      async (chunk) => {
        projected.push(chunk.length);
        return outcome(chunk);
      },
      () => 60_000,
      100,
    );

    // Assess
    expect(projected).toEqual([100, 100, 50]);
    expect(result).toMatchObject({ projected: 250, chunks: 3 });
  });

  it('stops before a chunk the time left would not safely hold, and says where the rest begins', async () => {
    // Prepare: the first chunk takes 30 ms; then only the margin and 50 ms are left.
    const changes = Array.from({ length: 250 }, (_, n) => allocation(n));
    let left = 120_000;
    const projected: number[] = [];

    // Act
    const result = await projectInChunks(
      changes,
      async (chunk) => {
        projected.push(chunk.length);
        await new Promise((resolve) => setTimeout(resolve, 30));
        left = MARGIN_MS + 50;
        return outcome(chunk);
      },
      () => left,
      100,
    );

    // Assess
    expect(projected).toEqual([100]);
    expect(result.projected).toBe(100);
    expect(result.slowestMs).toBeGreaterThanOrEqual(25);
  });

  it('always projects the first chunk, however little time is left', async () => {
    // Act
    const result = await projectInChunks(
      [allocation(1)],
      async (chunk) => outcome(chunk),
      () => 0,
      100,
    );

    // Assess
    expect(result).toMatchObject({ projected: 1, chunks: 1 });
  });
});
