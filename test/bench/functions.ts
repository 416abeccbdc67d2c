/**
 * Per function of functions/registry.ts: the deployed bundle's size (infra/lib/bundles.ts bundles it exactly
 * as the CDK's NodejsFunction does) and the cold module initialisation: a fresh Node process imports the
 * handler module, timed inside the process from just before the import to just after it, median of 10.
 * Twice: the TypeScript source through `node --import tsx` (what the local stack runs), and the minified
 * bundle with plain `node` (what Lambda runs, short of its own runtime start).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
}

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

/** Imports `url` in a fresh process `times` times; the import times, ms. */
const coldImports = async (url: string, withTsx: boolean, times: number): Promise<number[]> => {
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== 'function') throw new Error('no handler'); process.stdout.write(String(performance.now() - t));`;
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const { stdout } = await run(
      process.execPath,
      [...(withTsx ? ['--import', 'tsx'] : []), '--input-type=module', '-e', script],
      { cwd: repositoryRoot, env: { ...process.env, ...handlerEnvironment } },
    );
    samples.push(Math.round(Number(stdout) * 10) / 10);
  }
  return samples;
};

/** Bundles an entry as deployed and writes it where a fresh process can import it. */
const writeBundle = async (definition: FunctionDefinition, dir: string): Promise<string> => {
  const result = await esbuild.build(esbuildOptions(definition.entry));
  const code = result.outputFiles.find((file) => /\/index\.m?js$/.test(file.path));
  if (!code) throw new Error(`${definition.id}: esbuild produced no bundle`);
  const file = join(dir, definition.id, 'index.mjs');
  await mkdir(join(dir, definition.id), { recursive: true });
  await writeFile(file, code.contents);
  return file;
};

export const benchFunctions = async ({
  times = 10,
  log = (_: string) => {},
} = {}): Promise<FunctionFigures[]> => {
  // Nothing is external to a bundle, so it loads from anywhere.
  const dir = await mkdtemp(join(tmpdir(), 'lindung-bundles-'));
  const figures: FunctionFigures[] = [];
  for (const definition of functionDefinitions) {
    const report = await bundleReport(definition);
    const bundle = await writeBundle(definition, dir);
    const source = await coldImports(pathToFileURL(join(repositoryRoot, definition.entry)).href, true, times);
    const bundled = await coldImports(pathToFileURL(bundle).href, false, times);
    const figure: FunctionFigures = {
      id: definition.id,
      localOnly: definition.localOnly === true,
      minifiedBytes: report.minifiedBytes,
      gzipBytes: report.gzipBytes,
      sdkClients: report.sdkClients,
      sourceInitMs: median(source),
      bundleInitMs: median(bundled),
      samples: { source, bundle: bundled },
    };
    figures.push(figure);
    log(
      `  ${definition.id}: ${figure.minifiedBytes} bytes, init ${figure.sourceInitMs} ms (tsx) / ${figure.bundleInitMs} ms (bundle)`,
    );
  }
  return figures;
};
