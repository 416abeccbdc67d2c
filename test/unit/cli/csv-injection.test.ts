import { EXIT_CODES, invoicesCsv, run } from '@lindung/cli';
import { describe, expect, it } from 'vitest';
import { csvField } from '../../../packages/cli/src/csv.js';
import { captureIo, fakeLindung, tokenRoute } from './fake-lindung.js';

describe('CSV written by lindung: no cell a spreadsheet runs as a formula', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","klik")', `"'=HYPERLINK(""http://evil.example"",""klik"")"`],
    ['+6281234', "'+6281234"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['Siti = Ani', 'Siti = Ani'],
    ['2027/000001', '2027/000001'],
  ])('writes %j as %j', (value, written) => {
    // Act and Assess
    expect(csvField(value)).toBe(written);
  });

  it('writes numbers (integer rupiah) as they are', () => {
    // Act and Assess
    expect(csvField(823_200)).toBe('823200');
    expect(csvField(-5)).toBe('-5');
    expect(csvField(undefined)).toBe('');
  });

  it('neutralises every column of `lindung invoices export` that starts like a formula', async () => {
    // Prepare: an API (or a man in the middle) answering fields that are formulas.
    const hostile = {
      id: 'C_1',
      numberText: '=1+1',
      villageCode: '@15.01.01.2001',
      period: '2027-03',
      total: 823_200,
      status: '+paid',
      paymentCode: '-cmd|calc',
    };
    const fake = fakeLindung({
      'POST /local/tokens': tokenRoute,
      'GET /v1/invoices': () => ({ status: 200, body: { items: [hostile] } }),
    });
    const captured = captureIo(fake);

    // Act
    const code = await run(['invoices', 'export', '--format', 'csv', '--sponsor', 'S1'], captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    expect(captured.stdout()).toBe(
      "number,village,period,total,status,paymentCode\n'=1+1,'@15.01.01.2001,2027-03,823200,'+paid,'-cmd|calc\n",
    );
    // The hostile fields break the document's types on purpose: the CSV writer must not trust them.
    expect(invoicesCsv([hostile] as unknown as Parameters<typeof invoicesCsv>[0])).toBe(captured.stdout());
  });
});
