/**
 * vitest global setup of the browser project: builds the dashboard into packages/web/dist, then starts the
 * embedded local stack (which serves it at `/`) like the e2e project does.
 */
import type { TestProject } from 'vitest/node';
import { buildDashboard } from '../../packages/web/src/build.js';
import startLocalStack from '../support/global-local-stack.js';

export default async function setup(project: TestProject) {
  const files = await buildDashboard();
  console.info(
    `dashboard built: ${files.map((f) => `${f.file} ${(f.gzipBytes / 1024).toFixed(1)} KiB gzip`).join(', ')}`,
  );
  return startLocalStack(project);
}
