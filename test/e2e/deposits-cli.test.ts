/**
 * `lindung deposits import` and `lindung statement` against the local stack: a collector's CSV recorded in
 * requests of 100, a rerun of the same file that records nothing (every receipt replayed), and the month's
 * statement in Indonesian notation.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliIo, EXIT_CODES, run } from '@lindung/cli';
import { beforeAll, describe, expect, it } from 'vitest';
import { caller, nikIn } from '../support/api-client.js';
import { localStack } from '../support/local-stack.js';

const stack = localStack();

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Requests that posted deposits. */
  readonly posts: number;
}

/** Runs `lindung` in this process against the local stack, counting the deposit posts. */
const lindung = async (args: readonly string[]): Promise<Run> => {
  let stdout = '';
  let stderr = '';
  let posts = 0;
  const io: CliIo = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith('/deposits')) posts++;
      return fetch(input, init);
    }) as typeof fetch,
  };
  const code = await run([...args, '--url', stack.httpUrl], io);
  return { code, stdout, stderr, posts };
};

/** 30 traders × 5 market days of April 2044, Rp 1.000 each: 150 deposits. */
const depositsCsv = () =>
  `${[
    'receiptNumber;nik;amount;depositedAt',
    ...Array.from({ length: 150 }, (_, i) => {
      const trader = 1 + (i % 30);
      const day = String(1 + Math.floor(i / 30)).padStart(2, '0');
      return `KLN-${i + 1};${nikIn('637103', trader)};1000;2044-04-${day}`;
    }),
  ].join('\n')}\n`;

describe('lindung deposits import and statement', () => {
  let partnerId: string;
  let dir: string;

  beforeAll(async () => {
    const admin = await caller(stack, { roles: ['admin'] });
    const partner = await admin.post('/v1/partners', {
      name: 'Pengelola Pasar Kalindo',
      kind: 'market-manager',
      areaCode: '63.71.03',
      feeRateBasisPoints: 750,
    });
    expect(partner.status).toBe(201);
    partnerId = partner.body.id;
    dir = await mkdtemp(join(tmpdir(), 'lindung-deposits-'));
  });

  it('records a CSV in requests of 100, and a rerun records nothing: every receipt is replayed', async () => {
    // Prepare
    const file = join(dir, 'april.csv');
    await writeFile(file, depositsCsv());

    // Act
    const first = await lindung(['deposits', 'import', file, '--partner', partnerId]);
    const rerun = await lindung(['deposits', 'import', file, '--partner', partnerId]);
    const statement = await lindung(['statement', '--partner', partnerId, '--period', '2044-04']);

    // Assess
    expect(first.code).toBe(EXIT_CODES.ok);
    expect(first.posts).toBe(2);
    expect(first.stdout).toMatch(/Recorded now\s+150/);
    expect(first.stdout).toMatch(/Amount recorded now\s+Rp 150\.000/);
    expect(first.stderr).toContain('150/150 100%');
    expect(rerun.code).toBe(EXIT_CODES.ok);
    expect(rerun.stdout).toMatch(/Recorded now\s+0/);
    expect(rerun.stdout).toMatch(/Replayed \(recorded before, nothing written\)\s+150/);
    expect(statement.code).toBe(EXIT_CODES.ok);
    expect(statement.stdout).toMatch(/Deposits\s+150/);
    expect(statement.stdout).toMatch(/Workers\s+30/);
    expect(statement.stdout).toMatch(/Collected\s+Rp 150\.000/);
    expect(statement.stdout).toMatch(/Fee rate\s+7,5 %/);
    expect(statement.stdout).toMatch(/Fee \(rounded down\)\s+Rp 11\.250/);
    expect(statement.stdout).toMatch(/Remitted to BPJS\s+Rp 0/);
  });

  it('sends the good rows of a file and lists the bad ones by row and receipt, never by NIK', async () => {
    // Prepare
    const nik = nikIn('637103', 99);
    const file = join(dir, 'mixed.csv');
    await writeFile(
      file,
      `receiptNumber,nik,amount,depositedAt\nKLN-M1,${nik},2000,2044-05-02\nKLN-M2,${nik},0,2044-05-03\n`,
    );

    // Act
    const result = await lindung(['deposits', 'import', file, '--partner', partnerId]);

    // Assess
    expect(result.code).toBe(EXIT_CODES.failure);
    expect(result.stdout).toMatch(/Recorded now\s+1/);
    expect(result.stdout).toContain(
      'row 2 (receipt KLN-M2): validation-failed: amount: an amount is at least Rp 1',
    );
    expect(result.stdout).not.toContain(nik);
  });
});
