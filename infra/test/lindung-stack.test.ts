import { describe, expect, it } from 'vitest';
import { httpApiFunction } from '../../functions/registry.js';
import { billingSimulator, mirroredRegistry, renewalWorker } from './fixtures/registry.js';
import { buildStack } from './support.js';

describe('LindungStack', () => {
  const { stack, template } = buildStack('dev', { functions: mirroredRegistry });
  const functionsOf = (context: { functions: readonly { definition: { id: string } }[] }) =>
    context.functions.map((fn) => fn.definition.id);

  it('deploys each function in the construct of its context', () => {
    // Assess
    expect(stack.api.handler.definition.id).toBe('http-api');
    expect(functionsOf(stack.billing)).toEqual(['invoice-numbering', 'billing-inbox', 'billing-resend']);
    expect(functionsOf(stack.renewal)).toEqual(['period-roll', 'renewal-worker']);
    expect(functionsOf(stack.reporting)).toEqual(['reports-projector']);
    expect(stack.renewal.functions[1]?.node.path).toBe('Lindung-dev/Renewal/RenewalWorkerFunction');
  });

  it('deploys each shared queue in the construct of its context', () => {
    // Assess
    expect(stack.billing.queues.map((queue) => queue.definition.id)).toEqual([
      'invoice-numbering',
      'billing-outbox',
      'billing-inbox',
    ]);
    expect(stack.renewal.queues.map((queue) => queue.definition.id)).toEqual(['renewal-work']);
  });

  it('deploys no local-only function', () => {
    // Assess
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { FunctionName: `lindung-dev-${billingSimulator.id}` },
      0,
    );
  });

  it('refuses a function that no context deploys', () => {
    // Prepare
    const stray = { ...renewalWorker, id: 'stray-worker' };

    // Act & Assess
    expect(() => buildStack('dev', { functions: [httpApiFunction, stray] })).toThrow(
      /No context deploys stray-worker/,
    );
  });

  it('refuses a registry without the HTTP API', () => {
    // Act & Assess
    expect(() => buildStack('dev', { functions: [renewalWorker] })).toThrow(
      /exactly one deployed HTTP function/,
    );
  });
});
