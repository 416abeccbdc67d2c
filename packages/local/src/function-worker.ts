/**
 * One Lambda execution environment, run in a worker thread: it imports one function's bundle (its own module
 * instance, with the `process.env` the main thread gave this thread) and runs the invocations posted to it.
 * Events and results cross as JSON text, as they reach and leave a Lambda function; the context is rebuilt
 * here from the invocation's name, memory and deadline. The main thread enforces the timeout.
 *
 * Built by bundles.ts into a plain .mjs file, so it needs no TypeScript loader in the worker.
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { type Invocation, invocationContext, type LambdaHandler } from './lambda.js';
import { type RequestCounts, threadRequestCounts } from './request-counts.js';

/** What the main thread gives a worker when it starts it. */
export interface FunctionWorkerData {
  /** Absolute path of the bundle's `index.mjs`. */
  readonly bundle: string;
  /** Count the AWS requests of this environment and post them after each invocation (request-counts.ts). */
  readonly countRequests?: boolean;
}

/** An error as it crosses the thread boundary. */
export interface CarriedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  readonly invocation: Invocation;
  /** The event as JSON text. */
  readonly event: string;
}

/** What a worker posts back; a result is JSON text. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: CarriedError }
  | { readonly type: 'result'; readonly id: number; readonly result: string }
  | { readonly type: 'error'; readonly id: number; readonly error: CarriedError }
  | { readonly type: 'request-counts'; readonly counts: RequestCounts };

const carried = (error: unknown): CarriedError =>
  error instanceof Error
    ? { name: error.name, message: error.message, ...(error.stack && { stack: error.stack }) }
    : { name: 'Error', message: String(error) };

const run = async () => {
  const port = parentPort;
  if (!port) throw new Error('function-worker runs only in a worker thread');
  const post = (message: WorkerMessage) => port.postMessage(message);
  const { bundle, countRequests: counting } = workerData as FunctionWorkerData;
  if (counting) threadRequestCounts();

  let handler: LambdaHandler;
  try {
    const module = (await import(pathToFileURL(bundle).href)) as { handler?: LambdaHandler };
    if (typeof module.handler !== 'function') throw new Error(`${bundle} exports no handler`);
    handler = module.handler;
  } catch (error) {
    post({ type: 'init-error', error: carried(error) });
    return;
  }

  port.on('message', (message: InvokeMessage) => {
    const { id, invocation } = message;
    Promise.resolve()
      .then(() => handler(JSON.parse(message.event), invocationContext(invocation)))
      // Lambda answers with the result serialized as JSON; an undefined result arrives as null.
      .then((result) => post({ type: 'result', id, result: JSON.stringify(result) ?? 'null' }))
      .catch((error: unknown) => post({ type: 'error', id, error: carried(error) }))
      .finally(() => counting && post({ type: 'request-counts', counts: threadRequestCounts() }));
  });
  post({ type: 'ready' });
};

void run();
