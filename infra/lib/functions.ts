import { Construct } from 'constructs';
import { type FunctionDefinition, functionDefinitions } from '../../functions/registry.js';
import { accessOf, environmentOf, grantAccess } from './access.js';
import { LindungFunction } from './lindung-function.js';
import type { Queues } from './queues.js';
import { constructId, type StageSettings } from './stage.js';
import type { Storage } from './storage.js';
import { QueueTrigger, ScheduleTrigger, StreamTrigger } from './triggers.js';

export interface FunctionsProps {
  readonly settings: StageSettings;
  readonly storage: Storage;
  readonly queues: Queues;
  /** The registry of functions/registry.ts; tests pass their own. */
  readonly definitions?: readonly FunctionDefinition[];
}

/**
 * Every function of the registry that runs on AWS, with the access of access.ts and its trigger.
 * HTTP functions are wired by the Api construct, which takes `httpHandler`.
 */
export class Functions extends Construct {
  readonly all: readonly LindungFunction[];

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { settings, storage, queues } = props;
    const deployed = (props.definitions ?? functionDefinitions).filter((definition) => !definition.localOnly);
    this.all = deployed.map((definition) => {
      const access = accessOf(definition.id);
      const fn = new LindungFunction(this, constructId(definition.id), {
        settings,
        definition,
        environment: environmentOf(access, storage, queues),
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
  }

  /** The one function that serves the HTTP API. */
  get httpHandler(): LindungFunction {
    const http = this.all.filter((fn) => fn.definition.trigger.kind === 'http');
    const [handler] = http;
    if (!handler || http.length > 1) {
      throw new Error(`Expected exactly one HTTP function in the registry, found ${http.length}`);
    }
    return handler;
  }
}
