import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { FunctionDefinition } from '../../functions/registry.js';
import { LindungStack } from '../lib/lindung-stack.js';
import { stackName, stageSettings } from '../lib/stage.js';

/** The dashboard build of the test fixtures (one index.html). */
export const fixtureDashboard = new URL('./fixtures/dashboard', import.meta.url).pathname;

export interface BuiltStack {
  readonly app: App;
  readonly stack: LindungStack;
  readonly template: Template;
}

export interface BuildOptions {
  /** The functions registry; functions/registry.ts by default. */
  readonly functions?: readonly FunctionDefinition[];
  /**
   * Run esbuild on every entry (about 3 s a stack through `npx esbuild`). Off by default through CDK's
   * own `aws:cdk:bundling-stacks` context, which `cdk synth --exclusively` uses; the template is the
   * same but for the asset hash. The bundling test turns it on.
   */
  readonly bundle?: boolean;
  /** Alarm e-mail addresses; prod gets one by default, as it must. */
  readonly alarmEmails?: readonly string[];
  /**
   * The dashboard's built files. None by default, whether or not packages/web/dist exists on this
   * machine, so that the templates do not depend on who built what.
   */
  readonly dashboardDirectory?: string;
}

/** Builds a stage's stack in-process and its template. */
export const buildStack = (stage = 'dev', options: BuildOptions = {}): BuiltStack => {
  const app = new App({
    context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
    // `npm run synth` validates the template against the CloudFormation schemas; the tests need not.
    builtinCloudFormationValidation: false,
  });
  const alarmEmails = options.alarmEmails ?? (stage === 'prod' ? ['ops@example.go.id'] : []);
  const stack = new LindungStack(app, stackName(stage), {
    settings: stageSettings(stage, { alarmEmails }),
    ...(options.functions ? { functions: options.functions } : {}),
    dashboardDirectory:
      options.dashboardDirectory ?? new URL('./fixtures/no-dashboard', import.meta.url).pathname,
  });
  return { app, stack, template: Template.fromStack(stack) };
};

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The properties of every resource of a type, for assertions that go over all of them. */
export const propertiesOf = (template: Template, type: string): Record<string, unknown>[] =>
  Object.values(template.findResources(type) as Resources).map((resource) => resource.Properties ?? {});

/** The logical id of the one resource of a type whose properties match. */
export const logicalIdOf = (
  template: Template,
  type: string,
  properties: Record<string, unknown>,
): string => {
  const ids = Object.keys(template.findResources(type, { Properties: properties }));
  if (ids.length !== 1) throw new Error(`Expected one ${type} matching, found ${ids.length}`);
  return ids[0] as string;
};
