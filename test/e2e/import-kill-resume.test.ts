/**
 * A bulk import job survives `kill -9` of the whole local stack (issue 14): killed once a chunk is done and
 * the next one is being enrolled, restarted on the same data folder, the job finishes with one result per row
 * and one enrollment per enrolled row. The 50,000-row version is `npm run bench -- --only import --kill-at N`.
 */
import { villagesOf } from '@lindung/core';
import { describe, expect, it } from 'vitest';
import { nikIn } from '../support/api-client.js';
import { importKilledMidway } from '../support/import-kill.js';

const ROWS = 2_000;
const FISCAL_YEAR = 2035;

describe('an import job under kill -9 of the local stack', { timeout: 900_000 }, () => {
  it(`finishes ${ROWS} rows killed after the first chunk, every row once, nobody enrolled twice`, async () => {
    // Prepare
    const [villageCode = ''] = villagesOf('15.09').map((v) => v.code as string);
    const rows = Array.from({ length: ROWS }, (_, i) => ({
      nik: nikIn('150901', i + 1),
      startPeriod: `${FISCAL_YEAR}-01`,
    }));

    // Act
    const run = await importKilledMidway({ rows, villageCode, fiscalYear: FISCAL_YEAR, killAt: 500 });

    // Assess
    console.info(
      `import of ${ROWS} rows killed at ${run.doneAtKill} done (${run.secondsToKill.toFixed(1)} s), done ${run.secondsAfterRestart.toFixed(1)} s after the restart`,
    );
    expect(run.doneAtKill).toBeGreaterThanOrEqual(500);
    expect(run.doneAtKill).toBeLessThan(ROWS);
    expect(run.problems).toEqual([]);
    expect(run.job.rows).toEqual({ total: ROWS, done: ROWS, enrolled: ROWS, refused: 0 });
    expect(run.results).toBe(ROWS);
    expect(run.enrollments).toBe(ROWS);
  });
});
