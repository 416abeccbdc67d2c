/**
 * Lambda entry point of the import worker: SQS import-work → a slice of one import job, chunk by chunk while
 * the invocation's time lasts; the rest goes back on the queue as a new message. A failed slice comes back
 * when its visibility timeout ends (after the worker's lease on the job has run out) and resumes from the
 * job's stored cursor.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
// The module alone, not the package's index: that carries the whole HTTP API (the OpenAPI document and zod's
// JSON Schema and locales with it), twice this function's budget.
import { type ImportServices, runImport } from '@lindung/api/enrollment-import';
import { importWorkMessage, parseMessage } from '@lindung/messaging';
import { ImportJobRepository, ListRepository, ReallocationRepository } from '@lindung/store';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { continueImport } from '../shared/imports.js';
import { nikHashKey } from '../shared/nik-hash-key.js';
import { logger } from '../shared/observability.js';
import { commitments, db, enrollments, ledgerTableName } from '../shared/renewal.js';

const services: ImportServices = {
  commitments,
  enrollments,
  reallocations: new ReallocationRepository(db, ledgerTableName),
  lists: new ListRepository(db, ledgerTableName),
  imports: new ImportJobRepository(db, ledgerTableName),
  continueImport,
};

export const handler = middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const work = async (record: SQSRecord) => {
    const { data } = parseMessage(importWorkMessage, record.body);
    // The invocation's id owns the job's lease: a redelivery of this message is another owner.
    const run = await runImport(services, data.jobId, context.awsRequestId, () =>
      context.getRemainingTimeInMillis(),
    );
    logger.info('import slice', {
      jobId: data.jobId,
      outcome: run.outcome,
      chunks: run.chunks,
      rows: run.job?.rows,
    });
  };
  // A processor per batch: it holds the batch's state, and the local stack runs batches side by side.
  return processPartialResponse(event, work, new BatchProcessor(EventType.SQS), { context });
})
  .use(injectLambdaContext(logger))
  // The worker enrolls: it hashes NIKs.
  .use(nikHashKey());
