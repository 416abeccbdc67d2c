import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { mirroredRegistry } from './fixtures/registry.js';
import { buildStack, fixtureDashboard } from './support.js';

// cdk-nag 3 reports through CDK's policy validation rather than annotations; `validateScope` runs the
// checks `npm run synth` runs and returns every finding that no `Validations.acknowledge` covers.
const findingsOf = ({ stack }: { readonly stack: Stack }) =>
  new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack).violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity,
    description: violation.description,
    resources: violation.violatingResources.map((resource) => resource.constructPath),
  }));

describe('cdk-nag AwsSolutions', () => {
  const stacks = {
    dev: buildStack('dev'),
    prod: buildStack('prod'),
    'dev with every function to come': buildStack('dev', { functions: mirroredRegistry }),
    'prod with every function to come and the dashboard': buildStack('prod', {
      functions: mirroredRegistry,
      dashboardDirectory: fixtureDashboard,
    }),
  };

  it.each(Object.entries(stacks))(
    'finds no error or warning left unacknowledged in the %s stack',
    (_name, built) => {
      // Act
      const findings = findingsOf(built);

      // Assess
      expect(findings).toEqual([]);
    },
  );

  it.each(Object.entries(stacks))(
    'leaves no error or warning annotation on the %s stack',
    (_name, { stack }) => {
      // Act
      const annotations = Annotations.fromStack(stack);

      // Assess
      expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
      expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    },
  );

  it('reports what is not acknowledged (the checks above are not vacuous)', () => {
    // Prepare
    const stack = new Stack(new App(), 'Control');
    new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });

    // Act
    const rules = findingsOf({ stack }).map((finding) => finding.rule);

    // Assess
    expect(rules).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });
});
