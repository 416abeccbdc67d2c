import { type TableDefinition, tableDefinitions, tableName } from '@lindung/store';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { constructId, type StageSettings } from './stage.js';

export interface StorageProps {
  readonly settings: StageSettings;
  /** Customer-managed key for the tables that hold money or personal data. */
  readonly dataKey: kms.IKey;
}

const attributeTypes = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
} as const;

const streamViews = {
  NEW_IMAGE: dynamodb.StreamViewType.NEW_IMAGE,
  OLD_IMAGE: dynamodb.StreamViewType.OLD_IMAGE,
  NEW_AND_OLD_IMAGES: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  KEYS_ONLY: dynamodb.StreamViewType.KEYS_ONLY,
} as const;

const attribute = (key: TableDefinition['partitionKey']): dynamodb.Attribute => ({
  name: key.name,
  type: attributeTypes[key.type],
});

/**
 * The DynamoDB tables, one per shared definition (packages/store), so the deployed schema and the
 * local stack's schema cannot drift apart; and the NIK hashing key that the worker keys depend on.
 */
export class Storage extends Construct {
  /** The HMAC key that turns a NIK into a worker's key (packages/store `nikKey`, `NIK_HASH_KEY`). */
  readonly nikHashKey: secretsmanager.Secret;
  private readonly tables = new Map<string, dynamodb.Table>();

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.nikHashKey = new secretsmanager.Secret(this, 'NikHashKey', {
      secretName: `lindung/${props.settings.name}/nik-hash-key`,
      description: 'HMAC key of NIKs in worker keys: losing or changing it orphans every enrolled worker',
      encryptionKey: props.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.nikHashKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key is part of every worker key stored in the ledger: rotating it on a schedule would orphan ' +
        'them all. A rotation is a re-keying migration of the table, planned and run by hand.',
    });
    for (const definition of tableDefinitions) {
      // Money and people are never disposable; in production nothing is.
      const retained = definition.holdsMoneyOrPeople || props.settings.isProduction;
      const table = new dynamodb.Table(this, constructId(definition.id), {
        tableName: tableName(props.settings.name, definition),
        partitionKey: attribute(definition.partitionKey),
        ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: retained,
        removalPolicy: retained ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        ...(definition.holdsMoneyOrPeople
          ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.dataKey }
          : { encryption: dynamodb.TableEncryption.DEFAULT }),
        ...(definition.stream ? { stream: streamViews[definition.stream] } : {}),
        ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
      });
      for (const index of definition.globalIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      this.tables.set(definition.id, table);
    }
  }

  /** The deployed table of a shared definition. */
  table(definition: TableDefinition): dynamodb.Table {
    const table = this.tables.get(definition.id);
    if (!table) throw new Error(`No table '${definition.id}' in this stack's storage`);
    return table;
  }
}
