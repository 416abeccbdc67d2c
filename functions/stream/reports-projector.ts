/**
 * Lambda entry point of the reports projector: the ledger table's DynamoDB stream → the reports table.
 * A batch is applied as a whole (cells, then the rollups above them, one write each); any failure fails the
 * batch, which the stream delivers again, and a redelivered record changes nothing (store/src/reports.ts).
 * Run with ParallelizationFactor 1, as the default is: the records of one item must keep their order.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBStreamSchema } from '@aws-lambda-powertools/parser/schemas/dynamodb';
import {
  ledgerTable,
  ReportsRepository,
  reportsTable,
  type SourceChange,
  tableNameFromEnv,
} from '@lindung/store';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { dynamodbDocumentClient } from '../shared/dynamodb.js';
import { logger } from '../shared/observability.js';

const reports = new ReportsRepository(
  dynamodbDocumentClient,
  tableNameFromEnv(ledgerTable),
  tableNameFromEnv(reportsTable),
);

export const handler = middy(async (event: DynamoDBStreamEvent): Promise<void> => {
  const { Records } = DynamoDBStreamSchema.parse(event);
  const changes: SourceChange[] = Records.map(({ dynamodb }) => ({
    ...(dynamodb.OldImage && { oldImage: dynamodb.OldImage }),
    ...(dynamodb.NewImage && { newImage: dynamodb.NewImage }),
  }));
  const outcome = await reports.project(changes);
  logger.info('reports projected', { ...outcome });
}).use(injectLambdaContext(logger));
