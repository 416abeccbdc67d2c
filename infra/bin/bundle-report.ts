/**
 * `npm run bundle-size` (also the end of `npm run synth`): bundles every deployed function of
 * functions/registry.ts as NodejsFunction does and prints its size and the AWS SDK clients it carries.
 */
import { functionDefinitions } from '../../functions/registry.js';
import { bundleReport, deployedDefinitions, entryExists, formatBundleReports } from '../lib/bundles.js';

const deployed = deployedDefinitions(functionDefinitions);
const missing = deployed.filter((definition) => !entryExists(definition));
const reports = await Promise.all(deployed.filter(entryExists).map(bundleReport));
console.log(
  '\nBundle sizes (minified ESM for nodejs22.x arm64, as deployed; source maps excluded; files esbuild emits ' +
    'beside index.mjs, such as the region data, listed apart)\n',
);
console.log(formatBundleReports(reports));
for (const definition of missing) {
  console.error(`\n${definition.id}: entry ${definition.entry} does not exist`);
}
if (missing.length > 0) process.exitCode = 1;
