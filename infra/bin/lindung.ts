/** The CDK app: `npm run synth` (stage from `-c stage=…`, `dev` by default in cdk.json). */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LindungStack } from '../lib/lindung-stack.js';
import { stackName, stageSettings } from '../lib/stage.js';

const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
new LindungStack(app, stackName(stage), {
  settings: stageSettings(stage),
  description: `Lindung (${stage}): sponsored BPJS Ketenagakerjaan premiums`,
});
// cdk-nag 3 is a policy-validation plugin: any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
