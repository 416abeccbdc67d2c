import {
  benefitPackage,
  DEFAULT_RESERVATION_MODE,
  isReservationMode,
  parsePeriod,
  parseReservationMode,
  periodsToReserveAtEnrollment,
  RESERVATION_MODES,
  reservationAtEnrollment,
  ValidationError,
} from '@lindung/core';
import { describe, expect, it } from 'vitest';

const pkg = benefitPackage({ programs: ['JKK', 'JKM'], declaredIncome: 1_000_000 });

describe('reservation modes', () => {
  it('defaults to fiscal-year and knows both modes', () => {
    // Assess
    expect(DEFAULT_RESERVATION_MODE).toBe('fiscal-year');
    expect(RESERVATION_MODES).toEqual(['fiscal-year', 'monthly']);
    expect(isReservationMode('monthly')).toBe(true);
    expect(() => parseReservationMode('weekly')).toThrow(ValidationError);
  });

  it('reserves every remaining month of the fiscal year in fiscal-year mode', () => {
    // Act
    const reservation = reservationAtEnrollment('fiscal-year', pkg, parsePeriod('2025-10'));

    // Assess
    expect(reservation.periods).toEqual(['2025-10', '2025-11', '2025-12']);
    expect(reservation.amount).toBe(3 * 16_800);
  });

  it('reserves the whole year, Rp 201,600, for a January start', () => {
    // Act
    const reservation = reservationAtEnrollment('fiscal-year', pkg, parsePeriod('2025-01'));

    // Assess
    expect(reservation.amount).toBe(201_600);
  });

  it('reserves only the start period in monthly mode', () => {
    // Act
    const periods = periodsToReserveAtEnrollment('monthly', parsePeriod('2025-10'));

    // Assess
    expect(periods).toEqual(['2025-10']);
  });
});
