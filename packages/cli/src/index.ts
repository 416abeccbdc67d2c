/** @lindung/cli — the `lindung` command line; `run` is the entry point, `commands` its subcommands. */
export { type CliIo, type Command, EXIT_CODES, UsageError } from './command.js';
export { commands, run, usage } from './main.js';
export {
  computeQuote,
  type QuoteFunding,
  type QuoteInput,
  type QuoteResult,
  quoteCommand,
  renderQuote,
} from './quote.js';
export { renderTable } from './table.js';
