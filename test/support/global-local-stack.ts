/**
 * vitest global setup of the integration and e2e projects: one embedded local stack (in memory) for the
 * whole run, the same stack `npm start` runs. Tests receive its addresses through `inject('localStack')`.
 */
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../packages/local/src/stack.js';

export interface ProvidedLocalStack {
  readonly httpUrl: string;
  readonly env: Record<string, string>;
  readonly tables: Record<string, { name: string; streamArn?: string }>;
  readonly queues: Record<string, { url: string; arn: string; deadLetterUrl: string }>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: ProvidedLocalStack;
  }
}

export default async function setup(project: TestProject) {
  // What the stack's consumers fail at shows in the run's output: a test that then waits knows why.
  const stack = await startLocalStack({
    inMemory: true,
    httpPort: 0,
    log: (line) => console.error(`[local stack] ${line}`),
  });
  project.provide('localStack', {
    httpUrl: stack.httpUrl,
    env: { ...stack.env },
    tables: Object.fromEntries(
      Object.entries(stack.tables).map(([id, t]) => [
        id,
        { name: t.name, ...(t.streamArn && { streamArn: t.streamArn }) },
      ]),
    ),
    queues: Object.fromEntries(
      Object.entries(stack.queues).map(([id, q]) => [
        id,
        { url: q.url, arn: q.arn, deadLetterUrl: q.deadLetterUrl },
      ]),
    ),
  });
  return () => stack.stop();
}
