/**
 * Runs a function's bundle as Lambda runs it: in an execution environment of its own (a worker thread) with
 * its own module instance, its own `process.env`, its memory as the heap limit, and its timeout. The main
 * thread keeps the HTTP server, pollers and scheduler; they call {@link FunctionRuntime.handler}, which has
 * the `LambdaHandler` shape of an in-process handler.
 *
 * As on Lambda, an invocation that outlasts the timeout fails, and so does one whose environment crashes;
 * either way the environment is discarded and the next invocation starts a fresh one (a cold start).
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { FunctionDefinition } from '../../../functions/registry.js';
import type { CarriedError, FunctionWorkerData, InvokeMessage, WorkerMessage } from './function-worker.js';
import type { LambdaHandler } from './lambda.js';
import { addCounts, type RequestCounts, requestCountsWanted } from './request-counts.js';

/**
 * `LINDUNG_CPU_PROFILE_DIR=<folder>`: each function's worker thread writes a V8 CPU profile there when it ends
 * (at the stack's stop), named after the function: where a local run spends its CPU, function by function.
 */
const cpuProfileArgs = (functionId: string): string[] => {
  const dir = process.env.LINDUNG_CPU_PROFILE_DIR;
  return dir
    ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${functionId}.${Date.now()}.cpuprofile`]
    : [];
};

/** An invocation ran past its function's timeout (Lambda reports `Task timed out after … seconds`). */
export class FunctionTimeoutError extends Error {
  constructor(functionName: string, seconds: number) {
    super(`${functionName}: Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'FunctionTimeoutError';
  }
}

/** The function's environment failed outside an invocation's own error handling (init, crash, exit). */
export class FunctionEnvironmentError extends Error {
  constructor(functionName: string, what: string, options?: ErrorOptions) {
    super(`${functionName}: ${what}`, options);
    this.name = 'FunctionEnvironmentError';
  }
}

const described = (error: { name: string; message: string }) => `${error.name}: ${error.message}`;

/** An error thrown by the handler, as it arrived from the worker (name, message and stack kept). */
const rebuilt = (error: CarriedError): Error => {
  const copy = new Error(error.message);
  copy.name = error.name;
  if (error.stack) copy.stack = error.stack;
  return copy;
};

export interface FunctionRuntimeOptions {
  readonly definition: Pick<FunctionDefinition, 'id' | 'timeoutSeconds' | 'memoryMb'>;
  /** Absolute path of the function's `index.mjs`. */
  readonly bundle: string;
  /** Absolute path of the built function-worker.mjs. */
  readonly workerScript: string;
  /** The variables the function's configuration sets; Lambda's own are added. */
  readonly env: Readonly<Record<string, string>>;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

/** One execution environment: a worker thread with the bundle loaded. */
class Environment {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  readonly pending = new Map<number, Pending>();
  /** Its AWS requests so far, when counted (`LINDUNG_REQUEST_COUNTS=1`). */
  requestCounts: RequestCounts = {};
  /** Set once it must take no more invocations; it ends when the last one in flight settles. */
  retired = false;
  private exited = false;

  constructor(
    private readonly options: FunctionRuntimeOptions,
    private readonly onGone: (environment: Environment) => void,
  ) {
    const { definition, bundle, workerScript, env } = options;
    this.worker = new Worker(workerScript, {
      workerData: { bundle, countRequests: requestCountsWanted() } satisfies FunctionWorkerData,
      env: {
        ...env,
        AWS_LAMBDA_FUNCTION_NAME: definition.id,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memoryMb),
        POWERTOOLS_SERVICE_NAME: definition.id,
        NODE_OPTIONS: '--enable-source-maps',
      },
      // What the CDK sets through NODE_OPTIONS; a worker takes it as its own option, not the TS loader of
      // the main thread.
      execArgv: ['--enable-source-maps', ...cpuProfileArgs(definition.id)],
      resourceLimits: { maxOldGenerationSizeMb: definition.memoryMb },
      name: definition.id,
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'request-counts') this.requestCounts = message.counts;
        else if (message.type === 'init-error') {
          reject(
            new FunctionEnvironmentError(definition.id, `init failed (${described(message.error)})`, {
              cause: rebuilt(message.error),
            }),
          );
          this.end();
        } else this.settle(message);
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', (error) => {
        // An uncaught exception or unhandled rejection: Lambda fails what runs and restarts the runtime.
        const failure = new FunctionEnvironmentError(
          definition.id,
          `the runtime crashed (${described(error)})`,
          { cause: error },
        );
        this.retired = true;
        reject(failure);
        this.failAll(failure);
      });
      this.worker.on('exit', (code) => {
        this.exited = true;
        this.retired = true;
        const failure = new FunctionEnvironmentError(definition.id, `the runtime exited (code ${code})`);
        reject(failure);
        this.failAll(failure);
        this.onGone(this);
      });
    });
    // A failed init is reported to the invocations that wait for it; nobody else needs to hear of it.
    this.ready.catch(() => undefined);
  }

  invoke(id: number, event: unknown, deadline: number, awsRequestId: string): Promise<unknown> {
    const { definition } = this.options;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.pending.delete(id);
          reject(new FunctionTimeoutError(definition.id, definition.timeoutSeconds));
          // Lambda discards an environment whose invocation timed out; what else runs in it may finish.
          this.retire();
        },
        Math.max(0, deadline - Date.now()),
      );
      this.pending.set(id, { resolve, reject, timer });
      const message: InvokeMessage = {
        type: 'invoke',
        id,
        invocation: { functionName: definition.id, memoryMb: definition.memoryMb, deadline, awsRequestId },
        event: JSON.stringify(event),
      };
      this.worker.postMessage(message);
    });
  }

  retire(): void {
    this.retired = true;
    if (this.pending.size === 0) this.end();
  }

  end(): void {
    if (!this.exited) void this.worker.terminate();
  }

  private settle(message: Extract<WorkerMessage, { id: number }>): void {
    const pending = this.pending.get(message.id);
    if (!pending) return; // it timed out already
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.type === 'result') pending.resolve(JSON.parse(message.result));
    else pending.reject(rebuilt(message.error));
    if (this.retired && this.pending.size === 0) this.end();
  }

  private failAll(error: Error): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(error);
    }
  }
}

/** A function's execution environment, replaced after a timeout or crash; see the module doc. */
export class FunctionRuntime {
  private current: Environment | undefined;
  private readonly environments = new Set<Environment>();
  /** The requests of environments already gone. */
  private goneRequestCounts: RequestCounts = {};
  private nextId = 0;
  private stopped = false;

  constructor(private readonly options: FunctionRuntimeOptions) {}

  /** Starts an environment and waits for its init (the bundle's module code); resolves to its duration. */
  async start(): Promise<number> {
    const started = performance.now();
    await this.environment().ready;
    return performance.now() - started;
  }

  /** Invokes the function with the context's remaining time (else the function's timeout) to run. */
  readonly handler: LambdaHandler = (event, context) =>
    this.invoke(event, context?.getRemainingTimeInMillis(), context?.awsRequestId);

  async invoke(event: unknown, remainingMs?: number, awsRequestId: string = randomUUID()): Promise<unknown> {
    if (this.stopped) throw new FunctionEnvironmentError(this.options.definition.id, 'stopped');
    const environment = this.environment();
    await environment.ready;
    // As on Lambda, the clock starts once the environment is initialised: a cold start is not counted.
    const deadline = Date.now() + (remainingMs ?? this.options.definition.timeoutSeconds * 1000);
    return environment.invoke(this.nextId++, event, deadline, awsRequestId);
  }

  /** The AWS requests of its environments so far, by operation (when counted, else none). */
  requestCounts(): RequestCounts {
    return [...this.environments].reduce(
      (total, e) => addCounts(total, e.requestCounts),
      this.goneRequestCounts,
    );
  }

  /** Ends every environment; invocations still in flight fail. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.environments].map((environment) => environment.worker.terminate()));
  }

  private environment(): Environment {
    if (!this.current || this.current.retired) {
      const environment = new Environment(this.options, (gone) => {
        this.environments.delete(gone);
        this.goneRequestCounts = addCounts(this.goneRequestCounts, gone.requestCounts);
        if (this.current === gone) this.current = undefined;
      });
      // An environment whose init failed is not reused: the next invocation tries a fresh init, as Lambda does.
      environment.ready.catch(() => environment.retire());
      this.environments.add(environment);
      this.current = environment;
    }
    return this.current;
  }
}
