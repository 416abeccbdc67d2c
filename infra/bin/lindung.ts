/**
 * The CDK app: `npm run synth` (stage from `-c stage=…`, `dev` by default in cdk.json; alarm e-mail
 * addresses from `-c alarmEmails=a@example.go.id,b@example.go.id`, required for `prod`).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LindungStack } from '../lib/lindung-stack.js';
import { alarmEmailsFromContext, stackName, stageSettings } from '../lib/stage.js';

const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
new LindungStack(app, stackName(stage), {
  settings: stageSettings(stage, {
    alarmEmails: alarmEmailsFromContext(app.node.tryGetContext('alarmEmails')),
  }),
  description: `Lindung (${stage}): sponsored BPJS Ketenagakerjaan premiums`,
});
// cdk-nag 3 is a policy-validation plugin: any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
