/**
 * Builds the dashboard into packages/web/dist (index.html, app.js, app.css): what the local stack serves at
 * `/` and the CDK stack deploys to S3 behind CloudFront. Prints the size of each file, raw and gzipped.
 *   npm run build:web (tsx packages/web/src/build.ts)
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const distDirectory = join(root, 'dist');

export interface BuiltFile {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Awaits `work`, taking a file system error of one of `codes` as done. */
const ignoring = async (codes: readonly string[], work: Promise<void>): Promise<void> => {
  try {
    await work;
  } catch (error) {
    if (!codes.includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
};

/**
 * Builds the dashboard; returns the files written with their sizes. It is built in a folder of its own and moved
 * into dist/ whole, so that two processes building at once (two local stacks starting, a test's global setup)
 * never see or remove each other's half-written files: if another build lands first, that one is kept.
 */
export const buildDashboard = async (): Promise<BuiltFile[]> => {
  const staging = await mkdtemp(join(root, 'dist-staging-'));
  try {
    await build({
      entryPoints: { app: join(root, 'src/main.ts'), 'app-styles': join(root, 'src/styles.css') },
      outdir: staging,
      bundle: true,
      minify: true,
      format: 'esm',
      target: ['es2022'],
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'warning',
    });
    // esbuild names a CSS entry after it; the page links /app.css.
    await rename(join(staging, 'app-styles.css'), join(staging, 'app.css'));
    await rm(join(staging, 'app-styles.js'), { force: true });
    await copyFile(join(root, 'src/index.html'), join(staging, 'index.html'));
    const files = await Promise.all(
      ['index.html', 'app.js', 'app.css'].map(async (file) => {
        const path = join(staging, file);
        return { file, bytes: (await stat(path)).size, gzipBytes: gzipSync(await readFile(path)).length };
      }),
    );
    // Renames only, each atomic: the old dist/ out of the way, then this build in its place.
    await ignoring(['ENOENT'], rename(distDirectory, `${staging}-old`)); // another build moved it already
    // Another build moved its dist/ in between: it is as complete as this one.
    await ignoring(['ENOTEMPTY', 'EEXIST'], rename(staging, distDirectory));
    return files;
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(`${staging}-old`, { recursive: true, force: true });
  }
};

/**
 * Builds the dashboard unless dist/ already holds one (what `npm start` calls, so that `/` serves the
 * dashboard without a separate `npm run build:web`). Returns whether it built.
 */
export const ensureDashboard = async (log: (message: string) => void = () => {}): Promise<boolean> => {
  if (existsSync(join(distDirectory, 'index.html'))) return false;
  const started = Date.now();
  await buildDashboard();
  log(`dashboard built into packages/web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await buildDashboard();
  for (const { file, bytes, gzipBytes } of files) {
    console.log(
      `${file.padEnd(12)} ${(bytes / 1024).toFixed(1).padStart(7)} KiB   gzip ${(gzipBytes / 1024).toFixed(1).padStart(6)} KiB`,
    );
  }
}
