import {
  ageAt,
  ELIGIBLE_AGE,
  type IsoDate,
  isEligibleAge,
  isNik,
  maskNik,
  niksOfListText,
  parseIsoDate,
  parseNik,
  parsePeriod,
  ValidationError,
} from '@lindung/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const reference = parseIsoDate('2025-06-01');

describe('parseNik', () => {
  it('reads region of issue, birth date and sex of a woman (day + 40)', () => {
    // Act
    const info = parseNik('1571026509900001', { referenceDate: reference });

    // Assess
    expect(info).toEqual({
      nik: '1571026509900001',
      regionCode: '15.71.02',
      birthDate: '1990-09-25',
      sex: 'F',
      serial: '0001',
    });
  });

  it('reads a man born in this century', () => {
    // Act
    const info = parseNik('1501011203050123', { referenceDate: reference });

    // Assess
    expect(info.sex).toBe('M');
    expect(info.birthDate).toBe('2005-03-12');
    expect(info.regionCode).toBe('15.01.01');
  });

  it('puts a two-digit year in the previous century when this one would be in the future', () => {
    // Act
    const born = parseNik('3201011506250001', { referenceDate: reference }).birthDate;
    const bornLaterInYear = parseNik('3201011507250001', { referenceDate: reference }).birthDate;

    // Assess
    expect(born).toBe('1925-06-15');
    expect(bornLaterInYear).toBe('1925-07-15');
    expect(parseNik('3201010105250001', { referenceDate: reference }).birthDate).toBe('2025-05-01');
  });

  it('accepts a region prefix that is no longer a region', () => {
    // Act
    const info = parseNik('9999991203900001', { referenceDate: reference });

    // Assess
    expect(info.regionCode).toBe('99.99.99');
  });

  it.each([
    ['15 digits', '157102650990000'],
    ['17 digits', '15710265099000011'],
    ['a letter', '157102650990000A'],
    ['day 32', '1571023209900001'],
    ['day 00', '1571020009900001'],
    ['women day 72', '1571027209900001'],
    ['month 13', '1571021513900001'],
    ['30 February', '1571023002900001'],
    ['29 February of a common year', '1571022902010001'],
    ['province 00', '0071021203900001'],
    ['regency 00', '1500021203900001'],
  ])('rejects %s', (_label, nik) => {
    // Act
    const act = () => parseNik(nik, { referenceDate: reference });

    // Assess
    expect(act).toThrow(ValidationError);
    expect(isNik(nik, { referenceDate: reference })).toBe(false);
  });

  it('accepts 29 February of a leap year', () => {
    // Act
    const info = parseNik('1571022902000001', { referenceDate: reference });

    // Assess
    expect(info.birthDate).toBe('2000-02-29');
  });

  it('never puts a birth date after the reference date, and ages stay below 100', () => {
    // Assess
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1925-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        fc.date({ min: new Date('2001-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        fc.constantFrom('M', 'F'),
        (birth, ref, sex) => {
          const referenceDate = ref.toISOString().slice(0, 10) as IsoDate;
          const [y, m, d] = birth.toISOString().slice(0, 10).split('-');
          const day = Number(d) + (sex === 'F' ? 40 : 0);
          const nik = `157102${String(day).padStart(2, '0')}${m}${(y ?? '').slice(2)}0001`;
          const info = parseNik(nik, { referenceDate });
          expect(info.birthDate <= referenceDate).toBe(true);
          expect(info.sex).toBe(sex);
          expect(info.birthDate.slice(2)).toBe(birth.toISOString().slice(2, 10));
          const age = ageAt(info.birthDate, referenceDate);
          expect(age).toBeGreaterThanOrEqual(0);
          expect(age).toBeLessThan(100);
        },
      ),
    );
  });
});

describe('maskNik', () => {
  it('keeps the first four digits (province and regency) and the last two', () => {
    // Act
    const masked = maskNik('1571026509900001');

    // Assess
    expect(masked).toBe('1571**********01');
  });

  it('hides a short or malformed value completely', () => {
    // Act / Assess
    expect(maskNik('12345')).toBe('*****');
  });
});

describe('ageAt', () => {
  it('counts completed years on the first day of a period', () => {
    // Prepare
    const birthDate = parseIsoDate('1990-09-25');

    // Act / Assess
    expect(ageAt(birthDate, parsePeriod('2025-09'))).toBe(34);
    expect(ageAt(birthDate, parsePeriod('2025-10'))).toBe(35);
    expect(ageAt(birthDate, parseIsoDate('2025-09-25'))).toBe(35);
  });

  it('makes someone born on 29 February a year older on 1 March of a common year', () => {
    // Prepare
    const birthDate = parseIsoDate('2000-02-29');

    // Act / Assess
    expect(ageAt(birthDate, parseIsoDate('2018-02-28'))).toBe(17);
    expect(ageAt(birthDate, parsePeriod('2018-03'))).toBe(18);
  });
});

describe('isEligibleAge', () => {
  it('admits ages 18 to 65 inclusive at the start of the period', () => {
    // Prepare
    const start = parsePeriod('2025-01');

    // Act / Assess
    expect(ELIGIBLE_AGE).toEqual({ min: 18, max: 65 });
    expect(isEligibleAge(parseIsoDate('2007-01-01'), start)).toBe(true);
    expect(isEligibleAge(parseIsoDate('2007-01-02'), start)).toBe(false);
    expect(isEligibleAge(parseIsoDate('1959-01-02'), start)).toBe(true);
    expect(isEligibleAge(parseIsoDate('1959-01-01'), start)).toBe(false);
  });
});

describe('niksOfListText', () => {
  it('reads the first 16-digit field of each line once, and counts every other line as skipped', () => {
    const text =
      '\uFEFFnik;nama\r\n3319015005900001;Ani\n"3319015005900002",Budi\n3319015005900001\tAni\n\nbukan\n';

    expect(niksOfListText(text)).toEqual({
      niks: ['3319015005900001', '3319015005900002'],
      skipped: 2,
    });
  });
});
