/**
 * What every `lindung` subcommand shares: the streams it writes to, the exit codes it returns, and the
 * error that means "the user typed something wrong" (exit 2 with the usage), as opposed to a failure.
 */

/** The process's surroundings, injected so subcommands can run in-process under test. */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  /** Where progress and diagnostics go; a progress bar redraws in place only when it is a terminal. */
  readonly stderr: { write(chunk: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  /** The current instant (defaults to the system clock); tests pin it. */
  readonly now?: () => Date;
  /** How commands reach a Lindung over HTTP (defaults to the global `fetch`); tests stub it. */
  readonly fetch?: typeof fetch;
  /** Environment variables (defaults to `process.env`): `LINDUNG_URL`, `LINDUNG_TOKEN`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Exit codes of `lindung`: success, a failure while working, or bad input. */
export const EXIT_CODES = { ok: 0, failure: 1, usage: 2 } as const;

/** A `lindung` subcommand. */
export interface Command {
  /** One line for the list of commands. */
  readonly summary: string;
  /** The full usage text, shown by `--help` and after a usage error. */
  readonly usage: string;
  /** The subcommands of a command group (`import workers`, `import targets`), by name. */
  readonly members?: Readonly<Record<string, Command>>;
  /** Runs with the arguments after the subcommand name; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number> | number;
}

/** Whether a command's arguments ask for its help: `--help` or `-h` anywhere among them. */
export const asksForHelp = (args: readonly string[]): boolean =>
  args.some((arg) => arg === '--help' || arg === '-h');

/**
 * Runs a command, or shows its usage (exit 0) when its arguments ask for help: one place for every command's
 * `--help`, so that none parses its options first.
 */
export const runOrHelp = (command: Command, args: readonly string[], io: CliIo): Promise<number> | number => {
  if (!asksForHelp(args)) return command.run(args, io);
  io.stdout.write(`${command.usage}\n`);
  return EXIT_CODES.ok;
};

/** The command line cannot be understood: the message is shown with the command's usage, exit code 2. */
export class UsageError extends Error {
  /** The usage to show instead of the command's own (a subcommand's, e.g. `import workers`). */
  readonly usage?: string;

  constructor(message: string, options?: { cause?: unknown; usage?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UsageError';
    if (options?.usage !== undefined) this.usage = options.usage;
  }
}

/** Whether an error is one of `node:util` parseArgs' own (unknown option, missing value…). */
export function isParseArgsError(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error) || !('code' in error)) return false;
  return typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS_');
}

/** A failure the user can act on (a store that cannot be reached, say): its message is shown as is, exit 1. */
export class CommandFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandFailedError';
  }
}
