import { describe, expect, it } from 'vitest';
import { parseCount, parseRupiah } from '../../../scripts/demo/dashboard.js';
import {
  compareSources,
  type Figures,
  invoiceFigures,
  renderComparison,
  type Source,
  waitForReports,
} from '../../../scripts/demo/three-way.js';

const ledger: Figures = {
  committed: 500_000_000,
  allocated: 500_000_000,
  reserved: 0,
  spent: 499_800_000,
  released: 200_000,
  remaining: 0,
  covered: 0,
  ...invoiceFigures({ paid: { count: 600, amount: 499_800_000 } }),
};

const api = (figures: Figures): Source => ({ column: 'api', name: 'budget report', figures });
const overview = (figures: Figures): Source => ({ column: 'dashboard', name: 'overview', figures });

describe('dashboard = API = ledger', () => {
  it('finds no difference when every source tells the ledger’s figures', () => {
    // Act
    const comparison = compareSources(ledger, [api(ledger), overview({ spent: 499_800_000, covered: 0 })]);

    // Assess
    expect(comparison.differences).toEqual([]);
    const spent = comparison.figures.find((f) => f.key === 'spent');
    expect(spent).toMatchObject({ ledger: 499_800_000, api: [{ value: 499_800_000 }] });
    expect(spent?.dashboard).toEqual([{ source: 'overview', value: 499_800_000 }]);
  });

  it('names every source that differs from the ledger by one rupiah, and marks its row', () => {
    // Prepare
    const short = { ...ledger, spent: 499_799_999 };

    // Act
    const comparison = compareSources(ledger, [api(short), overview({ spent: 499_800_000, covered: 3 })]);

    // Assess
    expect(comparison.differences).toEqual([
      'Spent: the budget report says Rp 499.799.999, the ledger Rp 499.800.000',
      'Covered workers: the overview says 3, the ledger 0',
    ]);
    const table = renderComparison(comparison);
    expect(table).toMatch(/Spent\s+Rp 499\.800\.000\s+Rp 499\.799\.999\s+Rp 499\.800\.000\s+DIFFERS/);
    expect(table).toMatch(/Released\s+Rp 200\.000\s+Rp 200\.000\s+–\s+=/);
  });

  it('shows two values of one column that disagree with each other, each with its source', () => {
    // Act
    const table = renderComparison(
      compareSources(ledger, [
        overview({ spent: 499_800_000 }),
        { column: 'dashboard', name: 'budget panel', figures: { spent: 1 } },
      ]),
    );

    // Assess
    expect(table).toContain('Rp 499.800.000 (overview) / Rp 1 (budget panel)');
  });

  it('lists the invoice states some source has invoices in, and the money and workers always', () => {
    // Act
    const table = renderComparison(compareSources(ledger, [api(ledger)]));

    // Assess
    expect(table).toContain('Invoices paid');
    expect(table).not.toContain('Invoices sent');
    expect(table).toContain('Covered workers');
    expect(table).toContain('Reserved');
  });

  it('waits until the reports equal the ledger', async () => {
    // Prepare: the projector catches up on the second read.
    const answers = [{ ...ledger, spent: 0 }, ledger];

    // Act
    const wait = await waitForReports({
      read: async () => ({ sources: [api(answers.shift() ?? ledger)], fiscalYear: 2027 }),
      ledger,
      progress: () => answers.length,
      log: () => undefined,
    });

    // Assess
    expect(wait).toMatchObject({ caughtUp: true, fiscalYear: 2027 });
    expect(answers).toHaveLength(0);
  });

  it('stops waiting, not caught up, once neither the reports nor the projector change any more', async () => {
    // Act
    const wait = await waitForReports({
      read: async () => ({ sources: [api({ ...ledger, spent: 0 })], fiscalYear: 2027 }),
      ledger,
      progress: () => 7,
      quietMs: 0,
      log: () => undefined,
    });

    // Assess
    expect(wait.caughtUp).toBe(false);
  });
});

describe('reading the dashboard’s figures', () => {
  it('reads rupiah and counts back from their Indonesian display', () => {
    // Assess
    expect(parseRupiah('Rp 15.850.000.000')).toBe(15_850_000_000);
    expect(parseRupiah('Rp 0')).toBe(0);
    expect(parseRupiah('-Rp 1.000')).toBe(-1_000);
    expect(parseCount('3.164')).toBe(3_164);
    expect(parseCount('0')).toBe(0);
  });

  it('refuses a display that is not what it should be rather than guess', () => {
    // Assess
    expect(() => parseRupiah('Rp 15,850,000,000')).toThrow(/amount in rupiah/);
    expect(() => parseRupiah('–')).toThrow(/amount in rupiah/);
    expect(() => parseCount('3,164')).toThrow(/count/);
  });
});
