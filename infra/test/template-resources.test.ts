import { queueDefinitions, queueName } from '@lindung/messaging';
import { tableDefinitions, tableName } from '@lindung/store';
import { describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '../lib/template-resources.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const namesOf = (template: Record<string, unknown>, type: string, property: string): unknown[] =>
  Object.values(template.Resources as Resources)
    .filter((resource) => resource.Type === type)
    .map((resource) => resource.Properties[property]);

describe('synthesizeTemplate', () => {
  it.each(['dev', 'prod'])('returns the %s template with every shared table and queue', (stage) => {
    // Act
    const template = synthesizeTemplate(stage, { alarmEmails: ['ops@example.go.id'] });

    // Assess
    expect(namesOf(template, 'AWS::DynamoDB::Table', 'TableName').sort()).toEqual(
      tableDefinitions.map((definition) => tableName(stage, definition)).sort(),
    );
    expect(namesOf(template, 'AWS::SQS::Queue', 'QueueName')).toEqual(
      expect.arrayContaining(queueDefinitions.map((definition) => queueName(stage, definition))),
    );
  });

  it('defaults to the dev stage', () => {
    // Act
    const template = synthesizeTemplate();

    // Assess
    expect(namesOf(template, 'AWS::DynamoDB::Table', 'TableName')).toContain('lindung-dev-ledger');
  });
});
