/**
 * `lindung` — the command line of Lindung. A subcommand is one entry of `commands`: add a file exporting a
 * `Command` and list it here. Bad input exits 2 with the usage, a failure exits 1, success 0.
 */
import { isDomainError, NotFoundError, ValidationError } from '@lindung/core';
import {
  type CliIo,
  type Command,
  CommandFailedError,
  EXIT_CODES,
  isParseArgsError,
  runOrHelp,
  UsageError,
} from './command.js';
import { depositsImportCommand } from './deposits-import.js';
import { doctorCommand, redriveCommand } from './doctor.js';
import { commandGroup } from './group.js';
import { ApiProblemError, ConnectionError } from './http.js';
import { importTargetsCommand } from './import-targets.js';
import { importWorkersCommand } from './import-workers.js';
import { evaluateIncentiveCommand, showIncentiveCommand } from './incentives.js';
import { invoicesExportCommand } from './invoices-export.js';
import { showListCommand, uploadListCommand } from './lists.js';
import { planCommand } from './plan.js';
import { quoteCommand } from './quote.js';
import { rollCommand } from './roll.js';
import { statementCommand } from './statement.js';
import { setTargetCommand, showTargetCommand } from './targets.js';

/** The subcommands of `lindung`, by name. */
export const commands: Readonly<Record<string, Command>> = {
  quote: quoteCommand,
  plan: planCommand,
  import: commandGroup('import', 'bulk-load workers or village targets from CSV files', {
    workers: importWorkersCommand,
    targets: importTargetsCommand,
  }),
  invoices: commandGroup('invoices', 'export invoices', { export: invoicesExportCommand }),
  targets: commandGroup('targets', 'set or show a region’s coverage target for a fiscal year', {
    set: setTargetCommand,
    show: showTargetCommand,
  }),
  incentives: commandGroup('incentives', 'show or evaluate an incentive scheme', {
    show: showIncentiveCommand,
    evaluate: evaluateIncentiveCommand,
  }),
  lists: commandGroup('lists', 'upload or show a sponsor’s eligibility list (P3KE)', {
    upload: uploadListCommand,
    show: showListCommand,
  }),
  roll: rollCommand,
  deposits: commandGroup('deposits', 'record collection partners’ deposits', {
    import: depositsImportCommand,
  }),
  statement: statementCommand,
  doctor: doctorCommand,
  redrive: redriveCommand,
};

/** The top-level usage: the list of subcommands. */
export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const list = Object.entries(commands)
    .map(([name, command]) => `  ${name.padEnd(width)}   ${command.summary}`)
    .join('\n');
  return `Usage: lindung <command> [options]\n\nCommands:\n${list}\n\nRun \`lindung <command> --help\` for the options of a command.`;
}

/** Runs `lindung` with the arguments after the program name; resolves to the process exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr.write(`${usage()}\n`);
    return EXIT_CODES.usage;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = args[0] === undefined ? undefined : commands[args[0]];
    io.stdout.write(`${topic ? topic.usage : usage()}\n`);
    return EXIT_CODES.ok;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    io.stderr.write(`lindung: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return EXIT_CODES.usage;
  }
  // Errors of a group's member are reported under its full name, e.g. `lindung import workers: …`.
  const member = args[0] !== undefined && command.members && Object.hasOwn(command.members, args[0]);
  try {
    // A group shows its own usage, or its member's, itself.
    return await (command.members ? command.run(args, io) : runOrHelp(command, args, io));
  } catch (error) {
    return report(error, member ? `${name} ${args[0]}` : name, command, io);
  }
}

function isBadInput(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    isParseArgsError(error) ||
    error instanceof ValidationError ||
    error instanceof NotFoundError
  );
}

function report(error: unknown, name: string, command: Command, io: CliIo): number {
  if (isBadInput(error)) {
    const usage = error instanceof UsageError && error.usage !== undefined ? error.usage : command.usage;
    io.stderr.write(`lindung ${name}: ${error.message}\n\n${usage}\n`);
    return EXIT_CODES.usage;
  }
  if (error instanceof ApiProblemError) {
    // The problem document's stable code first: it is what a script matches and what support asks for.
    io.stderr.write(`lindung ${name}: ${error.code} (HTTP ${error.status}): ${error.message}\n`);
    return EXIT_CODES.failure;
  }
  if (error instanceof ConnectionError || error instanceof CommandFailedError) {
    io.stderr.write(`lindung ${name}: ${error.message}\n`);
    return EXIT_CODES.failure;
  }
  if (isDomainError(error)) {
    io.stderr.write(`lindung ${name}: ${error.message} (${error.code})\n`);
    return EXIT_CODES.failure;
  }
  // An unexpected error is a bug: show the stack so it can be reported.
  io.stderr.write(
    `lindung ${name}: unexpected error\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT_CODES.failure;
}
