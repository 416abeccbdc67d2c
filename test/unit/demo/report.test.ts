import { describe, expect, it } from 'vitest';
import type { PhaseFigures } from '../../../scripts/demo/phases.js';
import { groupPhases, renderPhases } from '../../../scripts/demo/report.js';

const phase = (name: string, seconds: number, nodePeakMiB: number, counts = {}): PhaseFigures => ({
  name,
  seconds,
  nodePeakMiB,
  dynamodbPeakMiB: nodePeakMiB * 2,
  nodeCpuSeconds: seconds / 2,
  dynamodbCpuSeconds: seconds,
  counts,
});

describe('the demo report', () => {
  it('sums the monthly phases of a kind into one row: times and counts added, peaks the highest', () => {
    // Prepare
    const phases = [
      phase('start the local stack (in memory)', 5, 180),
      phase('2027-01 enroll', 40, 300, { enrollments: 1_800 }),
      phase('2027-01 roll and bill', 10, 320),
      phase('2027-02 enroll', 2, 350, { enrollments: 100 }),
      phase('2027-02 roll and bill', 9, 310),
    ];

    // Act
    const grouped = groupPhases(phases);

    // Assess
    expect(grouped.map((p) => p.name)).toEqual([
      'start the local stack (in memory)',
      'enroll (12 months)',
      'roll and bill (12 months)',
    ]);
    expect(grouped[1]).toMatchObject({ seconds: 42, nodePeakMiB: 350, counts: { enrollments: 1_900 } });
    expect(grouped[2]).toMatchObject({ seconds: 19, nodePeakMiB: 320, dynamodbCpuSeconds: 19 });
  });

  it('gives the rate of a phase in Indonesian notation', () => {
    // Act
    const table = renderPhases([phase('enroll (12 months)', 40, 300, { enrollments: 2_000 })]);

    // Assess
    expect(table).toContain('50 enrollments/s');
    expect(table).toContain('40 s');
    expect(table).toContain('600 MiB');
  });
});
