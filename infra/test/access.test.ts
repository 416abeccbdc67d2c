import { deadLetterQueueName, queueDefinitions, queueName } from '@lindung/messaging';
import { tableDefinitions, tableName } from '@lindung/store';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { functionName } from '../lib/stage.js';
import { mirroredRegistry } from './fixtures/registry.js';
import { buildStack, logicalIdOf, propertiesOf } from './support.js';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/**
 * What each function may do, written out by hand rather than derived from access.ts: this is the
 * review of access.ts. Tables: `write` implies read. Queues: the shared queues it may send to.
 */
const expected: Record<string, { write: string[]; readOnly: string[]; sendsTo: string[] }> = {
  // Every shared queue: the roll's work, and (POST /v1/operations/redrive) dead letters back to their queue.
  'http-api': {
    write: ['idempotency', 'ledger'],
    readOnly: ['reports'],
    sendsTo: ['renewal-work', 'import-work', 'billing-outbox', 'billing-inbox', 'invoice-numbering'],
  },
  // Evaluates the incentive schemes whose period ended: the regions' targets are in the reports.
  'period-roll': { write: ['ledger'], readOnly: ['reports'], sendsTo: ['renewal-work'] },
  'renewal-worker': { write: ['ledger'], readOnly: [], sendsTo: ['invoice-numbering', 'billing-outbox'] },
  'invoice-numbering': { write: ['ledger'], readOnly: [], sendsTo: ['billing-outbox'] },
  'billing-inbox': { write: ['ledger'], readOnly: [], sendsTo: ['billing-outbox'] },
  'billing-resend': { write: ['ledger'], readOnly: [], sendsTo: ['invoice-numbering', 'billing-outbox'] },
  'reports-projector': { write: ['reports'], readOnly: ['ledger'], sendsTo: [] },
  // Enrolls the rows of a job (the enrollment transaction) and hands the rest of the job on.
  'import-worker': { write: ['ledger'], readOnly: [], sendsTo: ['import-work'] },
};

describe('functionAccess', () => {
  const { stack, template } = buildStack('dev', { functions: mirroredRegistry });
  const idOf = (type: string, properties: Record<string, unknown>) => logicalIdOf(template, type, properties);
  const tables = new Map(
    tableDefinitions.map((table) => [
      idOf('AWS::DynamoDB::Table', { TableName: tableName('dev', table) }),
      table.id,
    ]),
  );
  const queues = new Map(
    queueDefinitions.flatMap((queue) => [
      [idOf('AWS::SQS::Queue', { QueueName: queueName('dev', queue) }), queue.id],
      [idOf('AWS::SQS::Queue', { QueueName: deadLetterQueueName('dev', queue) }), `${queue.id}-dlq`],
    ]),
  );

  /** The statements of a function's role, with the logical ids of the resources each names. */
  const grantsOf = (id: string) => {
    const fn = stack.functions.find((candidate) => candidate.definition.id === id);
    if (!fn) throw new Error(`No function ${id} in the stack`);
    const role = stack.getLogicalId(fn.role.node.defaultChild as CfnRole);
    return propertiesOf(template, 'AWS::IAM::Policy')
      .filter((policy) => JSON.stringify(policy.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap((policy) => (policy.PolicyDocument as { Statement: Statement[] }).Statement)
      .map((statement) => ({
        actions: Array.isArray(statement.Action) ? statement.Action : [statement.Action],
        // A table's item actions name `Fn::GetAtt [table, Arn]`; its stream `Fn::GetAtt [table, StreamArn]`.
        arns: [...JSON.stringify(statement.Resource).matchAll(/"Fn::GetAtt":\["(\w+)","Arn"\]/g)].map(
          (match) => match[1] as string,
        ),
      }));
  };

  const tablesWith = (id: string, action: string) =>
    [
      ...new Set(
        grantsOf(id)
          .filter((grant) => grant.actions.includes(action))
          .flatMap((grant) => grant.arns.map((arn) => tables.get(arn)))
          .filter((table) => table !== undefined),
      ),
    ].sort();

  it.each(Object.keys(expected))('lets %s read and write exactly its tables', (id) => {
    // Prepare
    const { write, readOnly } = expected[id] as (typeof expected)[string];

    // Act
    const readable = tablesWith(id, 'dynamodb:Query');
    const writable = tablesWith(id, 'dynamodb:PutItem');

    // Assess
    expect(readable).toEqual([...write, ...readOnly].sort());
    expect(writable).toEqual(write);
  });

  it.each(Object.keys(expected))('lets %s send to exactly its queues, and to no dead-letter queue', (id) => {
    // Act
    const sendsTo = grantsOf(id)
      .filter((grant) => grant.actions.includes('sqs:SendMessage'))
      .flatMap((grant) => grant.arns.map((arn) => queues.get(arn)))
      .filter((queue) => queue !== undefined);

    // Assess
    expect(sendsTo).toEqual(expected[id]?.sendsTo);
  });

  it('keeps the renewal worker out of the reports and the projector off every shared queue', () => {
    // Assess
    expect(tablesWith('renewal-worker', 'dynamodb:GetItem')).not.toContain('reports');
    expect(
      grantsOf('reports-projector').filter(
        (grant) => grant.actions.includes('sqs:SendMessage') && grant.arns.some((arn) => queues.has(arn)),
      ),
    ).toEqual([]);
  });

  it('gives the NIK hashing key only to the functions that enroll: the HTTP API and the import worker', () => {
    // Act
    const holders = propertiesOf(template, 'AWS::Lambda::Function')
      .filter((fn) => JSON.stringify(fn.Environment).includes('NIK_HASH_KEY'))
      .map((fn) => fn.FunctionName);

    // Assess
    expect(holders.sort()).toEqual(
      [functionName('dev', 'http-api'), functionName('dev', 'import-worker')].sort(),
    );
  });
});
