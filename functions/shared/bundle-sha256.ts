import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let computed: { readonly sha256: string | undefined } | undefined;

/**
 * The sha256 of the bundle this code runs from (`index.mjs`: on Lambda the file of the CDK asset), read once;
 * undefined when it runs from its TypeScript sources.
 */
export const ownBundleSha256 = (): string | undefined => {
  if (!computed) {
    // Bundled, every module's import.meta.url is the bundle's.
    const file = fileURLToPath(import.meta.url);
    computed = {
      sha256: file.endsWith('.mjs')
        ? createHash('sha256').update(readFileSync(file)).digest('hex')
        : undefined,
    };
  }
  return computed.sha256;
};
