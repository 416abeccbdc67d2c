import { billingInboxQueue, billingOutboxQueue, type QueueDefinition } from '@lindung/messaging';
import { Construct } from 'constructs';
import { deployFunctions, type Platform } from './functions.js';
import type { LindungFunction } from './lindung-function.js';
import { deployQueues, type WorkQueue } from './queues.js';

/**
 * Billing: the queues to and from BPJS billing, and the consumer of what BPJS answers (acknowledged with
 * a payment code, paid, rejected). The billing simulator that answers locally is never deployed.
 */
export class Billing extends Construct {
  static readonly queueDefinitions: readonly QueueDefinition[] = [billingOutboxQueue, billingInboxQueue];
  static readonly functionIds: readonly string[] = ['billing-inbox'];
  readonly queues: readonly WorkQueue[];
  readonly functions: readonly LindungFunction[];

  constructor(scope: Construct, id: string, platform: Platform) {
    super(scope, id);
    this.queues = deployQueues(this, Billing.queueDefinitions, platform);
    this.functions = deployFunctions(this, Billing.functionIds, platform);
  }
}
