import { type CliIo, commands, EXIT_CODES, type QuoteResult, run } from '@lindung/cli';
import { describe, expect, it } from 'vitest';

interface Captured {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
}

function captureIo(now = new Date('2025-03-10T03:00:00Z')): Captured {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (chunk: string) => (out += chunk) },
      stderr: { write: (chunk: string) => (err += chunk) },
      now: () => now,
    },
    stdout: () => out,
    stderr: () => err,
  };
}

const jambi = ['--grant', '100000000', '--percent', '10', '--villages', '1562'];
const minimumPackage = ['--declared-income', '1000000', '--programs', 'JKK,JKM', '--months', '12'];

async function quoteJson(args: readonly string[]): Promise<QuoteResult> {
  const captured = captureIo();
  const code = await run(['quote', ...args, '--json'], captured.io);
  expect(captured.stderr()).toBe('');
  expect(code).toBe(EXIT_CODES.ok);
  return JSON.parse(captured.stdout()) as QuoteResult;
}

describe('lindung quote --json', () => {
  it('gives the Jambi figures: 16,800 a month, 201,600 a year, 49 workers per village, 76,538 in total', async () => {
    // Act
    const result = await quoteJson([...jambi, ...minimumPackage]);

    // Assess
    expect(result.monthlyPremium).toBe(16_800);
    expect(result.annualPremium).toBe(201_600);
    expect(result.costPerWorker).toBe(201_600);
    expect(result.premiumBreakdown).toEqual({ JKK: 10_000, JKM: 6_800 });
    expect(result.funding).toEqual({
      kind: 'percent-of-grant',
      grantPerVillage: 100_000_000,
      percent: '10',
      villages: 1_562,
      region: null,
    });
    expect(result.perVillage).toEqual({ budget: 10_000_000, workers: 49, leftover: 121_600 });
    expect(result.total).toEqual({ budget: 15_620_000_000, workers: 76_538, leftover: 189_939_200 });
  });

  it('quotes a fixed budget: Rp 10,000,000 covers 49 workers for 12 months', async () => {
    // Act
    const result = await quoteJson(['--budget', '10000000', ...minimumPackage]);

    // Assess
    expect(result.funding).toEqual({ kind: 'fixed', amount: 10_000_000 });
    expect(result.perVillage).toBeNull();
    expect(result.total).toEqual({ budget: 10_000_000, workers: 49, leftover: 121_600 });
  });

  it('shows Rp 15,400,000,000 covers at least the 76,016 workers Jambi reported for 2022', async () => {
    // Act
    const result = await quoteJson(['--budget', '15.400.000.000', ...minimumPackage]);

    // Assess
    expect(result.total.workers).toBe(76_388);
    expect(result.total.workers).toBeGreaterThanOrEqual(76_016);
  });

  it('counts the villages of a region from idn-area-data with --region', async () => {
    // Act
    const result = await quoteJson(['--grant', '100000000', '--percent', '10', '--region', '15']);

    // Assess
    expect(result.funding).toMatchObject({ villages: 1_585, region: { code: '15', name: 'Jambi' } });
    expect(result.total.workers).toBe(1_585 * 49);
  });

  it('defaults to JKK + JKM at the minimum income for 12 months from the current month in Jakarta', async () => {
    // Prepare: 18:00 UTC on 31 December is already 1 January in Jakarta.
    const captured = captureIo(new Date('2024-12-31T18:00:00Z'));

    // Act
    const code = await run(['quote', '--budget', '10000000', '--json'], captured.io);
    const result = JSON.parse(captured.stdout()) as QuoteResult;

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    expect(result).toMatchObject({
      programs: ['JKK', 'JKM'],
      declaredIncome: 1_000_000,
      startPeriod: '2025-01',
      months: 12,
    });
  });

  it('prices JHT and fewer months on request', async () => {
    // Act
    const result = await quoteJson([
      '--budget',
      '1000000',
      '--programs',
      'jkk, jkm, jht',
      '--declared-income',
      '2000000',
      '--months',
      '3',
      '--start',
      '2025-11',
    ]);

    // Assess
    expect(result.monthlyPremium).toBe(66_800);
    expect(result.costPerWorker).toBe(200_400);
    expect(result.total).toEqual({ budget: 1_000_000, workers: 4, leftover: 198_400 });
  });
});

describe('lindung quote (table)', () => {
  it('prints per-village and total figures with Indonesian number formatting', async () => {
    // Prepare
    const captured = captureIo();

    // Act
    const code = await run(['quote', ...jambi, ...minimumPackage, '--start', '2025-01'], captured.io);
    const text = captured.stdout();

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    expect(text).toContain('Rp 16.800');
    expect(text).toContain('Rp 201.600');
    expect(text).toMatch(/Budget\s+Rp 10\.000\.000\s+Rp 15\.620\.000\.000/);
    expect(text).toMatch(/Workers fully covered\s+49\s+76\.538/);
    expect(text).toMatch(/Leftover\s+Rp 121\.600\s+Rp 189\.939\.200/);
    expect(text).toContain('10% of a Rp 100.000.000 grant to each of 1.562 villages');
  });

  it('prints a fixed budget as one column', async () => {
    // Prepare
    const captured = captureIo();

    // Act
    await run(['quote', '--budget', '10000000', '--start', '2025-01'], captured.io);

    // Assess
    expect(captured.stdout()).toMatch(/Workers fully covered\s+49\n/);
    expect(captured.stdout()).toMatch(/Leftover\s+Rp 121\.600\n/);
  });
});

describe('lindung quote with bad input', () => {
  it.each([
    ['a fractional budget', ['--budget', '1.5']],
    ['both --budget and --grant', ['--budget', '1000', ...jambi]],
    ['no budget at all', []],
    ['--grant without --percent', ['--grant', '100000000', '--villages', '3']],
    ['--grant without villages', ['--grant', '100000000', '--percent', '10']],
    ['--villages and --region together', [...jambi, '--region', '15']],
    ['--percent with a fixed budget', ['--budget', '1000', '--percent', '10']],
    ['zero villages', ['--grant', '100000000', '--percent', '10', '--villages', '0']],
    ['a percentage above 100', ['--grant', '100000000', '--percent', '150', '--villages', '3']],
    ['an unknown region', ['--grant', '100000000', '--percent', '10', '--region', '99']],
    ['a malformed region', ['--grant', '100000000', '--percent', '10', '--region', 'jambi']],
    ['an income below the minimum', ['--budget', '1000000', '--declared-income', '500000']],
    ['an unknown programme', ['--budget', '1000000', '--programs', 'JKK,JKM,XYZ']],
    ['zero months', ['--budget', '1000000', '--months', '0']],
    ['a malformed start', ['--budget', '1000000', '--start', '2025-13']],
    ['an unknown option', ['--budget', '1000000', '--bogus']],
    ['a missing option value', ['--budget']],
    ['a positional argument', ['--budget', '1000000', 'extra']],
  ])('exits 2 with the usage for %s', async (_label, args) => {
    // Prepare
    const captured = captureIo();

    // Act
    const code = await run(['quote', ...args], captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.usage);
    expect(captured.stdout()).toBe('');
    expect(captured.stderr()).toMatch(/^lindung quote: .+/);
    expect(captured.stderr()).toContain('Usage:');
  });
});

describe('lindung dispatcher', () => {
  it('lists the commands on help', async () => {
    // Prepare
    const captured = captureIo();

    // Act
    const code = await run(['--help'], captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    expect(captured.stdout()).toMatch(/Commands:\n\s+quote\s+/);
  });

  it('answers --help of every command and group member with its usage, before reading any option', async () => {
    // Prepare: each command, or each member of a group, with a required option left out and -h or --help.
    const runs = Object.entries(commands).flatMap(([name, command]) =>
      command.members
        ? Object.entries(command.members).map(([member, sub]) => ({ argv: [name, member], usage: sub.usage }))
        : [{ argv: [name], usage: command.usage }],
    );

    for (const { argv, usage } of runs) {
      for (const help of ['--help', '-h']) {
        const captured = captureIo();

        // Act
        const code = await run([...argv, help], captured.io);

        // Assess
        expect(code, argv.join(' ')).toBe(EXIT_CODES.ok);
        expect(captured.stdout()).toBe(`${usage}\n`);
      }
    }
    expect(runs.length).toBeGreaterThan(15);
  });

  it('shows the usage of one command', async () => {
    // Prepare
    const captured = captureIo();

    // Act
    const code = await run(['quote', '--help'], captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    expect(captured.stdout()).toContain('--declared-income');
  });

  it.each([
    ['no command', []],
    ['an unknown command', ['frobnicate']],
    ['a prototype name', ['toString']],
  ])('exits 2 for %s', async (_label, argv) => {
    // Prepare
    const captured = captureIo();

    // Act
    const code = await run(argv, captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.usage);
    expect(captured.stderr()).toContain('Usage: lindung <command>');
  });
});
