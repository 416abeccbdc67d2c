import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP, dynamoDbLocalHeap } from '../../../packages/local/src/dynamodb-local.js';
import { LocalStackError } from '../../../packages/local/src/errors.js';
import {
  javaMajorVersion,
  requireFreePort,
  requireWritableDirectory,
} from '../../../packages/local/src/preflight.js';

describe('javaMajorVersion', () => {
  it('reads modern and legacy `java -version` outputs', () => {
    expect(javaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorVersion('java version "21" 2023-09-19')).toBe(21);
    expect(javaMajorVersion('java version "1.8.0_392"')).toBe(8);
    expect(javaMajorVersion('nonsense')).toBeUndefined();
  });
});

describe('requireFreePort', () => {
  it('fails with a clear message and a way out when the port is taken', async () => {
    // Prepare
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    // Act
    const error = await requireFreePort(port, 'the HTTP API', '--port').catch((e: unknown) => e);
    server.close();

    // Assess
    expect(error).toBeInstanceOf(LocalStackError);
    expect((error as LocalStackError).message).toContain(`Port ${port} for the HTTP API is already in use`);
    expect((error as LocalStackError).hint).toContain('--port');
  });
});

describe('requireWritableDirectory', () => {
  it('creates a missing folder', async () => {
    const base = await mkdtemp(join(tmpdir(), 'lindung-'));
    await expect(requireWritableDirectory(join(base, 'a', 'b'))).resolves.toBeUndefined();
    await rm(base, { recursive: true });
  });

  it('refuses a folder it cannot write to, suggesting --data-dir or --in-memory', async () => {
    // Prepare: a path below a regular file can never be a folder, even for root.
    const base = await mkdtemp(join(tmpdir(), 'lindung-'));
    const file = join(base, 'file');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'x'));
    await chmod(file, 0o400);

    // Act
    const error = await requireWritableDirectory(join(file, 'data')).catch((e: unknown) => e);
    await rm(base, { recursive: true });

    // Assess
    expect(error).toBeInstanceOf(LocalStackError);
    expect((error as LocalStackError).hint).toMatch(/--data-dir.*--in-memory/);
  });
});

describe('dynamoDbLocalHeap', () => {
  it('sets a ceiling by default, takes LINDUNG_DYNAMODB_HEAP, and refuses a size the JVM would not', () => {
    // Prepare
    const before = process.env.LINDUNG_DYNAMODB_HEAP;
    try {
      // Act and assess
      delete process.env.LINDUNG_DYNAMODB_HEAP;
      expect(dynamoDbLocalHeap()).toBe(DEFAULT_HEAP);
      process.env.LINDUNG_DYNAMODB_HEAP = '512m';
      expect(dynamoDbLocalHeap()).toBe('512m');
      expect(dynamoDbLocalHeap({ heap: '4g' })).toBe('4g');
      process.env.LINDUNG_DYNAMODB_HEAP = 'lots';
      expect(() => dynamoDbLocalHeap()).toThrow(LocalStackError);
    } finally {
      if (before === undefined) delete process.env.LINDUNG_DYNAMODB_HEAP;
      else process.env.LINDUNG_DYNAMODB_HEAP = before;
    }
  });
});
