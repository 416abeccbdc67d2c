import { createHash } from 'node:crypto';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { functionDefinitions } from '../../../functions/registry.js';
import { esbuildOptions } from '../../../infra/lib/bundles.js';
import { localStack } from '../../support/local-stack.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * The `index.mjs` the CDK puts in a function's asset. `cdk synth` runs esbuild with these same options
 * (infra/lib/bundles.ts mirrors NodejsFunction's command line); building with them here, rather than
 * synthesizing, keeps this test to seconds.
 */
const deployedSha256 = async (entry: string): Promise<string> => {
  const result = await esbuild.build(esbuildOptions(entry));
  const code = result.outputFiles.find((file) => file.path.endsWith('/index.mjs'));
  if (!code) throw new Error(`${entry}: esbuild produced no index.mjs`);
  return sha256(code.contents);
};

describe('the local stack runs the deployed bundles', () => {
  const stack = localStack();

  // Six esbuild builds of about 1 MB each: seconds on an idle machine, more on a shared one.
  it('GET /health names, for every function, the sha256 of the index.mjs the CDK deploys', {
    timeout: 180_000,
  }, async () => {
    // Prepare: the stack must run bundles (LINDUNG_FUNCTION_CODE=source runs the sources instead).
    expect(
      stack.env.LINDUNG_FUNCTION_BUNDLES,
      'the local stack runs the sources, not the bundles',
    ).toBeDefined();

    // Act
    const response = await fetch(`${stack.httpUrl}/health`);
    const health = (await response.json()) as { functions: Record<string, { sha256: string }> };
    const deployed = Object.fromEntries(
      await Promise.all(
        functionDefinitions.map(async (definition) => [
          definition.id,
          await deployedSha256(definition.entry),
        ]),
      ),
    );

    // Assess: http-api's entry is the hash of the file it runs from, the others are what the stack loaded.
    expect(
      Object.fromEntries(Object.entries(health.functions).map(([id, { sha256 }]) => [id, sha256])),
    ).toEqual(deployed);
  });
});
