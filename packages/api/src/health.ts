import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  deadLetterQueueUrlEnvName,
  type QueueDefinition,
  queueDefinitions,
  queueUrlEnvName,
} from '@lindung/messaging';
import { type TableDefinition, tableDefinitions, tableEnvName } from '@lindung/store';
import * as z from 'zod/mini';
import packageJson from '../../../package.json' with { type: 'json' };

export type ComponentStatus = 'ok' | 'unavailable';

/**
 * The variable that maps each function id to the sha256 of its bundle's `index.mjs` (JSON); the local stack
 * sets it for every function, so GET /health can say which code runs.
 */
export const FUNCTION_BUNDLES_ENV = 'LINDUNG_FUNCTION_BUNDLES';

const functionBundles = z.record(z.string(), z.string().check(z.regex(/^[0-9a-f]{64}$/)));

export interface HealthReport {
  readonly status: ComponentStatus;
  readonly versions: { readonly lindung: string; readonly node: string };
  /** Each function's bundle (`index.mjs`) by its sha256; empty when the code runs from its sources. */
  readonly functions: Record<string, { readonly sha256: string }>;
  readonly dynamodb: {
    readonly status: ComponentStatus;
    readonly tables: Record<string, { status: string; items?: number; error?: string }>;
  };
  readonly sqs: {
    readonly status: ComponentStatus;
    readonly queues: Record<
      string,
      { status: string; messages?: number; deadLetters?: number; error?: string }
    >;
  };
}

export interface HealthDependencies {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly env?: NodeJS.ProcessEnv;
  readonly tables?: readonly TableDefinition[];
  readonly queues?: readonly QueueDefinition[];
  /** The answering function and the sha256 of the bundle it runs from (undefined from sources). */
  readonly self?: { readonly id: string; readonly sha256: string | undefined };
}

// Health must answer even when a dependency is down, so every failure is reported, not thrown.
const describe = (error: unknown): string => (error instanceof Error ? error.name : 'UnknownError');

const tableState = async (deps: HealthDependencies, table: TableDefinition, env: NodeJS.ProcessEnv) => {
  const name = env[tableEnvName(table)];
  if (!name) return { status: 'unconfigured' };
  try {
    const { Table } = await deps.dynamodb.send(new DescribeTableCommand({ TableName: name }));
    return { status: Table?.TableStatus ?? 'UNKNOWN', items: Table?.ItemCount ?? 0 };
  } catch (error) {
    return { status: 'unavailable', error: describe(error) };
  }
};

const queueDepth = async (sqs: SQSClient, url: string): Promise<number> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
};

const queueState = async (deps: HealthDependencies, queue: QueueDefinition, env: NodeJS.ProcessEnv) => {
  const url = env[queueUrlEnvName(queue)];
  const dlqUrl = env[deadLetterQueueUrlEnvName(queue)];
  if (!url) return { status: 'unconfigured' };
  try {
    const [messages, deadLetters] = await Promise.all([
      queueDepth(deps.sqs, url),
      dlqUrl ? queueDepth(deps.sqs, dlqUrl) : Promise.resolve(undefined),
    ]);
    return { status: 'ok', messages, ...(deadLetters === undefined ? {} : { deadLetters }) };
  } catch (error) {
    return { status: 'unavailable', error: describe(error) };
  }
};

const parsedJson = (text: string | undefined): unknown => {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
};

// The answering function hashed its own file: that is what runs, whatever the variable says.
const functionsOf = (env: NodeJS.ProcessEnv, self: HealthDependencies['self']): HealthReport['functions'] => {
  const listed = functionBundles.safeParse(parsedJson(env[FUNCTION_BUNDLES_ENV]));
  const bundles = { ...(listed.success ? listed.data : {}), ...(self?.sha256 && { [self.id]: self.sha256 }) };
  return Object.fromEntries(
    Object.entries(bundles)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, sha256]) => [id, { sha256 }]),
  );
};

const overall = (states: readonly { status: string }[]): ComponentStatus =>
  states.every((s) => s.status === 'ok' || s.status === 'ACTIVE') ? 'ok' : 'unavailable';

/** Checks every table and queue the deployment configured; never throws. */
export const checkHealth = async (deps: HealthDependencies): Promise<HealthReport> => {
  const env = deps.env ?? process.env;
  const tables = deps.tables ?? tableDefinitions;
  const queues = deps.queues ?? queueDefinitions;
  const [tableStates, queueStates] = await Promise.all([
    Promise.all(tables.map((t) => tableState(deps, t, env))),
    Promise.all(queues.map((q) => queueState(deps, q, env))),
  ]);
  const dynamodbStatus = overall(tableStates);
  const sqsStatus = overall(queueStates);
  return {
    status: dynamodbStatus === 'ok' && sqsStatus === 'ok' ? 'ok' : 'unavailable',
    versions: { lindung: packageJson.version, node: process.versions.node },
    functions: functionsOf(env, deps.self),
    dynamodb: {
      status: dynamodbStatus,
      tables: Object.fromEntries(tables.map((t, i) => [t.id, tableStates[i] ?? { status: 'unknown' }])),
    },
    sqs: {
      status: sqsStatus,
      queues: Object.fromEntries(queues.map((q, i) => [q.id, queueStates[i] ?? { status: 'unknown' }])),
    },
  };
};
