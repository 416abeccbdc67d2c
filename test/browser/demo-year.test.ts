/**
 * The demo year (scripts/demo) over a tiny sample of Jambi, on a local stack of its own, ends with the
 * dashboard's totals equal to the reports API's and the ledger's, to the rupiah: after the December roll and
 * after the year closed. Screenshots of the dashboard go to test/browser/artifacts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJambiYear } from '../../scripts/demo/jambi-year.js';

const ARTIFACTS = join(import.meta.dirname, 'artifacts');
// No other test uses this fiscal year; the run has a stack of its own anyway.
const FISCAL_YEAR = 2028;

describe('the demo year', () => {
  it("ends with the dashboard's totals equal to the API's and the ledger's, to the rupiah", async () => {
    // Prepare
    const lines: string[] = [];

    // Act
    const year = await runJambiYear({
      villages: 3,
      year: FISCAL_YEAR,
      concurrency: 3,
      log: (line) => lines.push(line),
      dashboard: { screenshotDir: join(ARTIFACTS, 'demo-year') },
    });

    // Assess: no problem anywhere (the plan, the ledgers, the reports, the dashboard)…
    expect(year.problems, lines.join('\n')).toEqual([]);
    expect(year.dashboard.map((check) => check.moment)).toEqual([
      `${FISCAL_YEAR}-12, before the year closes`,
      `${FISCAL_YEAR} closed`,
    ]);
    for (const check of year.dashboard) {
      expect(check.caughtUp).toBe(true);
      expect(check.comparison.differences).toEqual([]);
      const shown = new Map(check.comparison.figures.map((f) => [f.key, f]));
      // …and every figure the dashboard shows was read from it and equals the API's and the ledger's.
      for (const key of ['committed', 'allocated', 'reserved', 'spent', 'released', 'remaining', 'covered']) {
        const figure = shown.get(key);
        expect(figure?.dashboard.length, key).toBeGreaterThan(0);
        expect(figure?.api.length, key).toBeGreaterThan(0);
        for (const told of [...(figure?.api ?? []), ...(figure?.dashboard ?? [])]) {
          expect(told.value, `${key} on the ${told.source}`).toBe(figure?.ledger);
        }
      }
      expect(shown.get('invoices.paid')?.dashboard.map((t) => t.value)).toEqual([3 * 12]);
      expect(check.screenshots).toHaveLength(2);
    }
    const [december, closed] = year.dashboard;
    const spent = year.summary.spent;
    expect(spent).toBe(year.summary.planned.spent);
    expect(december?.comparison.figures.find((f) => f.key === 'spent')?.ledger).toBe(spent);
    expect(december?.comparison.figures.find((f) => f.key === 'covered')?.ledger).toBe(
      year.summary.planned.workers,
    );
    expect(closed?.comparison.figures.find((f) => f.key === 'released')?.ledger).toBe(3 * 10_000_000 - spent);
    expect(closed?.comparison.figures.find((f) => f.key === 'covered')?.ledger).toBe(0);
    expect(year.projector?.failed).toBe(0);
  }, 170_000);
});
