import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { FunctionDefinition } from '../../functions/registry.js';
import { Api } from './api.js';
import { Functions } from './functions.js';
import { Queues } from './queues.js';
import type { StageSettings } from './stage.js';
import { Storage } from './storage.js';

export interface LindungStackProps extends StackProps {
  readonly settings: StageSettings;
  /** Defaults to functions/registry.ts. */
  readonly functions?: readonly FunctionDefinition[];
}

/**
 * One stage of Lindung on AWS. Environment-agnostic: no lookups, so it synthesizes without an account.
 */
export class LindungStack extends Stack {
  readonly dataKey: kms.Key;
  readonly storage: Storage;
  readonly queues: Queues;
  readonly functions: Functions;
  readonly api: Api;

  constructor(scope: Construct, id: string, props: LindungStackProps) {
    super(scope, id, props);
    const { settings } = props;

    // Retained in every stage: a retained table or message is unreadable without its key.
    this.dataKey = new kms.Key(this, 'DataKey', {
      alias: `alias/lindung-${settings.name}-data`,
      description: 'Lindung: tables and queues that hold money or personal data',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.storage = new Storage(this, 'Storage', { settings, dataKey: this.dataKey });
    this.queues = new Queues(this, 'Queues', { settings, dataKey: this.dataKey });
    this.functions = new Functions(this, 'Functions', {
      settings,
      storage: this.storage,
      queues: this.queues,
      ...(props.functions ? { definitions: props.functions } : {}),
    });
    this.api = new Api(this, 'Api', { settings, handler: this.functions.httpHandler });
  }
}
