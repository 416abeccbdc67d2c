/**
 * The functions' Lambda bundles, built by esbuild with the options the CDK's NodejsFunction uses
 * (infra/lib/bundles.ts `esbuildOptions`), so the local stack runs the very `index.mjs` that deploys.
 *
 * Builds are cached by content: a bundle's key hashes every file esbuild read for it (the metafile's inputs,
 * node_modules included), the files that define the options, and the esbuild and aws-cdk-lib versions. A start
 * with nothing changed reads and hashes those files and builds nothing (and does not load aws-cdk-lib).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, BuildResult } from 'esbuild';
import type { FunctionDefinition } from '../../../functions/registry.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Where bundles are cached; `npm ci` clears it with the rest of node_modules. */
export const defaultBundleCacheDir = join(repositoryRoot, 'node_modules/.cache/lindung-bundles');

/** One built file in the cache. */
export interface CachedBuild {
  /** Absolute path of the built file (a function's `index.mjs`). */
  readonly file: string;
  /** sha256 of that file, hex. */
  readonly sha256: string;
  readonly bytes: number;
  /** Whether it was built now; false when it came from the cache. */
  readonly built: boolean;
}

/** A function's deployable bundle. */
export interface FunctionBundle extends CachedBuild {
  readonly id: string;
}

interface Manifest {
  readonly key: string;
  /** Files esbuild read, relative to the repository root. */
  readonly inputs: readonly string[];
  readonly sha256: string;
}

/** Changes when what this module writes to the cache changes (e.g. how source maps are relocated). */
const CACHE_FORMAT = 1;

type BuildWithMetafile = BuildOptions & { metafile: true; write: false; outfile: string };

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

const esbuildVersion = (): string =>
  (
    JSON.parse(readFileSync(createRequire(import.meta.url).resolve('esbuild/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

const packageVersion = (name: string): string => {
  try {
    const file = createRequire(join(repositoryRoot, 'infra/package.json')).resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'absent';
  }
};

/** Hashes files once per start, however many bundles share them (the AWS SDK, zod…). */
class InputHashes {
  private readonly hashes = new Map<string, Promise<string | undefined>>();

  of(path: string): Promise<string | undefined> {
    let hash = this.hashes.get(path);
    if (!hash) {
      hash = readFile(join(repositoryRoot, path)).then(sha256, () => undefined);
      this.hashes.set(path, hash);
    }
    return hash;
  }

  /** The key of a build: its fingerprint and the content of every input; undefined if one is gone. */
  async key(fingerprint: string, inputs: readonly string[]): Promise<string | undefined> {
    const hashes = await Promise.all(inputs.map((input) => this.of(input)));
    if (hashes.some((hash) => hash === undefined)) return undefined;
    return sha256([fingerprint, ...inputs.map((input, i) => `${input}\0${hashes[i]}`)].join('\n'));
  }
}

const readManifest = async (file: string): Promise<Manifest | undefined> => {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
};

// Another start may build the same bundle at the same time: each writes a file of its own, then renames.
const writeAtomically = async (file: string, data: string | Uint8Array) => {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, file);
};

// A source map names its sources relative to where esbuild meant to write it (the repository root); from
// the cache folder they are found through its sourceRoot. The code (and so its sha256) is left as built.
const relocated = (path: string, contents: Uint8Array, dir: string): Uint8Array | string => {
  if (!path.endsWith('.map')) return contents;
  const map = JSON.parse(Buffer.from(contents).toString('utf8')) as { sourceRoot?: string };
  return JSON.stringify({ ...map, sourceRoot: `${relative(dir, dirname(path))}/` });
};

interface CachedBuildRequest {
  /** Folder of this build inside the cache. */
  readonly name: string;
  /** What, besides the inputs' content, decides the output (options, tool versions). */
  readonly fingerprint: string;
  /** Name of the built file to load (a function's `index.mjs`). */
  readonly outfile: string;
  /** The build's options; asked for only when the cache misses. */
  readonly options: () => Promise<BuildWithMetafile>;
  readonly cacheDir: string;
  readonly hashes: InputHashes;
}

const cachedBuild = async (request: CachedBuildRequest): Promise<CachedBuild> => {
  const dir = join(request.cacheDir, request.name);
  const manifestFile = join(dir, 'manifest.json');
  const manifest = await readManifest(manifestFile);
  if (manifest) {
    const key = await request.hashes.key(request.fingerprint, manifest.inputs);
    if (key === manifest.key) {
      const file = join(dir, request.outfile);
      const contents = await readFile(file).catch(() => undefined);
      if (contents && sha256(contents) === manifest.sha256)
        return { file, sha256: manifest.sha256, bytes: contents.byteLength, built: false };
    }
  }

  const options = await request.options();
  const esbuild = await import('esbuild');
  const result: BuildResult<BuildWithMetafile> = await esbuild.build(options);
  const outfile = request.outfile;
  const main = result.outputFiles.find((output) => basename(output.path) === outfile);
  if (!main) throw new Error(`${request.name}: esbuild produced no ${outfile}`);
  await mkdir(dir, { recursive: true });
  for (const output of result.outputFiles)
    await writeAtomically(join(dir, basename(output.path)), relocated(output.path, output.contents, dir));
  const inputs = Object.keys(result.metafile.inputs).sort();
  const key = await request.hashes.key(request.fingerprint, inputs);
  const digest = sha256(main.contents);
  if (key) await writeAtomically(manifestFile, JSON.stringify({ key, inputs, sha256: digest }, null, 2));
  return { file: join(dir, outfile), sha256: digest, bytes: main.contents.byteLength, built: true };
};

/** The sources that decide the deployed bundles' options. */
const optionSources = ['infra/lib/bundles.ts', 'infra/lib/lindung-function.ts'];

/**
 * Builds (or takes from the cache) the bundle of every definition with the CDK's esbuild options: the file
 * `npm run synth` puts in each function's asset (`cdk.out/asset.*\/index.mjs`).
 */
export const functionBundles = async (
  definitions: readonly FunctionDefinition[],
  cacheDir = defaultBundleCacheDir,
): Promise<FunctionBundle[]> => {
  const hashes = new InputHashes();
  const fingerprint = [
    `cache ${CACHE_FORMAT}`,
    `esbuild ${esbuildVersion()}`,
    `aws-cdk-lib ${packageVersion('aws-cdk-lib')}`,
    ...optionSources.map((file) => `${file} ${sha256(readFileSync(join(repositoryRoot, file)))}`),
  ].join('\n');
  // Loading aws-cdk-lib takes seconds: only a build needs it.
  let bundlesModule: Promise<typeof import('../../../infra/lib/bundles.js')> | undefined;
  const optionsOf = async (entry: string) => {
    bundlesModule ??= import('../../../infra/lib/bundles.js');
    return (await bundlesModule).esbuildOptions(entry) as BuildWithMetafile;
  };
  return Promise.all(
    definitions.map(async (definition) => ({
      id: definition.id,
      ...(await cachedBuild({
        name: definition.id,
        fingerprint: `${fingerprint}\nentry ${definition.entry}`,
        outfile: 'index.mjs',
        options: () => optionsOf(definition.entry),
        cacheDir,
        hashes,
      })),
    })),
  );
};

/** The worker-thread runtime (function-worker.ts) as a plain ES module. */
export const functionWorkerScript = async (cacheDir = defaultBundleCacheDir): Promise<CachedBuild> => {
  const options: BuildWithMetafile = {
    absWorkingDir: repositoryRoot,
    entryPoints: ['packages/local/src/function-worker.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile: 'function-worker.mjs',
    metafile: true,
    write: false,
    logLevel: 'silent',
  };
  return cachedBuild({
    name: 'function-worker',
    fingerprint: `cache ${CACHE_FORMAT}\nesbuild ${esbuildVersion()}\n${JSON.stringify(options)}`,
    outfile: options.outfile,
    options: async () => options,
    cacheDir,
    hashes: new InputHashes(),
  });
};
