import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionDefinitions } from '../../functions/registry.js';
import { accessOf } from '../lib/access.js';
import { type BundleReport, bundleReport, deployedDefinitions } from '../lib/bundles.js';
import { repositoryRoot } from '../lib/lindung-function.js';

/**
 * The SDK clients a function needs, from what access.ts lets it do: tables → DynamoDB, queues it sends
 * to → SQS; GET /health reads both (the NIK hashing key comes through the Parameters and Secrets
 * extension, not a client). Its own
 * trigger needs none: records arrive in the event.
 */
const clientsNeeded = (functionId: string): string[] => {
  const access = accessOf(functionId);
  return [
    ...(access.tables.length > 0 || access.observesHealth ? ['@aws-sdk/client-dynamodb'] : []),
    ...(access.sendsTo.length > 0 || access.observesHealth ? ['@aws-sdk/client-sqs'] : []),
  ];
};

// Entries land in functions/registry.ts while their handlers are still being written: a function whose
// entry file does not exist yet has nothing to bundle (and `npm run synth` fails for it, so it cannot be
// deployed). This filter is the only exception: every entry that exists is checked.
const bundled = deployedDefinitions(functionDefinitions).filter((definition) =>
  existsSync(join(repositoryRoot, definition.entry)),
);

describe('function bundles', () => {
  const reports = new Map<string, BundleReport>();

  beforeAll(async () => {
    for (const report of await Promise.all(bundled.map(bundleReport))) reports.set(report.id, report);
  }, 20_000);

  it('bundles at least the HTTP API', () => {
    // Assess
    expect(bundled.map((definition) => definition.id)).toContain('http-api');
  });

  it.each(bundled.map((definition) => [definition.id]))(
    'bundles into %s only the SDK clients its access needs',
    (id) => {
      // Act
      const report = reports.get(id);

      // Assess
      expect(report?.sdkClients).toEqual(clientsNeeded(id));
      expect(report?.minifiedBytes).toBeGreaterThan(0);
      expect(report?.gzipBytes).toBeLessThan(report?.minifiedBytes ?? 0);
    },
  );
});
