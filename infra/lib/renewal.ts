import { type QueueDefinition, renewalWorkQueue } from '@lindung/messaging';
import { Construct } from 'constructs';
import { deployFunctions, type Platform } from './functions.js';
import type { LindungFunction } from './lindung-function.js';
import { deployQueues, type WorkQueue } from './queues.js';

/**
 * Renewal: the monthly period roll (a schedule in Asia/Jakarta, or POST /v1/periods/{period}/roll) fans
 * out one message per (period, commitment, village) on renewal-work; the renewal worker renews or ends
 * the coverage of that village and drafts its invoice, which the Billing context numbers and sends.
 */
export class Renewal extends Construct {
  static readonly queueDefinitions: readonly QueueDefinition[] = [renewalWorkQueue];
  static readonly functionIds: readonly string[] = ['period-roll', 'renewal-worker'];
  readonly queues: readonly WorkQueue[];
  readonly functions: readonly LindungFunction[];

  constructor(scope: Construct, id: string, platform: Platform) {
    super(scope, id);
    this.queues = deployQueues(this, Renewal.queueDefinitions, platform);
    this.functions = deployFunctions(this, Renewal.functionIds, platform);
  }
}
