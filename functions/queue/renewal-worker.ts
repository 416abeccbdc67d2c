/**
 * Lambda entry point of the renewal worker: SQS renewal-work → one village's roll of one period, or one
 * collection partner's contribution accounts applied and remitted for it. Powertools
 * batch reports the messages that failed, so only they come back (and reach the DLQ after their retries).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Period } from '@lindung/core';
import { parseMessage, renewalWorkMessage } from '@lindung/messaging';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../shared/observability.js';
import { contributionRoll, periodRenewal } from '../shared/renewal.js';

const renew = async (record: SQSRecord) => {
  const { data } = parseMessage(renewalWorkMessage, record.body);
  if (data.action === 'contributions') {
    const outcome = await contributionRoll.run({ ...data, period: data.period as Period });
    logger.info('contributions rolled', { ...data, ...outcome });
    return;
  }
  const outcome = await periodRenewal.run({ ...data, period: data.period as Period });
  logger.info('village rolled', { ...data, ...outcome });
};

export const handler = middy(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    // A processor per batch: it holds the batch's state, and the local stack runs batches side by side.
    processPartialResponse(event, renew, new BatchProcessor(EventType.SQS), { context }),
).use(injectLambdaContext(logger));
