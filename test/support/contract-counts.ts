/**
 * vitest global setup of the e2e project: a folder where the test workers count the answers they checked
 * against the OpenAPI document (contract.ts), and at the end of the run the total, printed.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'lindung-contract-'));
  project.provide('contractCounts', dir);
  return async () => {
    const lines: string[] = [];
    for (const file of await readdir(dir)) {
      lines.push(...(await readFile(join(dir, file), 'utf8')).split('\n').filter(Boolean));
    }
    await rm(dir, { recursive: true, force: true });
    const operations = new Set(lines.map((line) => line.split(' ')[0]));
    const pairs = new Set(lines);
    process.stdout.write(
      `\ncontract: ${lines.length} responses validated against the OpenAPI document ` +
        `(${operations.size} operations, ${pairs.size} operation-status pairs)\n`,
    );
  };
}
