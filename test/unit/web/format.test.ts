import { describe, expect, it } from 'vitest';
import {
  count,
  coverageBand,
  parseRupiah,
  percent,
  periodLabel,
  rupiah,
  t,
} from '../../../packages/web/src/index.js';

describe('dashboard formatting', () => {
  it('writes rupiah the Indonesian way in both languages, without decimals', () => {
    expect(rupiah(10_000_000)).toBe('Rp 10.000.000');
    expect(rupiah(16_800)).toBe('Rp 16.800');
    expect(rupiah(0)).toBe('Rp 0');
    expect(rupiah(-201_600)).toBe('-Rp 201.600');
  });

  it.each([
    ['1000', 1_000],
    ['1.000', 1_000],
    ['Rp 1.250.000', 1_250_000],
    [' 20000 ', 20_000],
    ['1,5', undefined],
    ['1.00', undefined],
    ['10.00.000', undefined],
    ['0', undefined],
    ['-1000', undefined],
    ['', undefined],
  ])('reads the rupiah a collector types: %s is %s', (text, amount) => {
    expect(parseRupiah(text)).toBe(amount);
  });

  it('groups counts and writes percents per language', () => {
    expect(count(76_538, 'id')).toBe('76.538');
    expect(count(76_538, 'en')).toBe('76,538');
    expect(percent(37.5, 'id')).toBe('37,5 %');
    expect(percent(37.5, 'en')).toBe('37.5%');
    expect(percent(null, 'id')).toBe('–');
  });

  it('colours coverage against the 50 % goal', () => {
    expect([null, 10, 25, 49.9, 50, 120].map(coverageBand)).toEqual([
      'none',
      'low',
      'mid',
      'mid',
      'high',
      'high',
    ]);
  });

  it('speaks Indonesian by default and English on request, placeholders filled', () => {
    expect(t('id', 'invoices')).toBe('Tagihan');
    expect(t('en', 'invoices')).toBe('Invoices');
    expect(t('en', 'shown', { n: 3, total: 12 })).toBe('3 of 12 villages');
    expect(periodLabel('2031-05', 'id')).toBe('Mei 2031');
    expect(periodLabel('2031-05', 'en')).toBe('May 2031');
  });
});
