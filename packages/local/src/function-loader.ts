/**
 * How the local stack gets each function's handler. By default from the bundle the CDK deploys, run in an
 * execution environment of its own (function-runtime.ts); with `--source` (or LINDUNG_FUNCTION_CODE=source)
 * from the TypeScript sources in this process, for quick iteration — all functions then share one module
 * graph, one environment and no timeout.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FUNCTION_BUNDLES_ENV } from '@lindung/api';
import type { FunctionDefinition } from '../../../functions/registry.js';
import {
  type CachedBuild,
  defaultBundleCacheDir,
  type FunctionBundle,
  functionBundles,
  functionWorkerScript,
} from './bundles.js';
import { FunctionRuntime } from './function-runtime.js';
import type { LambdaHandler } from './lambda.js';
import type { RequestCounts } from './request-counts.js';

export type FunctionCode = 'bundle' | 'source';

/** The code the tests' local stack runs: bundles, unless LINDUNG_FUNCTION_CODE=source. */
export const functionCodeFromEnv = (env: NodeJS.ProcessEnv = process.env): FunctionCode =>
  env.LINDUNG_FUNCTION_CODE === 'source' ? 'source' : 'bundle';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Imports a function's `handler` from its entry file, in this process (source mode). */
export const loadHandler = async <E, R>(definition: FunctionDefinition): Promise<LambdaHandler<E, R>> => {
  const module = (await import(pathToFileURL(join(repositoryRoot, definition.entry)).href)) as {
    handler?: LambdaHandler<E, R>;
  };
  if (typeof module.handler !== 'function') throw new Error(`${definition.entry} exports no handler`);
  return module.handler;
};

/** The bundles of some functions and the worker that runs them, built or taken from the cache. */
export interface BuiltFunctions {
  readonly bundles: readonly FunctionBundle[];
  readonly worker: CachedBuild;
  readonly milliseconds: number;
}

/** Builds what bundle mode runs; start it early, it runs while the emulators start. */
export const buildFunctions = async (
  definitions: readonly FunctionDefinition[],
  cacheDir = defaultBundleCacheDir,
): Promise<BuiltFunctions> => {
  const started = performance.now();
  const [bundles, worker] = await Promise.all([
    functionBundles(definitions, cacheDir),
    functionWorkerScript(cacheDir),
  ]);
  return { bundles, worker, milliseconds: performance.now() - started };
};

export interface LoadedFunctions {
  /** Variables for every function's environment (bundle mode: {@link FUNCTION_BUNDLES_ENV}). */
  readonly env: Readonly<Record<string, string>>;
  handler<E, R>(definition: FunctionDefinition): LambdaHandler<E, R>;
  /** The AWS requests of each function's environments so far, by function id (bundle mode, when counted). */
  requestCounts(): Record<string, RequestCounts>;
  stop(): Promise<void>;
}

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;

/** Starts one execution environment per bundle with `env` as its configuration. */
export const startBundledFunctions = async (
  definitions: readonly FunctionDefinition[],
  built: BuiltFunctions,
  env: Readonly<Record<string, string>>,
  log: (message: string) => void,
): Promise<LoadedFunctions> => {
  const bundleOf = new Map(built.bundles.map((bundle) => [bundle.id, bundle]));
  const extra = {
    [FUNCTION_BUNDLES_ENV]: JSON.stringify(Object.fromEntries(built.bundles.map((b) => [b.id, b.sha256]))),
  };
  const runtimes = new Map(
    definitions.map((definition) => {
      const bundle = bundleOf.get(definition.id);
      if (!bundle) throw new Error(`${definition.id} has no bundle`);
      const runtime = new FunctionRuntime({
        definition,
        bundle: bundle.file,
        workerScript: built.worker.file,
        env: { ...env, ...extra },
      });
      return [definition.id, runtime];
    }),
  );
  const stop = async () => {
    await Promise.all([...runtimes.values()].map((runtime) => runtime.stop()));
  };
  let inits: number[];
  try {
    inits = await Promise.all([...runtimes.values()].map((runtime) => runtime.start()));
  } catch (error) {
    await stop();
    throw error;
  }

  const fresh = built.bundles.filter((bundle) => bundle.built).length;
  log(
    `${built.bundles.length} functions run from their Lambda bundles (esbuild with the CDK's options; ` +
      `${fresh} built, ${built.bundles.length - fresh} cached, in ${seconds(built.milliseconds)}; ` +
      `slowest init ${seconds(Math.max(0, ...inits))}), each in its own worker thread:`,
  );
  const width = Math.max(...built.bundles.map((bundle) => bundle.id.length));
  for (const bundle of built.bundles)
    log(
      `  ${bundle.id.padEnd(width)}  ${(bundle.bytes / 1024).toFixed(0).padStart(5)} KiB  sha256 ${bundle.sha256.slice(0, 16)}…`,
    );

  return {
    env: extra,
    handler: <E, R>(definition: FunctionDefinition) => {
      const runtime = runtimes.get(definition.id);
      if (!runtime) throw new Error(`${definition.id} is not running`);
      return runtime.handler as LambdaHandler<E, R>;
    },
    requestCounts: () =>
      Object.fromEntries([...runtimes].map(([id, runtime]) => [id, runtime.requestCounts()] as const)),
    stop,
  };
};

/** Source mode: every handler imported in this process. */
export const loadSourceFunctions = async (
  definitions: readonly FunctionDefinition[],
  log: (message: string) => void,
): Promise<LoadedFunctions> => {
  const handlers = new Map<string, LambdaHandler>();
  for (const definition of definitions) handlers.set(definition.id, await loadHandler(definition));
  log(
    `${definitions.length} functions run from their TypeScript sources in this process (source mode: not ` +
      'the deployed bundles, no isolation, no timeouts)',
  );
  return {
    env: {},
    handler: <E, R>(definition: FunctionDefinition) => {
      const handler = handlers.get(definition.id);
      if (!handler) throw new Error(`${definition.id} is not loaded`);
      return handler as LambdaHandler<E, R>;
    },
    // Every handler runs in this thread: its requests are this thread's (LocalStack.requestCounts).
    requestCounts: () => ({}),
    stop: async () => undefined,
  };
};
