import { describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../packages/web/src/api.js';
import { explain } from '../../../packages/web/src/problems.js';
import { isLoopback } from '../../../packages/web/src/session.js';
import { type Invoice, inNumberOrder } from '../../../packages/web/src/views/invoices.js';
import { nikFeedback } from '../../../packages/web/src/views/nik-feedback.js';

describe('NIK feedback as it is typed', () => {
  it.each([
    ['15710101', 'NIK harus 16 angka (8 sekarang).', false],
    ['1571a10101900001', 'NIK hanya berisi angka.', false],
    ['0071010101900001', '6 angka pertama bukan kode wilayah.', false],
    ['1571013213900001', 'Tanggal lahir di NIK tidak ada di kalender.', false],
    ['1571014501900001', 'Perempuan, lahir 05-01-1990: umur 37 tahun pada 2027-03.', true],
    ['1571010101150001', 'Umur 12 tahun: pekerja yang dibiayai minimal 18 tahun.', false],
    ['1571010101500001', 'Umur 77 tahun: pekerja yang dibiayai maksimal 65 tahun.', false],
  ])('says of %s: %s', (nik, text, ok) => {
    // Act
    const feedback = nikFeedback('id', nik, '2027-03');

    // Assess
    expect(feedback).toEqual({ ok, text });
  });

  it('says nothing while the field is empty', () => {
    expect(nikFeedback('id', '  ', '2027-03')).toBeUndefined();
  });
});

describe('refusals explained', () => {
  it('names the quota left and needed, in rupiah, and says nothing changed', () => {
    // Prepare
    const failure = new ApiFailure({
      status: 409,
      code: 'quota-exhausted',
      details: { available: 100_000, required: 201_600 },
    });

    // Act / Assess
    expect(explain('id', failure)).toBe(
      'Kuota desa habis: sisa Rp 100.000, perlu Rp 201.600. Tidak ada yang berubah.',
    );
    expect(explain('en', failure)).toContain('Nothing changed');
  });

  it('falls back on the API’s own detail for a code it has no words for', () => {
    const failure = new ApiFailure({ status: 418, code: 'teapot', detail: 'I am a teapot' });
    expect(explain('id', failure)).toBe('I am a teapot');
  });
});

describe('invoices in number order', () => {
  it('sorts by the sponsor’s gap-free number', () => {
    // Prepare
    const invoice = (number: number): Invoice => ({
      id: `i${number}`,
      number,
      numberText: `2027/${String(number).padStart(6, '0')}`,
      sponsorId: 's1',
      commitmentId: 'c1',
      villageCode: '15.71.01.1001',
      period: '2027-01',
      dueDate: '2027-01-10',
      issuedAt: '2027-01-01T00:00:00.000Z',
      total: 16_800,
      lineCount: 1,
      status: 'paid',
    });

    // Act / Assess
    expect(inNumberOrder([invoice(10), invoice(2), invoice(7)]).map((i) => i.number)).toEqual([2, 7, 10]);
  });
});

describe('config.json only where a deployment writes it', () => {
  it.each([
    ['127.0.0.1', true],
    ['localhost', true],
    ['d1234.cloudfront.net', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
});
