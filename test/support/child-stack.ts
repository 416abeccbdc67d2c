/**
 * The local stack as a user runs it: `npm start -- --data-dir DIR --port 0` in a process group of its own
 * (as a terminal's foreground job), so a test can `kill -9` the whole tree or press Ctrl-C on it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ProvidedLocalStack } from './global-local-stack.js';

const run = promisify(execFile);
const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildStack {
  /** Enough of the stack for `caller()` and direct SDK clients. */
  readonly stack: ProvidedLocalStack;
  readonly dynamodbEndpoint: string;
  readonly process: ChildProcess;
  /** Exit code (or signal) of `npm start`. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed so far. */
  output(): string;
  /** `kill -9` of npm, its shell and node at once. */
  killHard(): Promise<void>;
  /** What a terminal does on Ctrl-C: SIGINT to every process of the foreground group. */
  interrupt(): void;
}

/** The environment without what points at the test run's own local stack. */
const cleanEnvironment = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^(AWS_|LINDUNG_|QUEUE_URL_|TABLE_|POWERTOOLS_|NIK_HASH_KEY)/.test(name) && name !== 'NODE_OPTIONS',
    ),
  );

/**
 * Starts `npm start` on `dataDir` and resolves once it prints its banner; `env` is added to its environment
 * (e.g. `LINDUNG_BILLING_PAY_DELAY_SECONDS`).
 */
export const startChildStack = async (
  dataDir: string,
  extraArgs: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<ChildStack> => {
  const child = spawn('npm', ['start', '--', '--data-dir', dataDir, '--port', '0', ...extraArgs], {
    cwd: repositoryRoot,
    env: { ...cleanEnvironment(), ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const banner = new Promise<{ httpUrl: string; dynamodbEndpoint: string }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const api = /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      const dynamodb = /DynamoDB\s+(http:\/\/127\.0\.0\.1:\d+)\s+SQS/.exec(output);
      if (api?.[1] && dynamodb?.[1]) resolve({ httpUrl: api[1], dynamodbEndpoint: dynamodb[1] });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code }) =>
      reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)),
    );
  });
  const { httpUrl, dynamodbEndpoint } = await banner;
  const group = child.pid ?? 0;
  return {
    stack: { httpUrl, env: {}, tables: {}, queues: {} },
    dynamodbEndpoint,
    process: child,
    exited,
    output: () => output,
    killHard: async () => {
      process.kill(-group, 'SIGKILL');
      await exited;
    },
    interrupt: () => process.kill(-group, 'SIGINT'),
  };
};

/** Processes (pid and command line) whose command line names `dataDir`: npm, node, the JVM, its watchdog. */
export const processesOf = async (dataDir: string): Promise<{ pid: number; args: string }[]> => {
  const { stdout } = await run('ps', ['-ww', '-eo', 'pid=,args=']);
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), args: m[2] ?? '' }))
    .filter((p) => p.args.includes(dataDir) && p.pid !== process.pid);
};

/** Processes (pid and command line) that run DynamoDB Local on `dataDir`, its JVM or its watchdog. */
export const dynamoDbProcessesOf = async (dataDir: string): Promise<{ pid: number; args: string }[]> =>
  (await processesOf(dataDir)).filter((p) => p.args.includes('DynamoDBLocal.jar'));

/** Resolves once `probe` answers true, polling every `intervalMs`; throws after `timeoutMs`. */
const until = async (probe: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 100) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};

/**
 * `kill -9` of the whole tree, then `npm start` again on the same data folder with the same arguments, as a
 * user would after a crash: no manual step between. Waits for the killed run's DynamoDB Local (which must die
 * with its parent) to be gone first, so a leftover could not hold the port or the files.
 */
export const killAndRestart = async (
  child: ChildStack,
  dataDir: string,
  extraArgs: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<ChildStack> => {
  await child.killHard();
  await until(
    async () => (await dynamoDbProcessesOf(dataDir)).length === 0,
    30_000,
    'the killed run’s DynamoDB Local to exit',
  );
  return startChildStack(dataDir, extraArgs, env);
};
