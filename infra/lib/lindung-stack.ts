import { queueDefinitions } from '@lindung/messaging';
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { type FunctionDefinition, functionDefinitions } from '../../functions/registry.js';
import { AlarmTopic } from './alarms.js';
import { Api } from './api.js';
import { Billing } from './billing.js';
import { Enrollment } from './enrollment.js';
import type { Platform } from './functions.js';
import type { LindungFunction } from './lindung-function.js';
import { Queues } from './queues.js';
import { Renewal } from './renewal.js';
import { Reporting } from './reporting.js';
import type { StageSettings } from './stage.js';
import { Storage } from './storage.js';
import { Web } from './web.js';

export interface LindungStackProps extends StackProps {
  readonly settings: StageSettings;
  /** Defaults to functions/registry.ts. */
  readonly functions?: readonly FunctionDefinition[];
  /** The dashboard's built files; packages/web/dist by default, deployed only if the directory exists. */
  readonly dashboardDirectory?: string;
}

/** Which context deploys each function of the registry; local-only functions are deployed by none. */
const contextFunctionIds = [Billing, Renewal, Enrollment, Api, Reporting].flatMap(
  (context) => context.functionIds,
);

/**
 * One stage of Lindung on AWS, one construct per context of ARCHITECTURE.md. Environment-agnostic: no
 * lookups, so it synthesizes without an account.
 */
export class LindungStack extends Stack {
  readonly dataKey: kms.Key;
  readonly storage: Storage;
  readonly queues: Queues;
  readonly billing: Billing;
  readonly renewal: Renewal;
  readonly enrollment: Enrollment;
  readonly api: Api;
  readonly reporting: Reporting;
  readonly web: Web;
  readonly alarms: AlarmTopic;
  /** Every deployed function, whichever context owns it. */
  readonly functions: readonly LindungFunction[];

  constructor(scope: Construct, id: string, props: LindungStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const definitions = props.functions ?? functionDefinitions;
    const unowned = definitions.filter(
      (definition) => !definition.localOnly && !contextFunctionIds.includes(definition.id),
    );
    if (unowned.length > 0) {
      throw new Error(
        `No context deploys ${unowned.map((definition) => definition.id).join(', ')}: add the id to the ` +
          '`functionIds` of its context (infra/lib/billing.ts, renewal.ts, enrollment.ts, api.ts, reporting.ts)',
      );
    }

    // Retained in every stage: a retained table or message is unreadable without its key.
    this.dataKey = new kms.Key(this, 'DataKey', {
      alias: `alias/lindung-${settings.name}-data`,
      description: 'Lindung: tables and queues that hold money or personal data',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The ledger and its read models: every table of packages/store, and the NIK hashing key.
    this.storage = new Storage(this, 'Storage', { settings, dataKey: this.dataKey });
    this.queues = new Queues();
    const platform: Platform = {
      settings,
      dataKey: this.dataKey,
      storage: this.storage,
      queues: this.queues,
      definitions,
    };
    // In order of what they send to: renewal sends to billing, the API to renewal and enrollment (and reads
    // every queue).
    this.billing = new Billing(this, 'Billing', platform);
    this.renewal = new Renewal(this, 'Renewal', platform);
    this.enrollment = new Enrollment(this, 'Enrollment', platform);
    this.queues.requireAll(queueDefinitions);
    // The dashboard's distribution before the API, whose sign-in client sends users back to it; the
    // distribution routes to the API once the API exists.
    this.web = new Web(this, 'Web', {
      settings,
      ...(props.dashboardDirectory ? { dashboardDirectory: props.dashboardDirectory } : {}),
    });
    this.api = new Api(this, 'Api', { ...platform, redirectUri: this.web.redirectUri });
    this.web.serveApi(this.api);
    this.reporting = new Reporting(this, 'Reporting', platform);
    this.functions = [
      ...this.billing.functions,
      ...this.renewal.functions,
      ...this.enrollment.functions,
      this.api.handler,
      ...this.reporting.functions,
    ];
    this.alarms = new AlarmTopic(this, 'Alarms', { settings });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}
