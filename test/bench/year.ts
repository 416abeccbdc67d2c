/**
 * The Jambi year: the demo run in a process of its own (so its memory is its own), over a sample of villages
 * or all 1,585; or the figures of a demo already run (`npm run demo -- --json FILE`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { YearResult } from '../../scripts/demo/jambi-year.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

export type YearFigures = YearResult & { readonly wallSeconds: number };

/** Runs the demo year over `villages` villages (all when undefined) and reads its figures. */
export const benchYear = async (villages: number | undefined): Promise<YearFigures> => {
  const json = join(await mkdtemp(join(tmpdir(), 'lindung-year-')), 'year.json');
  await run(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'scripts', 'demo.ts'),
      ...(villages === undefined ? [] : ['--villages', String(villages)]),
      '--json',
      json,
    ],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string; stderr?: string }) => {
    // A run that found problems still wrote its figures; any other failure has no figures to read.
    if (!error.stdout?.includes('PROBLEMS')) {
      throw new Error(`the demo year failed:\n${error.stderr?.slice(-2_000) ?? error}`);
    }
  });
  return JSON.parse(await readFile(json, 'utf8')) as YearFigures;
};

/** The figures of a demo run earlier with `--json`. */
export const readYear = async (file: string): Promise<YearFigures> =>
  JSON.parse(await readFile(file, 'utf8')) as YearFigures;
