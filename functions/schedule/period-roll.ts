/**
 * Lambda entry point of the period roll (EventBridge Scheduler, hourly at minute 5, Asia/Jakarta): fans the
 * roll of the month of the scheduled time out to renewal-work, for the villages not rolled through it yet.
 * The first run of a month (00:05 on the 1st) rolls every village; the later ones redo what was lost and
 * cost a few reads once every village has rolled. Then it evaluates the incentive schemes whose period has
 * ended (one query of the pending schemes; none once they are done). `POST /v1/periods/{period}/roll` runs
 * the same two steps.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { periodAt } from '@lindung/core';
import { evaluateDueIncentives, rollPeriod } from '@lindung/roll';
import { IncentiveRepository, reportsTable, tableNameFromEnv, targetWorkersReader } from '@lindung/store';
import middy from '@middy/core';
import type { ScheduledInvocation } from '../registry.js';
import { logger } from '../shared/observability.js';
import { commitments, db, ledgerTableName, roll, sendRenewalWork } from '../shared/renewal.js';

const incentiveDeps = {
  incentives: new IncentiveRepository(db, ledgerTableName),
  commitments,
  // The reports table's name is read when first needed, as the ledger's queues are.
  targetWorkers: (fiscalYear: number, codes: readonly string[]) =>
    targetWorkersReader(db, tableNameFromEnv(reportsTable))(fiscalYear, codes),
};

export const handler = middy(async (event: ScheduledInvocation) => {
  const period = periodAt(new Date(event.scheduledTime));
  const summary = await rollPeriod(roll, period, sendRenewalWork);
  if (summary.units + summary.closing > 0) logger.info('period roll fanned out', { ...summary });
  const incentives = await evaluateDueIncentives(incentiveDeps, period);
  if (incentives.schemes > 0) logger.info('incentive schemes evaluated', { period, ...incentives });
  return { ...summary, incentives };
}).use(injectLambdaContext(logger));
