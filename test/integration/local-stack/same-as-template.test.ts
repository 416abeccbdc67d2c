import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { REPORTED_CHANGES } from '@lindung/store';
import { describe, expect, it } from 'vitest';
import { reportsProjectorFunction } from '../../../functions/registry.js';
import { synthesizeTemplate } from '../../../infra/lib/template-resources.js';
import { localClients, localStack } from '../../support/local-stack.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

const keySchema = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) =>
  (schema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');

describe('the local stack and the synthesized CDK template', () => {
  const stack = localStack();
  const { dynamodb, sqs } = localClients(stack);
  const resources = Object.values(
    (synthesizeTemplate('dev') as { Resources: Record<string, Resource> }).Resources,
  );

  it('have the same tables: keys, indexes, stream and TTL', async () => {
    // Prepare: the template's tables, keyed by the logical id that ends their physical name.
    const templateTables = resources.filter(
      (r) => r.Type === 'AWS::DynamoDB::Table' || r.Type === 'AWS::DynamoDB::GlobalTable',
    );
    const describeTemplate = (r: Resource) => {
      const p = r.Properties as {
        TableName: string;
        KeySchema: { AttributeName: string; KeyType: string }[];
        GlobalSecondaryIndexes?: {
          IndexName: string;
          KeySchema: { AttributeName: string; KeyType: string }[];
        }[];
        StreamSpecification?: { StreamViewType: string };
        TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
      };
      return {
        id: String(p.TableName).replace(/^lindung-dev-/, ''),
        keys: keySchema(p.KeySchema),
        indexes: (p.GlobalSecondaryIndexes ?? [])
          .map((g) => `${g.IndexName}=${keySchema(g.KeySchema)}`)
          .sort(),
        stream: p.StreamSpecification?.StreamViewType,
        ttl: p.TimeToLiveSpecification?.Enabled ? p.TimeToLiveSpecification.AttributeName : undefined,
      };
    };

    // Act: the same facts read back from DynamoDB Local.
    const local = await Promise.all(
      Object.entries(stack.tables).map(async ([id, t]) => {
        const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: t.name }));
        const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: t.name }));
        return {
          id,
          keys: keySchema(Table?.KeySchema),
          indexes: (Table?.GlobalSecondaryIndexes ?? [])
            .map((g) => `${g.IndexName}=${keySchema(g.KeySchema)}`)
            .sort(),
          stream: Table?.StreamSpecification?.StreamEnabled
            ? Table.StreamSpecification.StreamViewType
            : undefined,
          ttl:
            ttl.TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED'
              ? ttl.TimeToLiveDescription.AttributeName
              : undefined,
        };
      }),
    );

    // Assess
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(local.sort(byId)).toEqual(templateTables.map(describeTemplate).sort(byId));
  });

  it("filter the reports projector's stream records as the local poller does", () => {
    // Prepare: the template's stream event source mappings.
    const mappings = resources.filter(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.StartingPosition,
    );

    // Act
    const filters = mappings.map(
      (r) => (r.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters,
    );

    // Assess: one stream consumer, its patterns those the registry gives the local poller.
    expect(reportsProjectorFunction.trigger).toMatchObject({ kind: 'stream', filters: REPORTED_CHANGES });
    expect(filters).toEqual([REPORTED_CHANGES.map((pattern) => ({ Pattern: JSON.stringify(pattern) }))]);
  });

  it('have the same queues, each with a dead-letter queue and the same maxReceiveCount and visibility timeout', async () => {
    // Prepare
    const templateQueues = resources
      .filter(
        (r) => r.Type === 'AWS::SQS::Queue' && (r.Properties as { RedrivePolicy?: unknown }).RedrivePolicy,
      )
      .map((r) => {
        const p = r.Properties as {
          QueueName: string;
          VisibilityTimeout: number;
          RedrivePolicy: { maxReceiveCount: number };
          FifoQueue?: boolean;
        };
        return {
          id: String(p.QueueName)
            .replace(/^lindung-dev-/, '')
            .replace(/\.fifo$/, ''),
          fifo: p.FifoQueue === true,
          visibility: Number(p.VisibilityTimeout),
          maxReceiveCount: Number(p.RedrivePolicy.maxReceiveCount),
        };
      });

    // Act
    const local = await Promise.all(
      Object.entries(stack.queues).map(async ([id, q]) => {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['All'] }),
        );
        const redrive = JSON.parse(Attributes?.RedrivePolicy ?? '{}') as {
          maxReceiveCount?: number;
          deadLetterTargetArn?: string;
        };
        // A FIFO queue's dead-letter queue is FIFO too.
        expect(redrive.deadLetterTargetArn).toMatch(
          Attributes?.FifoQueue === 'true' ? /-dlq\.fifo$/ : /-dlq$/,
        );
        return {
          id,
          fifo: Attributes?.FifoQueue === 'true',
          visibility: Number(Attributes?.VisibilityTimeout),
          maxReceiveCount: Number(redrive.maxReceiveCount),
        };
      }),
    );

    // Assess
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(local.sort(byId)).toEqual(templateQueues.sort(byId));
    expect(local.map((q) => q.id).sort()).toEqual([
      'billing-inbox',
      'billing-outbox',
      'import-work',
      'invoice-numbering',
      'renewal-work',
    ]);
    expect(local.filter((q) => q.fifo).map((q) => q.id)).toEqual(['invoice-numbering']);
  });
});
