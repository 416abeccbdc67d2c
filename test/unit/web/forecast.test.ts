import { forecastCoverage, type Period } from '@lindung/core';
import { describe, expect, it } from 'vitest';
import { forecastSentence } from '../../../packages/web/src/index.js';

const PREMIUM = 16_800;
const burnThrough = (year: number, months: number, workers: number) =>
  Array.from({ length: months }, (_, i) => ({
    period: `${year}-${String(i + 1).padStart(2, '0')}` as Period,
    spent: workers * PREMIUM,
  }));

describe('the forecast in words', () => {
  it('says the money lasts to the end of the fiscal year, never "53 months, to Sep 2031", for a 2027 budget', () => {
    // Prepare: the example: 53 months of a 10-worker pace left after April 2027.
    const forecast = forecastCoverage(burnThrough(2027, 4, 10), 53 * 10 * PREMIUM, 2027);

    // Act
    const id = forecastSentence('id', forecast, 2027);
    const en = forecastSentence('en', forecast, 2027);

    // Assess
    expect(id).toBe(
      'Dengan laju Rp 168.000 per bulan, dana cukup sampai akhir tahun anggaran (Des 2027), sisa Rp 7.560.000. ' +
        'Agar pekerja yang sama terlindungi 12 bulan pada 2028, komitmen tahun depan perlu Rp 2.016.000.',
    );
    expect(en).toBe(
      'At Rp 168.000 a month, the money lasts to the end of the fiscal year (Dec 2027), with Rp 7.560.000 left over. ' +
        "To keep the same workers covered for 12 months in 2028, next year's commitment needs Rp 2.016.000.",
    );
    expect(id).not.toMatch(/2031|53/);
  });

  it('names the month the money runs out and the shortfall to December', () => {
    // Prepare: 5 months of a 10-worker pace left after March: through August, 4 months short.
    const forecast = forecastCoverage(burnThrough(2027, 3, 10), 5 * 10 * PREMIUM, 2027);

    // Act
    const id = forecastSentence('id', forecast, 2027);

    // Assess
    expect(id).toBe(
      'Dengan laju Rp 168.000 per bulan, dana tersisa cukup untuk 5 bulan lagi, sampai Agu 2027; kurang Rp 672.000 untuk sampai Des 2027. ' +
        'Agar pekerja yang sama terlindungi 12 bulan pada 2028, komitmen tahun depan perlu Rp 2.016.000.',
    );
  });

  it('forecasts nothing before anything was spent', () => {
    // Act
    const text = forecastSentence('id', forecastCoverage([], 1_000_000, 2027), 2027);

    // Assess
    expect(text).toBe('Belum ada pembayaran untuk perkiraan.');
  });
});
