import { createHmac } from 'node:crypto';

let configuredKey: string | undefined;

/**
 * Sets the NIK hashing key for this process: on AWS the function reads it from Secrets Manager at cold start
 * (functions/shared/nik-hash-key.ts), so it never sits in the function's configuration.
 */
export const useNikHashKey = (secret: string): void => {
  if (!secret) throw new Error('The NIK hashing key is empty');
  configuredKey = secret;
};

/**
 * A keyed hash of a NIK, used as the worker's key so that a NIK never appears in a key, an index or a log.
 * The key comes from the deployment: read from Secrets Manager at cold start (`useNikHashKey`), or, on the
 * embedded local stack, `NIK_HASH_KEY`; without it the hash could be reversed by trying all plausible NIKs.
 */
export const nikKey = (
  nik: string,
  secret: string = configuredKey ?? process.env.NIK_HASH_KEY ?? '',
): string => {
  if (!secret) {
    throw new Error(
      'The NIK hashing key is not set: the deployment must provide it (NIK_HASH_KEY_SECRET_ARN)',
    );
  }
  return createHmac('sha256', secret).update(nik).digest('base64url');
};
