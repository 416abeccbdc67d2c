import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODES, parseTargets, run } from '@lindung/cli';
import { describe, expect, it } from 'vitest';
import { captureIo } from './fake-lindung.js';

const file = async (text: string) => {
  const dir = await mkdtemp(join(tmpdir(), 'lindung-targets-'));
  const path = join(dir, 'targets.csv');
  await writeFile(path, text);
  return { dir, path };
};

describe('parseTargets', () => {
  it('reads counts written plainly or with Indonesian thousands dots, from `;`-separated files too', () => {
    // Act
    const { targets, problems } = parseTargets(
      'targetWorkers;villageCode\n120;15.01.01.2001\n1.250;15.71.01.1001\n',
      'targets.csv',
    );

    // Assess
    expect(problems).toEqual([]);
    expect(targets).toEqual([
      { villageCode: '15.01.01.2001', targetWorkers: 120 },
      { villageCode: '15.71.01.1001', targetWorkers: 1_250 },
    ]);
  });

  it('finds every row that cannot be stored: a malformed or unknown village, a repeat, a count that is not whole', () => {
    // Act
    const { targets, problems } = parseTargets(
      [
        'villageCode,targetWorkers',
        '15.01.01.2001,10',
        '15.01.01,10',
        '15.01.01.9999,10',
        '15.01.01.2001,11',
        '15.01.01.2002,-3',
        '15.01.01.2003,2.5',
        '15.01.01.2004',
      ].join('\n'),
      'targets.csv',
    );

    // Assess
    expect(targets).toEqual([{ villageCode: '15.01.01.2001', targetWorkers: 10 }]);
    expect(problems).toEqual([
      { line: 3, problem: '"15.01.01" is not a village code like 15.01.01.2001' },
      { line: 4, problem: 'village 15.01.01.9999 is not in idn-area-data' },
      { line: 5, problem: 'village 15.01.01.2001 is listed again (first on line 2)' },
      { line: 6, problem: 'targetWorkers "-3" is not a whole number of workers' },
      { line: 7, problem: 'targetWorkers "2.5" is not a whole number of workers' },
      { line: 8, problem: 'has 1 fields; the header names 2' },
    ]);
  });
});

describe('lindung import targets', () => {
  it('shows the totals per regency and writes the proportional allocation rule on a dry run', async () => {
    // Prepare
    const { dir, path } = await file(
      'villageCode,targetWorkers\n15.01.01.2001,1200\n15.01.01.2002,300\n15.71.01.1001,45\n',
    );
    const allocation = join(dir, 'allocation.json');
    const captured = captureIo(undefined);

    // Act
    const code = await run(['import', 'targets', path, '--dry-run', '--allocation', allocation], captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.ok);
    expect(captured.stdout()).toMatch(/15\.01 Kabupaten Kerinci\s+2\s+1\.500\n/);
    expect(captured.stdout()).toMatch(/15\.71 Kota Jambi\s+1\s+45\n/);
    expect(captured.stdout()).toMatch(/Total\s+3\s+1\.545\n/);
    expect(captured.stdout()).toContain('Dry run: nothing stored.');
    expect(JSON.parse(await readFile(allocation, 'utf8'))).toEqual({
      method: 'proportional',
      targets: { '15.01.01.2001': 1200, '15.01.01.2002': 300, '15.71.01.1001': 45 },
    });
  });

  it('stores nothing and lists the bad rows when any row is wrong', async () => {
    // Prepare
    const { path } = await file('villageCode,targetWorkers\n15.01.01.2001,12\n99.99.99.9999,3\n');
    const captured = captureIo(undefined);

    // Act
    const code = await run(
      ['import', 'targets', path, '--dynamodb-endpoint', 'http://127.0.0.1:1'],
      captured.io,
    );

    // Assess
    expect(code).toBe(EXIT_CODES.usage);
    expect(captured.stderr()).toContain(
      '1 rows cannot be stored, so none was:\n  line 3: village 99.99.99.9999 is not in idn-area-data',
    );
    expect(captured.stdout()).toBe('');
  });

  it('asks where to store the targets rather than guessing a table on AWS', async () => {
    // Prepare
    const { path } = await file('villageCode,targetWorkers\n15.01.01.2001,12\n');
    const captured = captureIo(undefined);

    // Act
    const code = await run(['import', 'targets', path], captured.io);

    // Assess
    expect(code).toBe(EXIT_CODES.usage);
    expect(captured.stderr()).toContain('--dynamodb-endpoint for a local stack');
  });

  it('says which table it could not write, without a stack trace, when DynamoDB cannot be reached', async () => {
    // Prepare: nothing listens on port 1.
    const { path } = await file('villageCode,targetWorkers\n15.01.01.2001,12\n');
    const captured = captureIo(undefined);

    // Act
    const code = await run(
      [
        'import',
        'targets',
        path,
        '--dynamodb-endpoint',
        'http://127.0.0.1:1',
        '--table',
        'lindung-local-reports',
      ],
      captured.io,
    );

    // Assess
    expect(code).toBe(EXIT_CODES.failure);
    expect(captured.stderr()).toMatch(
      /^lindung import targets: cannot store the targets in lindung-local-reports at http:\/\/127\.0\.0\.1:1 \(/,
    );
    expect(captured.stderr()).not.toContain('    at ');
  });
});
