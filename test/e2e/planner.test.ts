/**
 * The planner's question through the local stack (issue 19): South Sumatra, 37 % covered, must reach 50 % of
 * its 2,8 million workers next year — 325.000 more workers at Rp 201.600 each, Rp 65.520.000.000 a year —
 * split over its regencies by their vulnerable workers (937.000 in all, imported as village targets). Asked
 * of the API and of `lindung plan`.
 */
import { type CliIo, EXIT_CODES, run } from '@lindung/cli';
import { childrenOf, villagesOf } from '@lindung/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { caller } from '../support/api-client.js';
import { localStack } from '../support/local-stack.js';
import { reportsOf } from '../support/report-world.js';

const stack = localStack();
const VULNERABLE = 937_000;
const regencies = childrenOf('16').map((r) => r.code as string);
/** Each regency's vulnerable workers (on its first village): uneven, 937.000 in all. */
const vulnerable = new Map(
  regencies.map((code, i) => {
    const weight = i + 1;
    const total = (regencies.length * (regencies.length + 1)) / 2;
    const share = Math.floor((VULNERABLE * weight) / total);
    return [code, i === regencies.length - 1 ? 0 : share] as const;
  }),
);
const last = regencies.at(-1) ?? '';
vulnerable.set(last, VULNERABLE - [...vulnerable.values()].reduce((sum, n) => sum + n, 0));

const southSumatra = {
  region: '16',
  fiscalYear: '2027',
  targetPercent: '50',
  workers: '2800000',
  covered: '1075000',
};

/** Runs `lindung` in this process against the local stack. */
const lindung = async (args: readonly string[]) => {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
    fetch,
  };
  const code = await run([...args, '--url', stack.httpUrl], io);
  return { code, stdout, stderr };
};

describe('the coverage planner', () => {
  beforeAll(async () => {
    const firstVillages = Object.fromEntries(
      regencies.map((code) => [villagesOf(code)[0]?.code ?? '', vulnerable.get(code) ?? 0]),
    );
    await reportsOf(stack).putTargets(firstVillages);
  });

  it('prices 50 % of South Sumatra’s workers and splits the gap over its regencies by vulnerable workers', async () => {
    // Prepare
    const auditor = await caller(stack, { roles: ['auditor'], sub: 'bpjs-planner' });

    // Act
    const plan = await auditor.get(`/v1/reports/plan?${new URLSearchParams(southSumatra)}`);

    // Assess
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    expect(plan.body).toMatchObject({
      fiscalYear: 2027,
      region: { code: '16', name: 'Sumatera Selatan', vulnerableWorkers: VULNERABLE },
      targetWorkers: 1_400_000,
      covered: 1_075_000,
      coveredFrom: 'query',
      gap: 325_000,
      costPerWorker: 201_600,
      cost: 65_520_000_000,
    });
    const split: { code: string; vulnerableWorkers: number; workers: number; cost: number }[] =
      plan.body.regions;
    expect(split.map((r) => r.code)).toEqual(regencies);
    expect(split.reduce((sum, r) => sum + r.workers, 0)).toBe(325_000);
    expect(split.reduce((sum, r) => sum + r.cost, 0)).toBe(65_520_000_000);
    for (const region of split) {
      expect(region.vulnerableWorkers).toBe(vulnerable.get(region.code));
      expect(Math.abs(region.workers - (325_000 * region.vulnerableWorkers) / VULNERABLE)).toBeLessThan(1);
      expect(region.cost).toBe(region.workers * 201_600);
    }
  });

  it('answers the same from `lindung plan`, in Indonesian numbers', async () => {
    // Act
    const planned = await lindung([
      'plan',
      '--region',
      '16',
      '--year',
      '2027',
      '--target',
      '50',
      '--workers',
      '2.800.000',
      '--covered',
      '1.075.000',
    ]);

    // Assess
    expect(planned.code, planned.stderr).toBe(EXIT_CODES.ok);
    expect(planned.stdout).toContain('target 50% of 2.800.000 workers = 1.400.000');
    expect(planned.stdout).toContain(
      '325.000 more workers at Rp 201.600 a year each (JKK + JKM) cost Rp 65.520.000.000 a year.',
    );
    expect(planned.stdout).toContain(`${last} `);
  });

  it('says what is missing when a percentage comes without the workers it is a share of', async () => {
    // Prepare
    const auditor = await caller(stack, { roles: ['auditor'], sub: 'bpjs-planner' });

    // Act
    const plan = await auditor.get('/v1/reports/plan?region=16&targetPercent=50');
    const cli = await lindung(['plan', '--region', '16', '--target', '50']);

    // Assess
    expect(plan.status).toBe(422);
    expect(plan.body.detail ?? plan.body.title).toContain('workers');
    expect(cli.code).toBe(EXIT_CODES.usage);
    expect(cli.stderr).toContain('--target needs --workers');
  });
});
