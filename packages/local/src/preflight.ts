import { execFile } from 'node:child_process';
import { access, constants, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LocalStackError } from './errors.js';

const run = promisify(execFile);

const JAVA_HINT =
  'Install a Java runtime 17 or newer, e.g. on Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`, ' +
  'on macOS: `brew install openjdk@17`; then check with `java -version`.';

/** Parses the major version out of `java -version` output (`openjdk version "17.0.15"`, `"1.8.0_392"`). */
export const javaMajorVersion = (versionOutput: string): number | undefined => {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match?.[1]) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
};

/** Fails with install instructions unless `java` ≥ 17 is on the PATH (DynamoDB Local needs it). */
export const requireJava = async (minimum = 17): Promise<number> => {
  let output: string;
  try {
    const { stdout, stderr } = await run('java', ['-version']);
    output = `${stderr}${stdout}`;
  } catch (error) {
    throw new LocalStackError('Java was not found: DynamoDB Local needs Java 17 or newer.', JAVA_HINT, {
      cause: error,
    });
  }
  const major = javaMajorVersion(output);
  if (major === undefined || major < minimum) {
    throw new LocalStackError(
      `Java ${major ?? '(unknown version)'} was found, but DynamoDB Local needs Java ${minimum} or newer.`,
      JAVA_HINT,
    );
  }
  return major;
};

/** Fails clearly when a TCP port on 127.0.0.1 is already taken by another program. */
export const requireFreePort = (port: number, what: string, flag: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const taken = error.code === 'EADDRINUSE' || error.code === 'EACCES';
      reject(
        new LocalStackError(
          taken
            ? `Port ${port} for ${what} is already in use.`
            : `Port ${port} for ${what} cannot be opened.`,
          `Stop the program using it, or choose another port with ${flag} <port>.`,
          { cause: error },
        ),
      );
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });

/** Lets the OS pick a free port (for tests and internal servers). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });

/** Creates the data folder if needed and proves it is writable before anything is started in it. */
export const requireWritableDirectory = async (dir: string): Promise<void> => {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.R_OK | constants.W_OK);
    const probe = join(dir, `.write-test-${process.pid}`);
    await writeFile(probe, 'ok');
    await rm(probe);
  } catch (error) {
    throw new LocalStackError(
      `The data folder ${dir} cannot be used: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      'Choose another folder with --data-dir <path>, fix its permissions, or run with --in-memory.',
      { cause: error },
    );
  }
};
