import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../packages/cli/bin/lindung.mjs', import.meta.url));

describe('the lindung executable', () => {
  it('is executable', async () => {
    // Act
    const { mode } = await stat(bin);

    // Assess
    expect(mode & 0o111).not.toBe(0);
  });

  it('prints the Jambi quote as JSON when spawned with node', { timeout: 60_000 }, async () => {
    // Act
    const { stdout, stderr } = await run(process.execPath, [
      bin,
      'quote',
      '--grant',
      '100000000',
      '--percent',
      '10',
      '--villages',
      '1562',
      '--declared-income',
      '1000000',
      '--programs',
      'JKK,JKM',
      '--months',
      '12',
      '--json',
    ]);
    const result = JSON.parse(stdout);

    // Assess
    expect(stderr).toBe('');
    expect(result).toMatchObject({
      monthlyPremium: 16_800,
      annualPremium: 201_600,
      perVillage: { budget: 10_000_000, workers: 49, leftover: 121_600 },
      total: { workers: 76_538 },
    });
  });

  it('exits 2 on bad input', { timeout: 60_000 }, async () => {
    // Act
    const outcome = await run(process.execPath, [bin, 'quote', '--budget', 'lots']).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

    // Assess
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('Usage:');
  });
});
