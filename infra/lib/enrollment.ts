import { importWorkQueue, type QueueDefinition } from '@lindung/messaging';
import { Construct } from 'constructs';
import { deployFunctions, type Platform } from './functions.js';
import type { LindungFunction } from './lindung-function.js';
import { deployQueues, type WorkQueue } from './queues.js';

/**
 * Enrollment's asynchronous part: bulk imports. The HTTP API stores an import's rows beside a job and queues
 * it on import-work; the import worker enrolls the rows chunk by chunk and hands the rest of a job on.
 */
export class Enrollment extends Construct {
  static readonly queueDefinitions: readonly QueueDefinition[] = [importWorkQueue];
  static readonly functionIds: readonly string[] = ['import-worker'];
  readonly queues: readonly WorkQueue[];
  readonly functions: readonly LindungFunction[];

  constructor(scope: Construct, id: string, platform: Platform) {
    super(scope, id);
    this.queues = deployQueues(this, Enrollment.queueDefinitions, platform);
    this.functions = deployFunctions(this, Enrollment.functionIds, platform);
  }
}
