/**
 * Every Lambda function of Lindung and what triggers it. The CDK stack deploys these entries and the
 * embedded local stack wires the same handlers to its HTTP server, pollers and scheduler.
 */
import type { QueueDefinition } from '@lindung/messaging';
import type { TableDefinition } from '@lindung/store';

export type Trigger =
  | { readonly kind: 'http' }
  | { readonly kind: 'queue'; readonly queue: QueueDefinition }
  | {
      readonly kind: 'stream';
      readonly table: TableDefinition;
      readonly batchSize: number;
      readonly maxBatchingWindowSeconds: number;
    }
  | {
      readonly kind: 'schedule';
      /** EventBridge Scheduler cron expression (six fields), evaluated in `timezone`. */
      readonly cron: string;
      readonly timezone: 'Asia/Jakarta';
    };

/**
 * What a scheduled function receives. On AWS the schedule's input template fills `scheduledTime` with
 * `<aws.scheduler.scheduled-time>`; the local scheduler passes the same shape.
 */
export interface ScheduledInvocation {
  readonly scheduledTime: string;
}

/** The input template of an EventBridge Scheduler target producing a {@link ScheduledInvocation}. */
export const scheduledInvocationInput = JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' });

export interface FunctionDefinition {
  readonly id: string;
  readonly description: string;
  /** Path of the entry file, relative to the repository root. */
  readonly entry: string;
  readonly trigger: Trigger;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Runs only on the embedded local stack (e.g. the BPJS billing simulator). */
  readonly localOnly?: boolean;
}

export const httpApiFunction: FunctionDefinition = {
  id: 'http-api',
  description: 'The HTTP API v1 (API Gateway HTTP API, payload v2)',
  entry: 'functions/http/api.ts',
  trigger: { kind: 'http' },
  memoryMb: 1024,
  timeoutSeconds: 29,
};

export const functionDefinitions: readonly FunctionDefinition[] = [httpApiFunction];
