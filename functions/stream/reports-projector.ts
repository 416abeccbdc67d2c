/**
 * Lambda entry point of the reports projector: the ledger table's DynamoDB stream → the reports table.
 * A batch is projected in chunks (cells, then the rollups above them, one write each) and never runs into
 * its timeout: what it had no time for is reported as failed from its first record, and the stream delivers
 * it again (functions/shared/report-chunks.ts). A chunk that fails fails the batch, which the event source
 * mapping splits in two and retries (functions/registry.ts); a redelivered record changes nothing
 * (store/src/reports/projection.ts). Run with ParallelizationFactor 1, the default: an item's records keep their order.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import {
  ledgerTable,
  ReportsRepository,
  reportsTable,
  type SourceChange,
  tableNameFromEnv,
} from '@lindung/store';
import middy, { type MiddyHandlerObject } from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { dynamodbDocumentClient } from '../shared/dynamodb.js';
import { logger } from '../shared/observability.js';
import { projectInChunks } from '../shared/report-chunks.js';
import { DynamoDBStreamSchema } from '../shared/stream-records.js';

const reports = new ReportsRepository(
  dynamodbDocumentClient,
  tableNameFromEnv(ledgerTable),
  tableNameFromEnv(reportsTable),
);

export const handler = middy(
  // Nothing (a complete success), or the first record the stream must deliver again.
  async (
    event: DynamoDBStreamEvent,
    context: Context,
    { signal }: MiddyHandlerObject,
  ): Promise<DynamoDBBatchResponse | undefined> => {
    const { Records } = DynamoDBStreamSchema.parse(event);
    const changes: SourceChange[] = Records.map(({ dynamodb }) => ({
      ...(dynamodb.OldImage && { oldImage: dynamodb.OldImage }),
      ...(dynamodb.NewImage && { newImage: dynamodb.NewImage }),
    }));
    const { projected, chunks, slowestMs, outcomes } = await projectInChunks(
      changes,
      (chunk) => reports.project(chunk),
      // Aborted: the invocation has timed out (a first chunk too slow); start nothing more.
      () => (signal.aborted ? 0 : context.getRemainingTimeInMillis()),
    );
    const written = { cells: 0, rollups: 0 };
    for (const o of outcomes) {
      written.cells += o.cells;
      written.rollups += o.rollups;
    }
    logger.info('reports projected', {
      records: projected,
      of: changes.length,
      chunks,
      slowestMs,
      ...written,
    });
    if (projected === changes.length) return undefined;
    logger.warn('reports batch cut short before its timeout', { projected, of: changes.length, slowestMs });
    return {
      batchItemFailures: [{ itemIdentifier: event.Records[projected]?.dynamodb?.SequenceNumber ?? '' }],
    };
  },
).use(injectLambdaContext(logger));
