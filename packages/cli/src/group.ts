/** A command made of subcommands, e.g. `lindung import workers` and `lindung import targets`. */
import { ValidationError } from '@lindung/core';
import { type CliIo, type Command, EXIT_CODES, isParseArgsError, runOrHelp, UsageError } from './command.js';

/** A `Command` that hands over to one of `members` by its first argument. */
export const commandGroup = (
  name: string,
  summary: string,
  members: Readonly<Record<string, Command>>,
): Command => {
  const width = Math.max(...Object.keys(members).map((member) => member.length));
  const usage = `Usage: lindung ${name} <${Object.keys(members).join('|')}> [options]\n\n${Object.entries(
    members,
  )
    .map(([member, command]) => `  ${name} ${member.padEnd(width)}   ${command.summary}`)
    .join('\n')}\n\nRun \`lindung ${name} <${Object.keys(members).join('|')}> --help\` for its options.`;
  return {
    summary,
    usage,
    members,
    async run(args: readonly string[], io: CliIo) {
      const [member, ...rest] = args;
      if (member === '--help' || member === '-h') {
        io.stdout.write(`${usage}\n`);
        return EXIT_CODES.ok;
      }
      const command = member !== undefined && Object.hasOwn(members, member) ? members[member] : undefined;
      if (!command) {
        throw new UsageError(
          member === undefined
            ? `name what to ${name}: ${Object.keys(members).join(' or ')}`
            : `unknown ${name} subcommand ${JSON.stringify(member)}`,
        );
      }
      try {
        return await runOrHelp(command, rest, io);
      } catch (error) {
        // Bad input is answered with the usage of the subcommand that was run, not of the group.
        if (error instanceof UsageError && error.usage === undefined) {
          throw new UsageError(error.message, { cause: error.cause, usage: command.usage });
        }
        if (isParseArgsError(error) || error instanceof ValidationError) {
          throw new UsageError(error.message, { cause: error, usage: command.usage });
        }
        throw error;
      }
    },
  };
};
