import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findRegion, regionsOfLevel } from '../../../packages/core/src/region-data.js';
import { generateRegionData, REGION_DATA_FILE } from '../../../scripts/region-data.js';

const committed = readFileSync(new URL(`../../../${REGION_DATA_FILE}`, import.meta.url), 'utf8');

describe('the generated region data file', () => {
  it('equals what scripts/region-data.ts makes of the installed idn-area-data (npm run generate:regions)', async () => {
    // Act
    const generated = await generateRegionData();

    // Assess
    expect(committed === generated).toBe(true);
  });

  it('holds every region of idn-area-data, read back with its name and parent', () => {
    // Act
    const counts = (['province', 'regency', 'district', 'village'] as const).map(
      (level) => regionsOfLevel(level).length,
    );

    // Assess
    expect(counts).toEqual([38, 514, 7_285, 83_762]);
    expect(findRegion('35.13.15.2017')).toEqual({
      code: '35.13.15.2017',
      name: 'Soka"an',
      level: 'village',
      parentCode: '35.13.15',
    });
    expect(findRegion('15.71')?.parentCode).toBe('15');
  });
});
