/**
 * Per function of functions/registry.ts: the deployed bundle's size (infra/lib/bundles.ts bundles it exactly
 * as the CDK's NodejsFunction does) and the cold module initialisation: a fresh Node process imports the
 * handler module, timed inside the process from just before the import to just after it, median of 10.
 * Twice: the TypeScript source through `node --import tsx` (what the local stack runs), and the minified
 * bundle with plain `node` (what Lambda runs, short of its own runtime start).
 *
 * With `baseline` (a checkout of another commit, e.g. `git worktree add /tmp/before main && npm ci` there),
 * its bundles are built with its own infra/lib/bundles.ts and esbuild and measured in the same run, their
 * imports interleaved with this tree's, so both sides see the same load on the machine.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { type FunctionDefinition, functionDefinitions } from '../../functions/registry.js';
import { bundleReport, esbuildOptions } from '../../infra/lib/bundles.js';
import { repositoryRoot } from '../../infra/lib/lindung-function.js';

const run = promisify(execFile);

export interface FunctionFigures {
  readonly id: string;
  readonly localOnly: boolean;
  readonly minifiedBytes: number;
  readonly gzipBytes: number;
  readonly sdkClients: readonly string[];
  /** Median import time of the source through tsx, ms (and all 10 samples). */
  readonly sourceInitMs: number;
  /** Median import time of the bundle with plain node, ms. */
  readonly bundleInitMs: number;
  readonly samples: { readonly source: readonly number[]; readonly bundle: readonly number[] };
  /** Files esbuild writes beside `index.mjs` (source map excluded), e.g. the region data; bytes by name. */
  readonly assets: Readonly<Record<string, number>>;
  /** The same function in the baseline checkout, when one is given. */
  readonly baseline?: {
    readonly minifiedBytes: number;
    readonly gzipBytes: number;
    readonly bundleInitMs: number;
    readonly samples: readonly number[];
  };
}

type EsbuildModule = typeof esbuild;
type BundleTools = {
  readonly esbuild: EsbuildModule;
  readonly esbuildOptions: typeof esbuildOptions;
  readonly bundleReport: typeof bundleReport;
  readonly functionDefinitions: readonly FunctionDefinition[];
};

/** This tree's bundling, or that of the checkout at `root` (its own modules and esbuild). */
const bundleTools = async (root?: string): Promise<BundleTools> => {
  if (!root) return { esbuild, esbuildOptions, bundleReport, functionDefinitions };
  const from = (path: string) => pathToFileURL(join(resolve(root), path)).href;
  const [bundles, registry, theirEsbuild] = await Promise.all([
    import(from('infra/lib/bundles.ts')) as Promise<typeof import('../../infra/lib/bundles.js')>,
    import(from('functions/registry.ts')) as Promise<typeof import('../../functions/registry.js')>,
    import(from('node_modules/esbuild/lib/main.js')) as Promise<EsbuildModule>,
  ]);
  return {
    esbuild: theirEsbuild,
    esbuildOptions: bundles.esbuildOptions,
    bundleReport: bundles.bundleReport,
    functionDefinitions: registry.functionDefinitions,
  };
};

/** What a handler module reads from its environment when it loads (no request is made while importing). */
const handlerEnvironment: Record<string, string> = {
  AWS_REGION: 'ap-southeast-3',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  LINDUNG_STAGE: 'bench',
  POWERTOOLS_SERVICE_NAME: 'lindung',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_NAMESPACE: 'Lindung',
  NIK_HASH_KEY: 'YmVuY2g',
  TABLE_LEDGER: 'lindung-bench-ledger',
  TABLE_IDEMPOTENCY: 'lindung-bench-idempotency',
  TABLE_REPORTS: 'lindung-bench-reports',
  QUEUE_URL_RENEWAL_WORK: 'https://sqs.ap-southeast-3.amazonaws.com/000000000000/lindung-bench-renewal-work',
  QUEUE_URL_BILLING_OUTBOX:
    'https://sqs.ap-southeast-3.amazonaws.com/000000000000/lindung-bench-billing-outbox',
  QUEUE_URL_BILLING_INBOX:
    'https://sqs.ap-southeast-3.amazonaws.com/000000000000/lindung-bench-billing-inbox',
};

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : Math.round((((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2) * 10) / 10;
};

/** Imports `url` once in a fresh process; the import time, ms. */
const coldImport = async (url: string, withTsx: boolean): Promise<number> => {
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== 'function') throw new Error('no handler'); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(
    process.execPath,
    [...(withTsx ? ['--import', 'tsx'] : []), '--input-type=module', '-e', script],
    { cwd: repositoryRoot, env: { ...process.env, ...handlerEnvironment } },
  );
  return Math.round(Number(stdout) * 10) / 10;
};

/**
 * Bundles an entry as deployed and writes every file esbuild emits (index.mjs, its source map and any asset
 * beside it) where a fresh process can import it; the bundle's path and the assets' sizes.
 */
const writeBundle = async (
  tools: BundleTools,
  definition: FunctionDefinition,
  dir: string,
): Promise<{ file: string; assets: Record<string, number> }> => {
  const result = await tools.esbuild.build(tools.esbuildOptions(definition.entry));
  const folder = join(dir, definition.id);
  await mkdir(folder, { recursive: true });
  const assets: Record<string, number> = {};
  for (const output of result.outputFiles) {
    const name = basename(output.path);
    await writeFile(join(folder, name), output.contents);
    if (!/^index\.m?js(\.map)?$/.test(name))
      assets[name.replace(/-\w+(\.\w+)$/, '$1')] = output.contents.byteLength;
  }
  return { file: join(folder, 'index.mjs'), assets };
};

export const benchFunctions = async ({
  times = 10,
  log = (_: string) => {},
  baseline = undefined as string | undefined,
} = {}): Promise<FunctionFigures[]> => {
  // Nothing is external to a bundle, so it loads from anywhere.
  const dir = await mkdtemp(join(tmpdir(), 'lindung-bundles-'));
  const ours = await bundleTools();
  const theirs = baseline ? await bundleTools(baseline) : undefined;
  const figures: FunctionFigures[] = [];
  for (const definition of functionDefinitions) {
    const report = await bundleReport(definition);
    const { file: bundle, assets } = await writeBundle(ours, definition, dir);
    const before = theirs?.functionDefinitions.find((d) => d.id === definition.id);
    const baselineReport = before && theirs ? await theirs.bundleReport(before) : undefined;
    const baselineBundle =
      before && theirs ? (await writeBundle(theirs, before, join(dir, 'baseline'))).file : undefined;
    const source: number[] = [];
    const bundled: number[] = [];
    const baselineBundled: number[] = [];
    // Interleaved, so that a change in the machine's load falls on every side alike.
    for (let i = 0; i < times; i++) {
      source.push(await coldImport(pathToFileURL(join(repositoryRoot, definition.entry)).href, true));
      bundled.push(await coldImport(pathToFileURL(bundle).href, false));
      if (baselineBundle) baselineBundled.push(await coldImport(pathToFileURL(baselineBundle).href, false));
    }
    const figure: FunctionFigures = {
      id: definition.id,
      localOnly: definition.localOnly === true,
      minifiedBytes: report.minifiedBytes,
      gzipBytes: report.gzipBytes,
      sdkClients: report.sdkClients,
      sourceInitMs: median(source),
      bundleInitMs: median(bundled),
      samples: { source, bundle: bundled },
      assets,
      ...(baselineReport && {
        baseline: {
          minifiedBytes: baselineReport.minifiedBytes,
          gzipBytes: baselineReport.gzipBytes,
          bundleInitMs: median(baselineBundled),
          samples: baselineBundled,
        },
      }),
    };
    figures.push(figure);
    log(
      `  ${definition.id}: ${figure.minifiedBytes} bytes, init ${figure.sourceInitMs} ms (tsx) / ${figure.bundleInitMs} ms (bundle)${figure.baseline ? `; baseline ${figure.baseline.minifiedBytes} bytes, init ${figure.baseline.bundleInitMs} ms` : ''}`,
    );
  }
  return figures;
};
