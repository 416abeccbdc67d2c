/**
 * Lambda entry point of the period roll (EventBridge Scheduler, hourly at minute 5, Asia/Jakarta): fans the
 * roll of the month of the scheduled time out to renewal-work, for the villages not rolled through it yet.
 * The first run of a month (00:05 on the 1st) rolls every village; the later ones redo what was lost and
 * cost a few reads once every village has rolled. `POST /v1/periods/{period}/roll` runs the same `rollPeriod`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { periodAt } from '@lindung/core';
import { rollPeriod } from '@lindung/roll';
import middy from '@middy/core';
import type { ScheduledInvocation } from '../registry.js';
import { logger } from '../shared/observability.js';
import { roll, sendRenewalWork } from '../shared/renewal.js';

export const handler = middy(async (event: ScheduledInvocation) => {
  const period = periodAt(new Date(event.scheduledTime));
  const summary = await rollPeriod(roll, period, sendRenewalWork);
  if (summary.units + summary.closing > 0) logger.info('period roll fanned out', { ...summary });
  return summary;
}).use(injectLambdaContext(logger));
