import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionWorkerScript } from '../../../packages/local/src/bundles.js';
import {
  FunctionEnvironmentError,
  FunctionRuntime,
  FunctionTimeoutError,
} from '../../../packages/local/src/function-runtime.js';

// A stand-in for a function bundle: module state counts the invocations of one environment.
const bundleSource = `
let invocations = 0;
export const handler = async (event, context) => {
  invocations += 1;
  if (event.action === 'hang') return new Promise(() => {});
  if (event.action === 'throw') throw new RangeError('no such village');
  if (event.action === 'crash') { setTimeout(() => { throw new Error('uncaught'); }); return new Promise(() => {}); }
  return {
    invocations,
    service: process.env.POWERTOOLS_SERVICE_NAME,
    table: process.env.TABLE,
    functionName: context.functionName,
    remaining: context.getRemainingTimeInMillis(),
    date: new Date(0),
  };
};
`;

describe('FunctionRuntime', () => {
  let dir: string;
  let workerScript: string;
  const runtimes: FunctionRuntime[] = [];
  const runtime = (id: string, timeoutSeconds = 5, env: Record<string, string> = {}) => {
    const started = new FunctionRuntime({
      definition: { id, timeoutSeconds, memoryMb: 256 },
      bundle: join(dir, 'index.mjs'),
      workerScript,
      env,
    });
    runtimes.push(started);
    return started;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lindung-runtime-'));
    await writeFile(join(dir, 'index.mjs'), bundleSource);
    workerScript = (await functionWorkerScript(join(dir, 'cache'))).file;
  });
  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each function its own module instance, environment and service name', async () => {
    // Prepare: two functions from the same bundle file.
    const a = runtime('fn-a', 5, { TABLE: 'ledger-a' });
    const b = runtime('fn-b', 5, { TABLE: 'ledger-b' });

    // Act
    await a.invoke({});
    const second = await a.invoke({});
    const other = await b.invoke({});

    // Assess: the result crossed as JSON (the Date is a string), the context was rebuilt in the worker.
    expect(second).toMatchObject({
      invocations: 2,
      service: 'fn-a',
      table: 'ledger-a',
      functionName: 'fn-a',
    });
    expect(other).toMatchObject({ invocations: 1, service: 'fn-b', table: 'ledger-b' });
    expect((second as { date: unknown }).date).toBe('1970-01-01T00:00:00.000Z');
    expect((second as { remaining: number }).remaining).toBeGreaterThan(0);
    expect(process.env.POWERTOOLS_SERVICE_NAME).not.toBe('fn-a');
  });

  it('carries a handler error back with its name and message', async () => {
    const fn = runtime('fn-throws');
    await expect(fn.invoke({ action: 'throw' })).rejects.toMatchObject({
      name: 'RangeError',
      message: 'no such village',
    });
    // The environment survives a handled error: its module state is still there.
    expect(await fn.invoke({})).toMatchObject({ invocations: 2 });
  });

  it('fails an invocation that outlasts the timeout and starts a fresh environment', async () => {
    const fn = runtime('fn-slow', 0.3);
    await fn.invoke({});

    await expect(fn.invoke({ action: 'hang' })).rejects.toBeInstanceOf(FunctionTimeoutError);

    // A cold start: the module state of the timed-out environment is gone.
    expect(await fn.invoke({})).toMatchObject({ invocations: 1 });
  });

  it('reports a bundle whose module code throws as a failed init, naming the error', async () => {
    // Prepare: a bundle that needs a variable its configuration does not set.
    await writeFile(join(dir, 'broken.mjs'), "throw new Error('TABLE_LEDGER is not set');\n");
    const broken = new FunctionRuntime({
      definition: { id: 'fn-broken', timeoutSeconds: 5, memoryMb: 256 },
      bundle: join(dir, 'broken.mjs'),
      workerScript,
      env: {},
    });
    runtimes.push(broken);

    await expect(broken.start()).rejects.toThrow(/fn-broken: init failed \(Error: TABLE_LEDGER is not set\)/);
  });

  it('fails what runs in an environment that crashes, and recovers on the next invocation', async () => {
    const fn = runtime('fn-crash');
    await expect(fn.invoke({ action: 'crash' })).rejects.toBeInstanceOf(FunctionEnvironmentError);
    expect(await fn.invoke({})).toMatchObject({ invocations: 1 });
  });
});
