import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { FunctionDefinition } from '../../functions/registry.js';
import { accessOf, environmentOf, grantAccess } from './access.js';
import { LindungFunction } from './lindung-function.js';
import type { Queues } from './queues.js';
import { constructId, type StageSettings } from './stage.js';
import type { Storage } from './storage.js';
import { QueueTrigger, ScheduleTrigger, StreamTrigger } from './triggers.js';

/** What every context builds on: the stage, the registry, the tables, and the queues deployed so far. */
export interface Platform {
  readonly settings: StageSettings;
  /** Customer-managed key for everything that holds money or personal data. */
  readonly dataKey: kms.IKey;
  readonly storage: Storage;
  readonly queues: Queues;
  /** The functions of functions/registry.ts; tests pass their own. */
  readonly definitions: readonly FunctionDefinition[];
}

/**
 * The functions of the registry that a context owns and that run on AWS (local-only ones are skipped),
 * each with the access of access.ts and its trigger. An HTTP function gets no trigger here: the Api
 * context puts it behind API Gateway.
 */
export const deployFunctions = (
  scope: Construct,
  functionIds: readonly string[],
  platform: Platform,
): LindungFunction[] => {
  const { settings, storage, queues } = platform;
  return platform.definitions
    .filter((definition) => functionIds.includes(definition.id) && !definition.localOnly)
    .map((definition) => {
      const access = accessOf(definition.id);
      // `Function` keeps the id apart from a queue or construct of the same name (billing-inbox, HttpApi).
      const fn = new LindungFunction(scope, `${constructId(definition.id)}Function`, {
        settings,
        definition,
        environment: environmentOf(access, storage, queues),
        readsSecrets: access.hashesNiks,
      });
      grantAccess(fn, access, storage, queues);
      const { trigger } = definition;
      switch (trigger.kind) {
        case 'http':
          break;
        case 'queue':
          new QueueTrigger(fn, 'Trigger', fn, trigger, queues);
          break;
        case 'stream':
          new StreamTrigger(fn, 'Trigger', fn, trigger, storage, settings);
          break;
        case 'schedule':
          new ScheduleTrigger(fn, 'Trigger', fn, trigger, settings);
          break;
        default:
          throw new Error(`${definition.id}: unknown trigger ${JSON.stringify(trigger satisfies never)}`);
      }
      return fn;
    });
};
