import { App } from 'aws-cdk-lib';
import { LindungStack } from './lindung-stack.js';
import { type StageOptions, stackName, stageSettings } from './stage.js';

/**
 * The CloudFormation template of a stage's stack, for tests that compare it with what the local stack
 * creates. Cheap: the esbuild bundling is skipped (the mechanism behind `cdk synth --exclusively`),
 * since the tables and queues do not depend on the code.
 */
export const synthesizeTemplate = (stage = 'dev', options: StageOptions = {}): Record<string, unknown> => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new LindungStack(app, stackName(stage), { settings: stageSettings(stage, options) });
  return app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
};
