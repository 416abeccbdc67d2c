/**
 * Creates the tables and queues of the shared definitions (packages/store, packages/messaging) on the
 * local emulators: the same schemas the CDK stack deploys. Safe to run again on persisted data.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { deadLetterQueueName, type QueueDefinition, queueName } from '@lindung/messaging';
import { type KeySchema, type TableDefinition, tableName } from '@lindung/store';

const keySchema = (keys: KeySchema) => [
  { AttributeName: keys.partitionKey.name, KeyType: 'HASH' as const },
  ...(keys.sortKey ? [{ AttributeName: keys.sortKey.name, KeyType: 'RANGE' as const }] : []),
];

const attributeDefinitions = (table: TableDefinition): AttributeDefinition[] => {
  const all = [table, ...table.globalIndexes].flatMap((k) => [
    k.partitionKey,
    ...(k.sortKey ? [k.sortKey] : []),
  ]);
  const unique = new Map(all.map((a) => [a.name, a.type]));
  return [...unique].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
};

/** The `CreateTable` request for a shared table definition (on-demand, like the CDK stack). */
export const createTableInput = (stage: string, table: TableDefinition): CreateTableCommandInput => ({
  TableName: tableName(stage, table),
  BillingMode: 'PAY_PER_REQUEST',
  KeySchema: keySchema(table),
  AttributeDefinitions: attributeDefinitions(table),
  ...(table.globalIndexes.length > 0 && {
    GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: keySchema(index),
      Projection: { ProjectionType: 'ALL' as const },
    })),
  }),
  ...(table.stream && { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } }),
});

export interface ProvisionedTable {
  readonly definition: TableDefinition;
  readonly name: string;
  readonly streamArn?: string;
}

/** Creates a table unless it exists, sets its TTL, and returns its name and stream. */
export const provisionTable = async (
  dynamodb: DynamoDBClient,
  stage: string,
  table: TableDefinition,
): Promise<ProvisionedTable> => {
  const input = createTableInput(stage, table);
  const name = input.TableName as string;
  try {
    await dynamodb.send(new CreateTableCommand(input));
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: name });
    if (table.timeToLiveAttribute) {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
  return { definition: table, name, ...(Table?.LatestStreamArn && { streamArn: Table.LatestStreamArn }) };
};

export interface ProvisionedQueue {
  readonly definition: QueueDefinition;
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl: string;
  readonly deadLetterArn: string;
}

const queueArn = async (sqs: SQSClient, url: string): Promise<string> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`queue ${url} has no ARN`);
  return Attributes.QueueArn;
};

const days = (n: number) => String(n * 24 * 60 * 60);

/** A FIFO queue's (and its DLQ's) attributes: de-duplication ids are the sender's, never the body's. */
const fifoAttributes = (queue: QueueDefinition): Record<string, string> =>
  queue.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {};

/** The attributes of a queue and its DLQ, as the CDK stack sets them. */
export const queueAttributes = (queue: QueueDefinition, deadLetterArn: string): Record<string, string> => ({
  ...fifoAttributes(queue),
  VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
  MessageRetentionPeriod: days(queue.retentionDays),
  RedrivePolicy: JSON.stringify({
    deadLetterTargetArn: deadLetterArn,
    maxReceiveCount: queue.maxReceiveCount,
  }),
});

/** Creates a queue and its dead-letter queue with the redrive policy of the shared definition. */
export const provisionQueue = async (
  sqs: SQSClient,
  stage: string,
  queue: QueueDefinition,
): Promise<ProvisionedQueue> => {
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: deadLetterQueueName(stage, queue),
      Attributes: { ...fifoAttributes(queue), MessageRetentionPeriod: days(queue.dlqRetentionDays) },
    }),
  );
  if (!dlq.QueueUrl) throw new Error(`no URL for the DLQ of ${queue.id}`);
  const deadLetterArn = await queueArn(sqs, dlq.QueueUrl);
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: queueName(stage, queue),
      Attributes: queueAttributes(queue, deadLetterArn),
    }),
  );
  if (!main.QueueUrl) throw new Error(`no URL for queue ${queue.id}`);
  return {
    definition: queue,
    url: main.QueueUrl,
    arn: await queueArn(sqs, main.QueueUrl),
    deadLetterUrl: dlq.QueueUrl,
    deadLetterArn,
  };
};
