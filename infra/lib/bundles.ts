import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as esbuild from 'esbuild';
import type { FunctionDefinition } from '../../functions/registry.js';
import { bundleAliases, bundleConditions, bundling, repositoryRoot } from './lindung-function.js';

/** What one function's deployed bundle weighs, and which AWS SDK clients it carries. */
export interface BundleReport {
  readonly id: string;
  readonly entry: string;
  /** The minified code as deployed (`index.mjs`, source map excluded). */
  readonly minifiedBytes: number;
  readonly gzipBytes: number;
  /** `@aws-sdk/client-*` packages with code in the bundle, e.g. `@aws-sdk/client-dynamodb`. */
  readonly sdkClients: readonly string[];
  /** Files esbuild emits beside `index.mjs` (e.g. `regions-<hash>.dat`, the region data), source map excluded. */
  readonly assets: readonly { readonly name: string; readonly bytes: number }[];
}

const format = bundling.format === nodejs.OutputFormat.ESM ? 'esm' : 'cjs';
const outfile = format === 'esm' ? 'index.mjs' : 'index.js';

/**
 * esbuild's options for an entry, exactly as NodejsFunction builds them from `bundling` (see
 * aws-lambda-nodejs bundling: `--bundle --target --platform=node --format --outfile --minify
 * --sourcemap --external --banner --main-fields --loader --conditions --alias`, run in the project root), plus a
 * metafile.
 */
export const esbuildOptions = (entry: string): esbuild.BuildOptions & { metafile: true; write: false } => ({
  absWorkingDir: repositoryRoot,
  entryPoints: [entry],
  bundle: true,
  target: bundling.target,
  platform: 'node',
  format,
  outfile,
  minify: bundling.minify,
  sourcemap: bundling.sourceMap,
  external: bundling.externalModules,
  banner: { js: bundling.banner },
  mainFields: bundling.mainFields,
  loader: bundling.loader,
  conditions: [...bundleConditions],
  alias: { ...bundleAliases },
  metafile: true,
  write: false,
  logLevel: 'silent',
});

const sdkClientPattern = /node_modules\/(@aws-sdk\/client-[^/]+)\//;

/** Bundles a registry entry in memory as it is deployed and measures it. */
export const bundleReport = async (definition: FunctionDefinition): Promise<BundleReport> => {
  const result = await esbuild.build(esbuildOptions(definition.entry));
  const code = result.outputFiles.find((file) => file.path.endsWith(`/${outfile}`));
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(outfile))?.[1];
  if (!code || !output) throw new Error(`${definition.id}: esbuild produced no ${outfile}`);
  // Only modules that left code in the output: a client imported and then tree-shaken away is not there.
  const sdkClients = new Set(
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => sdkClientPattern.exec(path)?.[1])
      .filter((client) => client !== undefined),
  );
  const assets = result.outputFiles
    .filter((file) => file !== code && !file.path.endsWith(`/${outfile}.map`))
    .map((file) => ({ name: basename(file.path), bytes: file.contents.byteLength }));
  return {
    id: definition.id,
    entry: definition.entry,
    minifiedBytes: code.contents.byteLength,
    gzipBytes: gzipSync(code.contents).byteLength,
    sdkClients: [...sdkClients].sort(),
    assets,
  };
};

/** The functions of a registry that are deployed, i.e. not local-only. */
export const deployedDefinitions = (definitions: readonly FunctionDefinition[]): FunctionDefinition[] =>
  definitions.filter((definition) => !definition.localOnly);

/** Whether a registry entry's file exists yet. */
export const entryExists = (definition: FunctionDefinition): boolean =>
  existsSync(`${repositoryRoot}${definition.entry}`);

const bytes = (count: number) => count.toLocaleString('en-US');

/** The reports as a plain-text table, one function a row. */
export const formatBundleReports = (reports: readonly BundleReport[]): string => {
  const rows = [
    ['function', 'minified bytes', 'gzip bytes', 'AWS SDK clients', 'beside index.mjs'],
    ...reports.map((report) => [
      report.id,
      bytes(report.minifiedBytes),
      bytes(report.gzipBytes),
      report.sdkClients.map((client) => client.replace('@aws-sdk/', '')).join(', ') || '(none)',
      report.assets.map((asset) => `${asset.name} (${bytes(asset.bytes)} bytes)`).join(', ') || '-',
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        column === 1 || column === 2 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  return [line(header ?? []), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join(
    '\n',
  );
};
