/**
 * Builds the dashboard into packages/web/dist (index.html, app.js, app.css): what the local stack serves at
 * `/` and the CDK stack deploys to S3 behind CloudFront. Prints the size of each file, raw and gzipped.
 *   npm run build:web (tsx packages/web/src/build.ts)
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
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

/** Builds the dashboard; returns the files written with their sizes. */
export const buildDashboard = async (): Promise<BuiltFile[]> => {
  await rm(distDirectory, { recursive: true, force: true });
  await mkdir(distDirectory, { recursive: true });
  await build({
    entryPoints: { app: join(root, 'src/main.ts'), 'app-styles': join(root, 'src/styles.css') },
    outdir: distDirectory,
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  // esbuild names a CSS entry after it; the page links /app.css.
  await copyFile(join(distDirectory, 'app-styles.css'), join(distDirectory, 'app.css'));
  await rm(join(distDirectory, 'app-styles.css'));
  await rm(join(distDirectory, 'app-styles.js'), { force: true });
  await copyFile(join(root, 'src/index.html'), join(distDirectory, 'index.html'));
  const files = ['index.html', 'app.js', 'app.css'];
  return Promise.all(
    files.map(async (file) => {
      const path = join(distDirectory, file);
      return { file, bytes: (await stat(path)).size, gzipBytes: gzipSync(await readFile(path)).length };
    }),
  );
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
