/**
 * Lambda entry point of the monthly period roll (EventBridge Scheduler, 00:05 on the 1st, Asia/Jakarta):
 * fans the roll of the month that starts out to renewal-work. `POST /v1/periods/{period}/roll` runs the
 * same `rollPeriod`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { periodAt } from '@lindung/core';
import { rollPeriod } from '@lindung/store';
import middy from '@middy/core';
import type { ScheduledInvocation } from '../registry.js';
import { logger } from '../shared/observability.js';
import { db, ledgerTableName, sendRenewalWork } from '../shared/renewal.js';

export const handler = middy(async (event: ScheduledInvocation) => {
  const period = periodAt(new Date(event.scheduledTime));
  const summary = await rollPeriod({ db, tableName: ledgerTableName }, period, sendRenewalWork);
  logger.info('period roll fanned out', { ...summary });
  return summary;
}).use(injectLambdaContext(logger));
