import { type KeySchema, type TableDefinition, tableDefinitions, tableName } from '@lindung/store';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnKey } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { buildStack } from './support.js';

const keySchema = (key: KeySchema) => [
  { AttributeName: key.partitionKey.name, KeyType: 'HASH' },
  ...(key.sortKey ? [{ AttributeName: key.sortKey.name, KeyType: 'RANGE' }] : []),
];

const expectedTable = (stage: string, definition: TableDefinition) => ({
  TableName: tableName(stage, definition),
  KeySchema: keySchema(definition),
  BillingMode: 'PAY_PER_REQUEST',
  PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  GlobalSecondaryIndexes:
    definition.globalIndexes.length > 0
      ? definition.globalIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: keySchema(index),
          Projection: { ProjectionType: 'ALL' },
        }))
      : Match.absent(),
  StreamSpecification: definition.stream ? { StreamViewType: definition.stream } : Match.absent(),
  TimeToLiveSpecification: definition.timeToLiveAttribute
    ? { AttributeName: definition.timeToLiveAttribute, Enabled: true }
    : Match.absent(),
});

describe('Storage', () => {
  const dev = buildStack('dev');
  const prod = buildStack('prod');
  const dataKeyArn = {
    'Fn::GetAtt': [dev.stack.getLogicalId(dev.stack.dataKey.node.defaultChild as CfnKey), 'Arn'],
  };

  it('creates exactly one table per shared table definition', () => {
    // Assess
    dev.template.resourceCountIs('AWS::DynamoDB::Table', tableDefinitions.length);
  });

  it.each(tableDefinitions.map((definition) => [definition.id, definition] as const))(
    'builds the %s table from its definition: keys, indexes, stream, TTL, on-demand, point-in-time recovery',
    (_id, definition) => {
      // Assess
      dev.template.hasResourceProperties('AWS::DynamoDB::Table', expectedTable('dev', definition));
      prod.template.hasResourceProperties('AWS::DynamoDB::Table', expectedTable('prod', definition));
    },
  );

  it.each(tableDefinitions.map((definition) => [definition.id, definition] as const))(
    'retains and protects the %s table in prod, and in dev exactly when it holds money or people',
    (_id, definition) => {
      // Prepare
      const retainedInDev = definition.holdsMoneyOrPeople;

      // Assess
      dev.template.hasResource('AWS::DynamoDB::Table', {
        Properties: Match.objectLike({
          TableName: tableName('dev', definition),
          DeletionProtectionEnabled: retainedInDev,
        }),
        DeletionPolicy: retainedInDev ? 'Retain' : 'Delete',
        UpdateReplacePolicy: retainedInDev ? 'Retain' : 'Delete',
      });
      prod.template.hasResource('AWS::DynamoDB::Table', {
        Properties: Match.objectLike({
          TableName: tableName('prod', definition),
          DeletionProtectionEnabled: true,
        }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    },
  );

  it.each(tableDefinitions.map((definition) => [definition.id, definition] as const))(
    'encrypts the %s table with the customer-managed key exactly when it holds money or people',
    (_id, definition) => {
      // Assess
      dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: tableName('dev', definition),
        SSESpecification: definition.holdsMoneyOrPeople
          ? { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: dataKeyArn }
          : { SSEEnabled: false }, // DynamoDB's own key
      });
    },
  );

  it('keeps the NIK hashing key, encrypted with the customer-managed key, in every stage', () => {
    // Assess
    for (const { template } of [dev, prod]) {
      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: Match.objectLike({ KmsKeyId: dataKeyArn, GenerateSecretString: Match.anyValue() }),
        DeletionPolicy: 'Retain',
      });
    }
  });

  it('keeps the customer-managed key in every stage and rotates it', () => {
    // Assess
    for (const { stack, template } of [dev, prod]) {
      const dataKey = stack.getLogicalId(stack.dataKey.node.defaultChild as CfnKey);
      expect(template.findResources('AWS::KMS::Key')[dataKey]).toMatchObject({
        Properties: { EnableKeyRotation: true },
        DeletionPolicy: 'Retain',
      });
    }
    expect(tableDefinitions.some((definition) => definition.holdsMoneyOrPeople)).toBe(true);
  });
});
