import {
  districtCodeFromDigits,
  findRegion,
  getRegion,
  isRegionCode,
  isWithinRegion,
  loadRegions,
  NotFoundError,
  parentRegion,
  parseRegionCode,
  regionAncestry,
  regionCode,
  regionCodeOfLevel,
  regionsOfLevel,
  ValidationError,
  villageCode,
  villagesOf,
} from '@lindung/core';
import { describe, expect, it } from 'vitest';

describe('parseRegionCode', () => {
  it.each([
    ['15', 'province'],
    ['15.01', 'regency'],
    ['15.01.01', 'district'],
    ['15.01.01.2001', 'village'],
  ])('reads %s as a %s code', (code, level) => {
    // Act
    const parsed = parseRegionCode(code);

    // Assess
    expect(parsed.level).toBe(level);
    expect(parsed.province).toBe('15');
  });

  it('splits a village code into its parts', () => {
    // Act
    const parsed = parseRegionCode('15.01.01.2001');

    // Assess
    expect(parsed).toEqual({
      code: '15.01.01.2001',
      level: 'village',
      province: '15',
      regency: '01',
      district: '01',
      village: '2001',
    });
  });

  it.each(['1', '150', '15.1', '15.01.01.201', '15-01', '15.01.01.2001.1', ''])('rejects %j', (code) => {
    // Act
    const act = () => parseRegionCode(code);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(isRegionCode(code)).toBe(false);
  });

  it('checks the level when one is expected', () => {
    // Act / Assess
    expect(villageCode('15.01.01.2001')).toBe('15.01.01.2001');
    expect(() => villageCode('15.01.01')).toThrow(ValidationError);
    expect(() => regionCodeOfLevel('15.01', 'province')).toThrow(/province/);
  });
});

describe('region hierarchy', () => {
  it('knows parents, ancestry and containment by prefix', () => {
    // Prepare
    const village = regionCode('15.01.01.2001');

    // Act / Assess
    expect(parentRegion(village)).toBe('15.01.01');
    expect(parentRegion(regionCode('15'))).toBeUndefined();
    expect(regionAncestry(village)).toEqual(['15', '15.01', '15.01.01', '15.01.01.2001']);
    expect(isWithinRegion(village, regionCode('15.01'))).toBe(true);
    expect(isWithinRegion(regionCode('15.10.01.2001'), regionCode('15.01'))).toBe(false);
    expect(isWithinRegion(regionCode('16.01.01.2001'), regionCode('15'))).toBe(false);
  });

  it('reads the district of issue from six NIK digits', () => {
    // Act
    const code = districtCodeFromDigits('157102');

    // Assess
    expect(code).toBe('15.71.02');
  });
});

describe('region data from idn-area-data', () => {
  it('has the 1,585 villages and kelurahan of Jambi (province 15)', () => {
    // Act
    const villages = villagesOf('15');

    // Assess
    expect(villages).toHaveLength(1_585);
    expect(villages.every((village) => village.code.startsWith('15.') && village.level === 'village')).toBe(
      true,
    );
    expect(villages.map((village) => village.code)).toContain('15.01.01.2001');
  });

  it('has every level of Kepmendagri 2025: 38 provinces, 514 regencies, 7,285 districts, 83,762 villages', () => {
    // Act
    const regions = loadRegions();

    // Assess
    expect(regions.provinces).toHaveLength(38);
    expect(regions.regencies).toHaveLength(514);
    expect(regions.districts).toHaveLength(7_285);
    expect(regions.villages).toHaveLength(83_762);
  });

  it('reads quoted names with commas and doubled quotes', () => {
    // Act / Assess
    expect(findRegion('12.07.28.1007')?.name).toBe('Lubuk Pakam I,II');
    expect(findRegion('35.13.15.2017')?.name).toBe('Soka"an');
  });

  it('finds a region by code with its parent, and answers not-found for an unknown one', () => {
    // Act
    const kerinci = getRegion('15.01');

    // Assess
    expect(kerinci).toEqual({ code: '15.01', name: 'Kabupaten Kerinci', level: 'regency', parentCode: '15' });
    expect(findRegion('15.99')).toBeUndefined();
    expect(() => getRegion('99')).toThrow(NotFoundError);
  });

  it('lists the villages of a regency, a district and a single village', () => {
    // Act
    const regency = villagesOf('15.71');
    const district = villagesOf('15.71.02');
    const single = villagesOf('15.01.01.2001');

    // Assess
    expect(regency.length).toBeGreaterThan(0);
    expect(regency.every((village) => village.code.startsWith('15.71.'))).toBe(true);
    expect(district.every((village) => village.parentCode === '15.71.02')).toBe(true);
    expect(single.map((village) => village.code)).toEqual(['15.01.01.2001']);
    expect(villagesOf('99')).toEqual([]);
  });

  it('keeps each level sorted by code', () => {
    // Act
    const codes = regionsOfLevel('village').map((village) => village.code);

    // Assess
    expect(codes.every((code, i) => i === 0 || (codes[i - 1] ?? '') < code)).toBe(true);
  });
});
