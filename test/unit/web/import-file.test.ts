import { describe, expect, it } from 'vitest';
import { megabytes } from '../../../packages/web/src/format.js';
import {
  checkImportText,
  exampleRows,
  isCsvFile,
  type RowResult,
  rowReason,
} from '../../../packages/web/src/views/import-file.js';

describe('an import file checked before upload', () => {
  it.each([
    ['pekerja.csv', 'text/csv', true],
    ['PEKERJA.CSV', 'application/vnd.ms-excel', true],
    ['pekerja.csv', '', true],
    ['pekerja.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', false],
    ['pekerja.csv', 'application/pdf', false],
  ])('%s (%s) is CSV: %s', (name, type, csv) => {
    expect(isCsvFile({ name, type })).toBe(csv);
  });

  it('reads the rows of a header in any order, any case, with `;` as spreadsheets in Indonesia write it', () => {
    // Act
    const check = checkImportText(
      'id',
      '\uFEFFStartPeriod;NIK;name\r\n2027-01;1509014506900001;Siti\r\n\r\n',
    );

    // Assess
    expect(check).toEqual({
      ok: true,
      rows: [{ nik: '1509014506900001', name: 'Siti', startPeriod: '2027-01' }],
    });
  });

  it.each([
    ['', 'Berkas ini kosong.'],
    [
      'nik,nama,mulai\n1509014506900001,Siti,2027-01\n',
      'Kolom tidak dikenal: "nama", "mulai". Kolom yang dipakai: nik, name, startPeriod, segment.',
    ],
    ['nik,name\n1509014506900001,Siti\n', 'Kolom wajib tidak ada: startPeriod.'],
    ['nik,startPeriod\n', 'Berkas hanya berisi baris judul, belum ada pekerja.'],
  ])('refuses %j: %s', (text, why) => {
    expect(checkImportText('id', text)).toEqual({ ok: false, text: why });
  });

  it('offers an example that passes its own check', () => {
    // Prepare
    const text = exampleRows(2027)
      .map((row) => row.join(','))
      .join('\n');

    // Act / Assess
    expect(checkImportText('id', text)).toMatchObject({ ok: true, rows: { length: 2 } });
  });

  it('writes sizes the Indonesian way', () => {
    expect(megabytes(6_270_021, 'id')).toBe('6,3 MB');
    expect(megabytes(750, 'en')).toBe('0.8 KB');
  });
});

describe('a refused row explained', () => {
  const refused = (code: string, message = 'nik: must be 16 digits'): RowResult => ({
    row: 3,
    nik: '1509**********01',
    outcome: 'refused',
    status: code === 'validation-failed' ? 422 : 409,
    code,
    message,
  });

  it('says in plain words that a worker is already covered or the quota is used up', () => {
    expect(rowReason('id', refused('already-covered'), undefined)).toContain('Sudah terlindungi');
    expect(rowReason('en', refused('already-covered'), undefined)).toContain('Already covered');
    expect(rowReason('id', refused('quota-exhausted'), undefined)).toBe(
      'Kuota desa habis; pekerja ini tidak didaftarkan.',
    );
  });

  it('explains a wrong NIK with the dashboard’s own check while the file is at hand, else with the API’s words', () => {
    // Prepare
    const row = { nik: '150901010115001', startPeriod: '2027-01' };

    // Act / Assess
    expect(rowReason('id', refused('validation-failed'), row)).toBe(
      'Data baris belum benar: NIK harus 16 angka (15 sekarang).',
    );
    expect(rowReason('id', refused('validation-failed'), undefined)).toBe(
      'Data baris belum benar: nik: must be 16 digits',
    );
    expect(rowReason('id', refused('validation-failed'), { nik: '1509014506900001', startPeriod: 'x' })).toBe(
      'Data baris belum benar: nik: must be 16 digits',
    );
  });
});
