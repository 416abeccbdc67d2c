import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionWorkerScript } from '../../../packages/local/src/bundles.js';

describe('the bundle cache', () => {
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'lindung-bundles-'));
  });
  afterAll(() => rm(cacheDir, { recursive: true, force: true }));

  it('builds once and serves the same file while no input changes', async () => {
    const first = await functionWorkerScript(cacheDir);
    const second = await functionWorkerScript(cacheDir);

    expect(first.built).toBe(true);
    expect(second).toEqual({ ...first, built: false });
  });

  it('rebuilds when the inputs no longer hash to the key the build was made from', async () => {
    // Prepare: the manifest remembers other inputs than those on disk now.
    const manifestFile = join(cacheDir, 'function-worker', 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { key: string };
    await writeFile(manifestFile, JSON.stringify({ ...manifest, key: 'an older key' }));

    const rebuilt = await functionWorkerScript(cacheDir);

    expect(rebuilt.built).toBe(true);
    expect(JSON.parse(await readFile(manifestFile, 'utf8'))).toMatchObject({ key: manifest.key });
  });

  it('rebuilds a cached file that no longer has the sha256 it was built with', async () => {
    const { file, sha256 } = await functionWorkerScript(cacheDir);
    await writeFile(file, 'export {};\n');

    const rebuilt = await functionWorkerScript(cacheDir);

    expect(rebuilt).toMatchObject({ built: true, sha256 });
  });
});
