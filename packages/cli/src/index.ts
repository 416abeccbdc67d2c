/** @lindung/cli — the `lindung` command line; `run` is the entry point, `commands` its subcommands. */
export { type CliIo, type Command, CommandFailedError, EXIT_CODES, UsageError } from './command.js';
export {
  type DepositRow,
  type DepositTotals,
  parseDepositRows,
  renderDepositSummary,
} from './deposits-import.js';
export {
  ApiProblemError,
  ConnectionError,
  connect,
  DEFAULT_URL,
  isLocalUrl,
  LindungClient,
  mintLocalToken,
  type TokenClaims,
} from './http.js';
export { parseTargets, type VillageTarget } from './import-targets.js';
export { type ImportState, parseWorkerRows, type WorkerRow } from './import-workers.js';
export { type IncentiveSchemeWithAwards, renderIncentive } from './incentives.js';
export { INVOICE_CSV_HEADER, invoicesCsv, type ListedInvoice } from './invoices-export.js';
export { commands, run, usage } from './main.js';
export { ProgressBar } from './progress.js';
export {
  computeQuote,
  type QuoteFunding,
  type QuoteInput,
  type QuoteResult,
  quoteCommand,
  renderQuote,
} from './quote.js';
export { type RollSummary, renderRoll } from './roll.js';
export { formatBasisPoints, type PartnerStatement, renderStatement } from './statement.js';
export { renderTable } from './table.js';
