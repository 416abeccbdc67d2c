/**
 * The NIK hashing key on AWS: read from Secrets Manager through the AWS Parameters and Secrets Lambda
 * Extension, a layer the CDK adds to the functions that hash NIKs (infra/lib/lindung-function.ts), which
 * AWS recommends over an SDK client in the function: the bundle carries no Secrets Manager client (about
 * 19 KB of the http-api's 500 KB), and the extension caches the secret. The function's configuration holds
 * only the secret's ARN (`NIK_HASH_KEY_SECRET_ARN`), never the key. The embedded local stack sets
 * `NIK_HASH_KEY` instead and no ARN, so nothing is read there.
 *
 * The extension answers during invocations only, not during the function's INIT, so the key is read by a
 * middleware before the first event is handled, once per process (a failed read is tried again by the next
 * invocation).
 */
import { useNikHashKey } from '@lindung/store';
import type { MiddlewareObj } from '@middy/core';

/** The extension's port when `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` does not set another. */
const EXTENSION_PORT = '2773';

/** A secret's `SecretString` as the extension gives it (`GET /secretsmanager/get`, GetSecretValue's answer). */
export const secretThroughExtension = async (
  secretId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> => {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? EXTENSION_PORT;
  const response = await fetch(
    `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
    // The extension serves only callers that show the function's session token.
    { headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' } },
  );
  if (!response.ok) {
    throw new Error(`The Parameters and Secrets extension answered ${response.status} for ${secretId}`);
  }
  const { SecretString } = (await response.json()) as { SecretString?: unknown };
  if (typeof SecretString !== 'string' || SecretString.length === 0) {
    throw new Error('The NIK hashing key secret is empty or not a string');
  }
  return SecretString;
};

let loaded: Promise<boolean> | undefined;

/** Loads the key named by `NIK_HASH_KEY_SECRET_ARN`, once; resolves whether there was one to load. */
export const loadNikHashKey = (env: NodeJS.ProcessEnv = process.env): Promise<boolean> => {
  const arn = env.NIK_HASH_KEY_SECRET_ARN;
  if (!arn) return Promise.resolve(false);
  loaded ??= secretThroughExtension(arn, env).then(
    (secret) => {
      // Never rotated in place (see infra/lib/storage.ts): the key lives as long as the process.
      useNikHashKey(secret);
      return true;
    },
    (error: unknown) => {
      loaded = undefined;
      throw error;
    },
  );
  return loaded;
};

/** middy: the NIK hashing key is there before the handler runs. */
export const nikHashKey = (): MiddlewareObj => ({
  before: async () => {
    await loadNikHashKey();
  },
});
